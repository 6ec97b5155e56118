"""playground(): builder + send panel + conversation on the embedded sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.widgets import playground


@pytest.fixture
def pg() -> Iterator[Any]:
    with sandbox.start(http=True, poll_wait=0.5) as sb:
        p = playground(sandbox=sb, autopoll=False, history=False, max_retries=0)
        yield p
        p.close()
        assert sb.running  # the sandbox given to the playground is the fixture's to stop
    assert not sb.running


def test_playground_send_reaches_the_conversation(pg: Any) -> None:
    assert pg.builder.callid.value == pg.conversation.callid != ""
    assert pg.builder.agent_id.value == pg.client.agent_id
    pg.builder.new_code.click()
    pg.builder.content.value = "Hello from the playground"
    pg.panel.send.click()
    assert pg.panel.result.retcode == "0", pg.panel.status.value
    assert "Hello from the playground" in pg.conversation.chat.value
    assert pg.builder.base_url == pg.client.base_url
    assert "curl" in pg.builder.snippets["curl"].value
    assert pg.client.guid.get_secret_value() not in pg.builder.snippets["curl"].value


def test_switching_channel_opens_a_chat_in_that_style(pg: Any) -> None:
    first = pg.builder.callid.value
    pg.builder.channel.value = "TELEGRAM"
    assert pg.builder.callid.value != first
    assert 'data-channel="TELEGRAM"' in pg.conversation.chat.value
    pg.builder.new_code.click()
    pg.panel.send.click()
    assert pg.panel.result.ok, pg.panel.result_html.value


def test_playground_displays_as_one_widget(pg: Any) -> None:
    bundle = pg._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_playground_stops_the_sandbox_it_started_and_no_other() -> None:
    with sandbox.start(http=True) as mine:
        p = playground(autopoll=False, history=False)
        try:
            assert p.sandbox is not None and p.sandbox is not mine
            assert p.client.base_url == p.sandbox.base_url != mine.base_url
        finally:
            p.close()
        assert not p.sandbox.running  # playground() started it, close() stopped it
        assert mine.running
        with mine.http_client() as c:
            assert c.get("/sandbox/health").status_code == 200
