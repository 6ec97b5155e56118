"""`TrafficView`: the exchanges of a validation proxy, or a sandbox's request log, live.

Newest first, one line each (time, method, path, status, retcode and its meaning, duration);
each opens to the decoded `data`, every finding of `check()` with its fix, and the answer
explained (the catalog's meaning and remedy, the body as it came back). Over a proxy
(`sendmessage_kit.proxy.start(...)`) each exchange appears as it ends; over a sandbox
(`TrafficView.from_sandbox(sb)`) the view polls `GET /sandbox/requests` every `interval`
seconds. Nothing it shows holds a secret: the proxy and the sandbox never keep one.

New exchanges are added at the end of the box and the box shows its children in reverse, so the
ones already shown keep their state (an entry opened stays open while traffic goes by).
"""

from __future__ import annotations

import html
import threading
from typing import Any

import ipywidgets as w

from sendmessage_kit.widgets._html import LH

__all__ = ["TrafficView", "exchange_html"]

#: Entries a view shows (the oldest go first).
SHOWN = 200
_GOOD, _BAD, _NOTE = "#2e7d32", "#c62828", "#555"
_CELL = "padding:1px 8px;vertical-align:top;overflow-wrap:anywhere"


def _e(text: object) -> str:
    return html.escape(str(text))


def _colour(record: dict[str, Any]) -> str:
    ok = record.get("retcode") == "0" or (
        record.get("retcode") is None and 200 <= int(record.get("status") or 0) < 300
    )
    return _GOOD if ok and not record.get("failure") else _BAD


def _table(rows: list[tuple[str, str]]) -> str:
    key = f"{_CELL};color:{_NOTE};white-space:nowrap"
    cells = "".join(
        f'<tr><td style="{key}">{k}</td><td style="{_CELL}">{v}</td></tr>' for k, v in rows
    )
    return f'<table style="border-collapse:collapse;{LH}">{cells}</table>'


def exchange_html(record: dict[str, Any]) -> str:
    """One exchange (a `view_record` or a `/sandbox/requests` entry) as an expandable block."""
    at = str(record.get("time", ""))
    clock = at[11:23] if len(at) >= 23 else at
    retcode = record.get("retcode")
    code = f" retcode <b>{_e(retcode)}</b>" if retcode is not None else ""
    ms = float(record.get("durationMs") or 0.0)
    summary = (
        f'<span style="color:{_NOTE}">{_e(clock)}</span> <b>{_e(record.get("method"))}</b> '
        f"<code>{_e(record.get('path'))}</code> → {_e(record.get('status'))}{code} "
        f'<span style="color:{_colour(record)}">{_e(record.get("meaning", ""))}</span> '
        f'<span style="color:{_NOTE}">({ms:.1f} ms)</span>'
    )
    parts = []
    data = record.get("data") or {}
    if data:
        rows = [(_e(k), f"<code>{_e(v)}</code>") for k, v in data.items()]
        parts.append("<b>data</b>" + _table(rows))
    findings = record.get("findings") or []
    if findings:
        rows = [
            (
                f'<b style="color:{_BAD if f["severity"] == "error" else "#ef6c00"}">'
                f"{_e(f['severity'])}</b>",
                f"<code>{_e(f['field'])}</code> {_e(f['message'])} "
                f'<span class="smk-fix">fix: {_e(f["fix"])}</span> '
                f'<span style="color:{_NOTE}">[{_e(f["rule"])}]</span>',
            )
            for f in findings
        ]
        parts.append("<b>findings of check()</b>" + _table(rows))
    elif record.get("interface") == "sendmessage":
        parts.append(f'<div style="color:{_GOOD}">check(): no findings</div>')
    answer = [("interface", _e(record.get("interface", "")))]
    if retcode is not None:
        answer.append(("retcode", f"<b>{_e(retcode)}</b>: {_e(record.get('meaning', ''))}"))
    if record.get("remedy"):
        answer.append(("what to do", _e(record["remedy"])))
    if record.get("decidedBy"):
        answer.append(("decided by", _e(record["decidedBy"])))
    if record.get("failure"):
        answer.append(("failed", _e(record["failure"])))
    if record.get("answer"):
        answer.append(("answer body", f"<code>{_e(record['answer'])}</code>"))
    if record.get("request"):
        answer.append(("request body", f"<code>{_e(record['request'])}</code>"))
    parts.append("<b>the answer explained</b>" + _table(answer))
    return (
        f'<details class="smk-exchange" data-retcode="{_e(retcode)}" '
        f'data-interface="{_e(record.get("interface", ""))}" style="{LH};margin:1px 0">'
        f'<summary style="cursor:pointer">{summary}</summary>'
        f'<div style="margin:4px 0 8px 18px">{"".join(parts)}</div></details>'
    )


class TrafficView(w.VBox):
    """Exchanges as they happen, newest first; see the module docstring.

    Args:
        source: a running proxy (`sendmessage_kit.proxy.start(...)`) or sandbox.
        interval: over a sandbox, seconds between polls of `/sandbox/requests` (0: only on
            `refresh()`).

    `close()` stops listening (the proxy or sandbox runs on: it is not the view's).
    """

    def __init__(self, source: Any, *, interval: float = 1.0, **kwargs: Any) -> None:
        self.source = source
        self.title = w.HTML()
        self.status = w.HTML()
        self.last_error = ""
        self.entries = w.Box(
            layout=w.Layout(display="flex", flex_flow="column-reverse", width="100%")
        )
        self.records: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self._seen = 0
        self._ids: set[int] = set()
        self._unsubscribe: Any = None
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        super().__init__([self.title, self.status, self.entries], **kwargs)
        self.add_class("smk-traffic")
        if hasattr(source, "subscribe"):  # a proxy
            self.kind = f"proxy {source.url} → {source.upstream}"
            for exchange in source.exchanges:
                self._add_exchange(exchange)
            self._unsubscribe = source.subscribe(self._add_exchange)
        else:  # a sandbox
            self.kind = f"sandbox {source.base_url} (its request log)"
            self.refresh()
            if interval > 0:
                self._poller = threading.Thread(
                    target=self._poll, args=(interval,), name="smk-traffic-poll", daemon=True
                )
                self._poller.start()
        self._title()

    @classmethod
    def from_sandbox(cls, sandbox: Any, *, interval: float = 1.0) -> TrafficView:
        """The sandbox's own request log (`GET /sandbox/requests`), polled every `interval` s."""
        return cls(sandbox, interval=interval)

    def _title(self) -> None:
        with self._lock:  # the proxy's thread and the caller's may both be adding
            self._set_title(len(self.records))

    def _set_title(self, n: int) -> None:
        self.title.value = (
            f'<div style="{LH}"><b>Traffic</b> through the {_e(self.kind)}: {n} exchange(s), '
            "newest first; click one to open it.</div>"
        )

    def _add_exchange(self, exchange: Any) -> None:
        from sendmessage_kit.proxy.log import view_record

        with self._lock:  # one that ended as the view opened comes both listed and notified
            if exchange.id in self._ids:
                return
            self._ids.add(exchange.id)
        self._add([view_record(exchange)])

    def _add(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        with self._lock:
            self.records.extend(records)
            items = [w.HTML(exchange_html(r), layout=w.Layout(width="100%")) for r in records]
            children = [*self.entries.children, *items]
            dropped = children[:-SHOWN]
            self.entries.children = children[-SHOWN:]
            del self.records[:-SHOWN]
            self._set_title(len(self.records))
        for item in dropped:
            item.close()

    def refresh(self) -> None:
        """Over a sandbox: fetch the requests logged since the last look."""
        try:
            with self.source.http_client(timeout=5.0) as client:
                got = client.get("/sandbox/requests", params={"limit": SHOWN}).json()["requests"]
        except Exception as exc:  # shown to the user: a poll thread would lose it
            self.last_error = f"{type(exc).__name__}: {exc}"
            self.status.value = (
                f'<div style="color:{_BAD};{LH}">Cannot read {_e(self.source.base_url)}'
                f"/sandbox/requests: {_e(self.last_error)}</div>"
            )
            return
        self.status.value = ""
        new = [r for r in reversed(got) if int(r["id"]) > self._seen]
        if new:
            self._seen = int(new[-1]["id"])
        self._add(new)

    def _poll(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.refresh()

    def close(self) -> None:
        """Stop listening (unsubscribe, stop polling) and close the widgets."""
        self._stop.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._poller is not None and self._poller is not threading.current_thread():
            self._poller.join(timeout=10)
        for child in self.entries.children:
            child.close()
        super().close()

    def __repr__(self) -> str:
        return f"TrafficView({self.kind}, {len(self.records)} exchange(s))"
