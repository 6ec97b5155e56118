"""Griffe extension: a Google-style ``Example:`` section is read as ``Examples:``, as Napoleon does.

Griffe turns ``Example:`` into an admonition, so a doctest in it renders as prose and its output
(``['x']``) becomes a broken cross-reference, which fails ``mkdocs build --strict``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:[ \t]*$", re.MULTILINE)


class ExampleSection(griffe.Extension):
    """Rename ``Example:`` section headers to ``Examples:`` before parsing."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the object's docstring in place."""
        if obj.docstring is not None:
            obj.docstring.value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
