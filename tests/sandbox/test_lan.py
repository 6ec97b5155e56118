"""LAN mode, rule by rule (docs/sandbox.md, "LAN mode"): through the app with a client address
from the LAN, and over real sockets on this machine's LAN address when it has one."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from sendmessage_kit.sandbox import SandboxConfig, create_app, serve
from sendmessage_kit.sandbox.lan import is_loopback, lan_address, prepare

PHONE = ("192.0.2.77", 50123)  # a phone in the room (TEST-NET-1)
HERE = ("127.0.0.1", 50124)
GW = "/agentgateway/resource"


def _lan_or_skip() -> str:
    try:
        return lan_address()
    except OSError as exc:
        pytest.skip(f"no LAN address on this machine: {exc}")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("192.0.2.2", False),
        ("10.1.2.3", False),
        ("fd00::2", False),
        ("::ffff:192.0.2.2", False),
        ("testclient", False),
        ("", False),
        (None, False),
    ],
)
def test_what_counts_as_loopback(host: str | None, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_prepare_picks_the_lan_address_and_a_random_password() -> None:
    address = _lan_or_skip()
    one, two = prepare(SandboxConfig(lan=True)), prepare(SandboxConfig(lan=True))
    assert one.host == address and not is_loopback(one.host)
    assert one.demo_password not in ("sandbox", two.demo_password)
    assert len(one.demo_password) >= 16
    kept = prepare(SandboxConfig(lan=True, host="10.9.8.7", agents={"205": "mine"}))
    assert (kept.host, kept.demo_agent_id, kept.demo_password) == ("10.9.8.7", "205", "mine")
    plain = SandboxConfig()
    assert prepare(plain) is plain


def test_lan_mode_does_not_bind_every_interface() -> None:
    with pytest.raises(ValueError, match="one LAN address"):
        SandboxConfig(lan=True, host="0.0.0.0")


class Room:
    """A LAN-mode app called in-process as if from a phone (PHONE) or this machine (HERE)."""

    def __init__(self) -> None:
        config = prepare(SandboxConfig(lan=True, host="192.0.2.2", http=True, poll_wait=0.1))
        self.password = config.demo_password
        self.app = create_app(config)
        self.loop = asyncio.new_event_loop()
        self.clients = {
            who: httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=self.app, client=addr),
                base_url="http://192.0.2.2:8043",
            )
            for who, addr in (("phone", PHONE), ("here", HERE))
        }

    def call(self, who: str, method: str, path: str, **kw: Any) -> httpx2.Response:
        return self.loop.run_until_complete(self.clients[who].request(method, path, **kw))

    def link(self, user: str, channel: str) -> str:
        r = self.call(
            "here", "POST", "/sandbox/webchat/links", json={"userId": user, "channel": channel}
        )
        assert r.status_code == 200, r.text
        return str(parse_qs(urlsplit(r.json()["url"]).query)["token"][0])

    def close(self) -> None:
        for client in self.clients.values():
            self.loop.run_until_complete(client.aclose())
        self.loop.close()
        self.app.store.close()


@pytest.fixture
def room() -> Iterator[Room]:
    r = Room()
    yield r
    r.close()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/sandbox/health", None),
        ("GET", "/sandbox/faults", None),
        ("POST", "/sandbox/faults", {"retcode": "100-007"}),
        ("DELETE", "/sandbox/faults", None),
        ("POST", "/sandbox/webchat/links", {"userId": "u1", "channel": "WEB"}),
        ("GET", "/openapi.json", None),
        ("GET", "/docs", None),
    ],
)
def test_control_and_faults_answer_only_on_this_machine(
    room: Room, method: str, path: str, body: Any
) -> None:
    refused = room.call("phone", method, path, json=body)
    assert refused.status_code == 403
    assert "only on this machine" in refused.json()["detail"]
    assert room.call("here", method, path, json=body).status_code == 200
    assert room.app.faults.state() == room.call("here", "GET", "/sandbox/faults").json()


def test_a_refused_fault_is_not_set(room: Room) -> None:
    room.call("phone", "POST", "/sandbox/faults", json={"retcode": "100-007"})
    assert room.call("here", "GET", "/sandbox/faults").json() == room.app.faults.state()
    assert "100-007" not in str(room.app.faults.state())


def test_the_agent_password_is_random_also_from_the_lan(room: Room) -> None:
    path = f"{GW}/onlineagent/101"
    demo = room.call("phone", "PUT", path, json={"password": "sandbox", "phonenum": "1"})
    assert demo.json()["retcode"] == "100-004"
    real = room.call("phone", "PUT", path, json={"password": room.password, "phonenum": "1"})
    assert real.json()["retcode"] == "0"


def test_the_page_needs_its_token_for_its_user_and_channel(room: Room) -> None:
    token = room.link("u1", "WHATSAPP")
    page = "/sandbox/webchat"
    ok = {"user": "u1", "channel": "WHATSAPP", "token": token}
    assert room.call("phone", "GET", page, params=ok).status_code == 200
    for bad in (
        {"user": "u1", "channel": "WHATSAPP"},
        {**ok, "token": "guess"},
        {**ok, "user": "u2"},
        {**ok, "channel": "SMS"},
    ):
        r = room.call("phone", "GET", page, params=bad)
        assert r.status_code == 403 and "token" in r.json()["detail"], bad
    assert room.call("here", "GET", page, params={"user": "u2"}).status_code == 200
    for asset in ("webchat.js", "webchat.css", "skins.css"):  # the same for every page
        assert room.call("phone", "GET", f"{page}/{asset}").status_code == 200


def test_customer_calls_act_only_for_the_tokens_customer(room: Room) -> None:
    mine, theirs = room.link("u1", "TELEGRAM"), room.link("u2", "TELEGRAM")

    def phone(method: str, path: str, token: str | None = mine, **kw: Any) -> httpx2.Response:
        headers = {"X-Webchat-Token": token} if token else {}
        return room.call("phone", method, path, headers=headers, **kw)

    # open a chat: without a token, for someone else, on another channel → refused
    assert (
        phone(
            "POST", "/sandbox/chats", None, json={"userId": "u1", "channel": "TELEGRAM"}
        ).status_code
        == 403
    )
    assert (
        phone("POST", "/sandbox/chats", json={"userId": "u2", "channel": "TELEGRAM"}).status_code
        == 403
    )
    assert (
        phone("POST", "/sandbox/chats", json={"userId": "u1", "channel": "SMS"}).status_code == 403
    )
    assert phone("POST", "/sandbox/chats", content=b"not json").status_code == 403
    chat = phone("POST", "/sandbox/chats", json={"userId": "u1", "channel": "TELEGRAM"})
    assert chat.status_code == 200
    other = room.call(
        "here", "POST", "/sandbox/chats", json={"userId": "u2", "channel": "TELEGRAM"}
    )
    # write: in my chat yes, in someone else's (even with their page's token on my chat) no
    mine_path = f"/sandbox/chats/{chat.json()['callid']}/messages"
    theirs_path = f"/sandbox/chats/{other.json()['callid']}/messages"
    assert phone("POST", mine_path, json={"content": "hi"}).status_code == 200
    assert phone("POST", theirs_path, json={"content": "hi"}).status_code == 403
    assert phone("POST", mine_path, theirs, json={"content": "hi"}).status_code == 403
    assert phone("POST", "/sandbox/chats/nope/messages", json={"content": "hi"}).status_code == 403
    # read: my messages on my channel yes; someone else's, or another channel's, no
    mine_read = {"channel": "TELEGRAM"}
    assert phone("GET", "/sandbox/users/u1/messages", params=mine_read).status_code == 200
    assert phone("GET", "/sandbox/users/u2/messages", params=mine_read).status_code == 403
    assert phone("GET", "/sandbox/users/u1/messages").status_code == 403
    # the web channel's token and poll: for a WEB page's token only, and for me only
    apply = "/apiaccess/ccmessaging/applyToken"
    assert phone("POST", apply, json={"userId": "u1"}).status_code == 403  # a TELEGRAM token
    me = {"X-Webchat-Token": room.link("u1", "WEB")}
    assert room.call("phone", "POST", apply, headers=me, json={"userId": "u2"}).status_code == 403
    web = room.call("phone", "POST", apply, headers=me, json={"userId": "u1"}).json()
    poll = "/apiaccess/ccmessaging/poll"
    headers = {**me, "ccmessaging-token": web["token"]}
    r = room.call("phone", "GET", poll, params={"receiverId": "u1"}, headers=headers)
    assert r.json()["resultCode"] == "0"
    r = room.call("phone", "GET", poll, params={"receiverId": "u2"}, headers=headers)
    assert r.status_code == 403
    # a wrong header value is refused the same way as none
    assert phone("GET", "/sandbox/users/u1/messages", "x" * 22, params=mine_read).status_code == 403


def test_a_big_body_from_the_lan_is_refused_unread(room: Room) -> None:
    token = room.link("u1", "WEB")
    r = room.call(
        "phone",
        "POST",
        "/sandbox/chats",
        headers={"X-Webchat-Token": token},
        content=b"{" + b" " * 70_000 + b"}",
    )
    assert r.status_code == 413


def test_outside_lan_mode_nothing_is_guarded() -> None:
    app = create_app(SandboxConfig(http=True))
    transport = httpx2.ASGITransport(app=app, client=PHONE)

    async def go() -> int:
        async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return (await client.get("/sandbox/health")).status_code

    try:
        assert asyncio.run(go()) == 200
    finally:
        app.store.close()


# -- over real sockets: this machine's LAN address and loopback --------------------------------
def test_a_lan_sandbox_listens_on_both_and_guards_the_lan_side(tmp_path: Path) -> None:
    address = _lan_or_skip()
    with serve(SandboxConfig(lan=True, http=True, idle_timeout=0, data_dir=tmp_path)) as sb:
        assert sb.base_url.startswith("http://127.0.0.1:")
        assert sb.lan_url == f"http://{address}:{sb.config.port}"
        assert sb.password.get_secret_value() != "sandbox"
        url = sb.customer.page_url("u-real", "WEB")
        assert url.startswith(f"{sb.lan_url}/sandbox/webchat?")
        # A request to the LAN address comes from the LAN address, not from loopback.
        with httpx2.Client(base_url=sb.lan_url) as lan, sb.http_client() as local:
            assert lan.get("/sandbox/health").status_code == 403
            assert local.get("/sandbox/health").status_code == 200
            assert lan.get(url).status_code == 200
            token = parse_qs(urlsplit(url).query)["token"][0]
            chat = lan.post(
                "/sandbox/chats",
                json={"userId": "u-real", "channel": "WEB"},
                headers={"X-Webchat-Token": token},
            )
            assert chat.status_code == 200 and chat.json()["userId"] == "u-real"


def test_cli_lan_prints_a_random_password_the_page_and_its_qr_code(tmp_path: Path) -> None:
    address = _lan_or_skip()
    env = {**os.environ, "SENDMESSAGE_KIT_DATA_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "sendmessage_kit.cli", "sandbox", "--lan", "--http"]
    cmd += ["--port", "0", "--db", ":memory:", "--customer", "c-cli", "--channel", "wechat"]
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        _read_the_banner(proc, address)


def _read_the_banner(proc: subprocess.Popen[str], address: str) -> None:
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("/sandbox/webchat?" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines) + (proc.stderr.read() if proc.stderr else "")
            lines.append(line)
        qr = [proc.stdout.readline() for _ in range(5)]
        text = "".join(lines)
        password = re.search(r"password\s+(\S+)", text)
        assert password and password.group(1) != "sandbox" and len(password.group(1)) >= 16
        url = next(line.strip() for line in lines if "/sandbox/webchat?" in line)
        assert url.startswith(f"http://{address}:") and "channel=WECHAT" in url
        assert all("█" in row or "▀" in row or "▄" in row for row in qr)
        with httpx2.Client() as http:
            assert http.get(url).status_code == 200
            base = url.split("/sandbox/")[0]
            assert http.get(f"{base}/sandbox/health").status_code == 403
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
