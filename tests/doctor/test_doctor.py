"""`sendmessage-kit doctor` against sandbox processes standing in for the integrator's gateway.

The probe must find the readings of every sandbox started with each combination of `--kb` and
`--counts`; failures (nothing listening, a name that does not resolve, a CA not given, a refused
sign-in, a callid that is no chat) are one ✗ line with its fix, and the checks after it are
named as not run.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
from pathlib import Path

import httpx2
import pytest

from sendmessage_kit.cli import main
from tests.conftest import CANARY_GUID, CANARY_PASSWORD
from tests.gateway_process import COMMAND, clean_env, gateway_process


def _ctx(ca: Path | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def _env(monkeypatch: pytest.MonkeyPatch, url: str, agent: str, ca: Path | None = None) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", url)
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", agent)
    monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", "sandbox")
    monkeypatch.setenv("SENDMESSAGE_KIT_PHONENUM", "88880001")
    monkeypatch.setenv("SENDMESSAGE_KIT_HISTORY", "false")
    if ca is not None:
        monkeypatch.setenv("SENDMESSAGE_KIT_CA_BUNDLE", str(ca))


@pytest.mark.parametrize("kb", [1000, 1024])
@pytest.mark.parametrize("counts", ["content", "data"])
def test_the_probe_finds_each_reading_of_the_size_limit(
    kb: int,
    counts: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    flags = ["--poll-wait", "0.5", "--kb", str(kb), "--counts", counts]
    with gateway_process(tmp_path, *flags) as gw:  # HTTPS, its own CA
        _env(monkeypatch, gw.url, "4321", gw.ca_path)
        code = main(["doctor", "--probe-limits", "--callid", "probe-1", "--to", "cust-1", "--yes"])
        out = capsys.readouterr().out
        with httpx2.Client(base_url=gw.url, verify=_ctx(gw.ca_path)) as http:
            stored = http.get("/sandbox/users/cust-1/messages").json()
    assert code == 0, out
    assert (
        f"settings: SENDMESSAGE_KIT_BYTES_PER_KB={kb} SENDMESSAGE_KIT_SIZE_COUNTS={counts}" in out
    )
    assert f"sandbox:  sendmessage-kit sandbox --secmode 1 --kb {kb} --counts {counts}" in out
    assert "doctor will send 5 messages" in out and "to callid probe-1 (customer cust-1)" in out
    for check in ("TLS chain", "TLS expiry", "TLS name", "sign-in", "event poll", "sign-out"):
        assert f"✓ {check}: " in out
    accepted = {"content": {1000: 3, 1024: 4}, "data": {1000: 2, 1024: 3}}[counts][kb]
    assert out.count(": accepted") == accepted
    assert len(stored["messages"] if isinstance(stored, dict) else stored) == accepted


def test_a_gateway_whose_limit_is_no_reading_of_the_secmode_is_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.5", "--secmode", "0") as gw:
        _env(monkeypatch, gw.url, "4322")
        code = main(["doctor", "--probe-limits", "--callid", "probe-2", "--yes"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Is its MULTIMEDIA_SECMODE 0? Set SENDMESSAGE_KIT_SECMODE=0 and probe again" in out
    assert "settings: SENDMESSAGE_KIT_BYTES_PER_KB" not in out


def test_a_callid_that_is_no_chat_stops_the_probe_after_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.5", "--strict-calls") as gw:
        _env(monkeypatch, gw.url, "4323")
        code = main(["doctor", "--probe-limits", "--callid", "no-such-chat", "--yes"])
    out = capsys.readouterr().out
    assert code == 1
    assert (
        "✗ size limit: the gateway refused a short message to callid 'no-such-chat' with 000-002"
        in out
    )
    assert "2/5" not in out
    assert "✓ sign-out" in out  # still signed out


def test_without_yes_it_asks_and_sends_nothing_on_no(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    with gateway_process(tmp_path, "--http", "--poll-wait", "0.5") as gw:
        _env(monkeypatch, gw.url, "4324")
        monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
        code = main(["doctor", "--probe-limits", "--callid", "probe-4", "--to", "cust-4"])
        stored = httpx2.get(gw.url + "/sandbox/users/cust-4/messages").json()
    out = capsys.readouterr().out
    assert code == 1
    assert "Send them? [y/N] n\nnothing sent (answer y to send, or pass --yes)" in out
    assert not (stored["messages"] if isinstance(stored, dict) else stored)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_nothing_listening_is_one_line_and_the_rest_is_named_not_run() -> None:
    port = _free_port()
    env = clean_env(
        SENDMESSAGE_KIT_AGENT_ID="101",
        SENDMESSAGE_KIT_PASSWORD="x",
        SENDMESSAGE_KIT_PHONENUM="1",
    )
    done = subprocess.run(
        [*COMMAND, "doctor", "--base-url", f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert f"✗ connect: 127.0.0.1:{port} refused the connection" in done.stdout
    assert (
        "· not run, because connect failed: sign-in, event poll, Guid rotation, sign-out"
        in done.stdout
    )


def test_a_name_that_does_not_resolve(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(monkeypatch, "https://no-such-gateway.invalid:8043", "101")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✗ resolve: no-such-gateway.invalid does not resolve" in out
    assert "not run, because resolve failed: connect, TLS chain" in out


def test_a_certificate_not_trusted_names_the_ca_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with gateway_process(tmp_path, "--poll-wait", "0.5") as gw:
        _env(monkeypatch, gw.url, "4325")  # no CA given
        code = main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    chain = next(c for c in report["checks"] if c["name"] == "TLS chain")
    assert (
        chain["ok"] is False
        and "not trusted against this machine's trusted CAs: unable to get local issuer"
        in chain["detail"]
    )
    assert "SENDMESSAGE_KIT_CA_BUNDLE" in chain["fix"]
    assert report["blockedBy"] == "TLS chain"
    assert report["notRun"][:2] == ["TLS expiry", "TLS name"]


def test_a_refused_sign_in_explains_its_retcode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.5") as gw:
        _env(monkeypatch, gw.url, "4326")
        monkeypatch.setenv("SENDMESSAGE_KIT_PASSWORD", CANARY_PASSWORD)
        assert main(["doctor"]) == 1
        assert main(["doctor", "--json"]) == 1
    captured = capsys.readouterr()
    assert CANARY_PASSWORD not in captured.out + captured.err
    out = captured.out
    assert "✗ sign-in: retcode 100-004: wrong username or password at sign-in" in out
    assert "    fix: Check the agent ID and password" in out
    assert "not run, because sign-in failed: event poll, Guid rotation, sign-out" in out


def test_missing_credentials_are_a_settings_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SENDMESSAGE_KIT_AGENT_ID", "101")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✗ settings: no password to sign in with" in out
    assert "fix: set SENDMESSAGE_KIT_PASSWORD" in out


def test_a_rotating_guid_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ["--http", "--poll-wait", "1.2", "--auth-mode", "2", "--guid-interval", "1"]
    with gateway_process(tmp_path, *flags, "--guid-timeout", "30") as gw:
        _env(monkeypatch, gw.url, "4327")
        assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "✓ Guid rotation: the poll handed out a new Guid (Set-GUID): dynamic" in out
    assert "✓ sign-out: retcode 0" in out


def test_a_certificate_for_another_name_fails_the_name_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading

    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("other.example").configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:  # a TLS endpoint that only completes handshakes
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            try:
                with server_ctx.wrap_socket(conn, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        _env(monkeypatch, f"https://127.0.0.1:{port}", "101", ca_file)
        assert main(["doctor"]) == 1
    finally:
        stop.set()
        thread.join(5)
        listener.close()
    out = capsys.readouterr().out
    assert "✓ TLS chain: trusted against the CA file" in out
    assert "✗ TLS name: 127.0.0.1 is not a name of the certificate (other.example)" in out
    assert "not run, because TLS name failed: sign-in" in out


def test_an_address_that_answers_but_is_no_gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None  # type: ignore[assignment]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _env(monkeypatch, f"http://127.0.0.1:{server.server_address[1]}", "101")
        assert main(["doctor"]) == 1
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    out = capsys.readouterr().out
    assert "✗ sign-in: HTTP 501 with an HTML page instead of the gateway's JSON" in out
    assert "fix: the address answers, but not as CC-Gateway" in out


def test_a_guid_given_is_used_and_never_shown_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with gateway_process(tmp_path, "--http", "--poll-wait", "0.5") as gw:
        _env(monkeypatch, gw.url, "4328")
        monkeypatch.setenv("SENDMESSAGE_KIT_GUID", CANARY_GUID)  # unknown to the gateway
        assert main(["doctor"]) == 1
    captured = capsys.readouterr()
    assert CANARY_GUID not in captured.out + captured.err
    assert "✓ sign-in: not needed: using the Guid you gave" in captured.out
    assert "✗ event poll: retcode 000-003: no permission to invoke the interface" in captured.out
    assert "· sign-out: not run: the Guid is yours (doctor did not sign in)" in captured.out


def test_it_reads_dot_env_and_flags_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = _free_port()
    (tmp_path / ".env").write_text(
        f"SENDMESSAGE_KIT_BASE_URL=http://127.0.0.1:{port}\nSENDMESSAGE_KIT_AGENT_ID=777\n"
        "SENDMESSAGE_KIT_PASSWORD=x\nSENDMESSAGE_KIT_PHONENUM=1\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["doctor"]) == 1
    assert f"✓ settings: http://127.0.0.1:{port}, agent 777," in capsys.readouterr().out
    assert main(["doctor", "--agent-id", "778", "--secmode", "0"]) == 1
    out = capsys.readouterr().out
    assert f"✓ settings: http://127.0.0.1:{port}, agent 778," in out and "secmode 0" in out
