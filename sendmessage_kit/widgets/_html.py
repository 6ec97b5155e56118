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
from sendmessage_kit.preview import ESCAPING_EXPLAINED, Bubble, Meter, Preview
from sendmessage_kit.skins import chat_style

#: ipywidgets gives HTML controls a 28 px line height (one-line controls); kit blocks set their own.
LH = "line-height:1.4"
#: Where the channel cut a message (the web channel's poll delivers 500 characters at most).
_CUT = '<span class="smk-cut" title="The channel delivered only the first part.">…</span>'

_COLOURS = {"ok": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
_SEVERITY = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}
_TABLE = f"width:100%;max-width:100%;table-layout:fixed;border-collapse:collapse;{LH}"
_CELL = ";white-space:normal;overflow-wrap:anywhere;vertical-align:top;padding:2px 6px"


def meter_html(meter: Meter) -> str:
    """The size meter as an HTML bar plus the figures (data-level carries the colour level)."""
    width = min(meter.percent, 100.0)
    b = meter.budget
    colour = _COLOURS[meter.level]
    return (
        f'<div class="smk-meter" data-level="{meter.level}" style="{LH}">'
        f'<div style="background:#eee;height:10px;border-radius:5px;width:100%">'
        f'<div style="background:{colour};height:10px;border-radius:5px;width:{width}%"></div>'
        "</div>"
        f"<small>{b.counted_bytes} / {b.limit_bytes} bytes counted ({meter.percent}%, "
        f"MULTIMEDIA_SECMODE={b.secmode}) · content {b.content_chars} characters = "
        f"{b.content_bytes} UTF-8 bytes · data {b.data_bytes} bytes · escaped data "
        f"{b.escaped_bytes} bytes</small></div>"
    )


def findings_html(findings: Sequence[Finding]) -> str:
    """Findings as an HTML table (severity, field, sentence, fix), or a green "no findings"."""
    if not findings:
        ok = "No findings: ready to send."
        return f'<div class="smk-findings" style="color:#2e7d32;{LH}">{ok}</div>'
    rows = []
    for f in findings:
        colour = _SEVERITY.get(f.severity, "#333")
        rows.append(
            f'<tr data-rule="{html.escape(f.rule_id)}"><td style="color:{colour}{_CELL}">'
            f'<b>{f.severity}</b></td><td style="{_CELL}"><code>{html.escape(f.field)}</code></td>'
            f'<td style="{_CELL}">{html.escape(f.message)}</td>'
            f'<td class="smk-fix" style="{_CELL}">{html.escape(f.fix)}</td></tr>'
        )
    # A fixed layout at the width it is given: long sentences wrap inside their column instead
    # of pushing the "fix" column out of view.
    return (
        f'<table class="smk-findings" style="{_TABLE}"><colgroup><col style="width:10%">'
        '<col style="width:18%"><col style="width:40%"><col style="width:32%"></colgroup>'
        "<tr><th>severity</th><th>field</th><th>why</th>"
        f"<th>fix</th></tr>{''.join(rows)}</table>"
    )


def preview_html(p: Preview) -> tuple[str, str]:
    """(body HTML, escaped-data HTML) for the two preview panes."""
    warn = f'<div style="color:#c62828">{html.escape(p.error)}</div>' if p.error else ""
    body = f'{warn}<pre class="smk-body" style="{LH}">{html.escape(p.body_pretty)}</pre>'
    escaped = (
        f'<pre class="smk-escaped" style="white-space:pre-wrap;word-break:break-all;{LH}">'
        f'{html.escape(p.data_escaped)}</pre><small style="{LH}">{html.escape(ESCAPING_EXPLAINED)}'
        "</small>"
    )
    return body, escaped


def rows_html(header: Sequence[str], rows: Sequence[Mapping[str, Any] | Sequence[Any]]) -> str:
    """A plain HTML table of rows (dicts keyed by header, or sequences in header order)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = [row.get(h, "") for h in header] if isinstance(row, Mapping) else list(row)
        tds = "".join(f'<td style="{_CELL[1:]}">{html.escape(str(c))}</td>' for c in cells)
        body.append(f"<tr>{tds}</tr>")
    return f'<table style="border-collapse:collapse;{LH}"><tr>{head}</tr>{"".join(body)}</table>'


def error_html(message: str) -> str:
    """A readable error line for a widget's status area."""
    return (
        f'<div class="smk-error" style="color:#c62828;{LH}"><b>Error:</b> {html.escape(message)}'
        "</div>"
    )


def note_html(message: str, colour: str = "#555") -> str:
    """A small line of text (status, banner) for a widget."""
    return f'<div class="smk-note" style="color:{colour};{LH}">{html.escape(message)}</div>'


def code_html(code: str) -> str:
    """A block of code (a snippet, a raw exchange) as HTML."""
    return (
        f'<pre class="smk-code" style="white-space:pre-wrap;word-break:break-all;{LH}">'
        f"{html.escape(code)}</pre>"
    )


_MARK = {"yes": ("✓", "#e8f5e9"), "no": ("✗", "#ffebee"), "unpublished": ("?", "#fff8e1")}


def matrix_html(table: ChannelTable = DEFAULT_TABLE) -> str:
    """The channels × media types table: a mark per cell, its source and note on hover.

    ✓ accepted, ✗ not accepted, ? no public source; a mark with * is the kit's assumption, not
    a source's word; a cell loaded from a tenant table is outlined.
    """
    head = "".join(f"<th>{html.escape(c.value)}</th>" for c in Channel)
    rows = []
    for m in MediaType:
        cells = []
        for c in Channel:
            cell = table.cell(c, m)
            mark, bg = _MARK[cell.status]
            mark += "*" if cell.basis == "assumed" else ""
            extra = f" {', '.join(cell.formats)}" if cell.formats else ""
            title = f"{c.value} + {m.value}: {cell.status} ({cell.basis}); source: {cell.source}"
            title += f"; {cell.note}" if cell.note else ""
            outline = ";outline:2px solid #1565c0" if (c, m) in table.overridden else ""
            cells.append(
                f'<td data-cell="{c.value}/{m.value}" data-status="{cell.status}" '
                f'title="{html.escape(title)}" style="background:{bg}{outline};'
                f'text-align:center">{mark}<small>{html.escape(extra)}</small></td>'
            )
        rows.append(f"<tr><th>{m.value}</th>{''.join(cells)}</tr>")
    legend = (
        "<small>✓ documented · ✗ excluded by its source (an error) · * assumed by the kit, not "
        "published (a warning) · ? unpublished (no public source; the kit warns) · outlined: "
        "from the tenant table. Hover a cell for its source.</small>"
    )
    name = html.escape(table.name)
    return (
        f'<div class="smk-matrix" style="{LH}"><b>{name}</b><table><tr><th></th>{head}</tr>'
        f"{''.join(rows)}</table>{legend}</div>"
    )


def result_html(
    *, ok: bool, retcode: str | None, explanation: str, elapsed: float, attempts: int
) -> str:
    """The outcome of a send: retcode, its explanation, time taken and attempts."""
    colour = "#2e7d32" if ok else "#c62828"
    code = retcode if retcode is not None else "no answer"
    return (
        f'<div class="smk-result" data-retcode="{html.escape(code)}" style="color:{colour};{LH}">'
        f"<b>retcode {html.escape(code)}</b> · {elapsed * 1000:.0f} ms · {attempts} attempt(s)"
        f"<br>{html.escape(explanation)}</div>"
    )


def _bubble(b: Bubble, style: dict[str, str], channel: str) -> str:
    mine = b.who == "customer"  # the customer's view: their messages on the right
    bg = style["customer"] if mine else style["agent"]
    colour = style["customer_text"] if mine else style["agent_text"]
    side = "flex-end" if mine else "flex-start"
    media = "" if b.media_type == "TEXT" else f"<small>[{html.escape(b.media_type)}]</small> "
    sender = "" if mine or not b.sender else f"<small><b>{html.escape(b.sender)}</b></small><br>"
    if channel == "EMAIL":
        subject = "<small>Re: your conversation</small><br>" if not mine else ""
        sender += subject
    return (
        f'<div style="display:flex;justify-content:{side};margin:4px 0">'
        f'<div class="smk-bubble smk-{b.who}" data-code="{html.escape(b.message_code)}" '
        f'style="background:{bg};color:{colour};border-radius:{style["radius"]};'
        f"padding:6px 10px;max-width:75%;box-shadow:0 1px 1px rgba(0,0,0,.15);"
        f'white-space:pre-wrap;word-break:break-word">{sender}{media}{html.escape(b.content)}'
        f"{_CUT if b.truncated else ''}</div></div>"
    )


def conversation_html(
    items: Sequence[Bubble], *, channel: str, title: str, height: int = 360
) -> str:
    """The customer's side of a chat, as bubbles in the channel's style.

    The chat keeps a fixed height and shows the newest message: its scroll box stacks from the
    bottom (`column-reverse`), so a redraw lands at the newest without any script.
    """
    style = chat_style(channel)
    body = "".join(_bubble(b, style, channel) for b in items) or (
        '<div style="color:#888;text-align:center">No messages yet.</div>'
    )
    return (
        f'<div class="smk-chat" data-channel="{html.escape(channel)}" style="{LH};font-family:'
        f"{html.escape(style['font'])};border:1px solid #ccc;border-radius:8px;overflow:hidden;"
        'width:360px">'
        f'<div class="smk-chat-title" style="background:{style["bar"]};color:{style["bar_text"]};'
        f'padding:6px 10px"><b>{html.escape(title)}</b> · {html.escape(style["name"])}</div>'
        f'<div class="smk-chat-log" style="background:{style["bg"]};padding:8px;'
        f"height:{height}px;box-sizing:border-box;overflow-y:auto;display:flex;"
        f'flex-direction:column-reverse"><div>{body}</div></div></div>'
    )


def events_html(sentences: Sequence[str], title: str = "What reaches the agent") -> str:
    """The agent's side of this chat: its events as sentences (newest last)."""
    if not sentences:
        none = f"{html.escape(title)}: nothing yet."
        return f'<div class="smk-events" style="color:#888;{LH}">{none}</div>'
    rows = "".join(f'<li class="smk-event">{html.escape(t)}</li>' for t in sentences)
    return (
        f'<div class="smk-events" style="{LH}"><b>{html.escape(title)}</b>'
        f'<ul style="margin:4px 0;padding-left:18px">{rows}</ul></div>'
    )


def refused_sentence_html(message: str, findings: Sequence[Finding] = ()) -> str:
    """A refused send for an audience: one plain sentence with the fix (the table goes elsewhere).

    The first error finding says it (its message and fix); without findings, the message.
    """
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        first = errors[0]
        # The first sentence of what is wrong and the first clause of the fix; the rest (and
        # every other finding) is in the findings table under the hood.
        said = first.message.split(". ")[0].rstrip(".")
        fix = first.fix.split("; ")[0].rstrip(".")
        sentence = f"{said}. {fix}."
        more = len(errors) - 1
        if more:
            sentence += f" ({more} more under the hood.)"
    else:
        sentence = message[:1].upper() + message[1:]
    words = html.escape(sentence.replace("`", ""))
    return (
        f'<div class="smk-result smk-refused" data-retcode="not sent" style="color:#7a4b00;'
        f'background:#fff4e0;border-left:4px solid #e08a00;padding:6px 10px;{LH}">'
        f"<b>Not sent.</b> {words}</div>"
    )


def refused_html(message: str, findings: Sequence[Finding] = ()) -> str:
    """A send stopped before it left: why, and the findings (it takes the result's place)."""
    return (
        f'<div class="smk-result smk-refused" data-retcode="not sent" style="color:#c62828;{LH}">'
        f"<b>Not sent</b> · {html.escape(message)}</div>"
        + (findings_html(findings) if findings else "")
    )
