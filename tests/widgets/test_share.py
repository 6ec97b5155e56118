"""Share a payload by link: the fragment carries the form, and only the form."""

from __future__ import annotations

import pytest

from sendmessage_kit.preview import Form
from sendmessage_kit.widgets import PayloadBuilder
from sendmessage_kit.widgets.share import TRY_URL_ENV, form_from_fragment, fragment, share_url


def test_a_fragment_gives_back_the_same_form() -> None:
    form = Form(content='你好 | "quoted" \\ #hash', channel="WHATSAPP", agent_id="101")
    assert form_from_fragment("#" + fragment(form)) == form


def test_the_link_carries_no_guid_or_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TRY_URL_ENV, "https://docs.example.com/try/")
    builder = PayloadBuilder()
    builder.share.button.click()
    url = builder.share.url
    assert url.startswith("https://docs.example.com/try/notebooks/index.html?path=shared.ipynb#p=")
    carried = form_from_fragment(url.split("#", 1)[1]).as_kwargs()
    assert not {k for k in carried if "guid" in k.lower() or "password" in k.lower()}
    assert carried == builder.form.as_kwargs()


def test_without_a_try_address_the_button_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(TRY_URL_ENV, raising=False)
    builder = PayloadBuilder()
    builder.share.button.click()
    assert builder.share.url == ""
    assert TRY_URL_ENV in builder.share.link.value and "smk-error" in builder.share.link.value


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "fragment should start with #p="),
        ("#p=%%%", "damaged"),
        ("#p=WzEsMl0", "not a form"),
        ("#p=eyJub3BlIjogMX0", "does not fit this kit"),
    ],
)
def test_a_bad_link_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        form_from_fragment(text)


def test_in_the_lab_the_link_is_relative(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.delenv(TRY_URL_ENV, raising=False)
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert share_url(Form()).startswith("index.html?path=shared.ipynb#p=")
