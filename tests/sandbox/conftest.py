"""Helpers for the sandbox tests: an agent-side HTTP helper and per-test sandboxes."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2
import pytest

from sendmessage_kit import seed
from sendmessage_kit.models import new_message
from sendmessage_kit.sandbox import Sandbox, SandboxConfig, serve

if TYPE_CHECKING:
    from tests.sandbox.test_cli import Proc

GW = "/agentgateway/resource"
SEED_USER = seed.USER_ID


class Agent:
    """Talks to a sandbox as an agent's application would, over a real socket."""

    def __init__(self, sb: Sandbox, agent_id: str | None = None) -> None:
        self.sb = sb
        self.agent_id = agent_id or sb.agent_id
        self.http = httpx2.Client(base_url=sb.base_url, verify=sb.verify(), timeout=30)
        self.guid: str | None = None

    def close(self) -> None:
        self.http.close()

    def sign_in(self, *, force: bool = False, password: str = "sandbox") -> dict[str, Any]:
        path = f"{GW}/onlineagent/{self.agent_id}" + ("/forcelogin" if force else "")
        r = self.http.put(path, json={"password": password, "phonenum": "88880001"})
        assert r.status_code == 200
        if "set-guid" in r.headers:
            self.guid = r.headers["set-guid"].removeprefix("JSESSIONID=")
        return dict(r.json())

    def send(
        self,
        body: str | bytes | dict[str, Any],
        *,
        guid: str | None = None,
        agent_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        content = json.dumps(body) if isinstance(body, dict) else body
        h = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
        g = guid if guid is not None else self.guid
        if g:
            h["Guid"] = g
        r = self.http.post(
            f"{GW}/mediacall/{agent_id or self.agent_id}/sendmessage", content=content, headers=h
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    def poll(self, guid: str | None = None) -> httpx2.Response:
        g = guid if guid is not None else self.guid
        return self.http.get(f"{GW}/agentevent/{self.agent_id}", headers={"Guid": g or ""})

    def messages(self, user_id: str = SEED_USER, after: str | None = None) -> dict[str, Any]:
        params = {"after": after} if after else None
        r = self.http.get(f"/sandbox/users/{user_id}/messages", params=params)
        r.raise_for_status()
        return dict(r.json())


def body_for(
    content: str = "Hello from the agent",
    *,
    to: str = SEED_USER,
    callid: str = "1552524689-1",
    **kw: Any,
) -> dict[str, Any]:
    """A valid outer body built with the kit's own `new_message`."""
    data = new_message(to=to, content=content, **kw)
    return {"callid": callid, "userid": seed.BODY_USERID, "data": data.to_wire()}


@pytest.fixture
def agent(sandbox_http: Sandbox) -> Iterator[Agent]:
    """An agent signed in (forcelogin) on the shared HTTP sandbox, with its own agent ID."""
    a = Agent(sandbox_http, agent_id=str(1000 + uuid.uuid4().int % 50000))
    # forcelogin: an ID drawn before in this session is still signed in, and a plain sign-in
    # would answer 100-002 without a Guid (a test then failed with 000-003, now and then).
    assert a.sign_in(force=True)["retcode"] == "0" and a.guid
    yield a
    a.close()


@pytest.fixture
def make_sandbox(sandbox_data_dir: Path) -> Iterator[Callable[..., Sandbox]]:
    """Start a sandbox of the test's own (HTTP unless http=False); stopped after the test."""
    started: list[Sandbox] = []

    def make(**kw: Any) -> Sandbox:
        kw.setdefault("http", True)
        sb = serve(SandboxConfig(data_dir=sandbox_data_dir, **kw))
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment for a CLI subprocess: no SENDMESSAGE_KIT_* setting, a data dir of its own."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    e["SENDMESSAGE_KIT_DATA_DIR"] = str(tmp_path / "data")
    return e


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    """CLI subprocesses a test starts; each is killed (if still running) and reaped after it."""
    started: list[Proc] = []
    yield started
    for p in started:
        p.close()
