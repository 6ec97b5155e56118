"""The customer's side (sandbox only, not part of CC-Gateway): open a chat, write, read.

These endpoints let a demo play the customer; their failures are HTTP 4xx with a `detail`.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field, StrictBool
from starlette.convertors import Convertor, register_url_convertor

from sendmessage_kit.customer_message import CustomerMessage
from sendmessage_kit.fields import DataField, data_fields
from sendmessage_kit.models import Channel
from sendmessage_kit.sandbox.routes._shared import CHANNEL_ID, Problem, StateDep
from sendmessage_kit.sandbox.store import StoredMessage

__all__ = ["REFUSED", "CustomerMessages", "router", "stored_data", "view"]

TAG = "Customer side (sandbox only, not part of CC-Gateway)"

REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON, or a value is out of range."},
}
_NO_CHAT: dict[int | str, dict[str, Any]] = {
    **REFUSED,
    404: {"model": Problem, "description": "No such chat."},
}

router = APIRouter(tags=[TAG])


class _UserId(Convertor[str]):
    """A path parameter that is any text, "/" and line breaks included.

    Starlette's own `path` convertor stops at a line break. Registered once, by name, through
    Starlette's public `register_url_convertor`.
    """

    regex = r"[\s\S]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("user_id", _UserId())


class OpenChat(BaseModel):
    """A customer opens a chat."""

    channel: Channel = Channel.WEB
    userId: str = Field(min_length=1, max_length=32)
    agentId: str | None = Field(default=None, description="Default: a signed-in agent, or 101.")
    join: StrictBool = Field(  # JSON `0` is no `false`, as the document says
        default=False,
        description="Join this customer's open chat on the channel when there is one (the "
        "chat page and the presenter's phone show one conversation); else open a new one.",
    )


class CustomerText(BaseModel):
    """A customer writes in a chat (text of at most 1 KB, UTF-8)."""

    content: str = Field(min_length=1)
    messageCode: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="The message's code (default: a new UUID); a page that shows the message "
        "before the answer comes knows it as its own when the chat's stream brings it back.",
    )


@router.post("/sandbox/chats", summary="A customer opens a chat", responses=REFUSED)
async def open_chat(body: OpenChat, state: StateDep) -> dict[str, str]:
    gw, config = state.gateway, state.config
    agent_id = body.agentId
    if agent_id is None:
        live = sorted((a for a in list(gw.sessions) if gw.live_session(a)), key=int)
        agent_id = live[0] if live else config.demo_agent_id
    elif not gw.in_range(agent_id):
        low, high = config.agent_id_range
        raise HTTPException(400, f"agentId must be in {low}-{high}")
    channel = body.channel.value
    joined = state.store.latest_chat(body.userId, channel) if body.join else None
    if joined is not None:
        return {
            "callid": joined.callid,
            "agentId": joined.agent_id,
            "channel": channel,
            "userId": body.userId,
            "cursor": str(state.store.newest_to(body.userId)),
            "joined": "true",
        }
    callid = _new_callid()
    cursor = state.store.newest_to(body.userId)  # this chat's messages come after it
    state.store.open_chat(callid, agent_id, channel, body.userId, by="customer")
    gw.push_event(
        agent_id,
        "AgentEvent_Talking",
        {
            "callid": callid,
            "caller": body.userId,
            "called": CHANNEL_ID,
            "feature": 0,
            "type": "main",
            "mediaAbility": "5",
            "channel": channel,
        },
    )
    return {
        "callid": callid,
        "agentId": agent_id,
        "channel": channel,
        "userId": body.userId,
        "cursor": str(cursor),
    }


@router.post(
    "/sandbox/chats/{callid}/messages",
    summary="The customer writes (the agent gets AgentEvent_MessageData)",
    responses=_NO_CHAT,
)
async def customer_writes(callid: str, body: CustomerText, state: StateDep) -> dict[str, str]:
    store = state.store
    chat = store.chat(callid)
    if chat is None:
        raise HTTPException(404, f"no chat {callid!r}; open one with POST /sandbox/chats")
    kb = state.config.bytes_per_kb  # the same KB reading as the send limit
    if len(body.content.encode("utf-8", "surrogatepass")) > kb:
        raise HTTPException(400, f"a customer's text is at most 1 KB ({kb} UTF-8 bytes)")
    code = body.messageCode or str(uuid.uuid4())
    if not store.add_message(
        message_code=code,
        direction="customer",
        callid=callid,
        agent_id=chat.agent_id,
        user_id=chat.user_id,
        channel=chat.channel,
        media_type="TEXT",
        content=body.content,
    ):
        return {"messageCode": code, "callid": callid}  # a resend of a stored message: once
    state.gateway.push_event(
        chat.agent_id,
        "AgentEvent_MessageData",
        {
            "callid": callid,
            "caller": chat.user_id,
            "called": CHANNEL_ID,
            "feature": 0,
            "type": "main",
            "message": body.content,
            "mediaAbility": "5",
        },
    )
    return {"messageCode": code, "callid": callid}


class CustomerMessages(BaseModel):
    """A page of the messages delivered to a customer, and the cursor of the next page."""

    userId: str
    messages: list[CustomerMessage]
    cursor: str = Field(description="Pass as `after` to get the messages that came later.")


@router.get(
    # A user ID may hold "/" (sent as %2F, which the server decodes before routing) and any
    # other character: the `user_id` convertor below.
    "/sandbox/users/{userId:user_id}/messages",
    summary="Messages delivered to a customer, oldest first, after a cursor",
)
async def user_messages(
    userId: str,
    state: StateDep,
    after: Annotated[str | None, Query(pattern=r"^\d{0,18}$")] = None,  # fits SQLite's int64
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    channel: Annotated[Channel | None, Query(description="Only this channel's messages.")] = None,
) -> CustomerMessages:
    start = int(after) if after else 0
    only = channel.value if channel is not None else None
    rows = state.store.messages_to(userId, start, limit, channel=only)
    cursor = str(rows[-1].seq) if rows else str(start)
    return CustomerMessages(userId=userId, messages=[view(m) for m in rows], cursor=cursor)


def view(m: StoredMessage) -> CustomerMessage:
    """A stored message as the customer's side shows it.

    Every field of `data` that `MessageData` declares is carried under its wire name, as the
    model types it (a field added to the model too); the store's own columns (callid,
    channel, mediaType, content, the customer) win over what `data` says.
    """
    data = stored_data(m)
    carried = {f.wire: _carried(f, data.get(f.wire)) for f in data_fields()}
    return CustomerMessage.model_validate(
        {
            **carried,
            "seq": m.seq,
            "messageCode": _readable(m.message_code),
            "callid": _readable(m.callid),
            "agentId": m.agent_id,
            "direction": "customer" if m.direction == "customer" else "agent",
            "channel": m.channel,
            "mediaType": m.media_type,
            "content": _readable(m.content),
            "to": _readable(m.user_id),
            "timestamp": m.created_ms,
            "time": datetime.fromtimestamp(m.created_ms / 1000, UTC).isoformat(
                timespec="milliseconds"
            ),
        }
    )


def _carried(f: DataField, value: Any) -> Any:
    """A stored data value as the view answers it: any JSON value of the field's type.

    Text is made readable; a value that does not fit the model (a row an older sandbox stored)
    is None.
    """
    if value is None or f.problem(value) or (f.choices and value not in f.choices):
        return None
    return _readable(value) if isinstance(value, str) else value


def stored_data(m: StoredMessage) -> dict[str, Any]:
    """The stored `data` object, or {} when there is none (plain text) or it does not parse."""
    try:
        data = json.loads(m.data) if m.data else {}
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _readable(text: str) -> str:
    """Text as it can be answered: a row stored by an older sandbox may hold a lone surrogate."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode()
    return text


def _new_callid() -> str:
    return f"{int(time.time())}-{random.randrange(10_000_000, 100_000_000)}"
