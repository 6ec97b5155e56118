"""`POST .../sendmessage` is served ahead of FastAPI's routing by its one handler.

`SandboxApp` hands sendmessage to `serve_sendmessage` (plain ASGI); there is no FastAPI route
for it, and the app's OpenAPI document adds its operation. Every body, taken or refused, gets
HTTP 200 and a JSON retcode.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from sendmessage_kit.sandbox.app import SandboxApp, create_app
from sendmessage_kit.sandbox.config import SandboxConfig
from tests.sandbox.conftest import GW, SEED_USER, body_for

AGENT = "101"
PATH = f"{GW}/mediacall/{AGENT}/sendmessage"


def _fresh_body(**kw: Any) -> dict[str, Any]:
    return body_for(message_code=str(uuid.uuid4()), **kw)


def _bodies() -> list[tuple[str, bytes]]:
    escaped = json.dumps(_fresh_body(content="SURROGATE")).replace("SURROGATE", "\\\\ud800")
    return [
        ("valid", json.dumps(_fresh_body()).encode()),
        ("not JSON", b"{"),
        ("JSON null", b"null"),
        ("not UTF-8", b'{"callid":"\xff"}'),
        ("empty", b""),
        ("no data", b'{"callid":"c-1"}'),
        ("plain text, no chat", json.dumps({"callid": "no-such-chat", "data": "hi"}).encode()),
        ("empty content", json.dumps(_fresh_body(content="")).encode()),
        ("oversize content", json.dumps(_fresh_body(content="x" * 5000)).encode()),
        ("surrogate escape in data", escaped.encode()),
    ]


class _Pair:
    """One sandbox app, reached through its hot path and through FastAPI's routing alone."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app

        async def through_fastapi(scope: Scope, receive: Receive, send: Send) -> None:
            await FastAPI.__call__(app, scope, receive, send)

        self.hot = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1"
        )
        self.routed = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=through_fastapi), base_url="http://127.0.0.1"
        )

    async def sign_in(self) -> str:
        r = await self.hot.put(
            f"{GW}/onlineagent/{AGENT}/forcelogin",
            json={"password": "sandbox", "phonenum": "88880001"},
        )
        return r.headers["set-guid"].removeprefix("JSESSIONID=")

    async def aclose(self) -> None:
        await self.hot.aclose()
        await self.routed.aclose()


@pytest.fixture
def app() -> Any:
    a = create_app(SandboxConfig(db=":memory:", idle_timeout=0))
    yield a
    a.store.close()


def test_sendmessage_has_one_handler_and_the_openapi_document_has_its_operation(
    app: SandboxApp,
) -> None:
    assert [r for r in app.routes if getattr(r, "path", "").endswith("/sendmessage")] == []
    op = app.openapi()["paths"][f"{GW}/mediacall/{{agentid}}/sendmessage"]["post"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["callid", "data"] and schema["properties"]["data"]["type"]
    assert {(p["name"], p["in"]) for p in op["parameters"]} == {
        ("agentid", "path"),
        ("Guid", "header"),
    }
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Answer"
    )

    async def run() -> None:
        pair = _Pair(app)
        try:
            guid = await pair.sign_in()
            ok = {"Content-Type": "application/json; charset=UTF-8", "Guid": guid}
            cases = [(name, PATH, body, ok) for name, body in _bodies()]
            valid = json.dumps(_fresh_body()).encode()
            cases += [
                ("no Guid", PATH, valid, {"Content-Type": "application/json"}),
                ("wrong Guid", PATH, valid, {**ok, "Guid": "not-the-guid"}),
                ("agent ID out of range", f"{GW}/mediacall/abc/sendmessage", valid, ok),
            ]
            retcodes = set()
            for name, path, body, headers in cases:
                r = await pair.hot.post(path, content=body, headers=headers)
                assert r.status_code == 200, name
                assert r.headers["content-type"].startswith("application/json"), name
                retcodes.add(r.json()["retcode"])
            assert "0" in retcodes and len(retcodes) >= 4  # the cases reach different answers
            # FastAPI's routing alone does not know sendmessage: the hot path is its one handler.
            routed = await pair.routed.post(PATH, content=valid, headers=ok)
            assert routed.status_code in (404, 405)
        finally:
            await pair.aclose()

    asyncio.run(run())


def test_the_hot_path_stores_what_it_accepts(app: SandboxApp) -> None:
    async def run() -> None:
        pair = _Pair(app)
        try:
            guid = await pair.sign_in()
            code = str(uuid.uuid4())
            body = json.dumps(body_for("stored once", message_code=code)).encode()
            headers = {"Content-Type": "application/json", "Guid": guid}
            for _ in range(2):  # a repeated messageCode answers success and is kept once
                r = await pair.hot.post(PATH, content=body, headers=headers)
                assert r.json() == {"message": "success", "retcode": "0"}
            stored = [m for m in app.store.messages_to(SEED_USER) if m.message_code == code]
            assert [m.content for m in stored] == ["stored once"]
        finally:
            await pair.aclose()

    asyncio.run(run())


def test_a_client_gone_before_the_body_ended_stores_nothing_and_gets_no_answer(
    app: SandboxApp,
) -> None:
    async def run() -> list[Message]:
        pair = _Pair(app)
        guid = await pair.sign_in()
        await pair.aclose()
        whole = json.dumps(body_for("cut off", message_code=str(uuid.uuid4()))).encode()
        incoming: list[Message] = [
            {"type": "http.request", "body": whole[:40], "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> Message:
            return incoming.pop(0)

        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": PATH,
            "raw_path": PATH.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"guid", guid.encode()), (b"content-type", b"application/json")],
            "client": ("127.0.0.1", 5000),
            "server": ("127.0.0.1", 80),
        }
        await app(scope, receive, send)
        return sent

    before = app.store.count()
    assert asyncio.run(run()) == []
    assert app.store.count() == before


def test_sandbox_app_built_directly_is_the_whole_app() -> None:
    app = SandboxApp(SandboxConfig(idle_timeout=0))  # no create_app: nothing left unset

    async def run() -> None:
        pair = _Pair(app)
        try:
            guid = await pair.sign_in()
            headers = {"Content-Type": "application/json", "Guid": guid}
            body = json.dumps(_fresh_body()).encode()
            r = await pair.hot.post(PATH, content=body, headers=headers)
            assert r.json() == {"message": "success", "retcode": "0"}
        finally:
            await pair.aclose()

    try:
        asyncio.run(run())
        assert f"{GW}/mediacall/{{agentid}}/sendmessage" in app.openapi()["paths"]
    finally:
        app.store.close()
