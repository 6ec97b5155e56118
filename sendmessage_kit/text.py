"""Text that is not valid Unicode: the one place that finds it (rules text.unicode/control).

`check()`, the encoders and the decoders all ask `text_findings`; `printable` and `shown` make
any text safe to print, and a refusal echo a bounded part of its input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from sendmessage_kit.errors import PayloadError
from sendmessage_kit.rules import TEXT_CONTROL, TEXT_UNICODE, Finding, refusal

__all__ = ["holds_surrogate", "printable", "shown", "text_findings", "unicode_refusal"]

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNICODE_RULE = TEXT_UNICODE
_CONTROL_RULE = TEXT_CONTROL
_MAX_PER_RULE = 10


def holds_surrogate(text: str) -> bool:
    """True when `text` holds a lone surrogate (not encodable as UTF-8)."""
    return _SURROGATE.search(text) is not None


def printable(text: str) -> str:
    r"""`text` with every lone surrogate written as its escape (`\ud800`): safe to print or send."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def shown(text: str, limit: int = 80) -> str:
    """`text` for an error message: printable, and cut to `limit` characters.

    Refusals echo a bounded part of their input, never all of it.
    """
    if len(text) <= limit:
        return printable(text)
    return f"{printable(text[:limit])}... ({len(text) - limit} more characters)"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str, bool]]:
    """(path, text, is_key) for every string in a JSON-like value; iterative (any depth)."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item, False
        elif isinstance(item, Mapping):
            for key, child in reversed(list(item.items())):
                name = str(key) if not isinstance(key, str) else printable(key)
                child_path = f"{where}.{name}" if where else name
                if isinstance(key, str):
                    yield child_path, key, True
                stack.append((child_path, child))
        elif isinstance(item, list | tuple):
            stack.extend((f"{where}[{i}]", c) for i, c in reversed(list(enumerate(item))))


def _flat_and_clean(value: Any) -> bool:
    if isinstance(value, str):
        return value.isprintable()
    if type(value) is not dict and not isinstance(value, Mapping):  # dict: skip the ABC check
        return False
    for key, item in value.items():
        if not (isinstance(key, str) and key.isprintable()):
            return False
        if isinstance(item, str):
            if not item.isprintable():
                return False
        elif isinstance(item, Mapping | list | tuple):
            return False
    return True


def _describe(match: re.Match[str], count: int, is_key: bool) -> str:
    what = "The field name" if is_key else "The text"
    more = f" ({count} in all)" if count > 1 else ""
    return f"{what} holds U+{ord(match[0]):04X} at character {match.start()}{more}."


def text_findings(value: Any, path: str = "", *, source: str | None = None) -> list[Finding]:
    r"""Rules `text.unicode` (errors) and `text.control` (warnings) over every string in a value.

    Field names are included; each finding names its field (`data.content`, `callid`, ...).
    A string at `data` that holds JSON is looked into, so its escapes (`\ud800`) are found
    under the field they decode into.
    `check()`, the encoders and the decoders all use this.

    `source`: the JSON text `value` was parsed from, when there is one. Without a backslash,
    every string in `value` is a piece of it as written, so a printable `source` (no control
    character, no lone surrogate) holds nothing to report: one pass over it at C speed.
    """
    if source is not None and "\\" not in source and source.isprintable():
        return []
    if _flat_and_clean(value):  # the usual body or data: nothing to report, at C speed
        return []
    found: dict[str, list[Finding]] = {"text.unicode": [], "text.control": []}
    for where, text, is_key in _strings(value, path):
        if where == "data" and not is_key and text.lstrip()[:1] in ("{", "[", '"'):
            try:
                inner = json.loads(text)
            except (ValueError, RecursionError):
                pass
            else:
                found_inner = text_findings(inner, "data")
                for f in found_inner:
                    found[f.rule_id].append(f)
                continue
        if text.isprintable():
            continue
        for rule, pattern in ((_UNICODE_RULE, _SURROGATE), (_CONTROL_RULE, _CONTROL)):
            m = pattern.search(text)
            if m is not None and len(found[rule.id]) < _MAX_PER_RULE:
                count = len(pattern.findall(text))
                found[rule.id].append(rule.finding(where or "body", _describe(m, count, is_key)))
    return found["text.unicode"] + found["text.control"]


def unicode_refusal(value: Any, path: str) -> PayloadError:
    """The refusal of a value holding text that is not valid Unicode, naming each field."""
    errors = [f for f in text_findings(value, path) if f.severity == "error"]
    if not errors:  # not reachable with str/dict/list values; kept as a clear message
        errors = [_UNICODE_RULE.finding(path or "body")]
    return refusal(errors)
