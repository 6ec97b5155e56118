r"""`data` to and from its wire string, the outer body, and the byte budget. No I/O.

The `data` field of the body is a JSON object encoded as a *string* inside the JSON body, so on
the wire every quote of the inner object is escaped (`\\"`). The size limit of the interface
("1.9 KB" with MULTIMEDIA_SECMODE=1, "3.8 KB" with 0) counts bytes, not characters: the vendor's
Chinese edition says "about 600 Chinese characters" for 1.9 KB, and 600 CJK characters are 1,800
UTF-8 bytes. How many bytes make a KB (1000 or 1024) and whether the whole `data` string or only
`content` counts are **not published**; the kit reads "KB" as 1000 bytes (the stricter choice),
counts `content`, shows the other figures beside it and lets you change both (`SizeLimits`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_core import PydanticSerializationError, to_json

from sendmessage_kit.errors import PayloadError
from sendmessage_kit.models import MessageData, SendMessageRequest
from sendmessage_kit.rules import TEXT_UNICODE, refusal
from sendmessage_kit.text import (
    holds_surrogate,
    printable,
    shown,
    text_findings,
    unicode_refusal,
)

__all__ = [
    "Budget",
    "SizeLimits",
    "body_dict",
    "byte_budget",
    "decode_body",
    "decode_data",
    "encode_body",
    "encode_data",
    "printable",
    "request_from",
    "shown",
    "text_findings",
    "utf8_len",
    "wire_text",
]


def encode_data(data: MessageData) -> str:
    """The compact `data` string exactly as it goes on the wire.

    Raises:
        PayloadError: a field holds text that is not valid Unicode (rule `text.unicode`; the
            error's findings name each field).

    Example:
        >>> from sendmessage_kit import new_message
        >>> encode_data(new_message(to="u1", content="hi", message_code="m1", send_time="1"))[:8]
        '{"from":'
    """
    try:
        return data.model_dump_json(by_alias=True, exclude_none=True)
    except PydanticSerializationError:
        raise unicode_refusal(data.model_dump(by_alias=True, exclude_none=True), "data") from None


def wire_text(raw: bytes | bytearray | str) -> str:
    """A body off the wire as text: UTF-8 (a leading byte-order mark is ignored, RFC 8259 §8.1).

    Raises:
        PayloadError: the bytes are not UTF-8 (rule `text.unicode`, field `body`).
    """
    if isinstance(raw, str):
        return raw
    try:
        return bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = bytes(raw)[exc.start : exc.start + 4]
        detail = f"The body is not UTF-8: byte {exc.start} starts {bad!r}."
        raise refusal([TEXT_UNICODE.finding("body", detail)]) from None


def body_dict(request: SendMessageRequest) -> dict[str, Any]:
    """The outer body as a dict, `data` already encoded as its wire string."""
    body: dict[str, Any] = {"callid": request.callid}
    if request.userid is not None:
        body["userid"] = request.userid
    data = request.data
    body["data"] = data if isinstance(data, str) else encode_data(data)
    if request.model_extra:
        body.update(request.model_extra)
    return body


def encode_body(request: SendMessageRequest | dict[str, Any], *, indent: int | None = None) -> str:
    """The outer JSON body: `callid`, `userid` when given, `data` as a string, then extras.

    Compact by default (what the kit sends); `indent=4` gives the layout of the interface
    description's example. A dict from `body_dict` is encoded as it is.
    """
    body = request if isinstance(request, dict) else body_dict(request)
    if indent is None:
        # pydantic-core's serializer escapes exactly as json.dumps(ensure_ascii=False) does,
        # at about half the cost.
        try:
            return to_json(body).decode()
        except PydanticSerializationError:
            raise unicode_refusal(body, "") from None
    text = json.dumps(body, ensure_ascii=False, indent=indent)
    if holds_surrogate(text):
        raise unicode_refusal(body, "")
    return text


def _fields_of(exc: ValidationError, prefix: str) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        parts.append(f"{prefix}{loc}: {err['msg']}")
    return "; ".join(parts)


def decode_data(text: str) -> MessageData:
    """Parse a `data` string into `MessageData`.

    Raises:
        PayloadError: the string is not a JSON object, or a field is missing or invalid; the
            message names the field.
    """
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, 4300-digit ints
        raise PayloadError(
            f"data: is not valid JSON ({exc}). The data field must be a JSON object encoded as a "
            'string, e.g. "{\\"from\\":...}".'
        ) from None
    if not isinstance(obj, dict):
        raise PayloadError(f"data: must be a JSON object, got {type(obj).__name__}.")
    _refuse_invalid_text(obj, "data", text)
    try:
        return MessageData.model_validate(obj)
    except ValidationError as exc:
        raise PayloadError(_fields_of(exc, "data.")) from None


def _refuse_invalid_text(obj: Any, path: str, source: str | None = None) -> None:
    errors = [f for f in text_findings(obj, path, source=source) if f.severity == "error"]
    if errors:
        raise refusal(errors)


def decode_body(text: str | bytes) -> SendMessageRequest:
    """Parse an outer request body; `data` becomes `MessageData` when it holds a JSON object.

    A `data` string that is not JSON is kept as a plain string (the interface allows text);
    use `constraints.check` to learn whether that is what you meant.

    Raises:
        PayloadError: the body is not UTF-8 or not a JSON object, a string in it (or in `data`)
            is not valid Unicode, or it lacks a required field; the message and `.findings`
            name the field.
    """
    text = wire_text(text)
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, ...
        raise PayloadError(f"body: is not valid JSON ({exc}).") from None
    return request_from(obj)


def request_from(obj: Any) -> SendMessageRequest:
    """`decode_body` for a body already parsed from JSON (raises the same `PayloadError`s)."""
    if not isinstance(obj, dict):
        raise PayloadError(f"body: must be a JSON object, got {type(obj).__name__}.")
    _refuse_invalid_text(obj, "")
    data = obj.get("data")
    if isinstance(data, str) and data.lstrip().startswith("{"):
        obj = {**obj, "data": decode_data(data)}
    try:
        return SendMessageRequest.model_validate(obj)
    except ValidationError as exc:
        raise PayloadError(_fields_of(exc, "")) from None


@dataclass(frozen=True, slots=True)
class SizeLimits:
    """The size budget's settings.

    Attributes:
        secmode1_kb: limit with MULTIMEDIA_SECMODE=1 (platform encryption), from the seed.
        secmode0_kb: limit with MULTIMEDIA_SECMODE=0 (business-side encryption), from the seed.
        bytes_per_kb: 1000 by default (unknown whether the vendor means 1024; 1000 is stricter).
        counts: "content" (the message content's UTF-8 bytes, default) or "data" (the whole
            compact `data` string's UTF-8 bytes).
    """

    secmode1_kb: float = 1.9
    secmode0_kb: float = 3.8
    bytes_per_kb: int = 1000
    counts: Literal["content", "data"] = "content"

    def limit_bytes(self, secmode: int) -> int:
        """The limit in bytes for a secmode; a size must be strictly below it."""
        if secmode not in (0, 1):
            raise ValueError(f"secmode must be 0 or 1, got {secmode!r}")
        kb = self.secmode1_kb if secmode == 1 else self.secmode0_kb
        return round(kb * self.bytes_per_kb)


DEFAULT_LIMITS = SizeLimits()


@dataclass(frozen=True, slots=True)
class Budget:
    """How much of the size budget a message uses.

    Attributes:
        content_chars: characters in `content`.
        content_bytes: UTF-8 bytes of `content`.
        data_bytes: UTF-8 bytes of the compact `data` string.
        escaped_bytes: UTF-8 bytes of `data` once escaped inside the outer body (quotes and all).
        counted_bytes: the figure compared with the limit (per `SizeLimits.counts`).
        limit_bytes: the limit; the message fits when counted_bytes < limit_bytes.
        secmode: the MULTIMEDIA_SECMODE the limit belongs to.
    """

    content_chars: int
    content_bytes: int
    data_bytes: int
    escaped_bytes: int
    counted_bytes: int
    limit_bytes: int
    secmode: int

    @property
    def fits(self) -> bool:
        """True when the counted size is strictly below the limit."""
        return self.counted_bytes < self.limit_bytes

    @property
    def ratio(self) -> float:
        """Counted size over the limit (1.0 and above does not fit)."""
        return self.counted_bytes / self.limit_bytes


def utf8_len(text: str) -> int:
    """UTF-8 bytes of `text`, the unit of every size limit."""
    # surrogatepass: a lone surrogate (possible in arbitrary JSON) is still measured, not raised.
    return len(text.encode("utf-8", "surrogatepass"))


def byte_budget(
    data: MessageData | Mapping[str, Any] | str,
    *,
    secmode: int = 1,
    limits: SizeLimits = DEFAULT_LIMITS,
) -> Budget:
    """Measure a message against the size limit of a secmode.

    `data` may be a `MessageData`, a parsed dict, or a `data` string (a plain-text `data` counts
    as its own content).

    Example:
        >>> b = byte_budget({"content": "你" * 700}, secmode=1)
        >>> (b.content_chars, b.content_bytes, b.limit_bytes, b.fits)
        (700, 2100, 1900, False)
    """
    if isinstance(data, MessageData):
        wire = encode_data(data)
        content = data.content
    elif isinstance(data, str):
        wire = data
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict):
            raw = parsed.get("content", "")
            content = raw if isinstance(raw, str) else json.dumps(raw)
        else:
            content = data
    else:
        wire = json.dumps(dict(data), ensure_ascii=False, separators=(",", ":"), default=str)
        raw = data.get("content", "")
        content = raw if isinstance(raw, str) else json.dumps(raw, default=str)
    data_bytes = utf8_len(wire)
    # json.dumps of the string is what sits in the body: quotes around it, \" and \\ escapes.
    escaped_bytes = utf8_len(json.dumps(wire, ensure_ascii=False))
    content_bytes = utf8_len(content)
    return Budget(
        content_chars=len(content),
        content_bytes=content_bytes,
        data_bytes=data_bytes,
        escaped_bytes=escaped_bytes,
        counted_bytes=content_bytes if limits.counts == "content" else data_bytes,
        limit_bytes=limits.limit_bytes(secmode),
        secmode=secmode,
    )
