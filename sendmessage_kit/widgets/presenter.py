"""`presenter()`: the customer demo as an audience sees it (what `sendmessage-kit demo` serves).

A title card (the customer's display name, the channel and its brand colour), the composer on the
left (channel, message type, content, Send and one plain sentence about the outcome), the
customer's phone on the right with what reaches the agent below it, and, collapsed, "Under the
hood" (the data string, its size, the findings, the caveats about unpublished or assumed values,
the exchange on the wire with the Guid masked) and "All fields and code". Instructions for the
presenter stay in the notebook; human names everywhere the audience looks, the IDs under the hood.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sendmessage_kit import preview as pv
from sendmessage_kit import rules
from sendmessage_kit.preview import Form
from sendmessage_kit.skins import channel_name, chat_style
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded
from sendmessage_kit.widgets._playground import Playground, hood_and_more, phone_link
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.conversation import DEMO_USER, ConversationView
from sendmessage_kit.widgets.send_panel import SendPanel

if TYPE_CHECKING:
    from sendmessage_kit.scenario import Scenario

__all__ = ["DEFAULT_NAME", "Presenter", "presenter"]

DEFAULT_NAME = "Alex Morgan"
_STYLE = """<style>
.smk-presenter .widget-html-content{line-height:1.4}
.smk-presenter .widget-label{overflow:visible}
.smk-phone{background:#1f1f1f;border-radius:28px;padding:14px 10px 18px;width:380px;
 box-sizing:content-box}
.smk-phone .smk-chat{width:100% !important;border:none !important;border-radius:14px !important}
.smk-composer textarea{min-height:120px}
.smk-card{display:flex;align-items:center;gap:12px;padding:10px 14px;border-radius:10px;
 color:#fff;margin:0 0 12px 0}
.smk-card .smk-avatar{width:40px;height:40px;border-radius:50%;background:rgba(255,255,255,.25);
 display:flex;align-items:center;justify-content:center;font-weight:600;font-size:18px}
.smk-card .smk-card-name{font-size:18px;font-weight:600}
.smk-card .smk-card-sub{opacity:.9}
</style>"""


class Presenter(Playground):
    """The presenter's screen; `close()` stops what `presenter()` started.

    Attributes (besides `Playground`'s):
        card: the title card (display name, channel, brand colour).
        cut_warning: says, before Send, when the channel will cut the message.
        hint: the scenario's next step (empty without a scenario).
        save: "Save transcript"; `saved` is the path of the last file written.
        caveats: the caveats of the choices offered, under the hood.
    """

    def __init__(
        self,
        builder: PayloadBuilder,
        panel: SendPanel,
        conversation: ConversationView,
        *,
        target: Any = None,
        transcripts: Path | None = None,
    ) -> None:
        self.card, self.cut_warning, self.caveats = w.HTML(), w.HTML(), w.HTML()
        self.hint = w.HTML()
        self.save = w.Button(description="Save transcript", icon="download")
        self.save.add_class("smk-save")
        self.saved: Path | None = None
        self.transcripts = transcripts
        self.scenario_run: Any = None
        super().__init__(builder, panel, conversation, target=target)
        self.save.on_click(self._on_save)
        builder.on_change(lambda _b: self._on_form())
        self._on_form()

    def _layout(self) -> w.Widget:
        return _screen(self)

    def _on_form(self) -> None:
        conv = self.conversation
        assert conv is not None
        self.card.value = card_html(conv.display_name, self.builder.channel.value, conv.user_id)
        cut = [f for f in self.builder.preview.findings if f.rule is rules.WEB_DOWNLINK]
        self.cut_warning.value = "" if not cut else _cut_html(self.builder)
        self.caveats.value = caveats_html(self.builder)

    @guarded
    def _on_save(self, _: Any = None) -> None:
        from sendmessage_kit.transcript import save_transcript

        assert self.conversation is not None
        self.saved = save_transcript(self, self.transcripts)
        self.status.value = hx.note_html(f"Transcript saved: {self.saved}", "#2e7d32")

    def close(self) -> None:
        """Stop the scenario, then what `Playground.close()` stops."""
        if self.scenario_run is not None:
            self.scenario_run.stop()
        super().close()


def caveats_html(builder: PayloadBuilder) -> str:
    """The caveats the plain choices leave out, labelled as the full choices label them."""
    table, channel = builder.profile.channel_table, builder.channel.value
    channels = [label for label, _ in pv.channel_choices(table) if "(" in label]
    media = [label for label, _ in pv.media_type_choices(channel, table) if "(" in label]
    parts = []
    if channels:
        parts.append(f"Channels: {'; '.join(channels)}.")
    if media:
        parts.append(f"Message types on {channel_name(channel)}: {'; '.join(media)}.")
    return hx.note_html(" ".join(parts)) if parts else ""


def card_html(name: str, channel: str, user_id: str) -> str:
    """The title card: the customer's display name and channel in the channel's brand colour."""
    style = chat_style(channel)
    colour = style["accent"] if style["bar"] in ("#ffffff", "#f6f6f6", "#ededed") else style["bar"]
    initial = html.escape((name or "?").strip()[:1].upper())
    return (
        f'<div class="smk-card" data-channel="{html.escape(channel)}" '
        f'style="background:{colour};color:#fff">'
        f'<div class="smk-avatar">{initial}</div><div><div class="smk-card-name">'
        f'{html.escape(name)}</div><div class="smk-card-sub">on '
        f"{html.escape(channel_name(channel))} · talking to your contact center</div></div></div>"
    )


def _cut_html(builder: PayloadBuilder) -> str:
    """Before Send: the channel will cut this message, and where the customer sees it cut."""
    limit = builder.profile.web_poll_chars
    chars = len(builder.content.value)
    name = channel_name(builder.channel.value)
    return (
        '<div class="smk-cut-warning" style="color:#7a4b00;background:#fff4e0;'
        'border-left:4px solid #e08a00;padding:4px 8px;line-height:1.4">'
        f"{html.escape(name)} delivers at most {limit} characters to the customer; this message "
        f"has {chars}. Shorten or split it, or the customer sees the first {limit} and “…”.</div>"
    )


def _screen(p: Presenter) -> w.Widget:
    builder, panel, conversation = p.builder, p.panel, p.conversation
    assert conversation is not None
    c = builder.controls
    c["content"].layout = w.Layout(width="100%", height="120px")
    p.save.layout = w.Layout(margin="0 0 0 8px")
    for name in ("channel", "media_type"):
        c[name].layout = w.Layout(width="100%")
    row = w.Layout(width="100%")
    composer = w.VBox(
        [
            p.hint,
            _field("Channel", c["channel"]),
            _field("Message type", c["media_type"]),
            _field("Message", c["content"]),
            p.cut_warning,
            w.HBox([panel.send, p.save], layout=w.Layout(margin="4px 0 0 0")),
            panel.result_html,
            builder.status,
            panel.status,
            p.status,
        ],
        layout=w.Layout(
            flex="1 1 420px", min_width="320px", max_width="560px", margin="0 24px 0 0"
        ),
    )
    composer.add_class("smk-composer")
    conversation.reply.layout = w.Layout(flex="1 1 auto", width="auto")
    conversation.send_reply.layout = w.Layout(width="90px")
    phone = w.VBox(
        [conversation.chat, w.HBox([conversation.reply, conversation.send_reply], layout=row)],
        layout=w.Layout(width="380px"),
    )
    phone.add_class("smk-phone")
    right = w.VBox(
        [phone, *phone_link(conversation), conversation.events_box, conversation.status],
        layout=w.Layout(flex="0 0 400px", width="400px"),
    )
    hood, more = hood_and_more(
        builder,
        panel,
        "Under the hood: IDs, caveats, findings, the data string, the exchange",
        first=(
            w.HTML(hx.note_html(f"Customer ID (userId): {conversation.user_id}", "#222")),
            p.caveats,
            panel.refusal_findings,
        ),
    )
    top = w.HBox([composer, right], layout=w.Layout(flex_flow="row wrap", width="100%"))
    view = w.VBox(
        [w.HTML(_STYLE), p.card, top, hood, more],
        layout=w.Layout(width="100%", max_width="1100px"),
    )
    view.add_class("smk-presenter")
    return view


def _field(label: str, control: w.Widget) -> w.Widget:
    """A label above its control (no fixed-width label column to clip or misalign)."""
    return w.VBox(
        [w.HTML(hx.note_html(label, "#222")), control],
        layout=w.Layout(width="100%", margin="0 0 6px 0"),
    )


def presenter(
    *,
    channel: str = "WEB",
    user_id: str = DEMO_USER,
    display_name: str = DEFAULT_NAME,
    sandbox: Any = None,
    scenario: Scenario | str | Path | None = None,
    transcripts: str | Path | None = None,
    auto: bool = False,
    autopoll: bool = True,
    **client_options: Any,
) -> Presenter:
    """The demo's presenter screen on the embedded sandbox (or `sandbox=`), following the chat.

    `scenario` (a `Scenario` or a YAML file; default: the one `sendmessage-kit demo --scenario`
    names) sets the customer and plays their lines; the next step shows as a hint.
    "Save transcript" writes into `transcripts` (default: the folder named by
    SENDMESSAGE_KIT_TRANSCRIPTS, else ./transcripts). `auto` also presses Send for the agent's
    steps (the scenario plays itself, as in guide 7). `autopoll=False` leaves the chat's stream
    and the scenario's player off (call `refresh()` and `scenario_run.step_once()` yourself).
    """
    import os

    from sendmessage_kit.scenario import ENV_SCENARIO
    from sendmessage_kit.target import open_target

    script = None
    scenario = scenario if scenario is not None else os.environ.get(ENV_SCENARIO) or None
    if scenario is not None:
        from sendmessage_kit.scenario import Scenario, load_scenario

        script = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        channel, display_name = script.customer.channel.value, script.customer.name
        user_id = script.customer.user_id or user_id
    target = open_target(sandbox=sandbox, **client_options)
    client, sb = target.client, target.sandbox
    try:
        if sb is None:
            raise ValueError("the presenter needs a sandbox: a configured gateway has no customer")
        conversation = ConversationView(
            sb, channel=channel, user_id=user_id, agent=client, join=True, display_name=display_name
        )
        form = Form(
            callid=conversation.callid,
            agent_id=client.agent_id,
            channel=channel,
            to=user_id,
            user_id=user_id,
        )
        builder = PayloadBuilder(
            form, base_url=client.base_url, plain_labels=True, profile=client.profile
        )
        panel = SendPanel(builder, client=client, sandbox=sb, plain=True)
        folder = Path(transcripts) if transcripts else None
        p = Presenter(builder, panel, conversation, target=target, transcripts=folder)
    except BaseException:
        target.close()
        raise
    if autopoll:
        conversation.start(1.0)
    if script is not None:
        from sendmessage_kit.scenario_run import ScenarioRun

        p.scenario_run = ScenarioRun(script, p, auto=auto)
        if autopoll:
            p.scenario_run.start()
    return p
