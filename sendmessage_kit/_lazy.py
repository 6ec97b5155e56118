"""Lazy public names for a package: imported from their module on first use (PEP 562)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_names(
    package: str,
    homes: Mapping[str, str],
    public: Sequence[str],
    namespace: dict[str, Any],
    *,
    anchor: str | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for module `package`, whose name N lives in `anchor.homes[N]`.

    `anchor` is the package the homes are in (`package` itself unless given).
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{anchor or package}.{home}"), name)
        namespace[name] = value  # the next lookup finds it without calling here
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *public})

    return __getattr__, __dir__
