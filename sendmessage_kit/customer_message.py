"""The way back: a message as the customer's side holds it (`CustomerMessage`).

One typed model for what comes back from the customer's side: the sandbox's customer views answer
it, `sandbox.CustomerClient` returns it and the conversation bubbles read it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CustomerMessage"]


class CustomerMessage(BaseModel):
    """One message on the way back: a message as the customer's side holds it.

    The sandbox's customer views answer it, `sandbox.CustomerClient` returns it and the
    conversation bubbles read it, with the wire names of `MessageData` (`from` spelt `from_` in
    code). Fields that a message did not carry are None. The fields of `data` declared here are
    the ones the kit reads; the sandbox's view carries every field of `MessageData`, and the
    others (`controlType`, `userId`, a field added to the model) are kept as extras
    (`message.model_extra`).
    """

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)

    seq: int = Field(description="Order of arrival at the customer's side (cursors count these).")
    messageCode: str = Field(description="The message's messageCode.")
    callid: str = Field(description="The chat's callid.")
    agentId: str = Field(description="The agent of the chat.")
    direction: Literal["agent", "customer"] = Field(
        default="agent", description='Who wrote it: "agent" (sendmessage) or "customer".'
    )
    channel: str = Field(description="Message channel (Table 3).")
    mediaType: str = Field(default="TEXT", description="Media type (Table 3).")
    content: str = Field(description="Message content.")
    from_: str | None = Field(default=None, alias="from", description="Channel ID (Table 3).")
    to: str = Field(description="The customer's user number.")
    senderNickname: str | None = Field(default=None, description="Agent nickname (Table 3).")
    senderAvatar: str | None = Field(default=None, description="Agent avatar (Table 3).")
    mediaFileType: str | None = Field(default=None, description="Media file type (Table 3).")
    contentType: str | None = Field(default=None, description="Content type (Table 3).")
    sendTime: str | int | None = Field(
        default=None, description="The sender's timestamp, as sent (epoch ms)."
    )
    timestamp: int = Field(description="When it arrived, epoch milliseconds.")
    truncated: bool = Field(
        default=False,
        description="True when the channel cut `content` (the web channel's customer poll "
        "delivers at most 500 characters); the view shows where with an ellipsis.",
    )
    time: str = Field(description="When it arrived, ISO 8601 in UTC.")
