"""`playground()`: builder, send panel and the customer's conversation, wired together."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as w

from sendmessage_kit.preview import Form
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.conversation import DEMO_USER, ConversationView
from sendmessage_kit.widgets.send_panel import SendPanel

if TYPE_CHECKING:
    from sendmessage_kit.target import Target

__all__ = ["Playground", "playground"]


class Playground:
    """The three views side by side; `close()` stops what `playground()` started.

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
        right: list[w.Widget] = [panel.widget]
        if conversation is not None:
            right.insert(0, conversation.widget)
            panel.on_sent(lambda result: conversation.refresh())
            builder.channel.observe(self._on_channel, names="value")
        else:
            right.insert(0, w.HTML(hx.note_html("Configured gateway: no customer side to show.")))
        self.widget = w.VBox([self.status, builder.widget, w.VBox(right)])

    @guarded
    def _on_channel(self, change: Any) -> None:
        # A chat belongs to one channel: switching the channel opens a new chat on it.
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
            builder = PayloadBuilder(Form(agent_id=client.agent_id), base_url=client.base_url)
            panel = SendPanel(builder, client=client, target="configured")
            return Playground(builder, panel, None, target=target)
        conversation = ConversationView(sb, channel=channel, user_id=user_id, agent=client)
        form = Form(
            callid=conversation.callid,
            agent_id=client.agent_id,
            channel=channel,
            to=user_id,
            user_id=user_id,
        )
        builder = PayloadBuilder(form, base_url=client.base_url)
        panel = SendPanel(builder, client=client, sandbox=sb)
        pg = Playground(builder, panel, conversation, target=target)
    except BaseException:
        target.close()
        raise
    if autopoll:
        conversation.start(interval)
    return pg
