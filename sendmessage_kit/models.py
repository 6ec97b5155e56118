"""The sendmessage request and response as typed models (pydantic v2).

Field names are the wire names of the interface description (Table 2 and Table 3 of
`sendmessage`), so what you read here is what goes on the wire; `from` is a Python keyword and
is spelt `from_` in code, `from` on the wire.

Reading is lenient about what real traffic contains (the interface description's own example
sends `sendTime` as a number and adds a top-level `content`); writing is canonical: compact JSON,
fields in one fixed order, absent optional fields left out.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sendmessage_kit import seed

__all__ = [
    "Channel",
    "ContentType",
    "ControlType",
    "FieldUse",
    "MediaFileType",
    "MediaType",
    "MessageData",
    "SendMessageRequest",
    "SendMessageResponse",
    "new_message",
]


class Channel(StrEnum):
    """Message channels of Table 3 (`channel`)."""

    WEB = "WEB"
    WECHAT = "WECHAT"
    TWITTER = "TWITTER"
    FACEBOOK = "FACEBOOK"
    FIVE_G = "5G"
    EMAIL = "EMAIL"
    VOICE = "VOICE"
    LINE = "LINE"
    WHATSAPP = "WHATSAPP"
    SMS = "SMS"
    INSTAGRAM = "INSTAGRAM"
    TELEGRAM = "TELEGRAM"


class MediaType(StrEnum):
    """Media types of Table 3 (`mediaType`), with the seed's wording."""

    TEXT = "TEXT"
    IMAGE = "IMAGE"
    AUDIO = "AUDIO"
    VIDEO = "VIDEO"
    LOCATE = "LOCATE"
    EMOTICONS = "EMOTICONS"
    CARD = "CARD"
    MULTICARD = "MULTICARD"
    EMAIL = "EMAIL"
    WHATSAPPTEMPLATE = "WHATSAPPTEMPLATE"
    RICHTEXT = "RICHTEXT"
    WEBCARD = "WEBCARD"
    SMSTEMPLATE = "SMSTEMPLATE"
    LOCATION = "LOCATION"
    DOCUMENT = "DOCUMENT"
    COBROWSESITE = "COBROWSESITE"


class ControlType(StrEnum):
    """`controlType`: fixed to CHAT for sendmessage."""

    CHAT = "CHAT"


class MediaFileType(StrEnum):
    """`mediaFileType` values of Table 3 (spelling as published, `RTF` in capitals)."""

    JPG = "jpg"
    PNG = "png"
    JPEG = "jpeg"
    MP3 = "mp3"
    AAC = "aac"
    M4A = "m4a"
    MP4 = "mp4"
    GIF = "gif"
    DOC = "doc"
    DOCX = "docx"
    PDF = "pdf"
    ZIP = "zip"
    RTF = "RTF"


class ContentType(StrEnum):
    """`contentType`: "1" a local file chosen by the agent, "0" (or absent) a media-library file."""

    LIBRARY = "0"
    LOCAL = "1"


def new_message_code() -> str:
    """A fresh messageCode (a UUID, the documented example)."""
    return str(uuid.uuid4())


def now_ms() -> str:
    """Now in epoch milliseconds, as a string (Table 3 says string)."""
    return str(time.time_ns() // 1_000_000)


@dataclass(frozen=True, slots=True)
class FieldUse:
    """How the kit offers a `data` field beyond its type and description (the kit's choices).

    Attach it with `Annotated[...]`; `sendmessage_kit.fields` reads it for `new_message`, the
    builder's form and the `send` CLI. A field without one is a plain text field.

    Attributes:
        start: the value a new message starts from when not given: text, or a function making
            it (a fresh UUID, now). None: the caller must give it (when required).
        copies: the wire name of the field whose value this one takes when not given.
        widget: "text" (one line) or "textarea"; enum fields are always a choice.
        flags: extra option strings of the `send` CLI besides the derived `--kebab-name`.
        renew: for a `start` function, the label of the builder's button that makes a fresh
            value; such fields are renewed after each send (a new message, not a resend).
    """

    start: str | Callable[[], str] | None = None
    copies: str | None = None
    widget: Literal["text", "textarea"] = "text"
    flags: tuple[str, ...] = ()
    renew: str = ""


class MessageData(BaseModel):
    """The JSON object carried, as a string, in the request's `data` field (Table 3).

    Fields are declared in the order the interface description's example writes them, so
    encoding that example gives back the very same bytes.

    Example:
        >>> MessageData(from_="channel-1", to="u1", channel="WEB", mediaType="TEXT",
        ...             messageCode="m-1", content="hi", senderNickname="Agent",
        ...             senderAvatar="DefaultAvatar", sendTime="1700000000000", userId="u1").channel
        <Channel.WEB: 'WEB'>
    """

    model_config = ConfigDict(
        populate_by_name=True, extra="allow", use_enum_values=False, validate_assignment=False
    )

    from_: Annotated[str, FieldUse(start=seed.CHANNEL_ID)] = Field(
        alias="from",
        description="Channel ID: the channel's Configuration ID in the tenant space (Table 3).",
    )
    to: str = Field(description="User number, generally the recipient ID (Table 3).")
    channel: Annotated[Channel, FieldUse(start=Channel.WEB.value)] = Field(
        description="Message channel (Table 3)."
    )
    controlType: ControlType = Field(
        default=ControlType.CHAT, description="Control type, fixed to CHAT (Table 3)."
    )
    mediaType: Annotated[MediaType, FieldUse(start=MediaType.TEXT.value)] = Field(
        description="Media type (Table 3)."
    )
    messageCode: Annotated[str, FieldUse(start=new_message_code, renew="new UUID")] = Field(
        description="Unique code of the message, for example a UUID (Table 3)."
    )
    mediaFileType: MediaFileType | None = Field(
        default=None, description="Media file type; allowed values depend on mediaType (Table 3)."
    )
    content: Annotated[str, FieldUse(widget="textarea", flags=("--text",))] = Field(
        description="Message content, or a format the channel can parse."
    )
    contentType: ContentType | None = Field(
        default=None, description='"1" local file; "0" or absent: media-library file (Table 3).'
    )
    senderNickname: Annotated[str, FieldUse(start="Agent")] = Field(
        description="Agent nickname (Table 3)."
    )
    senderAvatar: Annotated[str, FieldUse(start="DefaultAvatar")] = Field(
        description="Agent avatar (Table 3)."
    )
    sendTime: Annotated[str | int, FieldUse(start=now_ms, renew="now")] = Field(
        description="Sending timestamp, epoch milliseconds. The table says string; the seed's "
        "own example sends a number, so both are read and kept as given."
    )
    userId: Annotated[str, FieldUse(copies="to")] = Field(
        description="User ID; may equal `to` (Table 3)."
    )

    def to_wire(self) -> str:
        """The compact `data` string exactly as it goes on the wire (`encoding.encode_data`)."""
        from sendmessage_kit.encoding import encode_data

        return encode_data(self)


class SendMessageRequest(BaseModel):
    """The outer JSON body of `POST .../mediacall/{agentid}/sendmessage` (Table 2).

    `data` is a `MessageData` (public cloud) or a plain string (the text itself). Extra top-level
    fields, such as the seed example's `content`, are kept so they round-trip.
    """

    model_config = ConfigDict(extra="allow")

    callid: str = Field(description="Call ID of the multimedia call allocated to the agent.")
    userid: str | None = Field(default=None, description="User number (optional).")
    data: MessageData | str = Field(
        description="The message: a MessageData, encoded as a JSON string on the wire, or text."
    )


class SendMessageResponse(BaseModel):
    """The gateway's answer (Table 4): `retcode` "0" is success, anything else a failure."""

    model_config = ConfigDict(extra="allow")

    retcode: str = Field(description='"0" success; any other value a failure (see the catalog).')
    message: str = Field(default="", description="Description.")

    @property
    def ok(self) -> bool:
        """True when `retcode` is "0"."""
        return self.retcode == "0"


def new_message(*, to: str, content: str, **fields: Any) -> MessageData:
    """Create a valid `MessageData`: `to`, `content`, and every other field from its start value.

    Any other field is given by its Python-style name (`channel=`, `media_type=`, `from_=`,
    `sender_nickname=`, `message_code=`, `send_time=`, `user_id=`, `media_file_type=`,
    `content_type=`, ...) or its wire name; None means "not given". Not given, `messageCode` is a
    new UUID, `sendTime` now in epoch milliseconds (a string, as the table says), `controlType`
    CHAT, the channel WEB with TEXT, and `userId` is `to`. The start values are the `FieldUse`
    hints of `MessageData` (see `sendmessage_kit.fields`). The default `from` is the channel
    Configuration ID of the interface description's example: replace it with your own.

    Example:
        >>> m = new_message(to="u1", content="Hello")
        >>> m.userId == m.to and m.controlType == "CHAT"
        True
    """
    from sendmessage_kit.fields import start_values

    return MessageData.model_validate(start_values({"to": to, "content": content, **fields}))
