"""Share a payload by link: the builder's "Share" and the Try-it lab's `shared.ipynb`.

The link opens the Try-it lab's `shared.ipynb` with the builder's form in the URL's fragment
(`#p=...`, base64url JSON of `Form.as_kwargs()`): a browser never sends a fragment to a server.
A `Form` holds the request's fields only — no Guid, no password — so a link cannot carry one.

In the lab, `receive()` reads the fragment from the page (a notebook's output runs in the page;
the kernel runs in a worker that cannot see it) and shows the builder with that form: the same
payload, preview and findings.
"""

from __future__ import annotations

import base64
import html
import json
import os
from typing import Any

import ipywidgets as w

from sendmessage_kit.preview import Form

__all__ = ["ShareBox", "form_from_fragment", "fragment", "receive", "share_url"]

#: The environment variable naming the Try-it lab's address (e.g. https://docs.example.com/try/).
TRY_URL_ENV = "SENDMESSAGE_KIT_TRY_URL"
NOTEBOOK = "shared.ipynb"


def fragment(form: Form) -> str:
    """The URL fragment (without `#`) that carries `form`."""
    raw = json.dumps(form.as_kwargs(), ensure_ascii=False, separators=(",", ":")).encode()
    return "p=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def form_from_fragment(text: str) -> Form:
    """The form a fragment (`#p=...` or `p=...`) carries; `ValueError` saying what is wrong."""
    value = text.lstrip("#")
    if not value.startswith("p="):
        raise ValueError("the link carries no payload (its fragment should start with #p=)")
    encoded = value[2:]
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        kwargs = json.loads(raw.decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"the link's payload is damaged ({exc}); copy the whole link") from exc
    if not isinstance(kwargs, dict):
        raise ValueError("the link's payload is not a form; copy the whole link")
    try:
        return Form(**kwargs)
    except TypeError as exc:
        raise ValueError(f"the link's payload does not fit this kit: {exc}") from exc


def share_url(form: Form, try_url: str | None = None) -> str:
    """The link to the Try-it builder with `form`; relative in the lab itself.

    `try_url`: the lab's address (default: `$SENDMESSAGE_KIT_TRY_URL`; in the lab, the lab).
    """
    from sendmessage_kit._browser import in_browser

    base = try_url if try_url is not None else os.environ.get(TRY_URL_ENV, "")
    if not base and not in_browser():
        raise ValueError(
            f"no Try-it address: set {TRY_URL_ENV} to your docs site's try/ address "
            "(e.g. https://docs.example.com/try/)"
        )
    # In the lab, notebooks open at try/notebooks/index.html: a link relative to that page.
    prefix = base.rstrip("/") + "/notebooks/" if base else ""
    return f"{prefix}index.html?path={NOTEBOOK}#{fragment(form)}"


class ShareBox:
    """The builder's "Share" button and the link it makes."""

    def __init__(self, builder: Any, try_url: str | None = None) -> None:
        self.builder = builder
        self.try_url = try_url
        self.url = ""
        self.button = w.Button(description="Share", icon="link", tooltip="a link to this payload")
        self.button.add_class("smk-share")
        self.link = w.HTML()
        self.button.on_click(self._on_click)
        self.widget = w.VBox([self.button, self.link])

    def _on_click(self, _: Any = None) -> None:
        try:
            self.url = share_url(self.builder.form, self.try_url)
        except ValueError as exc:
            self.link.value = f'<div class="smk-error">{html.escape(str(exc))}</div>'
            return
        href = html.escape(self.url, quote=True)
        self.link.value = (
            f'<div class="smk-share-link">Link (the payload is in the part after #, which no '
            f'server receives; no Guid or password is in it): <a href="{href}" target="_blank">'
            f"open</a><br><code style='word-break:break-all'>{html.escape(self.url)}</code></div>"
        )


_READ_FRAGMENT = """
let tries = 0;
const timer = setInterval(() => {
  const box = document.querySelector('.smk-fragment input');
  if (box || ++tries > 200) {
    clearInterval(timer);
    if (box) {
      box.value = window.location.hash;
      box.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }
}, 50);
"""


def receive() -> None:
    """In the Try-it lab: show the builder with the form of the page's link (`#p=...`).

    The page's script (run as the cell's output) copies the fragment into a hidden text box,
    whose change builds the builder; `receive.builder` is the builder shown.
    """
    from IPython.display import Javascript, display

    from sendmessage_kit.widgets.builder import PayloadBuilder

    box = w.Text(layout=w.Layout(display="none"))
    box.add_class("smk-fragment")
    out = w.VBox([box, w.HTML("Reading the link…")])

    def show(change: dict[str, Any]) -> None:
        try:
            builder = PayloadBuilder(form_from_fragment(change["new"]))
        except ValueError as exc:
            out.children = [box, w.HTML(f'<div class="smk-error">{html.escape(str(exc))}</div>')]
            return
        out.children = [box, builder.widget]
        receive.builder = builder  # type: ignore[attr-defined]

    box.observe(show, names="value")
    display(out)
    display(Javascript(_READ_FRAGMENT))
