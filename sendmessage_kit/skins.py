"""How each channel's chat looks to the customer: one table for the widgets and the chat page.

Colours and bubble shapes only, in the spirit of each app, so a customer sees a familiar screen;
no logos or trademarked artwork. Every font stack ends in `FONT_FALLBACK`, so Chinese, Japanese,
Korean, Arabic, Devanagari, … and colour emoji render whatever the skin's first font is.
"""

from __future__ import annotations

import json

__all__ = [
    "CHANNEL_NAMES",
    "CHAT_SKINS",
    "FONT_FALLBACK",
    "MEDIA_NAMES",
    "channel_name",
    "chat_style",
    "media_name",
    "skins_css",
]

#: What an audience calls each channel (the wire value stays under the hood).
CHANNEL_NAMES = {
    "WEB": "Web chat",
    "WECHAT": "WeChat",
    "TWITTER": "X (Twitter)",
    "FACEBOOK": "Facebook Messenger",
    "5G": "5G messages (RCS)",
    "EMAIL": "Email",
    "VOICE": "Voice",
    "LINE": "LINE",
    "WHATSAPP": "WhatsApp",
    "SMS": "SMS",
    "INSTAGRAM": "Instagram",
    "TELEGRAM": "Telegram",
}
#: What an audience calls each media type.
MEDIA_NAMES = {
    "TEXT": "Text",
    "IMAGE": "Image",
    "AUDIO": "Voice note",
    "VIDEO": "Video",
    "LOCATE": "Location (coordinates)",
    "EMOTICONS": "Emoji",
    "CARD": "Card",
    "MULTICARD": "Carousel of cards",
    "EMAIL": "Email",
    "WHATSAPPTEMPLATE": "WhatsApp template",
    "RICHTEXT": "Rich text",
    "WEBCARD": "Web card",
    "SMSTEMPLATE": "SMS template",
    "LOCATION": "Location",
    "DOCUMENT": "Document",
    "COBROWSESITE": "Co-browsing link",
}


def channel_name(channel: str) -> str:
    """The channel as an audience says it ("WhatsApp"); the wire value when it has no name."""
    return CHANNEL_NAMES.get(channel, channel)


def media_name(media_type: str) -> str:
    """The media type as an audience says it ("Image")."""
    return MEDIA_NAMES.get(media_type, media_type)


FONT_FALLBACK = (
    'system-ui, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", "Hiragino Sans", '
    '"Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans Arabic", '
    '"Noto Sans Devanagari", "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji", sans-serif'
)


def _skin(
    name: str, bar: str, bg: str, customer: str, customer_text: str, **kw: str
) -> dict[str, str]:
    skin = {
        "name": name,
        "bar": bar,
        "bar_text": "#fff",
        "bg": bg,
        "agent": "#ffffff",
        "agent_text": "#111",
        "customer": customer,
        "customer_text": customer_text,
        "accent": bar,
        "accent_text": "#fff",
        "font": "",
        "radius": "12px",
    }
    skin.update(kw)
    skin["font"] = f"{skin['font']}, {FONT_FALLBACK}" if skin["font"] else FONT_FALLBACK
    return skin


# Per channel: display name, header, page background, bubbles, send button, font, corner radius.
CHAT_SKINS: dict[str, dict[str, str]] = {
    "WEB": _skin("Web chat", "#1565c0", "#f5f7fa", "#1565c0", "#fff"),
    "WHATSAPP": _skin(
        "WhatsApp",
        "#075e54",
        "#ece5dd",
        "#dcf8c6",
        "#111",
        accent="#00a884",
        accent_text="#111",
        radius="8px",
        font="Helvetica, Arial",
    ),
    "WECHAT": _skin(
        "WeChat",
        "#ededed",
        "#ededed",
        "#95ec69",
        "#111",
        bar_text="#111",
        accent="#07c160",
        accent_text="#111",
        radius="4px",
        font='"PingFang SC"',
    ),
    "TELEGRAM": _skin(
        "Telegram", "#2b7bb9", "#d6e4c9", "#effdde", "#111", radius="14px", font="Roboto"
    ),
    "SMS": _skin(
        "Messages",
        "#f6f6f6",
        "#ffffff",
        "#1e7e34",
        "#fff",
        bar_text="#111",
        agent="#e5e5ea",
        accent="#1e7e34",
        radius="18px",
        font="-apple-system",
    ),
    "5G": _skin(
        "Messages (RCS)",
        "#f6f6f6",
        "#ffffff",
        "#1a73e8",
        "#fff",
        bar_text="#111",
        agent="#e8eaed",
        accent="#1a73e8",
        radius="18px",
        font="Roboto",
    ),
    "EMAIL": _skin(
        "Mail", "#6d4c41", "#fafafa", "#fff8e1", "#111", radius="2px", font="Georgia, serif"
    ),
    "LINE": _skin(
        "LINE",
        "#273246",
        "#8cabd9",
        "#06c755",
        "#111",
        accent="#06c755",
        accent_text="#111",
        radius="16px",
    ),
    "FACEBOOK": _skin(
        "Messenger",
        "#ffffff",
        "#ffffff",
        "#0866ff",
        "#fff",
        bar_text="#111",
        agent="#f0f0f0",
        accent="#0866ff",
        radius="18px",
    ),
    "INSTAGRAM": _skin(
        "Direct",
        "#ffffff",
        "#ffffff",
        "#7b3fe4",
        "#fff",
        bar_text="#111",
        agent="#efefef",
        accent="#7b3fe4",
        radius="22px",
    ),
    "TWITTER": _skin(
        "Direct Messages",
        "#ffffff",
        "#ffffff",
        "#1570b8",
        "#fff",
        bar_text="#0f1419",
        agent="#eff3f4",
        accent="#1570b8",
        radius="20px",
    ),
    "VOICE": _skin("Voice transcript", "#37474f", "#eceff1", "#cfd8dc", "#111", radius="6px"),
}
_DEFAULT = _skin("Chat", "#546e7a", "#f5f5f5", "#cfd8dc", "#111", radius="10px")


def chat_style(channel: str) -> dict[str, str]:
    """The colours and shape of a channel's chat (a neutral style for an unknown channel)."""
    return CHAT_SKINS.get(channel, _DEFAULT)


def skins_css() -> str:
    """CSS custom properties for every skin, keyed on `<body data-channel="...">`."""
    rules = [_rule("body", _DEFAULT)]
    rules += [_rule(f'body[data-channel="{ch}"]', s) for ch, s in CHAT_SKINS.items()]
    return "\n".join(rules) + "\n"


def _rule(selector: str, skin: dict[str, str]) -> str:
    # The name is a CSS string, so `content: var(--name)` can show it.
    props = "".join(
        f"--{k.replace('_', '-')}:{json.dumps(v) if k == 'name' else v};" for k, v in skin.items()
    )
    return f"{selector}{{{props}}}"
