"""What the send views show: the raw exchange, the history table, body diffs, chat bubbles.

Pure functions over a client's `SendResult`s and the sandbox's customer-side messages; the Guid is
masked wherever it appears.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sendmessage_kit._http import JSON_HEADERS
from sendmessage_kit.auth import mask
from sendmessage_kit.customer_message import CustomerMessage

__all__ = [
    "Bubble",
    "bubbles",
    "diff_bodies",
    "event_sentence",
    "exchange_text",
    "history_rows",
    "mask_secret",
    "readable_body",
]


def mask_secret(value: str | None) -> str:
    """Mask a secret to a short tail (see `auth.mask`); empty stays empty."""
    return mask(value) if value else ""


# --- sends: raw exchange, history, diff --------------------------------------------------------


def readable_body(body: str) -> str:
    """A body pretty-printed with its `data` string decoded, so two sends diff field by field."""
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError):
        return body
    if isinstance(obj, dict) and isinstance(obj.get("data"), str):
        try:
            obj["data"] = json.loads(obj["data"])
        except (ValueError, RecursionError):
            pass
    return json.dumps(obj, ensure_ascii=False, indent=2)


def diff_bodies(a: str, b: str, *, names: tuple[str, str] = ("a", "b")) -> str:
    """A unified diff of two request bodies (data decoded); "" when they are the same."""
    lines = difflib.unified_diff(
        readable_body(a).splitlines(),
        readable_body(b).splitlines(),
        fromfile=names[0],
        tofile=names[1],
        lineterm="",
    )
    return "\n".join(lines)


def exchange_text(result: Any, *, url: str, guid: Any = None) -> str:
    """The raw exchange of a send (request line, headers, body, answer) with the Guid masked.

    `result` is a client `SendResult`; `guid` a `SecretStr`, a string or None.
    """
    secret = guid.get_secret_value() if hasattr(guid, "get_secret_value") else guid
    lines = [
        f"POST {url}",
        f"Content-Type: {JSON_HEADERS['Content-Type']}",  # what the clients send
        f"Guid: {mask_secret(secret) or '(none)'}",
        "",
        str(result.request_body),
        "",
    ]
    if result.response is not None:
        lines.append("→ " + result.response.model_dump_json())
    elif result.error is not None:
        lines.append(f"→ no usable answer: {type(result.error).__name__}: {result.error}")
    text = "\n".join(lines)
    return text.replace(secret, mask_secret(secret)) if secret else text


def history_rows(results: Sequence[Any]) -> list[dict[str, str]]:
    """One row per send of a `SendResult` list: #, callid, messageCode, retcode, ms, content."""
    rows = []
    for i, r in enumerate(results, 1):
        try:
            data = json.loads(json.loads(r.request_body)["data"])
            content = str(data.get("content", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            content = ""
        rows.append(
            {
                "#": str(i),
                "callid": str(r.callid),
                "messageCode": str(r.message_code or ""),
                "retcode": str(r.retcode) if r.retcode is not None else "no answer",
                "ms": f"{r.elapsed * 1000:.0f}",
                "content": content if len(content) <= 40 else content[:39] + "…",
            }
        )
    return rows


# --- the customer's conversation ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bubble:
    """One chat message as the conversation view shows it."""

    seq: int
    who: Literal["agent", "customer"]
    content: str
    media_type: str = "TEXT"
    sender: str = ""
    at_ms: int = 0
    message_code: str = ""
    truncated: bool = False  # the channel delivered only the first part (shown with "…")


def bubbles(messages: Sequence[CustomerMessage]) -> list[Bubble]:
    """The sandbox's customer-side messages as the conversation's `Bubble`s."""
    return [
        Bubble(
            seq=m.seq,
            who=m.direction,
            content=m.content,
            media_type=m.mediaType,
            sender=m.senderNickname or "",
            at_ms=m.timestamp,
            message_code=m.messageCode,
            truncated=m.truncated,
        )
        for m in messages
    ]


# --- agent events as sentences -----------------------------------------------------------------


def event_sentence(
    event: Mapping[str, Any], callid: str | None = None, caller: str | None = None
) -> str | None:
    """One agent event as a sentence a business audience reads; None when it is another chat's.

    With `callid`, an event that names a different chat (another guide's customer on the same
    sandbox) gives None, unless it comes from `caller`, this conversation's customer (their chat
    page, say, opened a chat of its own). `AgentEvent_Talking` reads "Customer opened a chat on
    WhatsApp", `AgentEvent_MessageData` "Customer replied: …"; any other event is named by its
    type.
    """
    from sendmessage_kit.skins import chat_style

    name = str(event.get("eventType") or event.get("type") or "event")
    content = event.get("content")
    body: Mapping[str, Any] = content if isinstance(content, Mapping) else {}
    theirs = caller is not None and body.get("caller") == caller
    if callid is not None and body.get("callid") not in (None, callid) and not theirs:
        return None
    if name == "AgentEvent_Talking":
        channel = body.get("channel")
        on = f" on {chat_style(str(channel))['name']}" if channel else ""
        return f"Customer opened a chat{on}"
    if name == "AgentEvent_MessageData" and "message" in body:
        return f"Customer replied: {body['message']}"
    readable = name.removeprefix("AgentEvent_").replace("_", " ")
    return f"Agent event: {readable}"
