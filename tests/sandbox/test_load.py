"""1,000 sends from 8 concurrent clients: all answered, each accepted one stored exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx2

from sendmessage_kit.sandbox import Sandbox
from tests.sandbox.conftest import Agent, body_for

CLIENTS, SENDS = 8, 1000


async def send_all(sb: Sandbox, guid: str, bodies: list[dict[str, object]]) -> list[str]:
    """Send every body, CLIENTS at a time, each client on its own connection."""
    queue: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    answers: list[str] = []
    url = f"/agentgateway/resource/mediacall/{sb.agent_id}/sendmessage"

    async def client() -> None:
        async with httpx2.AsyncClient(base_url=sb.base_url, verify=sb.verify(), timeout=30) as c:
            while not queue.empty():
                body = queue.get_nowait()
                r = await c.post(url, json=body, headers={"Guid": guid})
                answers.append(r.json()["retcode"])

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return answers


def make_bodies(n: int, user: str) -> list[dict[str, object]]:
    return [body_for(f"load {i}", to=user, message_code=str(uuid.uuid4())) for i in range(n)]


async def test_1000_sends_from_8_clients_stored_exactly_once(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(db=str(tmp_path / "load.db"))
    agent = Agent(sb)
    agent.sign_in()
    agent.close()
    bodies = make_bodies(SENDS, "load-user")
    # every 10th body is sent twice: the resend must be answered "0" and not stored again
    bodies += bodies[::10]
    answers = await send_all(sb, agent.guid or "", bodies)
    assert Counter(answers) == {"0": SENDS + SENDS // 10}
    assert sb.app is not None
    stored = Counter(m.message_code for m in sb.app.store.all_messages())
    assert len(stored) == SENDS and set(stored.values()) == {1}
    assert set(stored) == {str(b["data"]).split('"messageCode":"')[1].split('"')[0] for b in bodies}
