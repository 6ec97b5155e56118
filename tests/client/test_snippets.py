"""Snippets: the Guid stays a placeholder; the curl snippet really delivers via real curl."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import uuid
from typing import Any

import pytest

from sendmessage_kit.client import GatewayClient
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.snippets import render
from tests.client.conftest import Faults
from tests.conftest import CANARY_GUID


def _request(content: str = 'it\'s "quoted" & <b>bold</b> — ünïcode') -> SendMessageRequest:
    user = "snip-" + uuid.uuid4().hex[:8]
    return SendMessageRequest(callid="call-s", data=new_message(to=user, content=content))


def test_guid_is_a_placeholder_unless_asked() -> None:
    snippets = render(_request(), base_url="https://gw:8043", agent_id="101", guid=CANARY_GUID)
    assert set(snippets) == {"curl", "python", "javascript"}
    for code in snippets.values():
        assert CANARY_GUID not in code
    assert '"Guid: $CC_GUID"' in snippets["curl"]
    assert 'os.environ["CC_GUID"]' in snippets["python"]
    assert "process.env.CC_GUID" in snippets["javascript"]
    shown = render(
        _request(), base_url="https://gw", agent_id="101", guid=CANARY_GUID, show_guid=True
    )
    assert all(CANARY_GUID in code for code in shown.values())


def test_python_snippet_is_valid_python_and_carries_the_exact_body() -> None:
    from sendmessage_kit.encoding import encode_body

    request = _request()
    code = render(request, base_url="https://gw:8043", agent_id="101")["python"]
    tree = ast.parse(code)
    bodies = [
        n.value.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign)
        and getattr(n.targets[0], "id", "") == "body"
        and isinstance(n.value, ast.Constant)
    ]
    assert bodies == [encode_body(request)]
    assert "https://gw:8043/agentgateway/resource/mediacall/101/sendmessage" in code
    assert "httpx2" in code


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_snippet_parses_in_node() -> None:
    code = render(_request(), base_url="https://gw:8043", agent_id="101")["javascript"]
    wrapped = f"async function snippet() {{\n{code}\n}}"
    proc = subprocess.run(
        ["node", "--check", "-"], input=wrapped, text=True, capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_snippet_delivers_the_message(gw: Any, faults: Faults) -> None:
    request = _request()
    with GatewayClient.for_sandbox(gw, agent_id="190", history=False) as client:
        assert client.guid is not None
        code = render(request, base_url=gw.base_url, agent_id="190", ca_bundle=gw.ca_path)["curl"]
        env = {**os.environ, "CC_GUID": client.guid.get_secret_value()}
        proc = subprocess.run(
            ["sh", "-c", code], env=env, capture_output=True, text=True, check=False, timeout=30
        )
    assert proc.returncode == 0, proc.stderr
    assert '"retcode":"0"' in proc.stdout.replace(" ", "")
    user = request.data.to  # type: ignore[union-attr]
    [message] = faults.messages(user)
    assert message["content"] == request.data.content  # type: ignore[union-attr]
