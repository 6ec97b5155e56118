"""What importing the kit costs, and its first send, beside raw baselines in the same run.

Each figure is the median of N fresh processes, run interleaved (one of each in turn), so a
busy machine slows all alike. In every process the time is taken around the statement itself
(`import time` first), and the whole process's wall time is shown beside it.

Import:
- `pass`: the interpreter starting, nothing imported;
- `import pydantic` and `import httpx2`: the kit's two big dependencies alone;
- `from sendmessage_kit import GatewayClient`: the target is 250 ms.

First use, against a sandbox on 127.0.0.1 (its own process, HTTP):
- raw `httpx2`: import it, PUT the sign-in, POST the same kind of body (built beforehand),
  read the answers;
- the kit: import, `GatewayClient(...)`, `sign_in()`, `send_message(new_message(...))`,
  with checks, the Guid and the journal on (in a temporary folder).

It also says whether the installed packages have compiled bytecode: without it (uv does not
compile by default; `scripts/lab` and `scripts/test` do), and with PYTHONDONTWRITEBYTECODE set,
every process compiles every module it imports again.

    uv run python bench/bench_import.py [--runs 11]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_client import start_sandbox  # noqa: E402

IMPORTS = {
    "pass": "pass",
    "import pydantic": "import pydantic",
    "import httpx2": "import httpx2",
    "from sendmessage_kit import GatewayClient": "from sendmessage_kit import GatewayClient",
}

_TIMED = """
import time
t0 = time.perf_counter()
{stmt}
print((time.perf_counter() - t0) * 1000)
"""

RAW_FIRST_SEND = """
import sys, time
t0 = time.perf_counter()
import httpx2
base, agent, body = sys.argv[1], sys.argv[2], sys.argv[3]
with httpx2.Client(base_url=base, trust_env=False) as c:
    r = c.put(f"/agentgateway/resource/onlineagent/{agent}/forcelogin",
              json={"password": "sandbox", "phonenum": "88880001"})
    guid = r.headers["set-guid"].removeprefix("JSESSIONID=")
    r = c.post(f"/agentgateway/resource/mediacall/{agent}/sendmessage", content=body.encode(),
               headers={"Content-Type": "application/json; charset=UTF-8", "Guid": guid})
    assert r.json()["retcode"] == "0", r.text
print((time.perf_counter() - t0) * 1000)
"""

KIT_FIRST_SEND = """
import sys, time
t0 = time.perf_counter()
from sendmessage_kit import GatewayClient, new_message
base, agent = sys.argv[1], sys.argv[2]
with GatewayClient(base_url=base, agent_id=agent, password="sandbox", phonenum="88880001") as c:
    c.force_sign_in()
    r = c.send_message("bench-first", new_message(to="customer-1", content="hello"))
    assert r.retcode == "0", r
print((time.perf_counter() - t0) * 1000)
"""


def run(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """(ms inside the process around the code, ms of the whole process)."""
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env
    )
    wall = (time.perf_counter() - t) * 1000
    return float(out.stdout.strip().splitlines()[-1]), wall


def raw_body() -> str:
    from sendmessage_kit.encoding import encode_body
    from sendmessage_kit.models import SendMessageRequest, new_message

    message = new_message(to="customer-1", content="hello")
    return encode_body(SendMessageRequest(callid="bench-first", data=message))


def bytecode_state() -> str:
    found = []
    for name in ("httpx2", "pydantic", "sendmessage_kit"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec else None
        if origin is None:
            continue
        cached = importlib.util.cache_from_source(origin)
        found.append(f"{name} {'yes' if os.path.exists(cached) else 'NO'}")
    return ", ".join(found)


def importtime_top(n: int = 8) -> list[tuple[int, str]]:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", IMPORTS[list(IMPORTS)[-1]]],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    rows = []
    for line in out.splitlines()[1:]:
        _, cumulative, name = line.split("|")
        if len(name) - len(name.lstrip()) == 1:  # imported by the statement itself
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args()
    pydb = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    print(f"compiled bytecode installed: {bytecode_state()} (PYTHONDONTWRITEBYTECODE={pydb!r})")

    inner: dict[str, list[float]] = {k: [] for k in IMPORTS}
    outer: dict[str, list[float]] = {k: [] for k in IMPORTS}
    for _ in range(args.runs):
        for label, stmt in IMPORTS.items():
            a, b = run(_TIMED.format(stmt=stmt))
            inner[label].append(a)
            outer[label].append(b)
    print(f"\nimport, median of {args.runs} fresh processes (interleaved)")
    print(f"{'statement':44} {'statement':>10} {'process':>9}")
    for label in IMPORTS:
        a, b = statistics.median(inner[label]), statistics.median(outer[label])
        print(f"{label:44} {a:>7.0f} ms {b:>6.0f} ms")
    kit = statistics.median(inner[list(IMPORTS)[-1]])
    verdict = "met" if kit <= 250 else "NOT met"
    print(f"target: `from sendmessage_kit import GatewayClient` <= 250 ms: {verdict}")
    print("\n-X importtime, what the statement loads (cumulative µs):")
    for cumulative, name in importtime_top():
        print(f"  {cumulative:>8}  {name}")

    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_sandbox(Path(tmp))
        env = {**os.environ, "SENDMESSAGE_KIT_DATA_DIR": str(Path(tmp) / "client")}
        try:
            first: dict[str, list[float]] = {"raw httpx2": [], "sendmessage-kit": []}
            for i in range(args.runs):
                agent = str(201 + i)
                body = raw_body()  # built here: the raw process only posts it
                first["raw httpx2"].append(run(RAW_FIRST_SEND, url, agent, body, env=env)[0])
                first["sendmessage-kit"].append(run(KIT_FIRST_SEND, url, agent, env=env)[0])
        finally:
            proc.terminate()
            proc.wait(20)
    raw = statistics.median(first["raw httpx2"])
    mine = statistics.median(first["sendmessage-kit"])
    print(f"\nfirst use: import + sign in + one send, median of {args.runs} fresh processes")
    print(f"{'raw httpx2 (same two requests)':44} {raw:>7.0f} ms")
    print(f"{'sendmessage-kit (checks, Guid, journal)':44} {mine:>7.0f} ms   {mine - raw:+.0f} ms")


if __name__ == "__main__":
    main()
