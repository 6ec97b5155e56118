"""Client fixtures: a real sandbox over HTTPS on 127.0.0.1, and the sync/async twin switch.

`twin` is parametrized over both clients; it wraps either so a test awaits every method, and
the same behaviour test runs once per client.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit import sandbox as sandbox_mod
from sendmessage_kit.client import AsyncGatewayClient, GatewayClient
from sendmessage_kit.sandbox import SandboxConfig

_agents = itertools.count(201)


@pytest.fixture(scope="session")
def gw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One HTTPS sandbox of the client tests' own (faults are cleared after each test)."""
    config = SandboxConfig(http=False, poll_wait=1.0, data_dir=tmp_path_factory.mktemp("sb"))
    with sandbox_mod.serve(config) as sb:
        yield sb


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No test writes to the developer's real data folder.
    monkeypatch.setenv("SENDMESSAGE_KIT_DATA_DIR", str(tmp_path / "data"))


class Faults:
    """Set and clear the sandbox's faults (`/sandbox/faults`)."""

    def __init__(self, sb: Any) -> None:
        self.sb = sb
        self._http = sb.http_client()

    def set(self, **spec: Any) -> None:
        r = self._http.post("/sandbox/faults", json=spec)
        r.raise_for_status()

    def clear(self) -> None:
        self._http.delete("/sandbox/faults").raise_for_status()

    def messages(self, user_id: str) -> list[dict[str, Any]]:
        """Everything delivered to a customer (the customer-side store)."""
        out: list[dict[str, Any]] = []
        cursor = ""
        while True:
            r = self._http.get(
                f"/sandbox/users/{user_id}/messages",
                params={"after": cursor, "limit": 1000},
            )
            r.raise_for_status()
            page = r.json()
            out.extend(page["messages"])
            if not page["messages"]:
                return out
            cursor = page["cursor"]

    def close(self) -> None:
        self._http.close()


@pytest.fixture
def faults(gw: Any) -> Iterator[Faults]:
    f = Faults(gw)
    try:
        yield f
    finally:
        f.clear()
        f.close()


class Twin:
    """Either client behind one awaitable face: `await twin.send_message(...)`."""

    def __init__(self, client: GatewayClient | AsyncGatewayClient) -> None:
        self.client = client
        self.is_async = isinstance(client, AsyncGatewayClient)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)
        if not callable(attr):
            return attr

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            return await result if inspect.isawaitable(result) else result

        return call

    def __repr__(self) -> str:
        return repr(self.client)


MakeTwin = Callable[..., Awaitable[Twin]]


@pytest.fixture(params=["sync", "async"])
async def make_twin(request: pytest.FixtureRequest, gw: Any) -> AsyncIterator[MakeTwin]:
    """`await make_twin(sign_in=True, **client_kwargs)`: a client of the sandbox, either twin.

    Each client gets its own agent ID, so sign-ins never collide between tests.
    """
    clients: list[GatewayClient | AsyncGatewayClient] = []
    kind = request.param

    async def make(*, sign_in: bool = True, **kw: Any) -> Twin:
        kw.setdefault("history", False)
        kw.setdefault("agent_id", str(next(_agents)))
        if sign_in:
            if kind == "sync":
                client: Any = GatewayClient.for_sandbox(gw, **kw)
            else:
                client = await AsyncGatewayClient.for_sandbox(gw, **kw)
        else:
            base = {
                "base_url": gw.base_url,
                "ca_bundle": gw.ca_path,
                "password": gw.password,
                "phonenum": gw.phonenum,
            }
            cls = GatewayClient if kind == "sync" else AsyncGatewayClient
            client = cls(**{**base, **kw})
        clients.append(client)
        return Twin(client)

    yield make
    for c in clients:
        if isinstance(c, AsyncGatewayClient):
            await c.aclose()
        else:
            c.close()
