"""ipywidgets views over the kit's functions: build, preview, check, send, watch the customer.

`playground()` shows the builder, the send panel and the customer's conversation together,
wired to the embedded sandbox when no gateway is configured. Built-in ipywidgets controls only,
so the views render in JupyterLab and, from saved state, in the docs. The client and the
sandbox are imported when a view first needs them.
"""

from __future__ import annotations

from sendmessage_kit.widgets._playground import Playground, playground
from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.conversation import ConversationView
from sendmessage_kit.widgets.matrix import ChannelMatrix
from sendmessage_kit.widgets.presenter import Presenter, presenter
from sendmessage_kit.widgets.send_panel import SendPanel
from sendmessage_kit.widgets.traffic import TrafficView

__all__ = [
    "ChannelMatrix",
    "ConversationView",
    "PayloadBuilder",
    "Playground",
    "Presenter",
    "SendPanel",
    "TrafficView",
    "playground",
    "presenter",
]
