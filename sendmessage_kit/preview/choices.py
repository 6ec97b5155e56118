"""What the builder offers: the choices of each dropdown and the example values per media type.

Choices come from the channel table (`sendmessage_kit.channels`), so a tenant's own table changes
what is offered; templates are examples to replace, never vendor data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sendmessage_kit.channels import DEFAULT_TABLE, MEDIA_FILE_TYPES, ChannelTable
from sendmessage_kit.models import Channel, MediaFileType, MediaType, new_message_code, now_ms
from sendmessage_kit.skins import channel_name, media_name

__all__ = [
    "EXAMPLE_TEXT",
    "Choice",
    "Template",
    "channel_choices",
    "excluded_media",
    "file_type_choices",
    "media_type_choices",
    "new_message_code",
    "now_ms",
    "template_for",
]

Choice = tuple[str, str]

#: The example text a new form and the TEXT template start from.
EXAMPLE_TEXT = "Hello! This is an example message from the agent."


def channel_choices(table: ChannelTable = DEFAULT_TABLE, *, plain: bool = False) -> list[Choice]:
    """(label, value) for every channel; channels absent from the published table say so.

    `plain`: the names an audience reads ("WhatsApp"), without the caveats.
    """
    if plain:
        return [(channel_name(ch.value), ch.value) for ch in Channel]
    out = []
    for ch in Channel:
        published = any(table.cell(ch, m).status == "yes" for m in MediaType)
        out.append((ch.value if published else f"{ch.value} (not in the published table)", ch))
    return [(label, str(value.value)) for label, value in out]


def media_type_choices(
    channel: str, table: ChannelTable = DEFAULT_TABLE, *, plain: bool = False
) -> list[Choice]:
    """(label, value) of the media types a channel may take; forbidden ones are not offered.

    Documented cells show the bare name; cells no public source covers are marked
    "(unpublished)", cells the kit only assumes are not accepted "(assumed not accepted)".
    See `excluded_media` for what is left out and why. `plain`: the names an audience reads.
    """
    ch = Channel(channel)
    out: list[Choice] = []
    for m in MediaType:
        cell = table.cell(ch, m)
        if cell.status == "yes":
            out.append((m.value, m.value))
        elif cell.status == "unpublished":
            out.append((f"{m.value} (unpublished)", m.value))
        elif cell.basis == "assumed":  # the kit's guess, not a source's: offered, marked
            out.append((f"{m.value} (assumed not accepted)", m.value))
    if plain:
        return [(media_name(v), v) for _, v in out]
    return out


def excluded_media(channel: str, table: ChannelTable = DEFAULT_TABLE) -> list[tuple[str, str]]:
    """(media type, why) for the media types a channel does not take, per the table."""
    ch = Channel(channel)
    out = []
    for m in MediaType:
        cell = table.cell(ch, m)
        if cell.status == "no" and cell.basis == "documented":
            out.append((m.value, f"{cell.note or 'excluded'} (source: {cell.source})"))
    return out


def file_type_choices(
    media_type: str, channel: str | None = None, table: ChannelTable = DEFAULT_TABLE
) -> list[Choice]:
    """(label, value) of the `mediaFileType` values a media type allows ("(none)" for none).

    For voice, formats the channel is not documented to play are marked with the ones it plays.
    """
    allowed = MEDIA_FILE_TYPES.get(MediaType(media_type))
    if not allowed:
        return [("(none)", "")]
    formats: tuple[str, ...] = ()
    if channel is not None:
        formats = table.cell(Channel(channel), MediaType(media_type)).formats
    out = []
    for f in MediaFileType:  # Table 3's order
        if f in allowed:
            label = f.value
            if formats and f.value.lower() not in formats:
                label = f"{f.value} ({channel} plays {', '.join(formats)})"
            out.append((label, f.value))
    return out


# --- example templates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """Example starting values for a channel and media type. Examples, not vendor data."""

    content: str
    media_file_type: str = ""
    content_type: str = ""
    note: str = ""

    @property
    def label(self) -> str:
        """The banner shown above the form: the values are an example to replace."""
        return (
            f"Example values: {self.note} Replace them with yours."
            if self.note
            else ("Example values. Replace them with yours.")
        )


_MEDIA_ID = "Media-library file ID (example); contentType 1 for an uploaded file's key."
_TEMPLATES: dict[MediaType, Template] = {
    MediaType.TEXT: Template(EXAMPLE_TEXT, note="plain text."),
    MediaType.IMAGE: Template("1234567890abcdef-image", "jpg", "0", _MEDIA_ID),
    MediaType.AUDIO: Template("1234567890abcdef-audio", "mp3", "0", _MEDIA_ID),
    MediaType.VIDEO: Template("1234567890abcdef-video", "", "0", _MEDIA_ID),
    MediaType.EMOTICONS: Template("1234567890abcdef-gif", "gif", "0", _MEDIA_ID),
    MediaType.DOCUMENT: Template("1234567890abcdef-doc", "pdf", "0", _MEDIA_ID),
    MediaType.LOCATE: Template(
        "22.54/114.06/Huawei Base, Shenzhen", note="latitude/longitude/description."
    ),
    MediaType.LOCATION: Template(
        "22.54/114.06/Huawei Base, Shenzhen", note="format unpublished; LOCATE's is assumed."
    ),
    MediaType.WEBCARD: Template(
        '{"title": "Your order", "description": "Shipped today", "mediaType": "IMAGE"}',
        note="a JSON object as a string, starting with title and description.",
    ),
    MediaType.WHATSAPPTEMPLATE: Template(
        '{"templateName": "order_update", "language": "en", "templateData": ["42"]}',
        note="format unpublished; the template must exist at the provider (assumed shape).",
    ),
    MediaType.SMSTEMPLATE: Template(
        '{"templateId": "example-template", "params": ["42"]}', note="format unpublished."
    ),
    MediaType.EMAIL: Template("<p>Hello,</p><p>your order has shipped.</p>", note="unpublished."),
    MediaType.RICHTEXT: Template("<p><b>Hello</b> from the agent</p>", note="unpublished."),
}


def template_for(channel: str, media_type: str) -> Template:
    """The example values for a channel and media type (content, file type, note)."""
    tpl = _TEMPLATES.get(MediaType(media_type))
    if tpl is None:
        return Template("Example content", note=f"{media_type}'s content format is unpublished.")
    if channel == "WEB" and media_type == "TEXT":
        return replace(tpl, content=f"<p>{EXAMPLE_TEXT}</p>")
    return tpl
