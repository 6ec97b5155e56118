"""Hardened edges (issue 23), the server's side: LAN scope, slow clients, heavy bodies, user IDs.

LAN rules run through the app with a client address from the LAN (as tests/sandbox/test_lan.py
does); the rest over real sockets, the memory and latency figures on a sandbox process.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx2
import pytest

from sendmessage_kit.constraints import check
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.sandbox import SandboxConfig, serve
from tests.reliability._edges import raw_request, refusal_ok, tried
from tests.reliability._proc import RssSampler, SandboxProcess
from tests.reliability._tally import TALLY
from tests.sandbox.test_lan import Room

GW = "/agentgateway/resource"
SIGN_IN = {"password": "sandbox", "phonenum": "88880001"}


# -- LAN mode: a page token reads its own user and channel, nothing else -------------------------
def test_a_page_token_reads_only_its_users_messages_on_its_channel() -> None:
    room = Room()
    try:
        token = room.link("alice", "WHATSAPP")
        phone = {"X-Webchat-Token": token}
        guid = room.call(
            "here",
            "PUT",
            f"{GW}/onlineagent/101/forcelogin",
            json={**SIGN_IN, "password": room.password},
        )
        agent = {"Guid": guid.headers["set-guid"].removeprefix("JSESSIONID="),
                 "Content-Type": "application/json"}  # fmt: skip
        for channel in ("WHATSAPP", "SMS", "WEB", "TELEGRAM"):
            data = new_message(to="alice", channel=channel, content=f"for alice on {channel}")
            body = encode_body(SendMessageRequest(callid=f"c-{channel}", data=data))
            sent = room.call("here", "POST", f"{GW}/mediacall/101/sendmessage", headers=agent,
                             content=body)  # fmt: skip
            assert sent.json()["retcode"] == "0", sent.text
        seen: list[str] = []
        reads: list[tuple[str, str, list[tuple[str, str]]]] = [
            ("GET", "/sandbox/users/alice/messages", []),
            ("GET", "/sandbox/users/alice/messages", [("channel", "SMS")]),
            ("GET", "/sandbox/users/alice/messages", [("channel", "WEB")]),
            ("GET", "/sandbox/users/alice/messages", [("channel", "whatsapp")]),
            ("GET", "/sandbox/users/alice/messages", [("channel", "WHATSAPP"), ("x", "WEB")]),
            ("GET", "/sandbox/users/alice/messages", [("channel", "WHATSAPP"), ("channel", "WEB")]),
            ("GET", "/sandbox/users/alice/messages", [("channel", "WHATSAPP"), ("channel", "")]),
            ("GET", "/sandbox/users/alice%2F/messages", [("channel", "WHATSAPP")]),
            ("GET", "/apiaccess/ccmessaging/poll", [("receiverId", "alice"), ("channel", "WEB")]),
            ("GET", "/apiaccess/ccmessaging/poll", [("receiverId", "alice")]),
        ]
        for method, path, params in reads:
            tried("LAN token scope")
            r = room.call("phone", method, path, headers=phone, params=params)
            refusal_ok(r)
            if r.is_success:
                body = r.json()
                seen += [
                    m["content"] for m in body.get("messages", body.get("downlinkMessages", []))
                ]
        for channel in ("WEB", "SMS"):  # applyToken for the WHATSAPP page's user: refused
            tried("LAN token scope")
            r = room.call("phone", "POST", "/apiaccess/ccmessaging/applyToken", headers=phone,
                          json={"userId": "alice", "channel": channel})  # fmt: skip
            assert r.status_code == 403
        leaked = [text for text in seen if not text.endswith("WHATSAPP")]
        TALLY.add("leaked", len(leaked))
        assert leaked == []
        mine = room.call("phone", "GET", "/sandbox/users/alice/messages", headers=phone,
                         params={"channel": "WHATSAPP"})  # fmt: skip
        assert [m["content"] for m in mine.json()["messages"]] == ["for alice on WHATSAPP"]
    finally:
        room.close()


def test_deep_json_from_a_token_holder_is_refused_not_a_500() -> None:
    room = Room()
    try:
        phone = {"X-Webchat-Token": room.link("u1", "WEB"), "Content-Type": "application/json"}
        deep = [
            b"[" * 60_000,
            b'{"a":' * 12_000,
            b"[" * 30_000 + b"]" * 30_000,
            b'{"userId":' * 9000,
        ]
        for path in ("/sandbox/chats", "/apiaccess/ccmessaging/applyToken"):
            for body in deep:
                tried("deep JSON (LAN)")
                r = room.call("phone", "POST", path, headers=phone, content=body)
                assert r.status_code in (403, 413), (path, r.status_code)
                refusal_ok(r, big_input=True)
    finally:
        room.close()


# -- slow and idle connections are closed ----------------------------------------------------
def test_slow_and_idle_connections_are_timed_out(tmp_path: Path) -> None:
    config = SandboxConfig(http=True, request_timeout=1.0, keep_alive_timeout=1, data_dir=tmp_path)
    with serve(config) as sb:
        port = int(sb.base_url.rsplit(":", 1)[1])
        trickle = b"POST /sandbox/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99\r\n\r\n"
        sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
        idle = socket.create_connection(("127.0.0.1", port))  # connects, sends nothing
        started, closed = time.monotonic(), set()
        while len(closed) < len(sockets) and time.monotonic() - started < 10:
            for i, s in enumerate(sockets):  # one byte each, every 0.1 s, for as long as it lasts
                if i in closed:
                    continue
                try:
                    s.sendall(trickle[int((time.monotonic() - started) * 10) % len(trickle)
                                      :][:1])  # fmt: skip
                except OSError:
                    closed.add(i)
            time.sleep(0.1)
        tried("slow connections", len(sockets) + 1)
        elapsed = time.monotonic() - started
        idle.settimeout(5)
        assert idle.recv(1) == b""  # closed by the server
        for s in sockets:
            s.close()
        idle.close()
        assert len(closed) == len(sockets), f"{len(closed)} of 50 closed in {elapsed:.1f} s"
        TALLY.figure("slow_clients", {"connections": 51, "closed_within_s": round(elapsed, 1)})
        # a client at normal speed is not affected, and neither is a long poll
        with httpx2.Client(base_url=sb.base_url, trust_env=False) as http:
            assert http.get("/sandbox/health").status_code == 200


# -- user IDs with reserved characters: sent to, and read back, each exactly once ---------------
USER_IDS = ["a/b", "q?x", "h#1", "%41", "A", "a b", "ü/ß", "a%2Fb", "x/messages", "&=+;,"]


@pytest.mark.parametrize("channel", ["WEB", "SMS"])
def test_user_ids_with_reserved_characters_read_back_their_own_messages(
    channel: str, tmp_path: Path
) -> None:
    config = SandboxConfig(http=True, poll_wait=0.1, data_dir=tmp_path)
    with serve(config) as sb, httpx2.Client(base_url=sb.base_url, trust_env=False) as http:
        guid = http.put(f"{GW}/onlineagent/101/forcelogin", json=SIGN_IN).headers["set-guid"]
        headers = {"Guid": guid.removeprefix("JSESSIONID=")}
        for user in USER_IDS:
            data = new_message(to=user, channel=channel, content=f"to {user}")
            body = encode_body(SendMessageRequest(callid="c-" + user, data=data))
            sent = http.post(f"{GW}/mediacall/101/sendmessage", content=body, headers=headers)
            assert sent.json()["retcode"] == "0", (user, sent.text)
        for user in USER_IDS:
            tried("user IDs in paths")
            got = [m.content for m in sb.customer.all_messages(user)]
            TALLY.add("lost", int(f"to {user}" not in got))
            TALLY.add("duplicated", max(0, got.count(f"to {user}") - 1))
            assert got == [f"to {user}"], (user, got)
            page, _ = sb.customer.messages(user, channel=channel)
            assert [m.content for m in page] == [f"to {user}"]
            chat = sb.customer.open_chat(channel=channel, user_id=user)
            assert sb.customer.send(chat["callid"], "hello")["callid"] == chat["callid"]
        tried("user IDs in paths")  # any character routes, a line break too (none sent to it)
        assert sb.customer.messages("line\nbreak/x", channel=channel)[0] == []


# -- CPU-heavy bodies: check() stays linear, the loop keeps answering ---------------------------
def _unknown_keys_body(n: int) -> bytes:
    data = json.loads(new_message(to="u", content="hi").model_dump_json(by_alias=True))
    data.update({f"unknownKey{i:06d}": "v" for i in range(n)})
    return json.dumps({"callid": "big", "data": json.dumps(data)}).encode()


def test_check_is_linear_in_unknown_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    import difflib

    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(
        difflib, "get_close_matches", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    small, large = _unknown_keys_body(9_000), _unknown_keys_body(90_000)
    tried("CPU-heavy bodies", 2)
    timings = []
    for body in (small, large):
        calls.clear()
        started = time.perf_counter()
        findings = check(body)
        timings.append(time.perf_counter() - started)
        # every unknown key is reported; a suggestion is looked for the first few only
        assert sum(f.rule_id == "data.extra" for f in findings) == body.count(b"unknownKey")
        assert len(calls) <= 5, len(calls)
    TALLY.figure(
        "check_unknown_keys_s", {"9000": round(timings[0], 3), "90000": round(timings[1], 3)}
    )


def _probe(client: httpx2.Client) -> float:
    started = time.perf_counter()
    assert client.get("/sandbox/health").status_code == 200
    return time.perf_counter() - started


def test_health_answers_within_100_ms_while_a_big_body_is_checked(tmp_path: Path) -> None:
    body = _unknown_keys_body(90_000)  # 2.16 MB, like the outside test's
    extra = ("--max-body-bytes", str(8 * 1024 * 1024))
    with SandboxProcess(tmp_path / "sb.db", tmp_path / "log", extra=extra) as proc:
        http = httpx2.Client(base_url=proc.base_url, timeout=30, trust_env=False)
        guid = http.put(f"{GW}/onlineagent/101/forcelogin", json=SIGN_IN).headers["set-guid"]
        headers = {"Guid": guid.removeprefix("JSESSIONID="), "Content-Type": "application/json"}
        answers: list[httpx2.Response] = []
        sender = threading.Thread(target=lambda: answers.extend(
            http.post(f"{GW}/mediacall/101/sendmessage", content=body, headers=headers)
            for _ in range(3)))  # fmt: skip
        with httpx2.Client(base_url=proc.base_url, timeout=30, trust_env=False) as probe:
            idle = []  # the same probes, as many, with nothing else to do: the machine's own delay
            for _ in range(300):
                idle.append(_probe(probe))
                time.sleep(0.01)
            sender.start()
            busy = []
            while sender.is_alive():
                busy.append(_probe(probe))
                time.sleep(0.01)
        sender.join()
        http.close()
        tried("CPU-heavy bodies", 3)
        for answer in answers:
            assert refusal_ok(answer)["retcode"] == "0"  # unknown keys are a finding, not an error
        busy.sort()
        p90, worst, idle_worst = busy[len(busy) * 9 // 10], busy[-1], max(idle)
        TALLY.figure("health_under_big_body_ms", {
            "p90": round(p90 * 1000, 1), "max": round(worst * 1000, 1), "probes": len(busy),
            "idle_max": round(idle_worst * 1000, 1), "body_bytes": len(body)})  # fmt: skip
        # The figure above is the claim (within 100 ms; bench/reliability.py prints it). What the
        # test holds: the check ran in a worker process, not on the server's event loop, and the
        # probes' p90 stayed within 100 ms or 4x the idle sandbox's p90 in the same run (a single
        # slowest probe on a loaded machine is the machine's, so it is reported, not asserted).
        import psutil

        assert psutil.Process(proc.pid).children(recursive=True), "no worker process was started"
        idle.sort()
        idle_p90 = idle[len(idle) * 9 // 10]
        assert p90 < max(0.1, 4 * idle_p90), (p90, worst, idle_p90)


def test_a_100_mb_body_does_not_raise_the_sandboxs_memory(tmp_path: Path) -> None:
    chunked = (
        b"POST /sandbox/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    sized = b"POST /sandbox/chats HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 104857600\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (1 << 20, b"x" * (1 << 20))
    with SandboxProcess(tmp_path / "sb.db", tmp_path / "log") as proc:
        with RssSampler(proc.pid, interval=0.01) as rss:
            answers = [raw_request(proc.port, chunked, [chunk] * 100) for _ in range(3)]
            answers.append(raw_request(proc.port, sized, [b"x" * (1 << 20)] * 100))
        tried("oversized bodies", len(answers))
        for answer in answers:
            assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
        grew = (rss.peak - rss.first) / 1e6
        TALLY.figure("body_cap_memory", {
            "bodies": "3 x 100 MB chunked + 1 x 100 MB with Content-Length",
            "rss_start_mb": round(rss.first / 1e6), "rss_peak_mb": round(rss.peak / 1e6),
            "grew_mb": round(grew, 1)})  # fmt: skip
        assert grew < 20, f"RSS grew {grew:.0f} MB"


def test_a_killed_sandbox_leaves_no_worker_process_behind(tmp_path: Path) -> None:
    import psutil

    body = _unknown_keys_body(20_000)  # over the size that is checked in the worker process
    with SandboxProcess(tmp_path / "sb.db", tmp_path / "log") as proc:
        with httpx2.Client(base_url=proc.base_url, timeout=30, trust_env=False) as http:
            answer = http.put(f"{GW}/onlineagent/101/forcelogin", json=SIGN_IN)
            guid = answer.headers["set-guid"].removeprefix("JSESSIONID=")
            headers = {"Guid": guid, "Content-Type": "application/json"}
            http.post(f"{GW}/mediacall/101/sendmessage", content=body, headers=headers)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the big body was not checked in a worker process"
        proc.kill()
    _, alive = psutil.wait_procs(children, timeout=30)  # the worker looks once a second
    assert not alive, [p.cmdline() for p in alive]
