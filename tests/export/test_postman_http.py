"""Postman and .http exports: they parse, match the published schema, and their flow runs.

The flows run against the real sandbox with tiny runners (tools.py) that send each request in
file order and run the tool's own script (Postman test, JetBrains response handler) in Node.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sendmessage_kit.encoding import encode_body
from sendmessage_kit.export import files, write
from sendmessage_kit.export.flow import demo_request
from sendmessage_kit.history import History
from sendmessage_kit.models import SendMessageRequest, new_message
from tests.export import tools
from tests.export.conftest import new_agent_id, new_user

needs_node = pytest.mark.skipif(not tools.HAS_NODE, reason="node is not installed")
SCHEMA = json.loads(
    (Path(__file__).parent / "vendor" / "postman-collection-v2.1.0.schema.json").read_text()
)
ORDER = ["sign in", "send message", "poll event", "sign out"]


def _request(user: str) -> SendMessageRequest:
    return SendMessageRequest(
        callid="call-" + user, data=new_message(to=user, content='Export "quoted" ünï {x}')
    )


def _postman(source: Any = None, **target: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    out = files("postman", source, **target)
    return (
        json.loads(out["sendmessage-kit.postman_collection.json"]),
        json.loads(out["sendmessage-kit.postman_environment.json"]),
    )


def test_postman_collection_matches_the_published_v2_1_schema() -> None:
    collection, _ = _postman()
    jsonschema.Draft7Validator(SCHEMA).validate(collection)
    assert [item["name"] for item in collection["item"]] == ORDER


def test_the_schema_check_can_fail() -> None:
    collection, _ = _postman()
    validator = jsonschema.Draft7Validator(SCHEMA)
    collection["item"][0]["request"]["header"][0]["key"] = 5  # through $ref: request, header
    assert [e.validator for e in validator.iter_errors(collection)] == ["oneOf"]
    del collection["info"]["schema"]
    assert len(list(validator.iter_errors(collection))) == 2


def test_postman_body_data_is_the_escaped_string_and_the_environment_holds_no_secret() -> None:
    request = demo_request()
    collection, environment = _postman(request, base_url="https://gw:8043", agent_id="4321")
    send = collection["item"][1]["request"]
    assert send["body"]["raw"] == encode_body(request)
    assert isinstance(json.loads(send["body"]["raw"])["data"], str)
    values = {v["key"]: v for v in environment["values"]}
    assert values["baseUrl"]["value"] == "https://gw:8043/agentgateway"
    assert values["agentId"]["value"] == "4321"
    assert values["password"] == {"key": "password", "value": "", "type": "secret", "enabled": True}
    sign_in = collection["item"][0]
    assert any("Set-GUID" in line for line in sign_in["event"][0]["script"]["exec"])


@needs_node
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_postman_flow_runs_in_order_against_the_sandbox(
    scheme: str, sandbox_http: Any, sandbox_https: Any
) -> None:
    sb = sandbox_http if scheme == "http" else sandbox_https
    agent, user = new_agent_id(), new_user()
    collection, environment = _postman(_request(user), base_url=sb.base_url, agent_id=agent)
    done = tools.run_postman(collection, environment, sb.verify(), {"password": "sandbox"})
    assert [ex.name for ex in done] == ORDER
    for ex in done:
        assert ex.answer["retcode"] == "0", (ex.name, ex.answer)
        assert ex.failures == [], ex.name
    assert done[1].headers["Guid"]  # the test script stored the sign-in's Guid
    [message] = sb.customer.all_messages(user)
    assert message.content == 'Export "quoted" ünï {x}'


@needs_node
def test_postman_test_script_reports_a_refused_sign_in(sandbox_http: Any) -> None:
    collection, environment = _postman(base_url=sandbox_http.base_url, agent_id=new_agent_id())
    collection["item"] = collection["item"][:1]
    [ex] = tools.run_postman(collection, environment, False, {"password": "wrong"})
    assert ex.answer["retcode"] == "100-004"
    assert ex.failures and "retcode is 0" in ex.failures[0]


@needs_node
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_http_file_runs_in_order_against_the_sandbox(
    scheme: str, sandbox_http: Any, sandbox_https: Any
) -> None:
    sb = sandbox_http if scheme == "http" else sandbox_https
    agent, user = new_agent_id(), new_user()
    [text] = files("http", _request(user), base_url=sb.base_url, agent_id=agent).values()
    done = tools.run_http_file(text, sb.verify(), {"password": "sandbox"})
    assert [ex.name for ex in done] == ORDER
    for ex in done:
        assert ex.answer["retcode"] == "0", (ex.name, ex.answer)
        assert ex.failures == [], ex.name
    [message] = sb.customer.all_messages(user)
    assert message.agentId == agent


def test_http_file_body_is_the_clients_and_no_password_is_in_it() -> None:
    request = demo_request()
    [text] = files("http", request).values()
    variables, requests = tools.parse_http_file(text)
    assert [r["name"] for r in requests] == ORDER
    assert requests[1]["body"] == encode_body(request)
    assert "password" not in variables
    assert requests[1]["headers"]["Guid"] == "{{guid}}"


def test_a_history_entry_exports_its_own_request_and_target(tmp_path: Path) -> None:
    body = encode_body(_request(new_user()))
    with History(tmp_path / "journal.db") as journal:
        entry_id = journal.append(
            base_url="https://10.0.0.5:8043", agent_id="777", body=body, retcode="0"
        )
        entry = journal.get(entry_id)
    written = write("postman", tmp_path / "pm", entry)
    collection = json.loads(written[0].read_text())
    environment = json.loads(written[1].read_text())
    assert collection["item"][1]["request"]["body"]["raw"] == body
    values = {v["key"]: v["value"] for v in environment["values"]}
    assert values["baseUrl"] == "https://10.0.0.5:8043/agentgateway"
    assert values["agentId"] == "777"
    http_file, readme = write("http", tmp_path / "one.http", entry)
    assert readme == http_file.with_name(http_file.name + ".README" + ".md")
    assert body in http_file.read_text()


def test_the_builders_current_request_exports_the_same_way() -> None:
    from sendmessage_kit.widgets import PayloadBuilder

    builder = PayloadBuilder()
    builder.set_target(base_url="https://gw.example:8043", agent_id="555")
    [text] = files("http", builder).values()
    assert encode_body(builder.payload) in text  # type: ignore[arg-type]
    assert "@agentId = 555" in text
    assert "@baseUrl = https://gw.example:8043/agentgateway" in text


def test_cli_writes_postman_into_a_folder_and_prints_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sendmessage_kit.cli import main

    body = tmp_path / "body.json"
    request = _request(new_user())
    body.write_text(encode_body(request), encoding="utf-8")
    out = tmp_path / "postman"
    assert main(["export", "--format", "postman", "--out", str(out), "--file", str(body)]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == sorted(p.name for p in out.iterdir())
    collection = json.loads((out / "sendmessage-kit.postman_collection.json").read_text())
    assert collection["item"][1]["request"]["body"]["raw"] == encode_body(request)
    assert main(["export", "--format", "http", "--out", "-", "--agent-id", "888"]) == 0
    assert "@agentId = 888" in capsys.readouterr().out
    assert main(["export", "--format", "postman", "--out", "-"]) == 2
    assert "folder" in capsys.readouterr().err
