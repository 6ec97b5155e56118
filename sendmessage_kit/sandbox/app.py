"""The sandbox's HTTP app: CC-Gateway's interfaces around sendmessage, plus the customer's side.

`create_app(config)` builds it without starting anything but the store, so
`create_app().openapi()` documents the API. Business failures answer HTTP 200 with
`{"message": ..., "retcode": ...}`, like the real gateway.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.types import Receive, Scope, Send

from sendmessage_kit import seed
from sendmessage_kit.constraints import Finding, check
from sendmessage_kit.models import Channel
from sendmessage_kit.sandbox.config import DEMO_PHONENUM, SandboxConfig
from sendmessage_kit.sandbox.faults import FaultInjector, Faults, FaultSpec
from sendmessage_kit.sandbox.sessions import Gateway, Session
from sendmessage_kit.sandbox.store import Store, StoredMessage

__all__ = ["CHANNEL_ID", "SandboxApp", "create_app"]

CHANNEL_ID = seed.CHANNEL_ID  # the example's channel Configuration ID (`data.from`)
JSON = "application/json;charset=UTF-8"
GW = "/agentgateway/resource"
_SUCCESS = b'{"message":"success","retcode":"0"}'
_AUTH_MESSAGES = {
    "000-003": "no permission: the Guid is missing, unknown or expired; sign in again",
    "100-006": "the agent has not signed in",
}
_GATEWAY_TAG = "CC-Gateway (same paths and shapes as the real gateway)"
_CUSTOMER_TAG = "Customer side (sandbox only, not part of CC-Gateway)"
_WEB_TAG = "Web channel customer interfaces (token checks simplified)"
_CONTROL_TAG = "Sandbox control"


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


class Answer(BaseModel):
    """The gateway's answer shape (HTTP 200 even for business failures)."""

    message: str = ""
    retcode: str = Field(description='"0" success; anything else a failure.')


class SignInBody(BaseModel):
    """Sign-in body (the sandbox reads `password` and `phonenum`; other fields are accepted)."""

    password: str = Field(max_length=32)
    phonenum: str = Field(max_length=24)


class OpenChat(BaseModel):
    """A customer opens a chat."""

    channel: Channel = Channel.WEB
    userId: str = Field(min_length=1, max_length=32)
    agentId: str | None = Field(default=None, description="Default: a signed-in agent, or 101.")


class CustomerText(BaseModel):
    """A customer writes in a chat (text of at most 1 KB, UTF-8)."""

    content: str = Field(min_length=1)


class Problem(BaseModel):
    """Why a sandbox-only request was refused (the customer side and the controls)."""

    detail: str


_REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body is not JSON, or a value is out of range."},
}
_NO_CHAT: dict[int | str, dict[str, Any]] = {
    **_REFUSED,
    404: {"model": Problem, "description": "No such chat."},
}


class SandboxApp(FastAPI):
    """FastAPI app whose outermost call is the fault injector (it needs the server's `send`)."""

    faults: Faults
    gateway: Gateway
    store: Store
    config: SandboxConfig

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route through the fault injector, then FastAPI."""
        await self._injector(scope, receive, send)

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    def _setup(self, config: SandboxConfig) -> None:
        self.config = config
        self.faults = Faults()
        if config.faults:
            self.faults.set(dict(config.faults))
        self.gateway = Gateway(config)
        self.store = Store(config.db)
        self._injector = FaultInjector(self._inner, self.faults)


def answer(retcode: str, message: str = "", **extra: Any) -> Response:
    """A gateway answer: HTTP 200, JSON with `message` and `retcode` (and extras)."""
    body = json.dumps(
        {"message": message, "retcode": retcode, **extra}, ensure_ascii=False, separators=(",", ":")
    )
    return Response(body.encode(), media_type=JSON)


def _retcode_for(errors: list[Finding], oversize: str) -> str:
    ids = {f.rule_id for f in errors}
    if "content.empty" in ids:
        return "106-002"
    if ids == {"content.budget"}:
        return oversize
    return "000-002"


def _describe(errors: list[Finding]) -> str:
    parts = [f"{f.field}: {f.message} [{f.rule_id}]" for f in errors[:3]]
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds")


def _view(m: StoredMessage) -> dict[str, Any]:
    data = json.loads(m.data) if m.data else {}
    return {
        "seq": m.seq,
        "messageCode": m.message_code,
        "callid": m.callid,
        "agentId": m.agent_id,
        "channel": m.channel,
        "mediaType": m.media_type,
        "content": m.content,
        "from": data.get("from"),
        "to": m.user_id,
        "senderNickname": data.get("senderNickname"),
        "senderAvatar": data.get("senderAvatar"),
        "mediaFileType": data.get("mediaFileType"),
        "contentType": data.get("contentType"),
        "sendTime": data.get("sendTime"),
        "time": _iso(m.created_ms),
    }


def _new_callid() -> str:
    return f"{int(time.time())}-{random.randrange(10_000_000, 100_000_000)}"


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build the sandbox app (opens its store; starts no server)."""
    config = config or SandboxConfig()
    app = SandboxApp(
        title="sendmessage-kit CC-Gateway sandbox",
        version="0.1.0",
        description="A local stand-in for Huawei CC-Gateway around sendmessage. Not a real "
        "gateway: see docs/sandbox.md for what it implements and its documented choices.",
    )
    app._setup(config)
    gw, store, faults = app.gateway, app.store, app.faults
    profile = config.profile()  # the KB reading, counts and range of check and the client
    low, high = config.agent_id_range
    tokens: dict[str, str] = {}
    web_cursor: dict[str, int] = {}

    def out_of_range(agentid: str) -> Response:
        return answer("000-002", f"agent ID {agentid!r} is not in the range {low}-{high}")

    def auth(request: Request, agentid: str) -> Session | Response:
        """The caller's session, or the answer to give instead (agent ID range, then Guid)."""
        if not gw.in_range(agentid):
            return out_of_range(agentid)
        retcode, session = gw.authenticate(request.headers.get("guid"), agentid)
        return session if session is not None else answer(retcode, _AUTH_MESSAGES[retcode])

    async def sign_in(agentid: str, request: Request, force: bool) -> Response:
        if not gw.in_range(agentid):
            return out_of_range(agentid)
        body = await _json_object(request)
        try:
            creds = SignInBody.model_validate(body)
        except ValueError:
            return answer("000-002", "the body needs password (<=32) and phonenum (<=24)")
        if not gw.password_ok(agentid, creds.password):
            return answer("100-004", "wrong username or password")
        session = gw.sign_in(agentid, creds.phonenum, force=force)
        if session is None:
            return answer("100-002", "the agent has already signed in; use .../forcelogin")
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

    sign_in_doc = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": SignInBody.model_json_schema()}},
        }
    }

    @app.put(
        f"{GW}/onlineagent/{{agentid}}",
        tags=[_GATEWAY_TAG],
        summary="Sign in (answers Set-GUID: JSESSIONID=<guid>)",
        response_model=Answer,
        openapi_extra=sign_in_doc,
    )
    async def onlineagent(agentid: str, request: Request) -> Response:
        return await sign_in(agentid, request, force=False)

    @app.put(
        f"{GW}/onlineagent/{{agentid}}/forcelogin",
        tags=[_GATEWAY_TAG],
        summary="Forced sign-in (takes over a signed-in agent)",
        response_model=Answer,
        openapi_extra=sign_in_doc,
    )
    async def forcelogin(agentid: str, request: Request) -> Response:
        return await sign_in(agentid, request, force=True)

    guid_doc = {"parameters": [{"name": "Guid", "in": "header", "schema": {"type": "string"}}]}

    @app.delete(
        f"{GW}/onlineagent/{{agentid}}/logout",
        tags=[_GATEWAY_TAG],
        summary="Sign out",
        response_model=Answer,
        openapi_extra=guid_doc,
    )
    async def logout(agentid: str, request: Request) -> Response:
        session = auth(request, agentid)
        if isinstance(session, Response):
            return session
        gw.end(agentid)
        return answer("0", "success")

    @app.put(
        f"{GW}/onlineagent/{{agentid}}/updateGuid",
        tags=[_GATEWAY_TAG],
        summary="Ask for a new Guid (result.guid)",
        response_model=Answer,
        openapi_extra=guid_doc,
    )
    async def update_guid(agentid: str, request: Request) -> Response:
        session = auth(request, agentid)
        if isinstance(session, Response):
            return session
        return answer("0", "success", result={"guid": gw.new_guid_for(session)})

    @app.get(
        f"{GW}/agentevent/{{agentid}}",
        tags=[_GATEWAY_TAG],
        summary="Poll one event (long poll; also the heartbeat; may carry Set-GUID)",
        response_model=Answer,
        openapi_extra=guid_doc,
    )
    async def agentevent(agentid: str, request: Request) -> Response:
        session = auth(request, agentid)
        if isinstance(session, Response):
            return session
        event = await gw.next_event(session)
        response = answer("0", "", event=event)
        rotated = gw.rotate_if_due(session)
        if rotated is not None:
            response.headers["Set-GUID"] = f"JSESSIONID={rotated}"
        return response

    @app.post(
        f"{GW}/mediacall/{{agentid}}/sendmessage",
        tags=[_GATEWAY_TAG],
        summary="Send a message to the customer of a chat",
        response_model=Answer,
        openapi_extra={
            **guid_doc,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _WIRE_BODY}},
            },
        },
    )
    async def sendmessage(agentid: str, request: Request) -> Response:
        session = auth(request, agentid)
        if isinstance(session, Response):
            return session
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw
        findings = check(body, profile, agent_id=agentid)
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            return answer(_retcode_for(errors, config.oversize_retcode), _describe(errors))
        data = json.loads(body["data"])
        callid, to, channel = body["callid"], data["to"], data["channel"]
        chat = store.chat(callid)
        if config.strict_calls and (chat is None or chat.agent_id != agentid):
            return answer(
                "000-002",
                f"callid {callid!r} is not a chat allocated to agent {agentid} (strict calls: "
                "a customer opens it first with POST /sandbox/chats)",
            )
        if chat is None:
            store.open_chat(callid, agentid, channel, to, by="agent")
        store.add_message(
            message_code=data["messageCode"],
            direction="agent",
            callid=callid,
            agent_id=agentid,
            user_id=to,
            channel=channel,
            media_type=data["mediaType"],
            content=data["content"],
            data=body["data"],
        )
        # A messageCode already stored is kept once and still answers success (idempotency).
        return Response(_SUCCESS, media_type=JSON)

    # -- customer side (sandbox only) --------------------------------------------------------
    @app.post(
        "/sandbox/chats",
        tags=[_CUSTOMER_TAG],
        summary="A customer opens a chat",
        responses=_REFUSED,
    )
    async def open_chat(body: OpenChat) -> dict[str, str]:
        agent_id = body.agentId
        if agent_id is None:
            live = sorted((a for a in gw.sessions if gw.live_session(a)), key=int)
            agent_id = live[0] if live else config.demo_agent_id
        elif not gw.in_range(agent_id):
            raise HTTPException(400, f"agentId must be in {low}-{high}")
        callid = _new_callid()
        channel = body.channel.value
        store.open_chat(callid, agent_id, channel, body.userId, by="customer")
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
        return {"callid": callid, "agentId": agent_id, "channel": channel, "userId": body.userId}

    @app.post(
        "/sandbox/chats/{callid}/messages",
        tags=[_CUSTOMER_TAG],
        summary="The customer writes (the agent gets AgentEvent_MessageData)",
        responses=_NO_CHAT,
    )
    async def customer_writes(callid: str, body: CustomerText) -> dict[str, str]:
        chat = store.chat(callid)
        if chat is None:
            raise HTTPException(404, f"no chat {callid!r}; open one with POST /sandbox/chats")
        kb = config.bytes_per_kb  # the same KB reading as the send limit
        if len(body.content.encode("utf-8", "surrogatepass")) > kb:
            raise HTTPException(400, f"a customer's text is at most 1 KB ({kb} UTF-8 bytes)")
        code = str(uuid.uuid4())
        store.add_message(
            message_code=code,
            direction="customer",
            callid=callid,
            agent_id=chat.agent_id,
            user_id=chat.user_id,
            channel=chat.channel,
            media_type="TEXT",
            content=body.content,
        )
        gw.push_event(
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

    @app.get(
        "/sandbox/users/{userId}/messages",
        tags=[_CUSTOMER_TAG],
        summary="Messages delivered to a customer, oldest first, after a cursor",
    )
    async def user_messages(
        userId: str,
        after: Annotated[str | None, Query(pattern=r"^\d{0,18}$")] = None,  # fits SQLite's int64
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        start = int(after) if after else 0
        rows = store.messages_to(userId, start, limit)
        cursor = str(rows[-1].seq) if rows else str(start)
        return {"userId": userId, "messages": [_view(m) for m in rows], "cursor": cursor}

    # -- the web channel's customer interfaces -----------------------------------------------
    @app.post("/apiaccess/ccmessaging/applyToken", tags=[_WEB_TAG], summary="Get a token")
    async def apply_token(request: Request) -> dict[str, str]:
        body = await _json_object(request) or {}
        user_id = body.get("userId")
        if not isinstance(user_id, str) or not 1 <= len(user_id) <= 32:
            return {"resultCode": "1", "resultDesc": "userId is required (1-32 characters)"}
        token = secrets.token_urlsafe(24)
        tokens[token] = user_id
        return {"resultCode": "0", "resultDesc": "success", "token": token}

    @app.get("/apiaccess/ccmessaging/poll", tags=[_WEB_TAG], summary="Poll agent messages")
    async def web_poll(request: Request, receiverId: str, channel: str = "WEB") -> dict[str, Any]:
        if tokens.get(request.headers.get("ccmessaging-token", "")) != receiverId:
            return {"resultCode": "160028", "resultDesc": "token abnormal: call applyToken first"}
        if channel != "WEB":
            return {"resultCode": "1", "resultDesc": "this poll serves channel WEB only"}
        rows = store.messages_to(receiverId, web_cursor.get(receiverId, 0), 100)
        if rows:
            web_cursor[receiverId] = rows[-1].seq
        downlink = [_downlink(m) for m in rows if m.channel == "WEB"]
        return {
            "resultCode": "0",
            "resultDesc": "query user messages success.",
            "downlinkMessages": downlink,
        }

    # -- control -----------------------------------------------------------------------------
    @app.get("/sandbox/health", tags=[_CONTROL_TAG], summary="Is it up, and how is it set")
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "service": "sendmessage-kit sandbox",
            "pid": os.getpid(),
            "demoAgent": {"agentId": config.demo_agent_id, "phonenum": DEMO_PHONENUM},
            "config": config.behaviour(),
            "signedIn": sorted(a for a in list(gw.sessions) if gw.live_session(a)),
        }

    @app.get("/sandbox/faults", tags=[_CONTROL_TAG], summary="The active faults")
    async def get_faults() -> dict[str, Any]:
        return faults.state()

    @app.post(
        "/sandbox/faults",
        tags=[_CONTROL_TAG],
        summary="Set faults for sendmessage",
        responses=_REFUSED,
    )
    async def set_faults(spec: FaultSpec) -> dict[str, Any]:
        faults.set(spec)
        return faults.state()

    @app.delete("/sandbox/faults", tags=[_CONTROL_TAG], summary="Clear the faults")
    async def clear_faults() -> dict[str, Any]:
        faults.clear()
        return faults.state()

    return app


def _downlink(m: StoredMessage) -> dict[str, Any]:
    data = json.loads(m.data) if m.data else {}
    return {
        "channel": m.channel,
        # The web poll delivers at most 500 characters (docs/facts.md#web-downlink).
        "content": m.content[:500],
        "from": data.get("from"),
        "to": m.user_id,
        "mediaType": m.media_type,
        "controlType": "CHAT",
        "sourceType": "AGENT",
        "senderNickname": data.get("senderNickname"),
        "senderAvatar": data.get("senderAvatar"),
        "timestamp": m.created_ms,
        "messageCode": m.message_code,
        "contentType": data.get("contentType"),
        "mediaFileType": data.get("mediaFileType"),
        "callId": m.callid,
    }
