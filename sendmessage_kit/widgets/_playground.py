"""`playground()`: builder, send panel and the customer's conversation, wired together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sendmessage_kit.preview import Form
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded, labelled
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.conversation import DEMO_USER, ConversationView
from sendmessage_kit.widgets.send_panel import SendPanel

if TYPE_CHECKING:
    from sendmessage_kit.target import Target

__all__ = ["Playground", "playground"]

#: The phone frame and the line height of the kit's HTML (ipywidgets' is 28 px, one-line).
_STYLE = """<style>
.smk-phone{background:#1f1f1f;border-radius:28px;padding:14px 10px 18px;width:380px;
 box-sizing:content-box}
.smk-phone .smk-chat{width:100% !important;border:none !important;border-radius:14px !important}
.smk-presenter .widget-html-content{line-height:1.4}
.smk-composer textarea{min-height:90px}
</style>"""
_COMPOSER = ("channel", "media_type", "content")


class Playground:
    """The presenter's layout; `close()` stops what `playground()` started.

    From 1100 px wide: a compact composer on the left (channel, template, content, Send and the
    result), the customer's phone-style chat on the right with this chat's events below it as
    sentences, then collapsed "Under the hood" (the escaped `data` string, the byte meter, the
    findings, the exchange on the wire with the Guid masked) and "All fields and code" (every
    field of the request, the outer body, the snippets, history, replay and diff). On a narrow
    page the phone wraps below the composer. `sendmessage-kit demo` serves the same view.

    Attributes:
        builder: the `PayloadBuilder`.
        panel: the `SendPanel`.
        conversation: the `ConversationView` (None with a configured gateway: no customer side).
        client: the `GatewayClient` the panel sends with.
        sandbox: the sandbox handle (None with a configured gateway).
        widget: the whole view.
    """

    def __init__(
        self,
        builder: PayloadBuilder,
        panel: SendPanel,
        conversation: ConversationView | None,
        *,
        target: Target | None = None,
    ) -> None:
        self.builder, self.panel, self.conversation = builder, panel, conversation
        self.client, self.sandbox = panel.client, panel.sandbox
        self.status = w.HTML()
        self.last_error = ""
        self._target = target  # what playground() opened; close() closes it
        if conversation is not None:
            panel.on_sent(lambda result: conversation.refresh())
            builder.channel.observe(self._on_channel, names="value")
        self.widget = self._layout()

    def _layout(self) -> w.Widget:
        return _presenter(self.builder, self.panel, self.conversation, self.status)

    @guarded
    def _on_channel(self, change: Any) -> None:
        # A chat belongs to one channel: switching shows that channel's chat (opened once).
        assert self.conversation is not None
        callid = self.conversation.open(channel=change["new"])
        if callid:
            self.builder.callid.value = callid

    def close(self) -> None:
        """Stop polling, close the client, stop the sandbox (only what was started here).

        A sandbox given to `playground(sandbox=...)`, and lab's, keep running.
        """
        if self.conversation is not None:
            self.conversation.stop()
        self.panel.close()
        target, self._target = self._target, None
        if target is not None:
            target.close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _presenter(
    builder: PayloadBuilder, panel: SendPanel, conversation: ConversationView | None, status: Any
) -> w.Widget:
    c = builder.controls
    composer = w.VBox(
        [
            w.HTML(hx.note_html("Message to the customer", "#222")),
            labelled("channel", c["channel"]),
            labelled("template", c["media_type"]),
            labelled("content", c["content"]),
            w.HBox([panel.send, panel.check]),
            panel.result_html,
            builder.status,
            panel.status,
        ],
        layout=w.Layout(flex="1 1 440px", min_width="360px", margin="0 16px 0 0"),
    )
    composer.add_class("smk-composer")
    if conversation is not None:
        phone = w.VBox(
            [conversation.chat, w.HBox([conversation.reply, conversation.send_reply])],
            layout=w.Layout(width="400px"),
        )
        phone.add_class("smk-phone")
        right = w.VBox(
            [phone, *phone_link(conversation), conversation.events_box, conversation.status],
            layout=w.Layout(flex="0 0 420px"),
        )
    else:
        right = w.VBox([w.HTML(hx.note_html("Configured gateway: no customer side to show."))])
    hood, more = hood_and_more(
        builder, panel, "Under the hood: the data string, its size, the exchange on the wire"
    )
    # On a wide screen the phone stays next to the composer instead of drifting to the edge.
    wide = w.Layout(flex_flow="row wrap", width="100%", max_width="1240px")
    top = w.HBox([composer, right], layout=wide)
    view = w.VBox([w.HTML(_STYLE), status, top, hood, more], layout=w.Layout(width="100%"))
    view.add_class("smk-presenter")
    return view


def hood_and_more(
    builder: PayloadBuilder, panel: SendPanel, title: str, first: tuple[w.Widget, ...] = ()
) -> tuple[w.Accordion, w.Accordion]:
    """Two closed drawers: under the hood, and every field with the code.

    Under the hood holds `first`, then the data string, its size and the exchange on the wire.
    """
    note = w.HTML(hx.note_html("The last exchange on the wire (Guid masked):", "#222"))
    hood = w.Accordion(
        children=[
            w.VBox(
                [
                    *first,
                    builder.escaped_html,
                    builder.meter_html,
                    builder.findings_html,
                    note,
                    panel.exchange,
                ]
            )
        ]
    )
    hood.set_title(0, title)
    hood.selected_index = None
    more = w.Accordion(children=[all_fields(builder, panel)])
    more.set_title(0, "All fields and code: every field, the outer body, snippets, history")
    more.selected_index = None
    return hood, more


def all_fields(builder: PayloadBuilder, panel: SendPanel) -> w.Widget:
    """Every field outside the composer, the outer body and snippets, history, replay, diff."""
    c = builder.controls
    rows = []
    for name, control in c.items():
        if name in _COMPOSER:
            continue
        button = builder.renewers.get(name)
        row = labelled(name, control)
        rows.append(w.HBox([row, button]) if button is not None else row)
    code = w.Tab(children=[builder.body_html, *builder.snippets.values()])
    for i, title in enumerate(("outer body", *builder.snippets)):
        code.set_title(i, title)
    return w.VBox(
        [
            w.HBox(
                [w.VBox([*rows, builder.excluded]), code], layout=w.Layout(flex_flow="row wrap")
            ),
            panel.target,
            panel.history,
            w.HBox([panel.pick_a, panel.replay, panel.pick_b, panel.diff]),
            panel.diff_html,
        ]
    )


def phone_link(conversation: ConversationView) -> list[w.Widget]:
    """In LAN mode, a QR code of this customer's chat page, to open it on a phone in the room."""
    sb = conversation.sandbox
    if not getattr(getattr(sb, "config", None), "lan", False):
        return []
    from sendmessage_kit.sandbox.lan import qr_svg

    try:
        url = sb.customer.page_url(conversation.user_id, conversation.channel)
    except (ValueError, OSError) as exc:  # the sandbox did not give a link: say so, go on
        return [w.HTML(hx.note_html(f"No link to the customer's page: {exc}", "#a00"))]
    caption = "Scan to open the customer's chat on a phone (this network only):"
    html = f"<div class='smk-qr'>{hx.note_html(caption, '#222')}{qr_svg(url)}</div>"
    return [w.HTML(html)]


def playground(
    *,
    channel: str = "WEB",
    user_id: str = DEMO_USER,
    sandbox: Any = None,
    autopoll: bool = True,
    interval: float = 1.0,
    **client_options: Any,
) -> Playground:
    """Builder + send panel + conversation, on the embedded sandbox unless a gateway is set.

    Where it sends is decided by `sendmessage_kit.target.open_target()`: the `sandbox=` given,
    else the configured gateway, else lab's sandbox or a new one. On a sandbox it signs an agent
    in, opens a chat as the customer and fills the builder's callid with it. `close()` closes
    what it opened (a sandbox it started included), never a sandbox given to it.
    `autopoll` polls the customer side and the agent's events in background threads.

    Example (in a notebook)::

        from sendmessage_kit.widgets import playground
        playground()
    """
    from sendmessage_kit.target import open_target

    target = open_target(sandbox=sandbox, **client_options)
    client, sb = target.client, target.sandbox
    try:
        if sb is None:  # a configured gateway: no customer side to show
            form = Form(agent_id=client.agent_id)
            builder = PayloadBuilder(form, base_url=client.base_url, profile=client.profile)
            panel = SendPanel(builder, client=client, target="configured")
            return Playground(builder, panel, None, target=target)
        conversation = ConversationView(
            sb, channel=channel, user_id=user_id, agent=client, join=True
        )
        form = Form(
            callid=conversation.callid,
            agent_id=client.agent_id,
            channel=channel,
            to=user_id,
            user_id=user_id,
        )
        builder = PayloadBuilder(form, base_url=client.base_url, profile=client.profile)
        panel = SendPanel(builder, client=client, sandbox=sb)
        pg = Playground(builder, panel, conversation, target=target)
    except BaseException:
        target.close()
        raise
    if autopoll:
        conversation.start(interval)
    return pg
