"""Shared bits of the widgets: callbacks that never lose an exception, and small layouts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as w

from sendmessage_kit.widgets._html import error_html, note_html

F = TypeVar("F", bound=Callable[..., Any])


def guarded(method: F) -> F:
    """Run a widget callback; on an exception, show it in `self.status` instead of losing it.

    ipywidgets swallows exceptions raised in observers and click handlers (they end up in the
    kernel log), so every callback goes through this and the user reads what went wrong.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # shown to the user: ipywidgets would swallow it
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.status.value = error_html(self.last_error)
            return None

    return wrapper  # type: ignore[return-value]


def labelled(label: str, control: w.Widget) -> w.Widget:
    """A control with a fixed-width label on its left."""
    return w.HBox([w.HTML(note_html(label, "#222"), layout=w.Layout(width="140px")), control])


def text(value: str = "", width: str = "320px") -> w.Text:
    """A text control of a standard width."""
    return w.Text(value=value, layout=w.Layout(width=width))
