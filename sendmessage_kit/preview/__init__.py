"""What the widgets show, as pure functions: preview, size meter, findings, choices, examples.

The widgets in `sendmessage_kit.widgets` are views: they read their controls into a `Form`, call
`preview(form)` and write what comes back into HTML controls. Everything here runs without a
kernel or a browser, so tests and benchmarks call it directly. (The HTML those controls show is
made in `sendmessage_kit.widgets._html`.) Three modules, by what they hold:

- `form`: the `Form`, `preview()`, the size meter and the findings table;
- `choices`: what each dropdown offers and the example values per media type;
- `sends`: the raw exchange, the history table, body diffs and the chat bubbles.

Example:
    >>> p = preview(Form(content="Hi"))
    >>> p.data_wire[:7], p.meter.level
    ('{"from"', 'ok')
"""

from __future__ import annotations

from sendmessage_kit.preview.choices import (
    EXAMPLE_TEXT,
    Choice,
    Template,
    channel_choices,
    excluded_media,
    file_type_choices,
    media_type_choices,
    new_message_code,
    now_ms,
    template_for,
)
from sendmessage_kit.preview.form import (
    AMBER_AT,
    ESCAPING_EXPLAINED,
    RED_AT,
    Form,
    Meter,
    Preview,
    preview,
    size_meter,
)
from sendmessage_kit.preview.sends import (
    Bubble,
    bubbles,
    diff_bodies,
    event_sentence,
    exchange_text,
    history_rows,
    mask_secret,
    readable_body,
)

__all__ = [
    "AMBER_AT",
    "ESCAPING_EXPLAINED",
    "EXAMPLE_TEXT",
    "RED_AT",
    "Bubble",
    "Choice",
    "Form",
    "Meter",
    "Preview",
    "Template",
    "bubbles",
    "channel_choices",
    "diff_bodies",
    "event_sentence",
    "exchange_text",
    "excluded_media",
    "file_type_choices",
    "history_rows",
    "mask_secret",
    "media_type_choices",
    "new_message_code",
    "now_ms",
    "preview",
    "readable_body",
    "size_meter",
    "template_for",
]
