"""SendPanel and ConversationView against the real sandbox on 127.0.0.1 (plain pytest)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.auth import mask
from sendmessage_kit.client import GatewayClient
from sendmessage_kit.preview import Form
from sendmessage_kit.sandbox.customer import CustomerClient
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.conversation import ConversationView
from sendmessage_kit.widgets.send_panel import SendPanel
from tests.conftest import CANARY_GUID


@pytest.fixture(scope="module")
def sb() -> Iterator[Any]:
    handle = sandbox.start(http=True, poll_wait=0.5)
    yield handle
    handle.stop()


@pytest.fixture
def client(sb: Any) -> Iterator[GatewayClient]:
    c = GatewayClient.for_sandbox(sb, history=False, max_retries=0)
    yield c
    c.sign_out()
    c.close()


@pytest.fixture
def wired(
    sb: Any, client: GatewayClient
) -> Iterator[tuple[PayloadBuilder, SendPanel, ConversationView]]:
    view = ConversationView(sb, channel="WHATSAPP", user_id="u-widgets", agent=client)
    builder = PayloadBuilder(
        Form(
            callid=view.callid,
            agent_id=client.agent_id,
            channel="WHATSAPP",
            to="u-widgets",
            user_id="u-widgets",
        )
    )
    panel = SendPanel(builder, client=client, sandbox=sb)
    panel.on_sent(lambda result: view.refresh())
    yield builder, panel, view
    view.stop()
    sb.faults.clear()


def test_send_shows_retcode_0_and_the_bubble_appears(wired: Any) -> None:
    builder, panel, view = wired
    builder.new_code.click()
    builder.content.value = "Your parcel ships today"
    panel.send.click()
    assert panel.last_error == ""
    assert panel.result.retcode == "0" and panel.result.ok
    assert 'data-retcode="0"' in panel.result_html.value
    assert "success" in panel.result_html.value
    assert [b.content for b in view.messages] == ["Your parcel ships today"]
    assert "smk-agent" in view.chat.value and "Your parcel ships today" in view.chat.value
    assert 'data-channel="WHATSAPP"' in view.chat.value


def test_exchange_masks_the_guid(wired: Any, client: GatewayClient) -> None:
    _builder, panel, _ = wired
    panel.send.click()
    guid = client.guid.get_secret_value()  # type: ignore[union-attr]
    assert guid not in panel.exchange.value
    assert mask(guid) in panel.exchange.value
    assert "sendmessage" in panel.exchange.value


def test_sandbox_fault_shows_a_readable_error(wired: Any, sb: Any) -> None:
    _builder, panel, _ = wired
    sb.faults.set(retcode="100-007")
    panel.send.click()
    assert panel.result.retcode == "100-007" and not panel.result.ok
    assert 'data-retcode="100-007"' in panel.result_html.value
    assert "retcode 100-007" in panel.result_html.value
    assert "Traceback" not in panel.result_html.value + panel.status.value


def test_dropped_connection_shows_no_answer_and_the_reason(wired: Any, sb: Any) -> None:
    _builder, panel, _ = wired
    sb.faults.set(drop_connection=True)
    panel.send.click()
    assert panel.result.retcode is None
    assert 'data-retcode="no answer"' in panel.result_html.value
    assert "no usable answer" in panel.exchange.value


def test_check_errors_stop_the_send_and_are_listed(wired: Any) -> None:
    builder, panel, _view = wired
    builder.content.value = "fits"
    panel.send.click()
    assert 'data-retcode="0"' in panel.result_html.value
    sent = panel.result
    builder.content.value = "a" * 2000
    panel.send.click()
    assert panel.result is sent  # nothing new was sent
    # The refusal takes the previous result's place: no "retcode 0" left beside it.
    shown = panel.result_html.value
    assert "Not sent" in shown and 'data-rule="content.budget"' in shown
    assert 'data-retcode="0"' not in shown and "success" not in shown
    assert panel.exchange.value == ""
    panel.check.value = False
    panel.send.click()  # unchecked: the sandbox answers for itself
    assert panel.result is not None and panel.result.retcode != "0"


def test_history_replay_and_diff(wired: Any) -> None:
    builder, panel, _view = wired
    builder.content.value = "first"
    panel.send.click()
    builder.new_code.click()
    builder.content.value = "second"
    panel.send.click()
    assert "first" in panel.history.value and "second" in panel.history.value
    panel.diff.click()
    assert "-    &quot;content&quot;: &quot;first&quot;" in panel.diff_html.value
    assert "+    &quot;content&quot;: &quot;second&quot;" in panel.diff_html.value
    panel.pick_a.value = 0
    panel.replay.click()
    assert len(panel.results) == 3
    assert panel.results[2].request_body == panel.results[0].request_body


def test_customer_reply_reaches_the_agent_as_an_event(wired: Any, sb: Any) -> None:
    _, _, view = wired
    # Another customer of the same agent (another guide's chat): never shown in this view.
    other = sb.customer.open_chat(
        channel="WEB", user_id="u-someone-else", agent_id=view.agent.agent_id
    )
    sb.customer.send(other["callid"], "not for this chat")
    # The same customer on their own chat page (a chat of its own): part of this conversation.
    page = sb.customer.open_chat(
        channel=view.channel, user_id=view.user_id, agent_id=view.agent.agent_id
    )
    sb.customer.send(page["callid"], "from my phone")
    view.reply.value = "Where is my order?"
    view.send_reply.click()
    assert view.last_error == ""
    assert view.messages[-1].who == "customer" and "smk-customer" in view.chat.value
    deadline = time.monotonic() + 10  # earlier chats' AgentEvent_Talking come first
    while time.monotonic() < deadline:
        view.poll_events(timeout=5)
        if any(
            e["eventType"] == "AgentEvent_MessageData" and e["content"]["callid"] == view.callid
            for e in view.events
        ):
            break
    shown = view.events_box.value
    assert "Customer opened a chat on WhatsApp" in shown
    assert "Customer replied: Where is my order?" in shown
    assert "Customer replied: from my phone" in shown
    assert "not for this chat" not in shown and "Customer opened a chat on Web" not in shown
    assert "AgentEvent" not in shown and "{" not in shown  # sentences, not JSON
    assert any(e["content"].get("callid") == other["callid"] for e in view.events)


def test_background_polling_picks_up_a_message(wired: Any, client: GatewayClient) -> None:
    builder, _, view = wired
    builder.new_code.click()  # the sandbox drops a messageCode it has seen
    view.start(interval=0.05)
    client.send_message(view.callid, builder.payload.data, check=False)  # type: ignore[union-attr]
    deadline = time.monotonic() + 5
    while not view.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    view.stop()
    assert view.last_error == ""
    assert view.messages and "smk-agent" in view.chat.value


def test_reply_with_no_sandbox_listening_is_a_readable_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    customer = CustomerClient(f"http://127.0.0.1:{port}", timeout=2)
    view = ConversationView(customer=customer, user_id="u-gone")
    assert "Error" in view.status.value and "ConnectError" in view.last_error
    view.status.value = ""
    view.reply.value = "hello?"
    view.send_reply.click()
    assert "Error" in view.status.value
    customer.close()


def test_configured_target_without_settings_says_what_to_set() -> None:
    panel = SendPanel(PayloadBuilder(), target="configured")
    panel.send.click()
    assert "SENDMESSAGE_KIT_BASE_URL" in panel.status.value
    assert CANARY_GUID not in panel.status.value


def test_a_successful_send_renews_the_message_code_for_the_next_one(wired: Any) -> None:
    builder, panel, view = wired
    builder.new_code.click()
    sent_code = builder.message_code.value
    panel.send.click()
    assert panel.result.ok and builder.message_code.value != sent_code
    panel.send.click()  # a second Send is a second message, shown as a second bubble
    assert len(view.messages) == 2
