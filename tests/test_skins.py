"""The channel skins: one table for the widgets and the customer's chat page."""

from __future__ import annotations

import re

from sendmessage_kit.models import Channel
from sendmessage_kit.skins import CHAT_SKINS, FONT_FALLBACK, chat_style, skins_css
from sendmessage_kit.widgets._html import conversation_html


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_channel_has_a_skin_with_the_cjk_and_emoji_fallback() -> None:
    assert set(CHAT_SKINS) == {c.value for c in Channel}
    for skin in CHAT_SKINS.values():
        assert skin["font"].endswith(FONT_FALLBACK)
    assert "Noto Sans CJK SC" in FONT_FALLBACK and "Noto Color Emoji" in FONT_FALLBACK
    assert chat_style("NOPE")["name"] == "Chat"


def test_text_is_readable_on_every_skin() -> None:
    # WCAG AA for normal text (4.5:1) on the header, both bubbles and the Send button.
    for channel, s in CHAT_SKINS.items():
        for fg, bg in (
            ("bar_text", "bar"),
            ("agent_text", "agent"),
            ("customer_text", "customer"),
            ("accent_text", "accent"),
        ):
            expand = {
                k: v if len(v) == 7 else "#" + "".join(c * 2 for c in v[1:])
                for k, v in s.items()
                if k in (fg, bg)
            }
            assert _contrast(expand[fg], expand[bg]) >= 4.5, (channel, fg, bg)


def test_css_has_one_rule_per_channel_and_quotes_the_name() -> None:
    css = skins_css()
    for channel, skin in CHAT_SKINS.items():
        rule = re.search(rf'body\[data-channel="{re.escape(channel)}"\]\{{([^}}]*)\}}', css)
        assert rule is not None, channel
        assert f'--name:"{skin["name"]}";' in rule.group(1)
        assert f"--bar:{skin['bar']};" in rule.group(1)


def test_the_widget_conversation_uses_the_same_skin() -> None:
    html = conversation_html([], channel="WECHAT", title="t")
    assert CHAT_SKINS["WECHAT"]["bar"] in html
    assert "Noto Sans CJK SC" in html  # escaped into the style attribute, not breaking it
    # The font stack sits inside the chat's style attribute, its quotes escaped.
    style = re.search(r'class="smk-chat"[^>]*style="([^"]*)"', html)
    assert style is not None and "font-family:&quot;PingFang SC&quot;" in style.group(1)
