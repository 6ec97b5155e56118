"""The way back is one typed model: the sandbox's views, the customer client and the bubbles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sendmessage_kit import CustomerMessage
from sendmessage_kit import preview as pv
from sendmessage_kit.sandbox import Sandbox
from sendmessage_kit.sandbox.store import Store
from tests.sandbox.conftest import Agent, body_for


def test_customer_client_returns_typed_messages_that_become_bubbles(agent: Agent) -> None:
    user = f"typed-{agent.agent_id}"
    body = body_for(
        "a picture", to=user, sender_nickname="Ana", media_type="IMAGE", media_file_type="png"
    )
    assert agent.send(body)["retcode"] == "0"
    sent = json.loads(body["data"])
    with agent.sb.customer() as customer:
        [message] = customer.all_messages(user)
    assert isinstance(message, CustomerMessage)
    assert (message.content, message.to, message.channel) == ("a picture", user, "WEB")
    assert (message.mediaType, message.mediaFileType) == ("IMAGE", "png")
    assert message.from_ == sent["from"] and message.senderNickname == "Ana"
    assert message.messageCode == sent["messageCode"] and message.callid == body["callid"]
    assert message.sendTime == sent["sendTime"] and message.direction == "agent"
    # the wire names are the model's aliases: what the HTTP view answered validates as is
    page = agent.messages(user)
    assert CustomerMessage.model_validate(page["messages"][0]) == message
    assert page["messages"][0]["from"] == sent["from"]
    [bubble] = pv.bubbles([message])
    assert bubble == pv.Bubble(
        seq=message.seq,
        who="agent",
        content="a picture",
        media_type="IMAGE",
        sender="Ana",
        at_ms=message.timestamp,
        message_code=message.messageCode,
    )


def test_a_row_an_older_sandbox_stored_with_invalid_text_still_reads(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    db = str(tmp_path / "old.db")
    old = Store(db)  # what a sandbox before the decoder's rule could have stored
    bad_data = '{"from":"x","senderNickname":"\\ud800","sendTime":"1700000000000"}'
    old.add_message(
        message_code="legacy-1",
        direction="agent",
        callid="c-legacy",
        agent_id="101",
        user_id="legacy-user",
        channel="WEB",
        media_type="TEXT",
        content="fine text",
        data=bad_data,
    )
    old.add_message(
        message_code="legacy-2",
        direction="agent",
        callid="c-legacy",
        agent_id="101",
        user_id="legacy-user",
        channel="WEB",
        media_type="TEXT",
        content="not json data",
        data="{broken",
    )
    old.close()
    sb = make_sandbox(db=db)
    a = Agent(sb)
    try:
        page = a.messages("legacy-user")
        assert [m["content"] for m in page["messages"]] == ["fine text", "not json data"]
        assert page["messages"][0]["senderNickname"] == "?"
        assert page["messages"][1]["from"] is None
    finally:
        a.close()
