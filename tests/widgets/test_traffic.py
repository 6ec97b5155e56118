"""TrafficView over a real proxy and over a real sandbox's request log (no browser)."""

from __future__ import annotations

import http.client
import time

from sendmessage_kit import proxy, sandbox
from sendmessage_kit.sandbox import Sandbox
from sendmessage_kit.widgets import TrafficView
from sendmessage_kit.widgets.traffic import exchange_html
from tests.fixtures_sandbox import sign_in

BAD = b'{"callid":"tv","data":"{\\"content\\":\\"\\"}"}'


def _post(url: str, path: str, body: bytes, guid: str) -> None:
    conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
    try:
        conn.request("POST", path, body, {"Guid": guid, "Content-Type": "application/json"})
        conn.getresponse().read()
    finally:
        conn.close()


def _wait(predicate: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)


def test_the_view_follows_a_proxy_newest_first(sandbox_http: Sandbox) -> None:
    guid = sign_in(sandbox_http)
    path = f"/agentgateway/resource/mediacall/{sandbox_http.agent_id}/sendmessage"
    with proxy.start(upstream=sandbox_http.base_url) as p:
        _post(p.url, path, BAD, guid)  # before the view: shown when it opens
        view = TrafficView(p)
        try:
            _post(p.url, path, b"{}", guid)
            _wait(lambda: len(view.entries.children) == 2 and "2 exchange(s)" in view.title.value)
            assert [r["id"] for r in view.records] == [1, 2]
            assert view.entries.layout.flex_flow == "column-reverse"  # the last child on top
            first = view.entries.children[0].value
            assert 'data-retcode="106-002"' in first and "content.empty" in first
            assert "the message to send is empty" in first and "fix:" in first
            assert "Put the message text in data.content." in first  # the catalog's remedy
            assert guid not in "".join(c.value for c in view.entries.children)
            assert "2 exchange(s)" in view.title.value
        finally:
            view.close()
        _post(p.url, path, b"{}", guid)
        time.sleep(0.2)
        assert len(view.records) == 2  # closed: no longer listening


def test_the_view_shows_a_sandboxs_own_log() -> None:
    with sandbox.start(http=True) as sb:
        guid = sign_in(sb)
        _post(sb.base_url, f"/agentgateway/resource/mediacall/{sb.agent_id}/sendmessage", BAD, guid)
        view = TrafficView.from_sandbox(sb, interval=0)
        try:
            kinds = [r["interface"] for r in view.records]
            assert kinds == ["sign-in", "sendmessage"]
            assert "check(): " in view.entries.children[1].value  # decided by
            _post(sb.base_url, f"/agentgateway/resource/mediacall/{sb.agent_id}/sendmessage",
                  b"{}", guid)  # fmt: skip
            view.refresh()
            assert len(view.records) == 3  # only what is new
        finally:
            view.close()
    view = TrafficView.from_sandbox(sb, interval=0)  # stopped: a readable line, no traceback
    try:
        assert "Cannot read" in view.status.value and view.records == []
    finally:
        view.close()


def test_exchange_html_escapes_what_went_by() -> None:
    record = {"method": "POST", "path": "/x?<b>", "status": 200, "retcode": "0",
              "meaning": "success", "data": {"content": "<script>alert(1)</script>"},
              "findings": [], "interface": "sendmessage", "answer": "<i>"}  # fmt: skip
    out = exchange_html(record)
    assert "<script>" not in out and "&lt;script&gt;" in out and "/x?&lt;b&gt;" in out
