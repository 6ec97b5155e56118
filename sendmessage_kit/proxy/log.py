"""What the proxy says about each exchange: a terminal block and a `--json-log` line.

The terminal block is one line (time, method, path, status, retcode and its meaning from the
catalog, duration), then for sendmessage the decoded `data` fields that matter and every
finding of `check()` by field, rule and fix. The JSON object holds the same facts. Both come
from `Exchange.explain()`, so they say the same; neither can hold a secret (the exchange holds
none, see `capture`).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import IO, Any

from sendmessage_kit.proxy.capture import Exchange

__all__ = ["JsonLog", "TerminalLog", "exchange_record", "terminal_lines", "view_record"]

_CONTENT_SHOWN = 80


def _clip(text: str, n: int = _CONTENT_SHOWN) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def terminal_lines(exchange: Exchange, profile: Any = None) -> list[str]:
    """The exchange as the terminal shows it: one line, then details for sendmessage."""
    e = exchange.explain(profile)
    at = datetime.fromtimestamp(exchange.started).strftime("%H:%M:%S.%f")[:-3]
    code = f" retcode {e.retcode}" if e.retcode is not None else ""
    lines = [
        f"{at} {exchange.method} {exchange.path} -> {exchange.status}{code} {e.meaning} "
        f"({exchange.duration * 1000:.1f} ms)"
    ]
    if e.fields:
        shown = [f"{k}={_clip(v)!r}" if k == "content" else f"{k}={v}" for k, v in e.fields.items()]
        lines.append("    data: " + " ".join(shown))
    for f in e.findings:
        lines.append(f"    {f['severity'].upper()} {f['field']}: {f['message']} [{f['rule']}]")
        lines.append(f"        fix: {f['fix']}")
    return lines


def exchange_record(exchange: Exchange, profile: Any = None) -> dict[str, Any]:
    """The exchange as one JSON object: the facts of its terminal block."""
    e = exchange.explain(profile)
    return {
        "id": exchange.id,
        "time": datetime.fromtimestamp(exchange.started).astimezone().isoformat(),
        "method": exchange.method,
        "path": exchange.path,
        "interface": e.kind,
        "status": exchange.status,
        "retcode": e.retcode,
        "meaning": e.meaning,
        "durationMs": round(exchange.duration * 1000, 3),
        "refused": exchange.refused,
        "failure": exchange.failure,
        "data": e.fields,
        "findings": e.findings,
    }


def view_record(exchange: Exchange, profile: Any = None) -> dict[str, Any]:
    """`exchange_record` plus the answer explained: its body and the catalog's remedy."""
    from sendmessage_kit.errors import describe_retcode

    record = exchange_record(exchange, profile)
    retcode = record["retcode"]
    record["remedy"] = describe_retcode(retcode).remedy if retcode not in (None, "0") else ""
    record["answer"] = exchange.response_body.decode("utf-8", "replace")
    record["request"] = exchange.request_body.decode("utf-8", "replace")
    return record


class TerminalLog:
    """Prints each exchange's block to a text stream (the command's stdout)."""

    def __init__(self, out: IO[str], profile: Any = None) -> None:
        self._out, self._profile = out, profile
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        """Print one exchange."""
        text = "\n".join(terminal_lines(exchange, self._profile))
        with self._lock:
            print(text, file=self._out, flush=True)


class JsonLog:
    """Appends one JSON object a line per exchange to a file it opens and closes."""

    def __init__(self, path: str, profile: Any = None) -> None:
        self._fh = open(path, "a", encoding="utf-8")
        self._profile = profile
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        """Write one exchange."""
        line = json.dumps(exchange_record(exchange, self._profile), ensure_ascii=False)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._fh.close()
