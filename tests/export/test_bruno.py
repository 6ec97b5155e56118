"""The Bruno export: a collection folder whose requests run in seq order against the sandbox.

tools.run_bruno reads the .bru files and the environment as Bruno's runner does, and runs the
post-response scripts and tests in Node with the part of Bruno's API they use. (The files were
also checked once with Bruno's own parser, @usebruno/lang 0.39.0: see the report.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit.encoding import encode_body
from sendmessage_kit.export import write
from sendmessage_kit.export.flow import demo_request
from sendmessage_kit.models import SendMessageRequest, new_message
from tests.export import tools
from tests.export.conftest import new_agent_id, new_user

ORDER = ["sign in", "send message", "poll event", "sign out"]


def test_the_folder_holds_bruno_json_an_environment_and_one_file_per_request(
    tmp_path: Path,
) -> None:
    request = demo_request()
    write("bruno", tmp_path, request, base_url="https://gw:8043", agent_id="4321")
    assert json.loads((tmp_path / "bruno.json").read_text())["type"] == "collection"
    env = tools.parse_bru((tmp_path / "environments" / "sendmessage-kit.bru").read_text())
    assert "baseUrl: https://gw:8043/agentgateway" in env["vars"]
    assert "agentId: 4321" in env["vars"]
    assert [s.strip(", ") for s in env["vars:secret"]] == ["password", "guid"]
    send = tools.parse_bru((tmp_path / "2 send message.bru").read_text())
    assert send["body:json"] == [encode_body(request)]
    assert "Guid: {{guid}}" in send["headers"]
    sign_in = tools.parse_bru((tmp_path / "1 sign in.bru").read_text())
    assert any("Set-GUID" in line for line in sign_in["script:post-response"])


@pytest.mark.skipif(not tools.HAS_NODE, reason="node is not installed")
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_the_collection_runs_in_order_against_the_sandbox(
    scheme: str, sandbox_http: Any, sandbox_https: Any, tmp_path: Path
) -> None:
    sb = sandbox_http if scheme == "http" else sandbox_https
    agent, user = new_agent_id(), new_user()
    request = SendMessageRequest(callid="c-" + user, data=new_message(to=user, content="Bruno ✓"))
    write("bruno", tmp_path, request, base_url=sb.base_url, agent_id=agent)
    done = tools.run_bruno(tmp_path, sb.verify(), {"password": "sandbox"})
    assert [ex.name for ex in done] == ORDER
    for ex in done:
        assert ex.answer["retcode"] == "0", (ex.name, ex.answer)
        assert ex.failures == [], (ex.name, ex.failures)
    assert done[1].body == encode_body(request)
    [message] = sb.customer.all_messages(user)
    assert message.content == "Bruno ✓"


@pytest.mark.skipif(not tools.HAS_NODE, reason="node is not installed")
def test_a_refused_sign_in_fails_the_bruno_test(sandbox_http: Any, tmp_path: Path) -> None:
    write("bruno", tmp_path, None, base_url=sandbox_http.base_url, agent_id=new_agent_id())
    for name in ("2 send message.bru", "3 poll event.bru", "4 sign out.bru"):
        (tmp_path / name).unlink()
    [ex] = tools.run_bruno(tmp_path, False, {"password": "wrong"})
    assert ex.answer["retcode"] == "100-004"
    assert ex.failures and "retcode is 0" in ex.failures[0]
