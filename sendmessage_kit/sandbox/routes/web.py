"""The web channel's customer interfaces (applyToken, poll), token checks simplified."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError

from sendmessage_kit.fields import data_fields
from sendmessage_kit.sandbox.routes._shared import StateDep
from sendmessage_kit.sandbox.routes.customer import view
from sendmessage_kit.sandbox.store import StoredMessage

__all__ = ["router"]

TAG = "Web channel customer interfaces (token checks simplified)"

router = APIRouter(tags=[TAG])


class _TokenRequest(BaseModel):
    userId: str = Field(min_length=1, max_length=32)


@router.post("/apiaccess/ccmessaging/applyToken", summary="Get a token")
async def apply_token(request: Request, state: StateDep) -> dict[str, str]:
    try:  # pydantic's JSON parser: also refuses text that is not valid Unicode
        user_id = _TokenRequest.model_validate_json(await request.body()).userId
    except ValidationError:
        return {"resultCode": "1", "resultDesc": "userId is required (1-32 characters)"}
    token = secrets.token_urlsafe(24)
    state.tokens[token] = user_id
    return {"resultCode": "0", "resultDesc": "success", "token": token}


@router.get("/apiaccess/ccmessaging/poll", summary="Poll agent messages")
async def web_poll(
    request: Request, receiverId: str, state: StateDep, channel: str = "WEB"
) -> dict[str, Any]:
    if state.tokens.get(request.headers.get("ccmessaging-token", "")) != receiverId:
        return {"resultCode": "160028", "resultDesc": "token abnormal: call applyToken first"}
    if channel != "WEB":
        return {"resultCode": "1", "resultDesc": "this poll serves channel WEB only"}
    token = request.headers.get("ccmessaging-token", "")  # each token reads on its own
    rows = state.store.messages_to(receiverId, state.web_cursor.get(token, 0), 100)
    if rows:
        state.web_cursor[token] = rows[-1].seq
    cut = state.config.web_poll_chars or None
    downlink = [_downlink(m, cut) for m in rows if m.channel == "WEB"]
    return {
        "resultCode": "0",
        "resultDesc": "query user messages success.",
        "downlinkMessages": downlink,
    }


def _downlink(stored: StoredMessage, cut: int | None) -> dict[str, Any]:
    """A message as the web poll delivers it, with every field of `data` under its wire name.

    The fields are the customer view's; `content` is cut to `web_poll_chars`
    (docs/facts.md#web-downlink); the poll adds its own keys.
    """
    m = view(stored).model_dump(mode="json", by_alias=True)
    fields = {f.wire: m[f.wire] for f in data_fields()}
    return {
        **fields,
        "content": m["content"][:cut],
        "sourceType": "AGENT",
        "timestamp": m["timestamp"],
        "callId": m["callid"],
    }
