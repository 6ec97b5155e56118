"""What the sandbox's routers share: the app's state, the gateway's answer and its exception.

Business failures of the gateway interfaces answer HTTP 200 with `{"message", "retcode"}`, like
the real gateway. A handler or a dependency raises `GatewayAnswer`; one exception handler
(`gateway_answer_handler`, registered by `create_app`) turns it into that answer.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from sendmessage_kit import seed
from sendmessage_kit.constraints import Profile
from sendmessage_kit.encoding import shown
from sendmessage_kit.sandbox.config import SandboxConfig
from sendmessage_kit.sandbox.faults import Faults
from sendmessage_kit.sandbox.lan import PageLinks
from sendmessage_kit.sandbox.live import Feed
from sendmessage_kit.sandbox.sessions import Gateway, Session
from sendmessage_kit.sandbox.store import Store
from sendmessage_kit.sandbox.workers import Workers

__all__ = [
    "ECHO_LIMIT",
    "GW",
    "JSON",
    "Answer",
    "GatewayAnswer",
    "Problem",
    "SandboxState",
    "SessionDep",
    "StateDep",
    "answer",
    "answer_bytes",
    "gateway_answer_handler",
    "refused_handler",
    "signed_in",
]

CHANNEL_ID = seed.CHANNEL_ID  # the example's channel Configuration ID (`data.from`)
JSON = "application/json;charset=UTF-8"
GW = "/agentgateway/resource"
ECHO_LIMIT = 200  # characters of its input a refusal echoes at most
GUID_DOC: dict[str, Any] = {
    "parameters": [{"name": "Guid", "in": "header", "schema": {"type": "string"}}]
}
_AUTH_MESSAGES = {
    "000-003": "no permission: the Guid is missing, unknown or expired; sign in again",
    "100-006": "the agent has not signed in",
}


@dataclass
class SandboxState:
    """Everything a running sandbox app holds, kept on `app.state.sandbox`."""

    config: SandboxConfig
    gateway: Gateway
    store: Store
    faults: Faults
    profile: Profile
    tokens: dict[str, str] = field(default_factory=dict)  # web channel token -> user ID
    web_cursor: dict[str, int] = field(default_factory=dict)  # web token -> last polled seq
    links: PageLinks = field(default_factory=PageLinks)  # the chat pages' tokens
    workers: Workers = field(default_factory=Workers)  # CPU-heavy checks (closed with the app)
    feed: Feed = field(default_factory=Feed)  # new messages pushed to the chats' live streams


async def _state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


StateDep = Annotated[SandboxState, Depends(_state)]


class Answer(BaseModel):
    """The gateway's answer shape (HTTP 200 even for business failures)."""

    message: str = ""
    retcode: str = Field(description='"0" success; anything else a failure.')


class Problem(BaseModel):
    """Why a sandbox-only request was refused (the customer side and the controls)."""

    detail: str


class GatewayAnswer(Exception):
    """Raised by a gateway handler or dependency: answer this retcode (HTTP 200) and stop."""

    def __init__(self, retcode: str, message: str = "", **extra: Any) -> None:
        super().__init__(retcode, message)
        self.retcode = retcode
        self.message = message
        self.extra = extra


def answer_bytes(retcode: str, message: str = "", **extra: Any) -> bytes:
    """The JSON of a gateway answer: `message` and `retcode` (and extras)."""
    body = json.dumps(
        {"message": message, "retcode": retcode, **extra}, ensure_ascii=False, separators=(",", ":")
    )
    # "replace": a message quoting text that is not valid Unicode still encodes (as "?").
    return body.encode("utf-8", "replace")


def answer(retcode: str, message: str = "", **extra: Any) -> Response:
    """A gateway answer: HTTP 200, JSON with `message` and `retcode` (and extras)."""
    return Response(answer_bytes(retcode, message, **extra), media_type=JSON)


async def gateway_answer_handler(request: Request, exc: Exception) -> Response:
    """The one place a `GatewayAnswer` becomes an HTTP answer."""
    assert isinstance(exc, GatewayAnswer)
    return answer(exc.retcode, exc.message, **exc.extra)


async def refused_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 answer, but one that can always be encoded.

    FastAPI's own handler echoes the input, and input that is not valid Unicode (a lone
    surrogate sent as a JSON escape) cannot be encoded: the answer would be a 500.
    """
    assert isinstance(exc, RequestValidationError)
    errors = [_echoed(e) for e in exc.errors()[:_MAX_ERRORS]]
    body = json.dumps({"detail": jsonable_encoder(errors)}, ensure_ascii=False)
    return Response(body.encode("utf-8", "replace"), status_code=422, media_type="application/json")


_MAX_ERRORS = 20  # a refusal lists this many problems at most


async def one_value_per_query_parameter(request: Request) -> None:
    """Refuse a query parameter given more than once (`?limit=1&limit=2`), naming it.

    Each query parameter of the sandbox's own API takes one value, and FastAPI would use the
    last of several without a word. Answered as every refusal (`refused_handler`, 422).
    """
    counts = Counter(key for key, _ in request.query_params.multi_items())
    repeated = sorted(key for key, n in counts.items() if n > 1)
    if repeated:
        raise RequestValidationError(
            [
                {
                    "type": "query_repeated",
                    "loc": ("query", key),
                    "msg": f"given {counts[key]} times; give it once",
                    "input": request.query_params.getlist(key),
                }
                for key in repeated
            ]
        )


def _echoed(error: Any) -> dict[str, Any]:
    """One of pydantic's errors with its input and location cut to what a refusal may echo."""
    out = dict(error)
    out["loc"] = [shown(p, ECHO_LIMIT) if isinstance(p, str) else p for p in error["loc"]]
    if "input" in error:
        out["input"] = _echo(error["input"])
    return out


def _echo(value: Any) -> Any:
    """What a refusal may echo of an input: small values as they are, else a cut text.

    Raw bytes (a body that is not JSON) are shown as text, invalid UTF-8 replaced, so the
    refusal always encodes; anything longer than `ECHO_LIMIT` characters is cut.
    """
    if isinstance(value, bytes | bytearray):
        return shown(bytes(value[: ECHO_LIMIT * 4]).decode("utf-8", "replace"), ECHO_LIMIT)
    if isinstance(value, str):
        return shown(value, ECHO_LIMIT)
    if isinstance(value, bool) or value is None:
        return value
    try:  # a number too: pydantic reads a 900,000-digit integer
        text = json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, RecursionError):  # past int()'s digit limit, or nested too deep
        return f"({type(value).__name__} too large to show)"
    return value if len(text) <= ECHO_LIMIT else shown(text, ECHO_LIMIT)


def in_range(state: SandboxState, agentid: str) -> None:
    """Raise the 000-002 answer when the agent ID is outside the configured range."""
    if not state.gateway.in_range(agentid):
        low, high = state.config.agent_id_range
        zeros = " (write it without leading zeros)" if agentid[:1] == "0" and agentid != "0" else ""
        raise GatewayAnswer(
            "000-002",
            f"agent ID {shown(agentid, 40)!r} is not in the range {low}-{high}{zeros}",
        )


def signed_in(state: SandboxState, agentid: str, guid: str | None) -> Session:
    """The caller's session: the agent ID's range first, then the `Guid` header's value."""
    in_range(state, agentid)
    retcode, session = state.gateway.authenticate(guid, agentid)
    if session is None:
        raise GatewayAnswer(retcode, _AUTH_MESSAGES[retcode])
    return session


async def _signed_in(agentid: str, request: Request, state: StateDep) -> Session:
    # async: FastAPI runs a plain `def` dependency in a worker thread, which costs more than it.
    return signed_in(state, agentid, request.headers.get("guid"))


SessionDep = Annotated[Session, Depends(_signed_in)]
