"""The agent's interfaces of CC-Gateway: sign-in, sign-out, Guid, event poll and sendmessage.

Same paths and shapes as the real gateway; every failure is a `GatewayAnswer` (HTTP 200 with a
retcode). The Guid check is the `SessionDep` dependency.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, NamedTuple

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, ValidationError
from starlette.types import Receive, Scope, Send

from sendmessage_kit.constraints import Finding, Profile, check
from sendmessage_kit.encoding import decode_body, encode_data, request_from, shown, wire_text
from sendmessage_kit.errors import PayloadError
from sendmessage_kit.models import MessageData
from sendmessage_kit.sandbox import asgi
from sendmessage_kit.sandbox.routes._shared import (
    ECHO_LIMIT,
    GUID_DOC,
    GW,
    JSON,
    Answer,
    GatewayAnswer,
    SandboxState,
    SessionDep,
    StateDep,
    answer,
    answer_bytes,
    in_range,
    signed_in,
)

__all__ = [
    "SENDMESSAGE_PATH",
    "SENDMESSAGE_ROUTE",
    "deliver",
    "router",
    "sendmessage_operation",
    "serve_sendmessage",
]

TAG = "CC-Gateway (same paths and shapes as the real gateway)"
_SUCCESS = b'{"message":"success","retcode":"0"}'

# The body as it travels: `data` is a string holding the MessageData JSON (Table 2).
_WIRE_BODY = {
    "type": "object",
    "required": ["callid", "data"],
    "properties": {
        "callid": {"type": "string", "description": "Call ID of the chat."},
        "userid": {"type": "string", "description": "User number (optional)."},
        "data": {"type": "string", "description": "MessageData (Table 3) as a JSON string."},
    },
}

router = APIRouter(tags=[TAG])


class SignInBody(BaseModel):
    """Sign-in body (the sandbox reads `password` and `phonenum`; other fields are accepted)."""

    password: str = Field(min_length=1, max_length=32)
    phonenum: str = Field(
        max_length=24, description="Required; empty is accepted only with --allow-empty-phonenum."
    )


_SIGN_IN_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SignInBody.model_json_schema()}},
    }
}


async def _sign_in(agentid: str, request: Request, state: SandboxState, force: bool) -> Response:
    in_range(state, agentid)
    try:  # pydantic's JSON parser: also refuses text that is not valid Unicode
        creds = SignInBody.model_validate_json(await request.body())
    except ValidationError as exc:
        # 100-001: the vendor's sign-in error for empty or invalid sign-in parameters.
        raise GatewayAnswer("100-001", _sign_in_problem(exc)) from None
    if not state.config.allow_empty_phonenum and not creds.phonenum.strip():
        raise GatewayAnswer("100-001", _SIGN_IN_PROBLEM.format(fields="phonenum"))
    gw = state.gateway
    if not gw.password_ok(agentid, creds.password):
        raise GatewayAnswer("100-004", "wrong username or password")
    session = gw.sign_in(agentid, creds.phonenum, force=force)
    if session is None:
        raise GatewayAnswer("100-002", "the agent has already signed in; use .../forcelogin")
    result = {
        "vdnid": 1,
        "workno": agentid,
        "mediatype": "TTF",
        "loginTime": str(session.login_ms),
        "isForceChange": "false",
        "serverName": "AgentGateway",
        "timeRemaining": "",
    }
    response = answer("0", "", result=result)
    response.headers["Set-GUID"] = f"JSESSIONID={session.guid}"
    return response


def _sign_in_problem(exc: ValidationError) -> str:
    fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}) or ["body"]
    if fields == ["body"] and exc.errors()[0]["type"] == "model_type":
        fields = ["body: not a JSON object"]
    return _SIGN_IN_PROBLEM.format(fields=", ".join(fields))


_SIGN_IN_PROBLEM = (
    "sign-in parameters empty or invalid ({fields}): the body needs a JSON object with password "
    "(1-32 characters) and phonenum, the agent's softphone number (1-24)"
)


@router.put(
    f"{GW}/onlineagent/{{agentid}}",
    summary="Sign in (answers Set-GUID: JSESSIONID=<guid>)",
    response_model=Answer,
    openapi_extra=_SIGN_IN_DOC,
)
async def onlineagent(agentid: str, request: Request, state: StateDep) -> Response:
    return await _sign_in(agentid, request, state, force=False)


@router.put(
    f"{GW}/onlineagent/{{agentid}}/forcelogin",
    summary="Forced sign-in (takes over a signed-in agent)",
    response_model=Answer,
    openapi_extra=_SIGN_IN_DOC,
)
async def forcelogin(agentid: str, request: Request, state: StateDep) -> Response:
    return await _sign_in(agentid, request, state, force=True)


@router.delete(
    f"{GW}/onlineagent/{{agentid}}/logout",
    summary="Sign out",
    response_model=Answer,
    openapi_extra=GUID_DOC,
)
async def logout(agentid: str, session: SessionDep, state: StateDep) -> Response:
    state.gateway.end(agentid)
    return answer("0", "success")


@router.put(
    f"{GW}/onlineagent/{{agentid}}/updateGuid",
    summary="Ask for a new Guid (result.guid)",
    response_model=Answer,
    openapi_extra=GUID_DOC,
)
async def update_guid(agentid: str, session: SessionDep, state: StateDep) -> Response:
    return answer("0", "success", result={"guid": state.gateway.new_guid_for(session)})


@router.get(
    f"{GW}/agentevent/{{agentid}}",
    summary="Poll one event (long poll; also the heartbeat; may carry Set-GUID)",
    response_model=Answer,
    openapi_extra=GUID_DOC,
)
async def agentevent(agentid: str, session: SessionDep, state: StateDep) -> Response:
    gw = state.gateway
    event = await gw.next_event(session)
    response = answer("0", "", event=event)
    rotated = gw.rotate_if_due(session)
    if rotated is not None:
        response.headers["Set-GUID"] = f"JSESSIONID={rotated}"
    return response


SENDMESSAGE_ROUTE = f"{GW}/mediacall/{{agentid}}/sendmessage"
_ANSWER_REF = "#/components/schemas/Answer"


def sendmessage_operation() -> dict[str, Any]:
    """The OpenAPI operation of sendmessage, whose one handler is `serve_sendmessage`.

    sendmessage is served as plain ASGI ahead of FastAPI's routing (the hot path), so it is no
    FastAPI route; the app adds this operation to its OpenAPI document (`SandboxApp.openapi`).
    """
    return {
        "tags": [TAG],
        "summary": "Send a message to the customer of a chat",
        "operationId": "sendmessage",
        "parameters": [
            {"name": "agentid", "in": "path", "required": True, "schema": {"type": "string"}},
            *GUID_DOC["parameters"],
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _WIRE_BODY}}},
        "responses": {
            "200": {
                "description": "The gateway's answer: retcode 0, or the retcode refusing it.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}
                },
            }
        },
    }


SENDMESSAGE_PATH = re.compile(f"{GW}/mediacall/([^/]+)/sendmessage")
# Bodies up to this size are checked on the event loop (a usual send: tens of µs); bigger ones
# in a worker process (a thread would not do: pydantic and json hold the GIL for a whole parse),
# so /sandbox/health and other requests answer meanwhile.
_ON_LOOP_BYTES = 64 * 1024
_JSON = JSON.encode()


async def serve_sendmessage(
    state: SandboxState, agentid: str, scope: Scope, receive: Receive, send: Send
) -> None:
    """The sendmessage interface as plain ASGI, ahead of FastAPI's routing: the hot path.

    FastAPI's routing, dependency solving and middleware cost more than the interface's own
    work; here a request costs the interface and uvicorn only. An unexpected exception
    propagates to uvicorn, which answers 500 as Starlette's error middleware would.
    """
    raw = await asgi.read_body(receive)
    if raw is None:  # the client went away before the body ended: nothing is stored
        return
    try:
        if len(raw) <= _ON_LOOP_BYTES:
            deliver(state, agentid, asgi.header(scope, b"guid"), raw)
        else:  # parsed and checked in a worker process: the loop keeps serving meanwhile
            signed_in(state, agentid, asgi.header(scope, b"guid"))
            args = (state.profile, _retcodes(state), agentid, raw)
            _store(state, agentid, *await state.workers.run(_checked, *args))
        body = _SUCCESS
    except GatewayAnswer as exc:
        body = answer_bytes(exc.retcode, exc.message, **exc.extra)
    await asgi.answer(send, 200, _JSON, body)


def deliver(state: SandboxState, agentid: str, guid: str | None, raw: bytes) -> None:
    """The sendmessage interface: store the message, or raise the `GatewayAnswer` refusing it."""
    signed_in(state, agentid, guid)
    _store(state, agentid, *_checked(state.profile, _retcodes(state), agentid, raw))


def _retcodes(state: SandboxState) -> tuple[str, str]:
    return state.config.oversize_retcode, state.config.invalid_retcode


def _checked(
    profile: Profile, retcodes: tuple[str, str], agentid: str, raw: bytes
) -> tuple[str, Routing | None, str]:
    """Parse and check a body; raise the refusal (`retcodes`: oversize, invalid).

    CPU only, and every argument pickles: a big body is checked in the worker process.
    """
    try:  # parsed once, for check() and the decoder
        body: Any = json.loads(wire_text(raw))
    except (PayloadError, ValueError, RecursionError):
        body = raw  # check() names what is wrong with it
    errors = [f for f in check(body, profile, agent_id=agentid) if f.severity == "error"]
    if errors:
        raise GatewayAnswer(_retcode_for(errors, *retcodes), _describe(errors))
    return _accepted(body, retcodes[1])


def _store(state: SandboxState, agentid: str, callid: str, data: Routing | None, wire: str) -> None:
    """Store an accepted message (on the event loop: the chat rules read the store)."""
    store, config = state.store, state.config
    chat = store.chat(callid)
    if config.strict_calls and (chat is None or chat.agent_id != agentid):
        raise GatewayAnswer(
            "000-002",
            f"callid {callid!r} is not a chat allocated to agent {agentid} (strict calls: "
            "a customer opens it first with POST /sandbox/chats)",
        )
    if data is None:  # plain-text data: the text goes to the chat's customer
        if chat is None:
            raise GatewayAnswer(
                "000-002", f"callid {callid!r}: plain-text data needs a chat a customer opened"
            )
        to, channel, media, code, content = chat.user_id, chat.channel, "TEXT", None, wire
    else:
        to, channel, media, code, content = data
    if chat is None:
        store.open_chat(callid, agentid, channel, to, by="agent")
    # A messageCode already stored is kept once and still answers success (idempotency).
    store.add_message(
        message_code=code or str(uuid.uuid4()),
        direction="agent",
        callid=callid,
        agent_id=agentid,
        user_id=to,
        channel=channel,
        media_type=media,
        content=content,
        data=wire if data is not None else None,
    )


class Routing(NamedTuple):
    """What storing a message needs of its `data` (small: it comes back from the worker)."""

    to: str
    channel: str
    media: str
    code: str | None
    content: str


def _accepted(body: Any, retcode: str) -> tuple[str, Routing | None, str]:
    """(callid, data or None for plain text, `data`'s wire string) through the kit's decoder.

    `check()` may have let through what the decoder refuses (a rule lowered to a warning, a
    profile that takes plain text): the decoder decides, and a `PayloadError` is an answer.
    The decoder refuses text that is not valid Unicode anywhere in the body, and only what the
    kit's encoder writes is stored, so nothing stored can break a read.
    """
    try:
        request = decode_body(body) if isinstance(body, bytes) else request_from(body)
        data = request.data
        wire = data if isinstance(data, str) else encode_data(data)
    except PayloadError as exc:
        raise GatewayAnswer(retcode, str(exc)) from None
    if not isinstance(data, MessageData):
        return request.callid, None, wire
    routing = Routing(
        data.to, data.channel.value, data.mediaType.value, data.messageCode, data.content
    )
    return request.callid, routing, wire


def _retcode_for(errors: list[Finding], oversize: str, invalid: str) -> str:
    """The retcode a refused body gets: the rules say it (`Rule.retcode`, `Rule.oversize`)."""
    rules = [f.rule for f in errors]
    published = [rule.retcode for rule in rules if rule is not None and rule.retcode]
    if published:
        return published[0]
    if all(rule is not None and rule.oversize for rule in rules):
        return oversize
    return invalid


def _describe(errors: list[Finding]) -> str:
    parts = [shown(f"{f.field}: {f.message}", ECHO_LIMIT) + f" [{f.rule_id}]" for f in errors[:3]]
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more
