"""Sandbox sendmessage throughput beside a bare FastAPI endpoint that does no work (same run).

Both servers run as separate processes on 127.0.0.1 with the same uvicorn settings (asyncio
loop, h11, no access log); the sandbox is the real `sendmessage-kit sandbox --http` with a SQLite
file. The bare endpoint has the same path and reads the body, then answers a constant. Every
sandbox send carries a new messageCode, so each one is checked, stored and committed.

    uv run python bench/bench_sandbox.py [--requests 1000] [--concurrency 16] [--rounds 6]

Rounds alternate bare and sandbox in short blocks (the order flips each round) and the median
block of each counts, so other work on a shared machine slows both alike instead of skewing the
ratio. The target is sandbox >= 0.8 x bare with the sequential client.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2
import uvicorn
from fastapi import FastAPI, Request, Response

ROOT = Path(__file__).resolve().parent.parent
PATH = "/agentgateway/resource/mediacall/101/sendmessage"


def serve_bare(port: int) -> None:
    app = FastAPI()
    answer = b'{"message":"success","retcode":"0"}'

    @app.post("/agentgateway/resource/mediacall/{agentid}/sendmessage")
    async def bare(agentid: str, request: Request) -> Response:
        await request.body()
        return Response(answer, media_type="application/json;charset=UTF-8")

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"server on {port} did not start")


def bodies(n: int) -> list[bytes]:
    from sendmessage_kit import seed
    from sendmessage_kit.models import new_message

    out = []
    for i in range(n):
        data = new_message(to=seed.USER_ID, content=f"bench message {i}").to_wire()
        out.append(json.dumps({"callid": "1552524689-1", "data": data}).encode())
    return out


def sign_in(port: int) -> str:
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request(
        "PUT",
        "/agentgateway/resource/onlineagent/101/forcelogin",
        body=b'{"password":"sandbox","phonenum":"88880001"}',
        headers={"Content-Type": "application/json"},
    )
    r = c.getresponse()
    r.read()
    c.close()
    return str(r.getheader("Set-GUID")).removeprefix("JSESSIONID=")


def sequential(port: int, guid: str, payloads: list[bytes]) -> float:
    c = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json; charset=UTF-8", "Guid": guid}
    t = time.perf_counter()
    for body in payloads:
        c.request("POST", PATH, body=body, headers=headers)
        r = c.getresponse()
        answer = r.read()
        assert b'"retcode":"0"' in answer, answer
    elapsed = time.perf_counter() - t
    c.close()
    return len(payloads) / elapsed


async def concurrent(port: int, guid: str, payloads: list[bytes], n: int) -> float:
    headers = {"Content-Type": "application/json; charset=UTF-8", "Guid": guid}
    limits = httpx2.Limits(max_connections=n, max_keepalive_connections=n)
    it = iter(payloads)
    async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as c:

        async def worker() -> None:
            for body in it:
                r = await c.post(PATH, content=body, headers=headers)
                assert r.json()["retcode"] == "0"

        t = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(n)))
        return len(payloads) / (time.perf_counter() - t)


def check_cost() -> float:
    from sendmessage_kit.constraints import Profile, check
    from sendmessage_kit.seed import SEED_BODY

    body = json.loads(SEED_BODY)
    profile = Profile()
    t = time.perf_counter()
    for _ in range(5000):
        check(body, profile, agent_id="101")
    return (time.perf_counter() - t) / 5000 * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--db", help="the sandbox's database (default: a file in a temp folder)")
    ap.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return
    with tempfile.TemporaryDirectory() as tmp:
        bare_port = free_port()
        bare = subprocess.Popen([sys.executable, __file__, "--serve-bare", str(bare_port)])
        sandbox = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sendmessage_kit.cli",
                "sandbox",
                "--http",
                "--port",
                "0",
                "--db",
                args.db or str(Path(tmp) / "bench.db"),
                "--idle-timeout",
                "0",
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert sandbox.stdout is not None
            line = sandbox.stdout.readline()
            match = re.search(r":(\d+)$", line.strip())
            assert match, line
            sb_port = int(match.group(1))
            wait_up(bare_port)
            wait_up(sb_port)
            guid = sign_in(sb_port)
            total = args.requests * args.rounds * 4 + 200
            pool = iter(bodies(total))
            take = lambda k: [next(pool) for _ in range(k)]  # noqa: E731
            sequential(bare_port, guid, take(100))  # warm up both
            sequential(sb_port, guid, take(100))
            results: dict[tuple[str, str], list[float]] = {}
            for i in range(args.rounds):
                order = (("bare", bare_port), ("sandbox", sb_port))
                for name, port in order if i % 2 == 0 else order[::-1]:
                    seq = sequential(port, guid, take(args.requests))
                    results.setdefault((name, "seq"), []).append(seq)
                    conc = asyncio.run(
                        concurrent(port, guid, take(args.requests), args.concurrency)
                    )
                    results.setdefault((name, "conc"), []).append(conc)
        finally:
            for p in (bare, sandbox):
                p.terminate()
                p.wait(20)
            if sandbox.stdout is not None:
                sandbox.stdout.close()
    print(
        f"sendmessage throughput, median of {args.rounds} interleaved blocks of {args.requests} "
        "requests, HTTP on 127.0.0.1"
    )
    head = f"{'client':44} {'bare FastAPI':>13} {'sandbox':>9} {'ratio':>6}"
    print(f"{head}  blocks, r/s (bare/sandbox)")
    for key, label in (
        ("seq", "http.client sequential keep-alive"),
        ("conc", f"httpx2 AsyncClient, {args.concurrency} concurrent"),
    ):
        b = statistics.median(results[("bare", key)])
        s = statistics.median(results[("sandbox", key)])
        pairs = zip(results[("bare", key)], results[("sandbox", key)], strict=True)
        spread = ", ".join(f"{x:.0f}/{y:.0f}" for x, y in pairs)
        print(f"{label:44} {b:>9.0f} r/s {s:>5.0f} r/s {s / b:>6.2f}  {spread}")
    print(f"check() on the seed body: {check_cost():.1f} µs per call (in the sandbox's path)")
    print("target: sandbox >= 0.8 x bare (sequential client)")


if __name__ == "__main__":
    main()
