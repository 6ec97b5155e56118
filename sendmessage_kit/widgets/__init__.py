"""ipywidgets views over the kit's functions: build, preview, check, send, watch the customer.

`playground()` shows the builder, the send panel and the customer's conversation together,
wired to the embedded sandbox when no gateway is configured. Built-in ipywidgets controls only,
so the views render in JupyterLab and, from saved state, in the docs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.matrix import ChannelMatrix

if TYPE_CHECKING:
    from sendmessage_kit.widgets.conversation import ConversationView
    from sendmessage_kit.widgets.playground import Playground, playground
    from sendmessage_kit.widgets.send_panel import SendPanel

__all__ = [
    "ChannelMatrix",
    "ConversationView",
    "PayloadBuilder",
    "Playground",
    "SendPanel",
    "playground",
]

_LAZY = {
    "ConversationView": "sendmessage_kit.widgets.conversation",
    "SendPanel": "sendmessage_kit.widgets.send_panel",
    "Playground": "sendmessage_kit.widgets.playground",
    "playground": "sendmessage_kit.widgets.playground",
}


def __getattr__(name: str) -> Any:
    # The send panel and the conversation pull in the client and the sandbox: import on use.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sendmessage_kit.widgets' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
