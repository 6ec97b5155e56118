"""The interface description's example request, read once: the example IDs the kit uses.

`seed_request.json` beside this module is that example, byte for byte (`examples/seed_request.json`
is a link to it). Its IDs are examples, not anyone's real channel or customer: the default `from`
of `new_message`, the builder's starting form, the sandbox's channel and demo customer all take
them from here, so they appear in one place.

Example:
    >>> from sendmessage_kit import new_message
    >>> new_message(to=USER_ID, content="Hi").from_ == CHANNEL_ID
    True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = [
    "BODY_USERID",
    "CALLID",
    "CHANNEL_ID",
    "MESSAGE_CODE",
    "SEED_BODY",
    "SEND_TIME",
    "USER_ID",
    "seed_data",
]

#: The example's outer body as text (the file without its final newline).
SEED_BODY: str = Path(__file__).with_name("seed_request.json").read_text("utf-8").rstrip("\n")

_BODY: dict[str, Any] = json.loads(SEED_BODY)
_DATA: dict[str, Any] = json.loads(_BODY["data"])

#: The example's `callid` (Table 2).
CALLID: str = _BODY["callid"]
#: The example's optional body `userid` (Table 2).
BODY_USERID: str = _BODY["userid"]
#: The example's `data.from`: a channel's Configuration ID.
CHANNEL_ID: str = _DATA["from"]
#: The example's `data.to` (and `userId`): the customer.
USER_ID: str = _DATA["to"]
#: The example's `data.messageCode`.
MESSAGE_CODE: str = _DATA["messageCode"]
#: The example's `data.sendTime`, a number as the example sends it (the table says string).
SEND_TIME: int = _DATA["sendTime"]


def seed_data() -> dict[str, Any]:
    """The example's `data` object (wire names), a fresh copy to change freely."""
    return dict(_DATA)
