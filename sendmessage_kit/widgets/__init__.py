"""ipywidgets views over the kit's functions: build, preview, check, send, watch the customer."""

from __future__ import annotations

from sendmessage_kit.widgets.builder import PayloadBuilder
from sendmessage_kit.widgets.matrix import ChannelMatrix

__all__ = ["ChannelMatrix", "PayloadBuilder"]
