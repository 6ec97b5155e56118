"""The way back: a message as the customer's side holds it (`CustomerMessage`).

One typed model for what comes back from the customer's side: the sandbox's customer views answer
it, `sandbox.CustomerClient` returns it and the conversation bubbles read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from sendmessage_kit.models import MessageData

__all__ = ["CustomerMessage"]


class CustomerRecord(BaseModel):
    """What the customer's side records of a message beside its `data` fields.

    These are the sandbox store's columns (the chat, the order of arrival, who wrote it, when)
    and the columns it stores `data`'s routing fields in (`channel`, `mediaType`, `content`,
    `to`, `messageCode`): for a customer's own text there is no `data`.
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
    to: str = Field(description="The customer's user number.")
    timestamp: int = Field(description="When it arrived, epoch milliseconds.")
    truncated: bool = Field(
        default=False,
        description="True when the channel cut `content` (the web channel's customer poll "
        "delivers at most 500 characters); the view shows where with an ellipsis.",
    )
    time: str = Field(description="When it arrived, ISO 8601 in UTC.")

    if TYPE_CHECKING:  # the fields of `data` are added from MessageData below

        def __getattr__(self, name: str) -> Any: ...


def _or_none(annotation: Any) -> Any:
    """The model's type, or None for a message that did not carry the field."""
    return annotation | None


def _data_fields() -> dict[str, Any]:
    """Every field of `MessageData` the record does not hold, optional, typed as the model."""
    own = CustomerRecord.model_fields
    return {
        attr: (
            _or_none(info.annotation),
            Field(default=None, alias=info.alias, description=info.description),
        )
        for attr, info in MessageData.model_fields.items()
        if attr not in own
    }


_DOC = """One message on the way back: a message as the customer's side holds it.

The sandbox's customer views answer it, `sandbox.CustomerClient` returns it and the
conversation bubbles read it, with the wire names of `MessageData` (`from` spelt `from_` in
code). Its fields are `CustomerRecord`'s and every other field of `MessageData`, typed as the
model types it and None when a message did not carry it: a field added to the model is one here
with no edit (`message.priority`).
"""

if TYPE_CHECKING:
    CustomerMessage = CustomerRecord
else:
    CustomerMessage = create_model(
        "CustomerMessage",
        __base__=CustomerRecord,
        __module__=__name__,
        __doc__=_DOC,
        **_data_fields(),
    )
