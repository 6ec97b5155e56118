"""`playground()`: builder, send panel and the customer's conversation, wired together."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from sendmessage_kit.preview import Form
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.conversation import DEMO_USER, ConversationView
from sendmessage_kit.widgets.send_panel import SendPanel

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
        owned: list[Any] | None = None,
    ) -> None:
        self.builder, self.panel, self.conversation = builder, panel, conversation
        self.client, self.sandbox = panel.client, panel.sandbox
        self.status = w.HTML()
        self.last_error = ""
        self._owned = owned or []
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
        """Stop polling, close the client, stop the sandbox (only what was started here)."""
        if self.conversation is not None:
            self.conversation.stop()
        for thing in reversed(self._owned):
            (getattr(thing, "close", None) or thing.stop)()
        self._owned.clear()

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

    With no `SENDMESSAGE_KIT_BASE_URL` (and no `sandbox=` given) it starts the embedded sandbox,
    signs an agent in, opens a chat as the customer and fills the builder's callid with it.
    `autopoll` polls the customer side and the agent's events in background threads.

    Example (in a notebook)::

        from sendmessage_kit.widgets import playground
        playground()
    """
    from sendmessage_kit.client import GatewayClient, connect
    from sendmessage_kit.settings import KitSettings

    owned: list[Any] = []
    settings = KitSettings()
    if sandbox is None and not settings.uses_sandbox:
        client = connect(settings, **client_options)
        owned.append(client)
        builder = PayloadBuilder(Form(agent_id=client.agent_id), base_url=client.base_url)
        panel = SendPanel(builder, client=client, target="configured")
        return Playground(builder, panel, None, owned=owned)
    if sandbox is None:
        from sendmessage_kit import sandbox as sandbox_mod

        sandbox = sandbox_mod.start()
        owned.append(sandbox)
    client = GatewayClient.for_sandbox(sandbox, **client_options)
    owned.append(client)
    conversation = ConversationView(sandbox, channel=channel, user_id=user_id, agent=client)
    form = Form(
        callid=conversation.callid,
        agent_id=client.agent_id,
        channel=channel,
        to=user_id,
        user_id=user_id,
    )
    builder = PayloadBuilder(form, base_url=client.base_url)
    panel = SendPanel(builder, client=client, sandbox=sandbox)
    pg = Playground(builder, panel, conversation, owned=owned)
    if autopoll:
        conversation.start(interval)
    return pg
