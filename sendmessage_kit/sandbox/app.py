"""The sandbox's HTTP app: CC-Gateway's interfaces around sendmessage, plus the customer's side.

`create_app(config)` builds it without starting anything but the store, so
`create_app().openapi()` documents the API. The interfaces live in `sandbox/routes/`, one router
per audience; the app holds their state on `app.state.sandbox`. Business failures answer HTTP 200
with `{"message": ..., "retcode": ...}`, like the real gateway.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from sendmessage_kit.sandbox.config import SandboxConfig
from sendmessage_kit.sandbox.edge import Edge
from sendmessage_kit.sandbox.faults import FaultInjector, Faults
from sendmessage_kit.sandbox.lan import LanGuard
from sendmessage_kit.sandbox.requests_log import Reached, RequestLog
from sendmessage_kit.sandbox.requests_log import router as requests_router
from sendmessage_kit.sandbox.routes import ROUTERS
from sendmessage_kit.sandbox.routes._shared import (
    CHANNEL_ID,
    GatewayAnswer,
    SandboxState,
    gateway_answer_handler,
    one_value_per_query_parameter,
    refused_handler,
)
from sendmessage_kit.sandbox.routes.gateway import (
    SENDMESSAGE_PATH,
    SENDMESSAGE_ROUTE,
    sendmessage_operation,
    serve_sendmessage,
)
from sendmessage_kit.sandbox.routes.gateway import router as gateway_router
from sendmessage_kit.sandbox.sessions import Gateway
from sendmessage_kit.sandbox.store import Store

__all__ = ["CHANNEL_ID", "SandboxApp", "create_app"]


class SandboxApp(FastAPI):
    """FastAPI app whose outermost call is the fault injector (it needs the server's `send`).

    Inside it, `POST .../sendmessage` goes straight to `serve_sendmessage`, its one handler;
    everything else is FastAPI's, and the OpenAPI document adds sendmessage's operation.
    `SandboxApp(config)` is the whole app (opens its store; starts no server).
    """

    def __init__(self, config: SandboxConfig | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("title", "sendmessage-kit CC-Gateway sandbox")
        kwargs.setdefault("version", "0.1.0")
        kwargs.setdefault(
            "description",
            "A local stand-in for Huawei CC-Gateway around sendmessage. Not a real gateway: "
            "see docs/sandbox.md for what it implements and its documented choices.",
        )
        super().__init__(**kwargs)
        config = config or SandboxConfig()
        faults = Faults()
        if config.faults:
            faults.set(dict(config.faults))
        self.state.sandbox = SandboxState(
            config=config,
            gateway=Gateway(config),
            store=Store(config.db),
            faults=faults,
            profile=config.profile(),  # every setting check() reads, as the sandbox applies it
        )
        state = self.state.sandbox
        state.store.listeners.append(state.feed.publish)  # new messages to the chats' streams
        injector: ASGIApp = FaultInjector(Reached(self._inner), faults)
        if config.lan:  # requests from other machines pass LAN mode's rules first
            injector = LanGuard(injector, state.store, state.links)
        # GET /sandbox/requests lists every gateway request and its answer.
        self.state.requests_log = injector = RequestLog(injector)
        injector = Edge(injector, config)  # Host check and body cap, ahead of the app
        if config.cors_origins:  # outermost: preflights and headers for every path
            from starlette.middleware.cors import CORSMiddleware

            injector = CORSMiddleware(
                injector,
                allow_origins=list(config.cors_origins),
                allow_methods=["GET", "PUT", "POST", "DELETE"],
                allow_headers=["Content-Type", "Guid"],
                expose_headers=["Set-GUID"],  # a page reads the Guid sign-in hands out
            )
        self._injector = injector
        self.add_exception_handler(GatewayAnswer, gateway_answer_handler)
        self.add_exception_handler(RequestValidationError, refused_handler)
        # One value per query parameter, except on the gateway's paths (they take none, and a
        # gateway answers with retcodes, never 422).
        one_value = [Depends(one_value_per_query_parameter)]
        for router in (*ROUTERS, requests_router):
            self.include_router(router, dependencies=[] if router is gateway_router else one_value)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route through the fault injector, then FastAPI."""
        await self._injector(scope, receive, send)

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            match = SENDMESSAGE_PATH.fullmatch(scope["path"])
            if match is not None:  # the hot path skips FastAPI's routing (see serve_sendmessage)
                await serve_sendmessage(self.sandbox, match[1], scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document of the routes, with sendmessage's operation added."""
        if self.openapi_schema is None:
            schema = super().openapi()
            schema["paths"].setdefault(SENDMESSAGE_ROUTE, {})["post"] = sendmessage_operation()
        return self.openapi_schema or {}

    @property
    def sandbox(self) -> SandboxState:
        """The app's state: config, gateway sessions, store, faults, check profile."""
        state: SandboxState = self.state.sandbox
        return state

    def close(self) -> None:
        """Close what the app opened: its store and its worker process (idempotent)."""
        self.sandbox.workers.close()
        self.sandbox.store.close()

    @property
    def config(self) -> SandboxConfig:
        """The settings the app was built with."""
        return self.sandbox.config

    @property
    def gateway(self) -> Gateway:
        """Signed-in agents, Guids and event queues."""
        return self.sandbox.gateway

    @property
    def store(self) -> Store:
        """The chats and messages (closed by whoever runs the app)."""
        return self.sandbox.store

    @property
    def faults(self) -> Faults:
        """The active faults of sendmessage."""
        return self.sandbox.faults


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build the sandbox app (opens its store; starts no server): `SandboxApp(config)`."""
    return SandboxApp(config)
