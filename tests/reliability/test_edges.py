"""Hardened edges (issue 23): every malformed input answered clearly, over real sockets.

Each test is one class of input the outside test of the sandbox found, counted per class for
`bench/reliability.py`'s table: agent IDs, non-JSON bodies, any bytes on every route, huge
invalid bodies, Host headers, oversized bodies. (LAN scope, slow clients, CPU-heavy bodies and
user IDs are in test_edges_server.py; the CLI's files in test_edges_files.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendmessage_kit.sandbox import SandboxConfig, serve
from sendmessage_kit.sandbox.routes import ROUTERS
from tests.reliability._edges import raw_request, refusal_ok, status_and_json, tried

GW = "/agentgateway/resource"
JSON = "application/json"
FAST, SLOW = 300, 2000


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    config = SandboxConfig(http=True, poll_wait=0.1, data_dir=tmp_path_factory.mktemp("edges"))
    with serve(config) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Any) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sb.base_url, timeout=30, trust_env=False) as client:
        yield client


# -- agent IDs: one identity per agent, and no int() of a 4,301-digit string ---------------------
AGENT_PATHS = [
    ("POST", "/mediacall/{}/sendmessage"),
    ("PUT", "/onlineagent/{}"),
    ("PUT", "/onlineagent/{}/forcelogin"),
    ("GET", "/agentevent/{}"),
    ("PUT", "/onlineagent/{}/updateGuid"),
    ("DELETE", "/onlineagent/{}/logout"),
]
BAD_AGENT_IDS = ["1" * 4301, "9" * 100_00, "0101", "00101", "0", "١٠١", "101 ", "-101", "+101"]


def test_agent_ids_of_any_length_and_with_leading_zeros_get_the_gateways_refusal(
    http: httpx2.Client,
) -> None:
    sign_in = {"password": "sandbox", "phonenum": "88880001"}
    for agent_id in BAD_AGENT_IDS:
        for method, path in AGENT_PATHS:
            tried("agent IDs")
            r = http.request(method, GW + path.format(agent_id), json=sign_in)
            answer = refusal_ok(r, big_input=True)
            assert answer["retcode"] == "000-002", (agent_id[:10], path, answer)
        tried("agent IDs")
        r = http.post("/sandbox/chats", json={"userId": "u", "agentId": agent_id})
        assert r.status_code == 400 and refusal_ok(r, big_input=True)["detail"]
    # 0101 is not a second identity of agent 101: it is refused, and says how to write it
    r = http.put(f"{GW}/onlineagent/0101/forcelogin", json=sign_in)
    assert "without leading zeros" in r.json()["message"]
    assert http.put(f"{GW}/onlineagent/101/forcelogin", json=sign_in).json()["retcode"] == "0"


# -- bodies that are not JSON, with a content type that is not JSON ---------------------------
NOT_JSON = [b"\xff\xfe\xfd", b"\xc3", "caf\xe9".encode("latin-1"), b"", b"a=1&b=\xff", b"\x00"]
TYPES = ["text/plain", "application/octet-stream", "application/x-www-form-urlencoded", None]


def test_bodies_that_are_not_json_or_not_utf8_are_refused_as_json(
    http: httpx2.Client,
) -> None:
    paths = [
        "/sandbox/chats",
        "/sandbox/chats/x/messages",
        "/sandbox/webchat/links",
        "/sandbox/faults",
        "/apiaccess/ccmessaging/applyToken",
        f"{GW}/mediacall/101/sendmessage",
    ]
    for path in paths:
        for body in NOT_JSON:
            for kind in TYPES:
                tried("non-JSON bodies")
                headers = {"content-type": kind} if kind else {}
                refusal_ok(http.post(path, content=body, headers=headers))
    for body in NOT_JSON:
        tried("non-JSON bodies", 2)
        refusal_ok(http.put(f"{GW}/onlineagent/101", content=body))
        refusal_ok(http.put(f"{GW}/onlineagent/101/forcelogin", content=body))


# -- any bytes on every route -----------------------------------------------------------------
ROUTES = sorted(
    (method, route.path)  # type: ignore[attr-defined]
    for router in ROUTERS
    for route in router.routes
    for method in route.methods  # type: ignore[attr-defined]
)
_HTML_OK = ("/sandbox/webchat",)  # the page and its files answer HTML, CSS, JS on success
segment = st.text(st.characters(codec="utf-8", exclude_characters="/?#"), min_size=1, max_size=40)
content_type = st.sampled_from(
    ["application/json", "application/json; charset=UTF-8", "text/plain", "", "multipart/form-data"]
)


def _fill(path: str, values: list[str]) -> str:
    from urllib.parse import quote

    parts, out = path.split("{"), []
    out.append(parts[0])
    for i, part in enumerate(parts[1:]):
        out.append(quote(values[i % len(values)], safe="") + part.split("}", 1)[1])
    return "".join(out)


def _fuzz(base_url: str, examples: int) -> None:
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        route=st.sampled_from(ROUTES),
        values=st.lists(segment, min_size=1, max_size=3),
        body=st.binary(max_size=2048) | st.text(max_size=512).map(str.encode),
        kind=content_type,
        query=st.dictionaries(st.sampled_from(["after", "limit", "channel", "user", "token",
                                               "receiverId"]), st.text(max_size=30)),
    )  # fmt: skip
    def run(route: tuple[str, str], values: list[str], body: bytes, kind: str, query: Any) -> None:
        tried("any bytes, every route")
        method, path = route
        with httpx2.Client(base_url=base_url, timeout=30, trust_env=False) as client:
            r = client.request(
                method,
                _fill(path, values),
                content=body if method in ("POST", "PUT") else None,
                headers={"content-type": kind} if kind else {},
                params=query,
            )
        if r.is_success and path.startswith(_HTML_OK):
            return  # the page, its script or its styles
        refusal_ok(r)

    run()


def test_every_route_answers_any_bytes_with_json_and_never_a_5xx(sb: Any) -> None:
    _fuzz(sb.base_url, FAST)


@pytest.mark.slow
def test_every_route_answers_any_bytes_at_length(sb: Any) -> None:
    _fuzz(sb.base_url, SLOW)


# -- refusals of huge invalid bodies echo a bounded part ------------------------------------
def test_a_refusal_of_a_huge_body_does_not_echo_it(http: httpx2.Client) -> None:
    huge = [
        b'{"userId": "' + b"x" * 900_000 + b'"}',
        b"[" + b"1," * 400_000 + b"1]",
        b'{"content": ' + b"7" * 900_000 + b"}",
        b"x" * 900_000,
        b'{"' + b"k" * 900_000 + b'": 1}',
    ]
    for path in ("/sandbox/chats", "/sandbox/chats/x/messages", "/sandbox/webchat/links",
                 "/sandbox/faults", f"{GW}/mediacall/101/sendmessage",
                 "/apiaccess/ccmessaging/applyToken"):  # fmt: skip
        for body in huge:
            tried("huge invalid bodies")
            r = http.post(path, content=body, headers={"content-type": "application/json"})
            refusal_ok(r, big_input=True)


# -- the Host header: the sandbox's own names only (DNS rebinding) ------------------------------
FOREIGN = ["rebind.evil.example", "evil.example:8043", "127.0.0.1.evil.example", "10.0.0.1",
           "[fe80::1]", "localhost.evil", "", "xn--80ak6aa92e.com"]  # fmt: skip


def test_a_foreign_host_is_refused_and_the_pages_cannot_be_framed(sb: Any) -> None:
    port = int(sb.base_url.rsplit(":", 1)[1])
    paths = [("GET", "/sandbox/health"), ("POST", "/sandbox/faults"),
             ("GET", "/sandbox/users/u/messages"), ("POST", f"{GW}/mediacall/101/sendmessage"),
             ("GET", "/sandbox/webchat")]  # fmt: skip
    for host in FOREIGN:
        for method, path in paths:
            tried("Host headers")
            head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\n\r\n{{}}"
            status, body = status_and_json(raw_request(port, head.encode()))
            assert status == 421 and "Host" in body["detail"], (host, path, status)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", "127.0.0.2", "[::1]:1"):
        tried("Host headers")
        head = f"GET /sandbox/health HTTP/1.1\r\nHost: {host}\r\n\r\n"
        assert status_and_json(raw_request(port, head.encode()))[0] == 200, host
    with httpx2.Client(base_url=sb.base_url, trust_env=False) as client:
        page = client.get("/sandbox/webchat", params={"user": "u1"})
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


# -- the body cap: 413 JSON before the body is read whole -----------------------------------
def test_a_body_over_the_cap_is_refused_with_413_before_it_is_read(sb: Any) -> None:
    port = int(sb.base_url.rsplit(":", 1)[1])
    cap = SandboxConfig().max_body_bytes
    for path in (f"{GW}/mediacall/101/sendmessage", "/sandbox/chats", "/sandbox/faults",
                 f"{GW}/onlineagent/101", "/nowhere"):  # fmt: skip
        method = "PUT" if "onlineagent" in path else "POST"
        # announced: refused from the head alone (the 100 MB never have to be sent)
        tried("oversized bodies")
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n\r\n"
        status, body = status_and_json(raw_request(port, head.encode(), [b"{" * 1000]))
        assert status == 413 and "max_body_bytes" in body["detail"], (path, status)
        if path == "/nowhere":
            continue  # answered 404 without reading the body at all
        # chunked, no length: refused once the bytes read pass the cap
        tried("oversized bodies")
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b"x" * 64 * 1024)
        answer = raw_request(port, head.encode(), [chunk] * (cap // (64 * 1024) + 4))
        status, body = status_and_json(answer)
        assert status == 413 and "max_body_bytes" in body["detail"], (path, status)
    # a body at the cap is read (and refused or accepted on its merits)
    tried("oversized bodies")
    with httpx2.Client(base_url=sb.base_url, timeout=30, trust_env=False) as client:
        body = b" " * (cap - 20) + b'{"userId": "u"}'
        r = client.post("/sandbox/chats", content=body, headers={"content-type": JSON})
    assert refusal_ok(r)["callid"]


def test_the_names_a_sandbox_answers_to_depend_on_where_it_listens() -> None:
    from sendmessage_kit.sandbox.edge import Edge

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not called")

    loopback = Edge(inner, SandboxConfig())
    lan = Edge(inner, SandboxConfig(lan=True, host="192.0.2.2"))
    everywhere = Edge(inner, SandboxConfig(host="0.0.0.0"))
    for edge, host, ok in [
        (loopback, "127.0.0.1:8043", True), (loopback, "localhost", True),
        (loopback, "[::1]:8043", True), (loopback, "192.0.2.2:8043", False),
        (lan, "192.0.2.2:8043", True), (lan, "192.0.2.3:8043", False),
        (lan, "localhost:8043", True), (everywhere, "10.1.2.3:8043", True),
        (everywhere, "[fd00::5]:8043", True), (everywhere, "evil.example", False),
        (everywhere, "10.1.2.3.nip.io", False), (loopback, None, True),
    ]:  # fmt: skip
        tried("Host headers")
        assert edge.host_ok(host) is ok, (host, ok)


def test_every_test_the_threat_model_cites_exists() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    cited = set(re.findall(r"`(test_\w+)`", (root / "docs" / "sandbox.md").read_text()))
    defined = {
        name
        for path in (root / "tests").rglob("test_*.py")
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.MULTILINE)
    }
    assert len(cited) > 20 and cited <= defined, sorted(cited - defined)
