"""One chat, both directions, as it happens (sandbox only, not part of CC-Gateway).

`GET /sandbox/chats/{callid}/messages` answers a chat's messages (the agent's and the
customer's) in order; `GET /sandbox/chats/{callid}/stream` pushes them as Server-Sent Events:
first those after `after` (or the `Last-Event-ID` a reconnecting browser sends), then each new
one as it is stored. The customer's chat page and the presenter's phone both show a chat this
way, so they show the same conversation; the web channel's poll stays the page's fallback.

On the web channel an agent message is delivered as the web channel's customer poll delivers it:
at most `web_poll_chars` characters, marked `truncated` so a view shows where it was cut.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent

from sendmessage_kit.customer_message import CustomerMessage
from sendmessage_kit.sandbox.routes._shared import SandboxState, StateDep
from sendmessage_kit.sandbox.routes.customer import REFUSED, view
from sendmessage_kit.sandbox.store import StoredMessage

__all__ = ["ChatMessages", "delivered", "router"]

TAG = "Customer side (sandbox only, not part of CC-Gateway)"
#: A comment line this often keeps proxies and idle timeouts from closing a quiet stream.
PING_S = 15
_NO_CHAT = {**REFUSED, 404: {"description": "No such chat."}}

router = APIRouter(tags=[TAG])


class ChatMessages(BaseModel):
    """A page of one chat's messages, both directions, and the cursor of the next page."""

    callid: str
    messages: list[CustomerMessage]
    cursor: str = Field(description="Pass as `after` to get the messages that came later.")


_After = Annotated[str | None, Query(pattern=r"^\d{0,18}$")]  # fits SQLite's int64


@router.get(
    "/sandbox/chats/{callid}/messages",
    summary="One chat's messages, both directions, oldest first, after a cursor",
    responses=_NO_CHAT,
)
async def chat_messages(
    callid: str,
    state: StateDep,
    after: _After = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ChatMessages:
    _chat_or_404(state, callid)
    start = int(after) if after else 0
    rows = state.store.chat_messages(callid, start, limit)
    cursor = str(rows[-1].seq) if rows else str(start)
    return ChatMessages(callid=callid, messages=[delivered(state, m) for m in rows], cursor=cursor)


@router.get(
    "/sandbox/chats/{callid}/stream",
    summary="One chat's messages as Server-Sent Events (event `message`, id = seq)",
    response_class=EventSourceResponse,
    responses={**_NO_CHAT, 200: {"content": {"text/event-stream": {}}}},
)
async def chat_stream(
    callid: str,
    state: StateDep,
    after: _After = None,
    last_event_id: Annotated[
        str,
        Header(
            description="The last event id the browser saw (sent on reconnect); an id this "
            "stream did not issue is ignored."
        ),
    ] = "",
    ping: Annotated[int, Query(ge=1, le=60, description="Seconds between keep-alives.")] = PING_S,
) -> EventSourceResponse:
    _chat_or_404(state, callid)
    ours = last_event_id.isascii() and last_event_id.isdigit() and len(last_event_id) <= 18
    start = int((last_event_id if ours else "") or after or 0)
    return EventSourceResponse(_events(state, callid, start), ping=ping)


async def _events(state: SandboxState, callid: str, start: int) -> AsyncIterator[ServerSentEvent]:
    async with state.feed.subscribe(callid) as queue:
        last = start
        while True:  # what is stored already (subscribed first: nothing falls in between)
            rows = state.store.chat_messages(callid, last, 500)
            for m in rows:
                yield _event(state, m)
                last = m.seq
            if len(rows) < 500:
                break
        while True:
            item = await queue.get()
            if item is None:  # the sandbox is stopping
                return
            if item.seq > last:
                yield _event(state, item)
                last = item.seq
            await asyncio.sleep(0)


def _event(state: SandboxState, m: StoredMessage) -> ServerSentEvent:
    body = delivered(state, m).model_dump(mode="json", by_alias=True)
    return ServerSentEvent(
        data=json.dumps(body, ensure_ascii=False), event="message", id=str(m.seq)
    )


def delivered(state: SandboxState, m: StoredMessage) -> CustomerMessage:
    """A stored message as the customer receives it on its channel (cut where the channel cuts)."""
    message = view(m)
    cut = state.config.web_poll_chars
    if m.direction == "agent" and m.channel == "WEB" and cut and len(message.content) > cut:
        return message.model_copy(update={"content": message.content[:cut], "truncated": True})
    return message


def _chat_or_404(state: SandboxState, callid: str) -> None:
    if state.store.chat(callid) is None:
        raise HTTPException(404, f"no chat {callid!r}; open one with POST /sandbox/chats")
