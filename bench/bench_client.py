"""send_many throughput next to raw clients, same sandbox, same run.

The sandbox runs in its own process (`sendmessage-kit sandbox --http`), so client and server
do not share a GIL. Every contender signs in its own agent and sends N fresh messages of the
same shape (new messageCodes, so none is a repeat). Contenders:

- `http.client` keep-alive loop: one connection, sequential, no checks, no parsing beyond json.
- naive `httpx2.AsyncClient` + `asyncio.gather` of all N posts (default pool limits).
- `AsyncGatewayClient.send_many` at several concurrencies (the default is the tuned one),
  with its checks, retries and journal on (the journal in a temporary file).

    uv run python bench/bench_client.py [N] [--rounds R]
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
from collections.abc import Callable
from pathlib import Path

import httpx2

from sendmessage_kit.bulk import DEFAULT_CONCURRENCY
from sendmessage_kit.client import AsyncGatewayClient
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.history import History
from sendmessage_kit.models import SendMessageRequest, new_message


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


def timed(fn: Callable[[], int], n: int) -> float:
    t0 = time.perf_counter()
    ok = fn()
    dt = time.perf_counter() - t0
    if ok != n:
        raise SystemExit(f"only {ok}/{n} delivered")
    return n / dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--concurrency", type=int, nargs="*", default=[1, 4, 8, 16, 32, 64])
    args = ap.parse_args()
    n = args.n
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        proc, url = start_sandbox(tmp)
        try:
            agents = iter(range(1000, 59999))
            results: dict[str, list[float]] = {}

            def run(name: str, fn: Callable[[list[SendMessageRequest]], int]) -> None:
                reqs = requests_for(n, uuid.uuid4().hex[:8])
                results.setdefault(name, []).append(timed(lambda: fn(reqs), n))

            for _ in range(args.rounds):
                run(
                    "http.client keep-alive loop (raw)",
                    lambda r: raw_http_client(
                        url, str(next(agents)), [encode_body(x).encode() for x in r]
                    ),
                )
                run(
                    "httpx2.AsyncClient + gather (raw)",
                    lambda r: asyncio.run(
                        naive_gather(url, str(next(agents)), [encode_body(x).encode() for x in r])
                    ),
                )
                for c in args.concurrency:
                    mark = " (default)" if c == DEFAULT_CONCURRENCY else ""
                    run(
                        f"send_many concurrency={c}{mark}",
                        lambda r, c=c: asyncio.run(kit(url, str(next(agents)), r, c, tmp)),
                    )
        finally:
            proc.terminate()
            proc.wait(10)
    # Rounds are interleaved, so a slow moment hits every contender alike; the verdict uses
    # medians (robust to one lucky or unlucky round), the best round is shown beside them.
    best_raw = max(max(v) for k, v in results.items() if "(raw)" in k)
    median_raw = max(statistics.median(v) for k, v in results.items() if "(raw)" in k)
    print(
        f"\n{n} messages per run, {args.rounds} round(s), sandbox over HTTP in its own process, "
        f"{os.cpu_count()} CPU(s)"
    )
    print(f"{'contender':40} {'median':>7} {'best':>6} {'x raw (median)':>15} {'x raw (best)':>13}"
          "  all rounds")  # fmt: skip
    for name, rates in results.items():
        spread = ", ".join(f"{r:.0f}" for r in rates)
        med = statistics.median(rates)
        print(f"{name:40} {med:7.0f} {max(rates):6.0f} {med / median_raw:15.2f} "
              f"{max(rates) / best_raw:13.2f}  {spread}")  # fmt: skip
    default = results[f"send_many concurrency={DEFAULT_CONCURRENCY} (default)"]
    ratio = statistics.median(default) / median_raw
    verdict = "meets" if ratio >= 0.9 else "misses"
    print(
        f"\nsend_many (default concurrency {DEFAULT_CONCURRENCY}) = {ratio:.2f}x the best raw "
        f"client, medians of {args.rounds} rounds ({max(default) / best_raw:.2f}x best to best): "
        f"{verdict} the 0.9x target"
    )


if __name__ == "__main__":
    main()
