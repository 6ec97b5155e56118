"""The proxy's added latency per exchange: the same sendmessage requests direct and through it.

A real sandbox (`sendmessage-kit sandbox --http`) and a real proxy (`sendmessage-kit proxy`,
its terminal block per exchange printed to /dev/null, so formatting and `check()` are paid)
run as separate processes on 127.0.0.1. Each request carries a valid body with a new
messageCode. Blocks alternate direct and proxied (the order flips each round), so other work on
a shared machine slows both alike. Figures: median and p95 latency of each path, and the added
median and p95 (proxied minus direct), sequential (one keep-alive connection) and 16 concurrent
(16 connections). Target: at most 1 ms median added on loopback.

    uv run python bench/bench_proxy.py [--requests 400] [--rounds 5] [--quiet-proxy]
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).with_name("sendmessage-kit")
AGENT = "101"
PATH = f"/agentgateway/resource/mediacall/{AGENT}/sendmessage"


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
    raise SystemExit(f"nothing listens on {port}")


def body() -> bytes:
    from sendmessage_kit.encoding import encode_body
    from sendmessage_kit.models import SendMessageRequest, new_message

    msg = new_message(to="bench-user", content="Hello from the proxy benchmark")
    return encode_body(SendMessageRequest(callid="bench-call", data=msg)).encode("utf-8")


def sign_in(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    payload = json.dumps({"password": "sandbox", "phonenum": "88880001"})
    conn.request("PUT", f"/agentgateway/resource/onlineagent/{AGENT}/forcelogin", payload,
                 {"Content-Type": "application/json"})  # fmt: skip
    response = conn.getresponse()
    response.read()
    conn.close()
    return str(response.getheader("Set-GUID")).removeprefix("JSESSIONID=")


def sequential(port: int, guid: str, bodies: list[bytes]) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Content-Type": "application/json;charset=UTF-8", "Guid": guid}
    out = []
    for b in bodies:
        t0 = time.perf_counter()
        conn.request("POST", PATH, b, headers)
        response = conn.getresponse()
        answer = response.read()
        out.append(time.perf_counter() - t0)
        assert b'"retcode":"0"' in answer, answer
    conn.close()
    return out


async def _concurrent(port: int, guid: str, bodies: list[bytes], n: int) -> list[float]:
    import aiohttp

    headers = {"Content-Type": "application/json;charset=UTF-8", "Guid": guid}
    url = f"http://127.0.0.1:{port}{PATH}"
    out: list[float] = []
    queue = list(reversed(bodies))
    connector = aiohttp.TCPConnector(limit=n)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while queue:
                b = queue.pop()
                t0 = time.perf_counter()
                async with session.post(url, data=b, headers=headers) as response:
                    answer = await response.read()
                out.append(time.perf_counter() - t0)
                assert b'"retcode":"0"' in answer, answer

        await asyncio.gather(*(worker() for _ in range(n)))
    return out


def concurrent(port: int, guid: str, bodies: list[bytes], n: int = 16) -> list[float]:
    return asyncio.run(_concurrent(port, guid, bodies, n))


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[18]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400, help="requests per block")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quiet-proxy", action="store_true", help="run the proxy with --quiet")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "sendmessage_kit.cli"]
    sb_port, px_port = free_port(), free_port()
    procs = [
        subprocess.Popen([*cmd, "sandbox", "--http", "--port", str(sb_port)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]  # fmt: skip
    try:
        wait_up(sb_port)  # the proxy checks its upstream at start
        procs.append(
            subprocess.Popen([*cmd, "proxy", "--upstream", f"http://127.0.0.1:{sb_port}",
                              "--port", str(px_port), *(["--quiet"] if args.quiet_proxy else [])],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )  # fmt: skip
        wait_up(px_port)
        guid = sign_in(sb_port)
        results: dict[tuple[str, str], list[float]] = {}
        for mode, run in (("sequential", sequential), ("16 concurrent", concurrent)):
            run(px_port, guid, [body() for _ in range(50)])  # warm both paths
            run(sb_port, guid, [body() for _ in range(50)])
            for r in range(args.rounds):
                order = [("direct", sb_port), ("proxy", px_port)]
                for name, port in order if r % 2 == 0 else order[::-1]:
                    times = run(port, guid, [body() for _ in range(args.requests)])
                    results.setdefault((mode, name), []).extend(times)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"proxy added latency, {args.requests} requests x {args.rounds} rounds per path, "
              f"proxy {'--quiet' if args.quiet_proxy else 'printing each exchange'}; "
              f"load average {load}:")  # fmt: skip
        print(f"{'mode':15} {'direct med':>10} {'proxy med':>10} {'added med':>10} "
              f"{'direct p95':>10} {'proxy p95':>10} {'added p95':>10}  (ms)")  # fmt: skip
        for mode in ("sequential", "16 concurrent"):
            d, p = results[(mode, "direct")], results[(mode, "proxy")]
            dm, pm, d95, p95_ = (statistics.median(d) * 1e3, statistics.median(p) * 1e3,
                                 p95(d) * 1e3, p95(p) * 1e3)  # fmt: skip
            print(f"{mode:15} {dm:10.3f} {pm:10.3f} {pm - dm:10.3f} {d95:10.3f} {p95_:10.3f} "
                  f"{p95_ - d95:10.3f}")  # fmt: skip
        print("target: at most 1 ms median added (sequential) on loopback")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)


if __name__ == "__main__":
    main()
