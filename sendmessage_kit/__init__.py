"""sendmessage-kit: learn, demo and integrate Huawei CC-Gateway's sendmessage interface.

Names are imported on first use, so `sendmessage-kit --help` does not load pydantic or httpx2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sendmessage_kit._lazy import lazy_names

if TYPE_CHECKING:
    from sendmessage_kit.async_client import AsyncGatewayClient
    from sendmessage_kit.channels import ChannelTable, load_channel_table
    from sendmessage_kit.client import GatewayClient, SendResult, connect
    from sendmessage_kit.constraints import RULES, Finding, Profile, Rule, check, has_errors
    from sendmessage_kit.customer_message import CustomerMessage
    from sendmessage_kit.encoding import (
        Budget,
        SizeLimits,
        byte_budget,
        decode_body,
        decode_data,
        encode_body,
        encode_data,
    )
    from sendmessage_kit.errors import (
        RETCODES,
        AgentStateError,
        AuthError,
        ConnectError,
        GatewayError,
        GatewayInternalError,
        InvalidParameterError,
        MultimediaError,
        PayloadError,
        RepeatedCallError,
        RequestTimeout,
        ResponseError,
        SendMessageKitError,
        SettingsError,
        SignedOutError,
        TLSError,
        TransportError,
        describe_retcode,
    )
    from sendmessage_kit.history import History
    from sendmessage_kit.models import (
        Channel,
        ContentType,
        ControlType,
        MediaFileType,
        MediaType,
        MessageData,
        SendMessageRequest,
        SendMessageResponse,
        new_message,
    )
    from sendmessage_kit.settings import KitSettings
    from sendmessage_kit.target import Target, open_target

_HOME = {
    "AgentStateError": "errors",
    "AsyncGatewayClient": "async_client",
    "AuthError": "errors",
    "Budget": "encoding",
    "byte_budget": "encoding",
    "Channel": "models",
    "ChannelTable": "channels",
    "check": "constraints",
    "connect": "client",
    "ConnectError": "errors",
    "ContentType": "models",
    "ControlType": "models",
    "CustomerMessage": "customer_message",
    "decode_body": "encoding",
    "decode_data": "encoding",
    "describe_retcode": "errors",
    "encode_body": "encoding",
    "encode_data": "encoding",
    "Finding": "constraints",
    "GatewayClient": "client",
    "GatewayError": "errors",
    "GatewayInternalError": "errors",
    "has_errors": "constraints",
    "History": "history",
    "InvalidParameterError": "errors",
    "KitSettings": "settings",
    "load_channel_table": "channels",
    "MediaFileType": "models",
    "MediaType": "models",
    "MessageData": "models",
    "MultimediaError": "errors",
    "new_message": "models",
    "PayloadError": "errors",
    "Profile": "constraints",
    "RepeatedCallError": "errors",
    "RequestTimeout": "errors",
    "ResponseError": "errors",
    "RETCODES": "errors",
    "Rule": "constraints",
    "RULES": "constraints",
    "SendMessageKitError": "errors",
    "SendMessageRequest": "models",
    "SendMessageResponse": "models",
    "SendResult": "client",
    "SettingsError": "errors",
    "SignedOutError": "errors",
    "SizeLimits": "encoding",
    "Target": "target",
    "open_target": "target",
    "TLSError": "errors",
    "TransportError": "errors",
}

__version__ = "0.1.0"

__all__ = [
    "RETCODES",
    "RULES",
    "AgentStateError",
    "AsyncGatewayClient",
    "AuthError",
    "Budget",
    "Channel",
    "ChannelTable",
    "ConnectError",
    "ContentType",
    "ControlType",
    "CustomerMessage",
    "Finding",
    "GatewayClient",
    "GatewayError",
    "GatewayInternalError",
    "History",
    "InvalidParameterError",
    "KitSettings",
    "MediaFileType",
    "MediaType",
    "MessageData",
    "MultimediaError",
    "PayloadError",
    "Profile",
    "RepeatedCallError",
    "RequestTimeout",
    "ResponseError",
    "Rule",
    "SendMessageKitError",
    "SendMessageRequest",
    "SendMessageResponse",
    "SendResult",
    "SettingsError",
    "SignedOutError",
    "SizeLimits",
    "TLSError",
    "Target",
    "TransportError",
    "__version__",
    "byte_budget",
    "check",
    "connect",
    "decode_body",
    "decode_data",
    "describe_retcode",
    "encode_body",
    "encode_data",
    "has_errors",
    "load_channel_table",
    "new_message",
    "open_target",
]


__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__, globals())
