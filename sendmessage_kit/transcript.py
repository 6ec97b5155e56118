"""A demo's record: the conversation as one self-contained HTML file (`save_transcript`).

The file carries the channel's skin, each message's time and, folded under it, what went over
the wire: for an agent message the sendmessage exchange (the Guid masked), for a customer
message the event that reached the agent. Everything is inline (styles, no scripts, no links to
fetch), so it opens offline and makes no request.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sendmessage_kit.preview import Bubble, exchange_text
from sendmessage_kit.skins import channel_name, chat_style

__all__ = ["ENV_FOLDER", "Wire", "save_transcript", "transcript_html"]

#: The folder `sendmessage-kit demo` gives its presenter for transcripts.
ENV_FOLDER = "SENDMESSAGE_KIT_TRANSCRIPTS"

Wire = dict[str, str]  # messageCode (agent) or the customer's text -> what went over the wire


def transcript_html(
    bubbles: Sequence[Bubble], *, channel: str, name: str, user_id: str, wire: Wire
) -> str:
    """The conversation as a standalone HTML page in the channel's skin."""
    s = chat_style(channel)
    rows = []
    for b in bubbles:
        mine = b.who == "customer"
        when = datetime.fromtimestamp(b.at_ms / 1000, UTC) if b.at_ms else None
        stamp = when.strftime("%Y-%m-%d %H:%M:%S UTC") if when else ""
        cut = '<span class="cut" title="cut by the channel">…</span>' if b.truncated else ""
        over = wire.get(b.message_code) or wire.get(f"customer:{b.content}") or ""
        details = (
            f"<details><summary>over the wire</summary><pre>{html.escape(over)}</pre></details>"
            if over
            else ""
        )
        who = html.escape(name) if mine else "Agent"
        rows.append(
            f'<div class="row {"out" if mine else "in"}"><div class="bubble">'
            f'<div class="who">{who}</div><div class="text">{html.escape(b.content)}{cut}</div>'
            f'<div class="time">{stamp}</div>{details}</div></div>'
        )
    body = "".join(rows) or '<p class="none">No messages.</p>'
    title = f"{name} on {channel_name(channel)}"
    style = (
        f"body{{margin:0;font-family:{s['font']};background:{s['bg']}}}"
        f"header{{background:{s['bar']};color:{s['bar_text']};padding:12px 16px}}"
        "header small{opacity:.85}main{max-width:720px;margin:0 auto;padding:12px}"
        ".row{display:flex;margin:6px 0}.row.out{justify-content:flex-end}"
        f".bubble{{max-width:80%;padding:8px 12px;border-radius:{s['radius']};"
        "box-shadow:0 1px 1px rgba(0,0,0,.15);white-space:pre-wrap;word-break:break-word}"
        f".in .bubble{{background:{s['agent']};color:{s['agent_text']}}}"
        f".out .bubble{{background:{s['customer']};color:{s['customer_text']}}}"
        ".who{font-size:12px;font-weight:600;opacity:.8}.time{font-size:11px;opacity:.7}"
        "details{margin-top:4px;font-size:12px}pre{white-space:pre-wrap;word-break:break-all;"
        "background:rgba(0,0,0,.06);padding:6px;border-radius:4px;color:#111}"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>Transcript · {html.escape(title)}</title><style>{style}</style></head><body>"
        f"<header><b>{html.escape(title)}</b><br><small>customer ID {html.escape(user_id)} · "
        "sendmessage-kit demo transcript (local sandbox)</small></header>"
        f"<main>{body}</main></body></html>"
    )


def save_transcript(presenter: Any, folder: Path | None = None) -> Path:
    """Write the presenter's current conversation to `folder` (or the demo's); its path."""
    conv, panel = presenter.conversation, presenter.panel
    client = panel.client
    wire: Wire = {}
    for result in panel.results:
        if result.message_code:
            url = f"{client.base_url} … /mediacall/{client.agent_id}/sendmessage"
            wire[result.message_code] = exchange_text(result, url=url, guid=client.guid)
    for event in conv.events:
        content = event.get("content")
        if isinstance(content, dict) and content.get("caller") == conv.user_id:
            if "message" in content:
                wire[f"customer:{content['message']}"] = "agent event " + json.dumps(
                    event, ensure_ascii=False, indent=1
                )
    page = transcript_html(
        list(conv.messages),
        channel=conv.channel,
        name=conv.display_name or conv.user_id,
        user_id=conv.user_id,
        wire=wire,
    )
    target = Path(folder or os.environ.get(ENV_FOLDER) or "transcripts").expanduser()
    target.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = (target / f"transcript-{conv.channel.lower()}-{stamp}.html").resolve()
    path.write_text(page, encoding="utf-8")
    return path
