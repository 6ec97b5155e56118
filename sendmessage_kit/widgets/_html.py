"""The HTML the widgets show: pure functions from the core's results to markup.

Everything a user typed is HTML-escaped here; nothing here decides a rule or encodes a payload.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from sendmessage_kit.channels import DEFAULT_TABLE, ChannelTable
from sendmessage_kit.constraints import Finding
from sendmessage_kit.models import Channel, MediaType
from sendmessage_kit.preview import ESCAPING_EXPLAINED, Meter, Preview

_COLOURS = {"ok": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
_SEVERITY = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


def meter_html(meter: Meter) -> str:
    """The size meter as an HTML bar plus the figures (data-level carries the colour level)."""
    width = min(meter.percent, 100.0)
    colour = _COLOURS[meter.level]
    return (
        f'<div class="smk-meter" data-level="{meter.level}">'
        f'<div style="background:#eee;height:10px;border-radius:5px;width:100%">'
        f'<div style="background:{colour};height:10px;border-radius:5px;width:{width}%"></div>'
        "</div>"
        f"<small>{meter.counted_bytes} / {meter.limit_bytes} bytes counted ({meter.percent}%, "
        f"MULTIMEDIA_SECMODE={meter.secmode}) · content {meter.chars} characters = "
        f"{meter.content_bytes} UTF-8 bytes · data {meter.data_bytes} bytes · escaped data "
        f"{meter.escaped_bytes} bytes</small></div>"
    )


def findings_html(findings: Sequence[Finding]) -> str:
    """Findings as an HTML table (severity, field, sentence, fix), or a green "no findings"."""
    if not findings:
        return '<div class="smk-findings" style="color:#2e7d32">No findings: ready to send.</div>'
    rows = []
    for f in findings:
        colour = _SEVERITY.get(f.severity, "#333")
        rows.append(
            f'<tr data-rule="{html.escape(f.rule_id)}"><td style="color:{colour}">'
            f"<b>{f.severity}</b></td><td><code>{html.escape(f.field)}</code></td>"
            f"<td>{html.escape(f.message)}</td><td>{html.escape(f.fix)}</td></tr>"
        )
    return (
        '<table class="smk-findings"><tr><th>severity</th><th>field</th><th>why</th>'
        f"<th>fix</th></tr>{''.join(rows)}</table>"
    )


def preview_html(p: Preview) -> tuple[str, str]:
    """(body HTML, escaped-data HTML) for the two preview panes."""
    warn = f'<div style="color:#c62828">{html.escape(p.error)}</div>' if p.error else ""
    body = f'{warn}<pre class="smk-body">{html.escape(p.body_pretty)}</pre>'
    escaped = (
        f'<pre class="smk-escaped" style="white-space:pre-wrap;word-break:break-all">'
        f"{html.escape(p.data_escaped)}</pre><small>{html.escape(ESCAPING_EXPLAINED)}</small>"
    )
    return body, escaped


def rows_html(header: Sequence[str], rows: Sequence[Mapping[str, Any] | Sequence[Any]]) -> str:
    """A plain HTML table of rows (dicts keyed by header, or sequences in header order)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = [row.get(h, "") for h in header] if isinstance(row, Mapping) else list(row)
        body.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def error_html(message: str) -> str:
    """A readable error line for a widget's status area."""
    return (
        f'<div class="smk-error" style="color:#c62828"><b>Error:</b> {html.escape(message)}</div>'
    )


def note_html(message: str, colour: str = "#555") -> str:
    """A small line of text (status, banner) for a widget."""
    return f'<div class="smk-note" style="color:{colour}">{html.escape(message)}</div>'


def code_html(code: str) -> str:
    """A block of code (a snippet, a raw exchange) as HTML."""
    return (
        '<pre class="smk-code" style="white-space:pre-wrap;word-break:break-all">'
        f"{html.escape(code)}</pre>"
    )


_MARK = {"yes": ("✓", "#e8f5e9"), "no": ("✗", "#ffebee"), "unpublished": ("?", "#fff8e1")}


def matrix_html(table: ChannelTable = DEFAULT_TABLE) -> str:
    """The channels × media types table: a mark per cell, its source and note on hover.

    ✓ documented as accepted, ✗ excluded by its source, ? no public source; a cell loaded from
    a tenant table is outlined.
    """
    head = "".join(f"<th>{html.escape(c.value)}</th>" for c in Channel)
    rows = []
    for m in MediaType:
        cells = []
        for c in Channel:
            cell = table.cell(c, m)
            mark, bg = _MARK[cell.status]
            extra = f" {', '.join(cell.formats)}" if cell.formats else ""
            title = f"{c.value} + {m.value}: {cell.status}; source: {cell.source}"
            title += f"; {cell.note}" if cell.note else ""
            outline = ";outline:2px solid #1565c0" if (c, m) in table.overridden else ""
            cells.append(
                f'<td data-cell="{c.value}/{m.value}" data-status="{cell.status}" '
                f'title="{html.escape(title)}" style="background:{bg}{outline};'
                f'text-align:center">{mark}<small>{html.escape(extra)}</small></td>'
            )
        rows.append(f"<tr><th>{m.value}</th>{''.join(cells)}</tr>")
    legend = (
        "<small>✓ documented · ✗ excluded by its source · ? unpublished (no public source; "
        "the kit warns) · outlined: from the tenant table. Hover a cell for its source.</small>"
    )
    name = html.escape(table.name)
    return (
        f'<div class="smk-matrix"><b>{name}</b><table><tr><th></th>{head}</tr>{"".join(rows)}'
        f"</table>{legend}</div>"
    )
