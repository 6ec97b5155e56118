"""The clients' throughput next to raw clients posting the same bytes, same sandbox, same run.

The sandbox runs in its own process (`sendmessage-kit sandbox --http`), so client and server
do not share a GIL. Every contender signs in its own agent and sends N fresh messages of the
same shape (new messageCodes, so none is a repeat). Rounds are interleaved. Contenders:

One after another (`--single N`, 0 to skip):
- raw `httpx2.Client`: the same bytes and headers, `response.json()`, nothing else.
- `GatewayClient.send_request`: checks, Guid handling, response parsing, the journal on.

Beside each rate: the client process's CPU time per message and the fastest raw client's
divided by it (1.00 = the kit costs its process what the raw client does). On a busy shared
machine the rates swing with the scheduler; the CPU ratio holds still.

Bulk (`N`):
- `http.client` keep-alive loop: one connection, sequential, no checks, no parsing beyond json.
- naive `httpx2.AsyncClient` + `asyncio.gather` of all N posts (default pool limits).
- raw `aiohttp` at each concurrency (a session, that many workers), when aiohttp is installed.
- `AsyncGatewayClient.send_many` at several concurrencies (the default is the tuned one),
  with its checks, retries and journal on (the journal in a temporary file).

    uv run python bench/bench_client.py [N] [--single N] [--rounds R] [--concurrency C ...]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx2

from sendmessage_kit.bulk import DEFAULT_CONCURRENCY
from sendmessage_kit.client import AsyncGatewayClient, GatewayClient
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.history import History
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.sandbox.config import DEMO_PHONENUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "SENDMESSAGE_KIT_DATA_DIR": str(tmp)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sendmessage_kit.cli",
            "sandbox",
            "--http",
            "--port",
            str(port),
            "--db",
            str(tmp / "bench.db"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx2.get(url + "/sandbox/health", timeout=1).status_code == 200:
                return proc, url
        except httpx2.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the sandbox did not start")


def requests_for(n: int, tag: str) -> list[SendMessageRequest]:
    return [
        SendMessageRequest(
            callid=f"bench-{tag}-{i % 20}",
            data=new_message(to=f"bench-{tag}-{i % 20}", content=f"bench message {i}"),
        )
        for i in range(n)
    ]


def sign_in(url: str, agent: str) -> str:
    r = httpx2.put(
        f"{url}/agentgateway/resource/onlineagent/{agent}",
        json={"password": "sandbox", "phonenum": "1"},
    )
    if r.json()["retcode"] == "100-002":
        r = httpx2.put(
            f"{url}/agentgateway/resource/onlineagent/{agent}/forcelogin",
            json={"password": "sandbox", "phonenum": "1"},
        )
    return r.headers["set-guid"].split("=", 1)[1]


HEADERS = {"Content-Type": "application/json; charset=UTF-8", "Accept": "application/json"}


def raw_httpx2_sequential(url: str, agent: str, bodies: list[bytes]) -> int:
    guid = sign_in(url, agent)
    headers = {**HEADERS, "Guid": guid}
    path = f"{url}/agentgateway/resource/mediacall/{agent}/sendmessage"
    ok = 0
    with httpx2.Client(timeout=60, trust_env=False) as client:
        for body in bodies:
            ok += client.post(path, content=body, headers=headers).json()["retcode"] == "0"
    return ok


def kit_sequential(url: str, agent: str, reqs: list[SendMessageRequest], tmp: Path) -> int:
    history = History(tmp / f"journal-{agent}.sqlite3")
    ok = 0
    with GatewayClient(
        base_url=url,
        agent_id=agent,
        password="sandbox",
        phonenum=DEMO_PHONENUM,
        history=history,
        timeout=60,
    ) as client:
        client.sign_in()
        for request in reqs:
            ok += client.send_request(request).ok
    history.close()
    return ok


async def raw_aiohttp(url: str, agent: str, bodies: list[bytes], conc: int) -> int:
    import aiohttp

    guid = sign_in(url, agent)
    headers = {**HEADERS, "Guid": guid}
    path = f"{url}/agentgateway/resource/mediacall/{agent}/sendmessage"
    todo = iter(bodies)
    ok = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok
        for body in todo:
            async with session.post(path, data=body, headers=headers) as r:
                ok += json.loads(await r.read())["retcode"] == "0"

    connector = aiohttp.TCPConnector(limit=conc)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(conc)))
    return ok


def raw_http_client(url: str, agent: str, bodies: list[bytes]) -> int:
    guid = sign_in(url, agent)
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    headers = {"Content-Type": "application/json; charset=UTF-8", "Guid": guid}
    path = f"/agentgateway/resource/mediacall/{agent}/sendmessage"
    ok = 0
    for body in bodies:
        conn.request("POST", path, body=body, headers=headers)
        ok += json.loads(conn.getresponse().read())["retcode"] == "0"
    conn.close()
    return ok


async def naive_gather(url: str, agent: str, bodies: list[bytes]) -> int:
    guid = sign_in(url, agent)
    headers = {"Content-Type": "application/json; charset=UTF-8", "Guid": guid}
    path = f"{url}/agentgateway/resource/mediacall/{agent}/sendmessage"
    async with httpx2.AsyncClient(timeout=60) as client:
        rs = await asyncio.gather(*(client.post(path, content=b, headers=headers) for b in bodies))
    return sum(r.json()["retcode"] == "0" for r in rs)


async def kit(url: str, agent: str, reqs: list[SendMessageRequest], conc: int, tmp: Path) -> int:
    history = History(tmp / f"journal-{agent}.sqlite3")
    async with AsyncGatewayClient(
        base_url=url,
        agent_id=agent,
        password="sandbox",
        phonenum=DEMO_PHONENUM,
        history=history,
        resend_on_failure=True,
        timeout=60,
    ) as client:
        try:
            await client.sign_in()
        except Exception:
            await client.force_sign_in()
        report = await client.send_many(reqs, concurrency=conc, progress=False)
    history.close()
    return report.delivered


CPU: dict[str, list[float]] = {}


def timed(fn: Callable[[], int], n: int, name: str) -> float:
    """Messages per second; the client process's CPU microseconds per message go to `CPU`."""
    t0, c0 = time.perf_counter(), time.process_time()
    ok = fn()
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    if ok != n:
        raise SystemExit(f"only {ok}/{n} delivered")
    CPU.setdefault(name, []).append(cpu / n * 1e6)
    return n / dt


def has_aiohttp() -> bool:
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


def table(title: str, results: dict[str, list[float]], rounds: int) -> float:
    """Print one section; return the median of its fastest raw contender."""
    raws = {k: statistics.median(v) for k, v in results.items() if "(raw)" in k}
    fastest = max(raws, key=raws.__getitem__)
    cpu_raw = statistics.median(CPU[fastest])
    print(f"\n{title}; the ratio is to the fastest raw median ({fastest})")
    print(f"{'contender':44} {'median/s':>8} {'x raw':>6} {'client CPU us/msg':>17} "
          f"{'raw/this':>8}  all rounds")  # fmt: skip
    for name, rates in results.items():
        med, cpu = statistics.median(rates), statistics.median(CPU[name])
        spread = ", ".join(f"{r:.0f}" for r in rates)
        print(f"{name:44} {med:8.0f} {med / raws[fastest]:6.2f} {cpu:17.0f} "
              f"{cpu_raw / cpu:8.2f}  {spread}")  # fmt: skip
    return raws[fastest]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1500)
    ap.add_argument("--single", type=int, default=600, help="sequential sends per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, nargs="*", default=[4, 16, 64])
    ap.add_argument(
        "--loop",
        choices=["asyncio", "uvloop"],
        default="asyncio",
        help="event loop of every async contender (uvloop if installed; the kit never needs it)",
    )
    args = ap.parse_args()
    arun: Callable[[Coroutine[Any, Any, int]], int] = asyncio.run
    if args.loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            raise SystemExit("--loop uvloop: uvloop is not installed") from None
        arun = uvloop.run
    n = args.n
    aio = has_aiohttp()
    single: dict[str, list[float]] = {}
    bulk: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        proc, url = start_sandbox(tmp)
        try:
            agents = iter(range(1000, 59999))

            def run(
                into: dict[str, list[float]],
                name: str,
                count: int,
                fn: Callable[[list[SendMessageRequest]], int],
            ) -> None:
                reqs = requests_for(count, uuid.uuid4().hex[:8])
                into.setdefault(name, []).append(timed(lambda: fn(reqs), count, name))

            def ag() -> str:
                return str(next(agents))

            def raw(reqs: list[SendMessageRequest]) -> list[bytes]:
                return [encode_body(x).encode() for x in reqs]

            for _ in range(args.rounds):
                if args.single:
                    run(single, "httpx2.Client, same bytes (raw)", args.single,
                        lambda r: raw_httpx2_sequential(url, ag(), raw(r)))  # fmt: skip
                    run(single, "GatewayClient.send_request", args.single,
                        lambda r: kit_sequential(url, ag(), r, tmp))  # fmt: skip
                if not n:
                    continue
                run(bulk, "http.client keep-alive loop (raw)", n,
                    lambda r: raw_http_client(url, ag(), raw(r)))  # fmt: skip
                run(bulk, "httpx2.AsyncClient + gather (raw)", n,
                    lambda r: arun(naive_gather(url, ag(), raw(r))))  # fmt: skip
                for c in args.concurrency if aio else []:
                    run(bulk, f"aiohttp concurrency={c} (raw)", n,
                        lambda r, c=c: arun(raw_aiohttp(url, ag(), raw(r), c)))  # fmt: skip
                for c in sorted({*args.concurrency, DEFAULT_CONCURRENCY}):
                    mark = " (default)" if c == DEFAULT_CONCURRENCY else ""
                    run(bulk, f"send_many concurrency={c}{mark}", n,
                        lambda r, c=c: arun(kit(url, ag(), r, c, tmp)))  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(10)
    print(f"\nsandbox over HTTP in its own process, {os.cpu_count()} CPU(s), medians of "
          f"{args.rounds} interleaved round(s), {args.loop} event loop")  # fmt: skip
    if single:
        base = table(f"One send after another, {args.single} per round", single, args.rounds)
        ratio = statistics.median(single["GatewayClient.send_request"]) / base
        verdict = "meets" if ratio >= 0.9 else "misses"
        print(f"single send = {ratio:.2f}x raw httpx2.Client: {verdict} the 0.9x target")
    if bulk:
        base = table(f"Bulk, {n} messages per round", bulk, args.rounds)
        name = f"send_many concurrency={DEFAULT_CONCURRENCY} (default)"
        ratio = statistics.median(bulk[name]) / base
        print(f"send_many (default concurrency {DEFAULT_CONCURRENCY}) = {ratio:.2f}x the fastest "
              "raw client")  # fmt: skip
        raw_aio = f"aiohttp concurrency={DEFAULT_CONCURRENCY} (raw)"
        if raw_aio in bulk:
            ratio = statistics.median(bulk[name]) / statistics.median(bulk[raw_aio])
            verdict = "meets" if ratio >= 0.9 else "misses"
            print(f"send_many = {ratio:.2f}x raw aiohttp at the same concurrency: {verdict} the "
                  "0.9x target")  # fmt: skip


if __name__ == "__main__":
    main()
