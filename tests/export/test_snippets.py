"""Snippets are complete programs: run as printed (sh, python, node) they deliver the message.

Each program signs in with the password from the environment, takes the Guid from Set-GUID,
sends, prints the answer and signs out; the body it sends is the client's, byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit.client import GatewayClient
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.export.cli import run_snippet
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.snippets import LANGUAGES, render
from tests.conftest import CANARY_PASSWORD
from tests.export.conftest import RecordingGateway, kit_env, new_agent_id, new_user
from tests.fixtures_sandbox import sign_in

CONTENT = 'it\'s "quoted" & <b>bold</b> $HOME `date` \\n — ünïcode 你好'
RUNNERS = {"curl": ["sh"], "python": [sys.executable], "javascript": ["node"]}
FILES = {"curl": "send.sh", "python": "send.py", "javascript": "send.js"}
needs = {
    lang: pytest.mark.skipif(shutil.which(RUNNERS[lang][0]) is None, reason="not installed")
    for lang in LANGUAGES
}
LANGS = [pytest.param(lang, marks=needs[lang]) for lang in LANGUAGES]


def _request(user: str, content: str = CONTENT) -> SendMessageRequest:
    return SendMessageRequest(callid="call-" + user, data=new_message(to=user, content=content))


def run_program(
    lang: str, code: str, tmp: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Save the program as printed and run it the way its header says."""
    path = tmp / FILES[lang]
    path.write_text(code, encoding="utf-8")
    return subprocess.run(
        [*RUNNERS[lang], str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("target", ["http-from-env", "https-written-in", "https-ca-from-env"])
def test_program_delivers_the_message_run_as_printed(
    lang: str, target: str, sandbox_http: Any, sandbox_https: Any, tmp_path: Path
) -> None:
    agent, user = new_agent_id(), new_user()
    request = _request(user)
    env = kit_env(SENDMESSAGE_KIT_PASSWORD="sandbox", SENDMESSAGE_KIT_PHONENUM="88880001")
    if target == "http-from-env":
        sb = sandbox_http
        code = render(request)[lang]
        env.update(SENDMESSAGE_KIT_BASE_URL=sb.base_url, SENDMESSAGE_KIT_AGENT_ID=agent)
    elif target == "https-written-in":
        sb = sandbox_https
        code = render(request, base_url=sb.base_url, agent_id=agent, ca_bundle=sb.ca_path)[lang]
    else:
        sb = sandbox_https
        code = render(request, base_url=sb.base_url, agent_id=agent)[lang]
        env.update(SENDMESSAGE_KIT_CA_BUNDLE=str(sb.ca_path))
    proc = run_program(lang, code, tmp_path, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"retcode":"0"' in proc.stdout.replace(" ", "")
    [message] = sb.customer.all_messages(user)
    assert message.content == CONTENT
    assert message.agentId == agent
    # It signed out again: a plain (not forced) sign-in of the same agent succeeds.
    sign_in(sb, agent, force=False)


@pytest.mark.parametrize("lang", LANGS)
def test_a_guid_from_the_environment_skips_sign_in_and_stays_signed_in(
    lang: str, sandbox_http: Any, tmp_path: Path
) -> None:
    agent, user = new_agent_id(), new_user()
    guid = sign_in(sandbox_http, agent)
    code = render(_request(user), base_url=sandbox_http.base_url, agent_id=agent)[lang]
    proc = run_program(lang, code, tmp_path, kit_env(SENDMESSAGE_KIT_GUID=guid))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(sandbox_http.customer.all_messages(user)) == 1
    # Not signed out: the program did not sign in, so it leaves the session alone.
    again = run_program(
        lang,
        render(_request(user), base_url=sandbox_http.base_url, agent_id=agent)[lang],
        tmp_path,
        kit_env(SENDMESSAGE_KIT_GUID=guid),
    )
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_sign_in_exits_1_with_the_answer_and_not_the_password(
    lang: str, sandbox_http: Any, tmp_path: Path
) -> None:
    code = render(_request(new_user()), base_url=sandbox_http.base_url, agent_id=new_agent_id())
    proc = run_program(
        lang,
        code[lang],
        tmp_path,
        kit_env(SENDMESSAGE_KIT_PASSWORD=CANARY_PASSWORD, SENDMESSAGE_KIT_PHONENUM="88880001"),
    )
    assert proc.returncode == 1
    assert "100-004" in proc.stderr
    assert CANARY_PASSWORD not in proc.stdout + proc.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_missing_settings_are_named(lang: str, tmp_path: Path) -> None:
    proc = run_program(lang, render(_request(new_user()))[lang], tmp_path, kit_env())
    assert proc.returncode != 0
    assert "SENDMESSAGE_KIT_BASE_URL" in proc.stderr


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_phonenum_stops_before_signing_in(
    lang: str, sandbox_http: Any, tmp_path: Path
) -> None:
    agent = new_agent_id()
    code = render(_request(new_user()), base_url=sandbox_http.base_url, agent_id=agent)
    proc = run_program(lang, code[lang], tmp_path, kit_env(SENDMESSAGE_KIT_PASSWORD="sandbox"))
    assert proc.returncode != 0
    assert "SENDMESSAGE_KIT_PHONENUM" in proc.stderr
    with sandbox_http.http_client() as http:  # the sign-in was never sent
        assert agent not in http.get("/sandbox/health").json()["signedIn"]


def test_no_secret_is_written_into_the_code() -> None:
    code = render(_request(new_user()), base_url="https://gw:8043", agent_id="101")
    for text in code.values():
        assert "sandbox" not in text  # the demo password is never a default
        assert "SENDMESSAGE_KIT_PASSWORD" in text
        assert "SENDMESSAGE_KIT_GUID" in text


def test_every_program_sends_the_clients_body_byte_for_byte(
    recording_gateway: RecordingGateway, tmp_path: Path
) -> None:
    request = _request(new_user())
    with GatewayClient(
        base_url=recording_gateway.base_url, agent_id="150", guid="g", history=False
    ) as client:
        client.send_request(request)
    [sent_by_client] = recording_gateway.sent("/sendmessage")
    assert sent_by_client == encode_body(request).encode()
    code = render(request, base_url=recording_gateway.base_url, agent_id="150")
    env = kit_env(SENDMESSAGE_KIT_PASSWORD="pw", SENDMESSAGE_KIT_PHONENUM="88880001")
    ran = [lang for lang in LANGUAGES if shutil.which(RUNNERS[lang][0])]
    for lang in ran:
        proc = run_program(lang, code[lang], tmp_path, env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert recording_gateway.sent("/sendmessage") == [sent_by_client] * (1 + len(ran))


def test_cli_checks_against_the_secmode_and_prints_the_program(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from sendmessage_kit.export.cli import add_snippet_arguments

    parser = argparse.ArgumentParser()
    add_snippet_arguments(parser)
    request = _request(new_user(), content="x" * 2500)  # over 1.9 KB, under 3.8 KB
    body = tmp_path / "body.json"
    body.write_text(encode_body(request), encoding="utf-8")
    args = parser.parse_args(["--lang", "python", str(body)])
    assert run_snippet(args) == 1
    assert "content" in capsys.readouterr().err
    args = parser.parse_args(["--lang", "python", "--secmode", "0", "--agent-id", "101", str(body)])
    assert run_snippet(args) == 0
    assert capsys.readouterr().out == render(request, agent_id="101")["python"]


def test_the_builders_code_tab_is_the_complete_program_and_it_runs(
    sandbox_http: Any, tmp_path: Path
) -> None:
    import html
    import re

    from sendmessage_kit.widgets import PayloadBuilder

    agent = new_agent_id()
    builder = PayloadBuilder()
    builder.set_target(base_url=sandbox_http.base_url, agent_id=agent)
    user = new_user()
    builder.to.value = user
    request = builder.payload
    assert request is not None
    shown = {
        lang: html.unescape(re.sub(r"<[^>]+>", "", box.value))
        for lang, box in builder.snippets.items()
    }
    assert shown == render(request, base_url=sandbox_http.base_url, agent_id=agent)
    proc = run_program(
        "python",
        shown["python"],
        tmp_path,
        kit_env(SENDMESSAGE_KIT_PASSWORD="sandbox", SENDMESSAGE_KIT_PHONENUM="88880001"),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [message] = sandbox_http.customer.all_messages(user)
    assert message.content == request.data.content  # type: ignore[union-attr]
