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
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Channel",
    "ContentType",
    "ControlType",
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


class MessageData(BaseModel):
    """The JSON object carried, as a string, in the request's `data` field (Table 3).

    Fields are declared in the order the interface description's example writes them, so
    encoding that example gives back the very same bytes.

    Example:
        >>> MessageData(from_="202301032048582419", to="u1", channel="WEB", mediaType="TEXT",
        ...             messageCode="m-1", content="hi", senderNickname="Agent",
        ...             senderAvatar="DefaultAvatar", sendTime="1678109503317", userId="u1").channel
        <Channel.WEB: 'WEB'>
    """

    model_config = ConfigDict(
        populate_by_name=True, extra="allow", use_enum_values=False, validate_assignment=False
    )

    from_: str = Field(
        alias="from",
        description="Channel ID: the channel's Configuration ID in the tenant space (Table 3).",
    )
    to: str = Field(description="User number, generally the recipient ID (Table 3).")
    channel: Channel = Field(description="Message channel (Table 3).")
    controlType: ControlType = Field(
        default=ControlType.CHAT, description="Control type, fixed to CHAT (Table 3)."
    )
    mediaType: MediaType = Field(description="Media type (Table 3).")
    messageCode: str = Field(
        description="Unique code of the message, for example a UUID (Table 3)."
    )
    mediaFileType: MediaFileType | None = Field(
        default=None, description="Media file type; allowed values depend on mediaType (Table 3)."
    )
    content: str = Field(description="Message content, or a format the channel can parse.")
    contentType: ContentType | None = Field(
        default=None, description='"1" local file; "0" or absent: media-library file (Table 3).'
    )
    senderNickname: str = Field(description="Agent nickname (Table 3).")
    senderAvatar: str = Field(description="Agent avatar (Table 3).")
    sendTime: str | int = Field(
        description="Sending timestamp, epoch milliseconds. The table says string; the seed's "
        "own example sends a number, so both are read and kept as given."
    )
    userId: str = Field(description="User ID; may equal `to` (Table 3).")

    def to_wire(self) -> str:
        """The compact `data` string exactly as it goes on the wire."""
        return self.model_dump_json(by_alias=True, exclude_none=True)


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


def new_message(
    *,
    to: str,
    content: str,
    channel: Channel | str = Channel.WEB,
    media_type: MediaType | str = MediaType.TEXT,
    from_: str = "202301032048582419",
    sender_nickname: str = "Agent",
    sender_avatar: str = "DefaultAvatar",
    user_id: str | None = None,
    message_code: str | None = None,
    send_time: str | int | None = None,
    media_file_type: MediaFileType | str | None = None,
    content_type: ContentType | str | None = None,
    **extra: Any,
) -> MessageData:
    """Create a valid `MessageData` with sensible defaults.

    `messageCode` is a new UUID, `sendTime` is now in epoch milliseconds (as a string, as the
    table says), `controlType` is CHAT and `userId` is `to` unless given. The default `from_` is the
    channel Configuration ID of the interface description's example: replace it with your own.

    Example:
        >>> m = new_message(to="1672709693442874044", content="Hello")
        >>> m.userId == m.to and m.controlType == "CHAT"
        True
    """
    return MessageData.model_validate(
        {
            "from": from_,
            "to": to,
            "channel": channel,
            "controlType": ControlType.CHAT,
            "mediaType": media_type,
            "messageCode": message_code or str(uuid.uuid4()),
            "mediaFileType": media_file_type,
            "content": content,
            "contentType": content_type,
            "senderNickname": sender_nickname,
            "senderAvatar": sender_avatar,
            "sendTime": send_time if send_time is not None else str(time.time_ns() // 1_000_000),
            "userId": user_id if user_id is not None else to,
            **extra,
        }
    )
