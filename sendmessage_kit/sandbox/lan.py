"""LAN mode: the sandbox on the room's network, so the customer's chat page opens on a phone.

In LAN mode (`SandboxConfig(lan=True)`, `sendmessage-kit sandbox --lan`) the sandbox listens on
the machine's LAN address as well as on 127.0.0.1, and `LanGuard` applies these rules to every
request that does not come from loopback (docs/sandbox.md, "LAN mode", has the threat model):

- the CC-Gateway interfaces answer as usual: the agent's password is random, shown only in the
  terminal that started the sandbox;
- the customer page, its customer-side and web-channel calls need a page token (`?token=` on the
  page, the `X-Webchat-Token` header on the calls) issued for one user ID and one channel, and
  act only for that user on that channel;
- everything else (health, faults, issuing page links, the API docs) answers 403.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import secrets
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from sendmessage_kit.sandbox.asgi import answer, replay
from sendmessage_kit.sandbox.config import SandboxConfig
from sendmessage_kit.sandbox.store import Store

__all__ = [
    "TOKEN_HEADER",
    "LanGuard",
    "PageLink",
    "PageLinks",
    "is_loopback",
    "lan_address",
    "lan_url",
    "new_agent_password",
    "page_address",
    "prepare",
    "qr_svg",
    "qr_text",
]

TOKEN_HEADER = "x-webchat-token"
PAGE = "/sandbox/webchat"
_MAX_BODY = 64 * 1024  # the customer calls' bodies are small; a bigger one is refused unread
_ASSETS = frozenset(
    {"/sandbox/webchat/webchat.js", "/sandbox/webchat/webchat.css", "/sandbox/webchat/skins.css"}
)
_CHAT_MESSAGES = re.compile(r"^/sandbox/chats/([^/]+)/messages$")
_USER_MESSAGES = re.compile(r"^/sandbox/users/([\s\S]+)/messages\Z")  # an ID may hold "/"
_WEB_CALLS = frozenset({"/apiaccess/ccmessaging/applyToken", "/apiaccess/ccmessaging/poll"})
_CHAT_STREAM = re.compile(r"^/sandbox/chats/([^/]+)/stream$")  # EventSource: token in the query


def lan_address() -> str:
    """The machine's address on its LAN: the source address of its default route.

    Raises:
        OSError: the machine has no network besides loopback (pass the address as `host`).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))  # UDP connect sends nothing; it picks a route
            address = str(probe.getsockname()[0])
        except OSError:
            address = ""
    if not address or ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":
        raise OSError(
            "LAN mode: this machine has no network address besides loopback; connect it to the "
            "room's network, or give the address to bind with --host"
        )
    return address


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8 and ::1 (and IPv4-mapped loopback); False for anything else."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def new_agent_password() -> str:
    """A random agent password for LAN mode (16 URL-safe characters, ~96 bits)."""
    return secrets.token_urlsafe(12)


def prepare(config: SandboxConfig) -> SandboxConfig:
    """The config a LAN-mode sandbox runs with: its LAN address and a random agent password.

    Unchanged outside LAN mode. A `host` other than loopback is kept (the address to use); an
    agents list (`--agents`) is kept, with its own passwords.
    """
    if not config.lan:
        return config
    host = lan_address() if is_loopback(config.host) or config.host == "localhost" else config.host
    agents = config.agents
    if agents is None:
        agents = {config.demo_agent_id: new_agent_password()}
    return dataclasses.replace(config, host=host, agents=agents)


def lan_url(config: SandboxConfig, port: int) -> str | None:
    """The sandbox's address on the LAN (None outside LAN mode)."""
    if not config.lan:
        return None
    host = f"[{config.host}]" if ":" in config.host else config.host
    return f"{'http' if config.http else 'https'}://{host}:{port}"


def page_address(base_url: str, user_id: str, channel: str, token: str) -> str:
    """The customer's chat page for a user ID and channel, with its page token."""
    query = urlencode({"user": user_id, "channel": channel, "token": token})
    return f"{base_url.rstrip('/')}{PAGE}?{query}"


def qr_text(url: str) -> str:
    """A QR code of `url` drawn with block characters, for a terminal (dark text on light)."""
    import io

    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()


def qr_svg(url: str, *, scale: int = 4) -> str:
    """A QR code of `url` as inline SVG (for a page or a notebook)."""
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=scale, title=url))


@dataclass(frozen=True)
class PageLink:
    """What a page token allows: one customer (user ID) on one channel."""

    user_id: str
    channel: str


class PageLinks:
    """The page tokens a sandbox issued (in memory: a restart invalidates them)."""

    def __init__(self) -> None:
        self._links: dict[str, PageLink] = {}

    def issue(self, user_id: str, channel: str) -> str:
        """A new token for this user ID and channel."""
        token = secrets.token_urlsafe(16)
        self._links[token] = PageLink(user_id, channel)
        return token

    def get(self, token: str | None) -> PageLink | None:
        """The link a token was issued for, or None."""
        return self._links.get(token) if token else None


class LanGuard:
    """ASGI wrapper enforcing LAN mode's rules on requests from other machines."""

    def __init__(self, inner: ASGIApp, store: Store, links: PageLinks) -> None:
        self._inner = inner
        self._store = store
        self._links = links

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass loopback and allowed requests through; answer 403 to the others."""
        if scope["type"] != "http":
            await self._inner(scope, receive, send)
            return
        client = scope.get("client")
        if is_loopback(client[0] if client else None):
            await self._inner(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if path.startswith("/agentgateway/") or (method == "GET" and path in _ASSETS):
            await self._inner(scope, receive, send)
            return
        body = b""
        if method == "POST":
            read = await _read_body(receive)
            if read is None:
                await _refuse(send, 413, "LAN mode: a customer call's body is at most 64 KB")
                return
            body = read
            receive = replay(body, receive)
        why = self._refusal(scope, method, path, body)
        if why:
            await _refuse(send, 403, why)
            return
        await self._inner(scope, receive, send)

    def _refusal(self, scope: Scope, method: str, path: str, body: bytes) -> str:
        """Why this request from another machine is refused ("" when it is allowed)."""
        parsed = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if any(len(v) > 1 for v in parsed.values()):  # the guard would read one, the route another
            return "LAN mode: a query parameter is given twice; give each once"
        query = {k: v[0] for k, v in parsed.items()}
        if method == "GET" and path == PAGE:
            link = self._links.get(query.get("token"))
            wanted = PageLink(query.get("user", ""), (query.get("channel") or "WEB").upper())
            if link is None or link != wanted:
                return (
                    "LAN mode: this chat page needs the token issued for its user and channel; "
                    "open the link the sandbox printed (or the presenter shows)"
                )
            return ""
        customer_call = (
            (method == "POST" and path in ("/sandbox/chats", "/apiaccess/ccmessaging/applyToken"))
            or (method == "POST" and _CHAT_MESSAGES.match(path))
            or (method == "GET" and _USER_MESSAGES.match(path))
            or (method == "GET" and path == "/apiaccess/ccmessaging/poll")
            or (method == "GET" and _CHAT_STREAM.match(path))
        )
        if not customer_call:
            return f"LAN mode: {path} answers only on this machine (loopback)"
        headers = dict(scope.get("headers") or [])
        token = headers.get(TOKEN_HEADER.encode(), b"").decode("latin-1")
        if not token and method == "GET" and _CHAT_STREAM.match(path):
            token = query.get("token", "")  # a browser's EventSource sends no headers of its own
        link = self._links.get(token)
        if link is None:
            return f"LAN mode: a customer call needs the page's token in the {TOKEN_HEADER} header"
        if _acts_for(link, self._store, method, path, query, body):
            return ""
        return f"LAN mode: this page's token is for user {link.user_id} on {link.channel} only"


def _acts_for(
    link: PageLink, store: Store, method: str, path: str, query: dict[str, str], body: bytes
) -> bool:
    """True when the call acts only for the link's user and channel.

    Every read is filtered by the channel on the server: the customer side's read must ask for
    the link's channel (`?channel=`), and the web channel's calls serve a WEB link only.
    """
    if path in _WEB_CALLS and link.channel != "WEB":
        return False
    found = _CHAT_MESSAGES.match(path) or _CHAT_STREAM.match(path)
    if method == "GET" and found:
        chat = store.chat(found.group(1))
        return chat is not None and (chat.user_id, chat.channel) == (link.user_id, link.channel)
    if method == "GET":
        found = _USER_MESSAGES.match(path)
        if found:
            return found.group(1) == link.user_id and query.get("channel") == link.channel
        return query.get("receiverId") == link.user_id
    found = _CHAT_MESSAGES.match(path)
    if found:
        chat = store.chat(found.group(1))
        return chat is not None and (chat.user_id, chat.channel) == (link.user_id, link.channel)
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
        return False
    if not isinstance(data, dict) or data.get("userId") != link.user_id:
        return False
    return path != "/sandbox/chats" or data.get("channel", "WEB") == link.channel


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > _MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _refuse(send: Send, status: int, detail: str) -> None:
    await answer(send, status, b"application/json", json.dumps({"detail": detail}).encode())
