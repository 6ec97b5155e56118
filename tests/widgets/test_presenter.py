"""presenter(): the demo's screen on a real sandbox (names, cut warning, refusal, channels,
transcript) and a scenario played step by step on an injectable clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit import sandbox
from sendmessage_kit.scenario import Scenario
from sendmessage_kit.widgets import presenter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sb() -> Iterator[Any]:
    with sandbox.start(http=True, poll_wait=0.5) as s:
        yield s


@pytest.fixture
def p(sb: Any, tmp_path: Path) -> Iterator[Any]:
    view = presenter(
        sandbox=sb,
        user_id="u-presenter",
        autopoll=False,
        transcripts=tmp_path,
        history=False,
        max_retries=0,
    )
    yield view
    view.close()


def test_names_card_and_caveats_under_the_hood(p: Any) -> None:
    assert "Alex Morgan" in p.card.value and "Web chat" in p.card.value
    labels = [label for label, _ in p.builder.channel.options]
    assert "WhatsApp" in labels and "WHATSAPP" not in labels
    types = [label for label, _ in p.builder.media_type.options]
    assert not [t for t in types if "unpublished" in t or "assumed" in t]
    assert "(unpublished)" in p.caveats.value  # still said, under the hood
    assert "Alex Morgan" in p.conversation.chat.value
    assert "u-presenter" not in p.conversation.chat.value


def test_web_cut_is_warned_before_send_and_marked_after(p: Any) -> None:
    p.builder.content.value = "short"
    assert p.cut_warning.value == ""
    p.builder.content.value = "a" * 671
    assert "500" in p.cut_warning.value and "671" in p.cut_warning.value
    p.builder.channel.value = "WHATSAPP"  # only the web channel's poll cuts
    assert p.cut_warning.value == ""
    p.builder.channel.value = "WEB"
    p.panel.send.click()
    assert p.panel.result.ok
    last = p.conversation.messages[-1]
    assert last.truncated and len(last.content) == 500
    assert "smk-cut" in p.conversation.chat.value


def test_refusal_is_one_sentence_and_the_table_is_under_the_hood(p: Any) -> None:
    p.builder.content.value = "x" * 3000
    p.panel.send.click()
    result = p.panel.result_html.value
    assert result.count("smk-refused") == 1 and "Shorten the message" in result
    assert "<table" not in result
    assert 'data-rule="content.budget"' in p.panel.refusal_findings.value


def test_each_channel_keeps_its_chat_and_replies_show_once(p: Any) -> None:
    web = p.conversation.callid
    p.builder.content.value = "On the web"
    p.panel.send.click()
    p.conversation.reply.value = "Thanks"
    p.conversation.send_reply.click()
    assert [b.content for b in p.conversation.messages] == ["On the web", "Thanks"]
    p.builder.channel.value = "WHATSAPP"
    assert p.conversation.callid != web and p.conversation.messages == []
    assert "WhatsApp" in p.card.value
    p.builder.channel.value = "WEB"
    assert p.conversation.callid == web == p.builder.callid.value
    p.conversation.refresh()
    assert [b.content for b in p.conversation.messages] == ["On the web", "Thanks"]


def test_transcript_is_self_contained_with_the_guid_masked(p: Any) -> None:
    p.builder.content.value = "For the record"
    p.panel.send.click()
    p.conversation.reply.value = "Noted"
    p.conversation.send_reply.click()
    p.conversation.poll_events(timeout=1)
    p.conversation.poll_events(timeout=1)
    p.save.click()
    assert p.saved is not None and p.saved.is_file(), p.status.value
    html = p.saved.read_text(encoding="utf-8")
    assert "For the record" in html and "Noted" in html and "over the wire" in html
    assert p.client.guid.get_secret_value() not in html
    assert "AgentEvent_MessageData" in html  # what reached the agent, for the reply
    for ref in ("src=", "href=", "@import", "url("):
        assert ref not in html, ref  # nothing to fetch: it opens offline


def test_a_scenario_plays_on_an_injectable_clock(sb: Any, tmp_path: Path) -> None:
    now = [0.0]
    script = Scenario.model_validate(
        {
            "title": "T",
            "customer": {"name": "Maria", "channel": "WHATSAPP", "user_id": "u-scenario"},
            "steps": [
                {"agent": "Your order has shipped"},
                {"customer": "When does it arrive?", "when": "shipped", "after": 2},
                {"agent": "Tomorrow", "fault": {"retcode": "100-007"}},
                {"agent": "Tomorrow"},
                {"customer": "Thanks", "after": 5},
            ],
        }
    )
    view = presenter(sandbox=sb, scenario=script, autopoll=False, history=False, max_retries=0)
    run = view.scenario_run
    run.clock = lambda: now[0]  # the player's clock is injectable; the test moves it
    try:
        assert view.conversation.channel == "WHATSAPP" and "Maria" in view.card.value
        run.step_once()
        assert "step 1 of 5" in view.hint.value
        assert view.builder.content.value == "Your order has shipped"  # put in the box
        view.panel.send.click()
        assert run.index == 1
        run.step_once()
        assert run.index == 1  # matched, but its 2 s have not passed
        now[0] += 2
        run.step_once()
        assert run.index == 2
        view.conversation.refresh()
        assert view.conversation.messages[-1].content == "When does it arrive?"
        run.step_once()  # arms the fault: the gateway refuses the next send once
        view.panel.send.click()
        assert view.panel.result.retcode == "100-007" and run.index == 3
        run.step_once()
        view.panel.send.click()
        assert view.panel.result.retcode == "0" and run.index == 4
        now[0] += 4.9
        run.step_once()
        assert run.index == 4
        now[0] += 0.2
        run.step_once()
        assert run.done and "done" in view.hint.value
        assert [line.split(":")[0] for line in run.log] == [
            "agent",
            "customer",
            "agent",
            "agent",
            "customer",
        ]
        assert json.dumps(run.log)
    finally:
        view.close()


@pytest.mark.parametrize("name", ["order-shipped", "oversize-recovery"])
def test_the_shipped_scenarios_play_to_the_end(sb: Any, name: str) -> None:
    now = [0.0]
    view = presenter(
        sandbox=sb,
        scenario=ROOT / "examples" / "scenarios" / f"{name}.yaml",
        auto=True,  # the agent's steps press Send themselves, as in guide 7
        autopoll=False,
        history=False,  # the client's retries as the demo has them
    )
    run = view.scenario_run
    run.clock = lambda: now[0]
    try:
        for _ in range(40):
            if run.done:
                break
            run.step_once()
            view.conversation.refresh()
            now[0] += 1
        assert run.done, (run.index, run.log, view.panel.result_html.value)
        said = [b.content for b in view.conversation.messages]
        customer = [s.customer for s in run.scenario.steps if hasattr(s, "customer")]
        assert all(line in said for line in customer), said
        if name == "oversize-recovery":
            assert any("refused" in line for line in run.log), run.log
            # the gateway failed the first attempt; the kit's resend delivered it, once
            assert run.log[-1].endswith("-> retcode 0 (2)"), run.log
            last = view.panel.results[-1]
            assert last.attempts == 2 and said.count(last_text(run)) == 1
    finally:
        view.close()


def last_text(run: Any) -> str:
    return str(run.scenario.steps[-1].agent)


def test_the_cut_warning_reads_the_sandboxs_web_poll_chars(tmp_path: Path) -> None:
    with sandbox.start(http=True, poll_wait=0.5, web_poll_chars=100) as sb:
        view = presenter(sandbox=sb, autopoll=False, transcripts=tmp_path, history=False)
        try:
            view.builder.content.value = "b" * 99
            assert view.cut_warning.value == ""  # 99 fits the sandbox's 100 (and 500)
            view.builder.content.value = "b" * 150
            assert "at most 100 characters" in view.cut_warning.value
            assert "150" in view.cut_warning.value and "500" not in view.cut_warning.value
            view.panel.send.click()
            assert view.panel.result.ok
            assert len(view.conversation.messages[-1].content) == 100  # where it warned
        finally:
            view.close()
