"""Which media types each channel accepts: the channel × media table, with a source per cell.

Every cell says how it is known (`basis`): "documented" (a public source says so: the user
manual's "Sending Multimedia Data" table, 2025 edition, and the interface description's own
ties, e.g. LOCATION is Telegram's), "assumed" (the kit's reading where the sources are silent,
e.g. SMSTEMPLATE belongs to SMS by its name) or "unpublished" (no public source either way).
`check()` decides from the cell alone: a documented "no" is an error, an assumed "no" and an
unpublished cell are warnings. 5G, EMAIL and VOICE are not in the manual's table, so every
media type on them is unpublished. A tenant can load its own table over the default.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sendmessage_kit.models import Channel, MediaFileType, MediaType

__all__ = [
    "DEFAULT_TABLE",
    "LOCATE_FORMAT_CHANNELS",
    "MEDIA_FILE_TYPES",
    "TIED_MEDIA",
    "Cell",
    "ChannelTable",
    "load_channel_table",
]

Status = Literal["yes", "no", "unpublished"]
Basis = Literal["documented", "assumed", "unpublished"]

MANUAL = "user manual, Sending Multimedia Data (2025): docs/facts.md#channel-matrix"
SEED = "sendmessage interface description, Table 3: docs/facts.md#interface"

C, M, F = Channel, MediaType, MediaFileType

#: mediaFileType values allowed per mediaType (Table 3); other media types take none.
MEDIA_FILE_TYPES: dict[MediaType, frozenset[MediaFileType]] = {
    M.IMAGE: frozenset({F.JPG, F.PNG, F.JPEG}),
    M.AUDIO: frozenset({F.MP3, F.AAC, F.M4A, F.MP4}),
    M.EMOTICONS: frozenset({F.GIF}),
    M.DOCUMENT: frozenset({F.DOC, F.DOCX, F.PDF, F.ZIP, F.RTF}),
}

#: Media types that belong to one channel: (channel, basis, source of the tie).
TIED_MEDIA: dict[MediaType, tuple[Channel, Basis, str]] = {
    M.WHATSAPPTEMPLATE: (C.WHATSAPP, "documented", f"{SEED} ('WhatsApp template'); {MANUAL}"),
    M.SMSTEMPLATE: (
        C.SMS,
        "assumed",
        f"assumed from its name in the {SEED} ('SMS template message'); the manual is silent",
    ),
    M.LOCATION: (C.TELEGRAM, "documented", f"{SEED} ('location (Telegram)')"),
    M.WEBCARD: (C.WEB, "documented", MANUAL),
    M.RICHTEXT: (C.WEB, "documented", MANUAL),
}

#: Channels whose public documents give LOCATE's `latitude/longitude/description` format (the
#: web channel's customer-side message formats); elsewhere the interface lets `content` be "a
#: message format that can be parsed by the third-party system".
LOCATE_FORMAT_CHANNELS: frozenset[Channel] = frozenset({C.WEB})

_MANUAL_CHANNELS = (
    C.WEB,
    C.WECHAT,
    C.TWITTER,
    C.FACEBOOK,
    C.LINE,
    C.WHATSAPP,
    C.SMS,
    C.INSTAGRAM,
    C.TELEGRAM,
)

# The manual's rows: media type -> {channel: formats (empty = any published format)}.
_MANUAL_ROWS: dict[MediaType, dict[Channel, tuple[str, ...]]] = {
    M.TEXT: {c: () for c in _MANUAL_CHANNELS},
    M.AUDIO: {
        C.WEB: ("mp3", "aac"),
        C.WECHAT: ("mp3",),
        C.FACEBOOK: ("mp3",),
        C.LINE: ("m4a",),
        C.WHATSAPP: ("aac",),
        C.INSTAGRAM: ("m4a",),
        C.TELEGRAM: ("mp3", "m4a"),
    },
    M.VIDEO: {c: () for c in _MANUAL_CHANNELS if c is not C.SMS},
    M.IMAGE: {c: () for c in _MANUAL_CHANNELS if c not in (C.SMS, C.INSTAGRAM)},
    M.LOCATE: {c: () for c in (C.WEB, C.LINE, C.WHATSAPP, C.INSTAGRAM, C.TELEGRAM)},
    M.EMOTICONS: {C.WEB: (), C.WECHAT: (), C.WHATSAPP: ()},
    M.WHATSAPPTEMPLATE: {C.WHATSAPP: ()},
    M.WEBCARD: {C.WEB: ()},
    M.RICHTEXT: {C.WEB: ()},
}

_NOTES: dict[tuple[Channel, MediaType], str] = {
    (C.WECHAT, M.EMOTICONS): "shown as a static image",
}


@dataclass(frozen=True, slots=True)
class Cell:
    """One channel × media type cell.

    Attributes:
        status: "yes" (accepted), "no" (not accepted) or "unpublished" (no public source says
            either way).
        source: where this comes from (a public source, "assumed: ..." or "none").
        formats: file formats documented for this cell (voice), empty when not restricted.
        note: a remark shown beside the cell.
        basis: "documented", "assumed" or "unpublished" (always "unpublished" for an
            unpublished status).
    """

    status: Status
    source: str
    formats: tuple[str, ...] = ()
    note: str = ""
    basis: Basis = "documented"

    def __post_init__(self) -> None:
        if self.basis not in ("documented", "assumed", "unpublished"):
            raise ValueError(
                f"basis must be documented, assumed or unpublished, got {self.basis!r}"
            )
        if (self.status == "unpublished") != (self.basis == "unpublished"):
            raise ValueError(
                f"a cell is unpublished in status and basis or in neither; got status "
                f"{self.status!r}, basis {self.basis!r}"
            )


def _default_cell(channel: Channel, media: MediaType) -> Cell:
    if channel not in _MANUAL_CHANNELS:
        return Cell(
            "unpublished",
            "none",
            note=f"{channel.value} is not in the manual's table",
            basis="unpublished",
        )
    tie = TIED_MEDIA.get(media)
    if tie is not None and tie[0] is not channel:
        return Cell("no", tie[2], note=f"{media.value} belongs to {tie[0].value}", basis=tie[1])
    row = _MANUAL_ROWS.get(media)
    if row is not None and channel in row:
        return Cell("yes", MANUAL, row[channel], _NOTES.get((channel, media), ""))
    if tie is not None:
        return Cell("yes", tie[2], basis=tie[1])
    if row is not None:
        return Cell(
            "no", MANUAL, note=f"the manual does not list {media.value} for {channel.value}"
        )
    return Cell(
        "unpublished",
        "none",
        note=f"{media.value} is not in the manual's table",
        basis="unpublished",
    )


@dataclass(frozen=True)
class ChannelTable:
    """The channel × media table; `cell(channel, media)` answers one question."""

    cells: Mapping[tuple[Channel, MediaType], Cell]
    name: str = "default (user manual + interface description)"
    overridden: frozenset[tuple[Channel, MediaType]] = field(default_factory=frozenset)

    def cell(self, channel: Channel, media: MediaType) -> Cell:
        """The cell for one channel and media type."""
        return self.cells[(channel, media)]

    def media_for(self, channel: Channel, *, include_unpublished: bool = True) -> list[MediaType]:
        """Media types a channel accepts ("yes"), plus "unpublished" ones unless excluded."""
        ok: tuple[Status, ...] = ("yes", "unpublished") if include_unpublished else ("yes",)
        return [m for m in MediaType if self.cells[(channel, m)].status in ok]


DEFAULT_TABLE = ChannelTable({(c, m): _default_cell(c, m) for c in Channel for m in MediaType})


def _parse_cell(value: Any, where: str) -> Cell:
    if isinstance(value, bool):  # YAML reads `yes`/`no` as booleans
        value = "yes" if value else "no"
    if isinstance(value, str):
        value = {"status": value}
    if not isinstance(value, Mapping) or value.get("status") not in ("yes", "no", "unpublished"):
        raise ValueError(
            f"{where}: expected yes, no, unpublished or {{status: ..., formats: [...]}}, "
            f"got {value!r}"
        )
    status = value["status"]
    basis = value.get("basis", "unpublished" if status == "unpublished" else "documented")
    formats = tuple(str(f) for f in value.get("formats", ()))
    try:
        return Cell(
            status,
            str(value.get("source", "tenant table")),
            formats,
            str(value.get("note", "")),
            basis,
        )
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def load_channel_table(path: str | Path, base: ChannelTable = DEFAULT_TABLE) -> ChannelTable:
    """Load a tenant's own channel × media table (JSON or YAML) over `base`.

    The file maps channels to media types to a status (`yes`, `no`, `unpublished`) or to
    `{status, formats, source, note, basis}` (basis: `documented`, the default for your own
    findings, or `assumed`; an assumed `no` is a warning, a documented one an error). Cells
    not in the file keep the base table's value.

    Example file (YAML)::

        WEB: {DOCUMENT: yes}
        EMAIL: {EMAIL: yes, TEXT: yes}

    Raises:
        ValueError: an unknown channel, media type or status; the message names it.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        raw = yaml.safe_load(text)
    else:
        raw = json.loads(text)
    if not isinstance(raw, Mapping):
        raise ValueError(f"{p}: expected a mapping of channel -> media type -> status")
    cells = dict(base.cells)
    overridden = set(base.overridden)
    for ch_name, row in raw.items():
        try:
            channel = Channel(str(ch_name))
        except ValueError:
            raise ValueError(f"{p}: unknown channel {ch_name!r}") from None
        if not isinstance(row, Mapping):
            raise ValueError(f"{p}: {ch_name}: expected a mapping of media type -> status")
        for media_name, value in row.items():
            try:
                media = MediaType(str(media_name))
            except ValueError:
                raise ValueError(f"{p}: {ch_name}.{media_name}: unknown media type") from None
            cell = _parse_cell(value, f"{p}: {ch_name}.{media_name}")
            if cell.source == "tenant table":
                cell = Cell(
                    cell.status, f"tenant table {p.name}", cell.formats, cell.note, cell.basis
                )
            cells[(channel, media)] = cell
            overridden.add((channel, media))
    return ChannelTable(cells, name=f"tenant table {p.name}", overridden=frozenset(overridden))
