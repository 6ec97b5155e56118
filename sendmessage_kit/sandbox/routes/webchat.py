"""The customer's chat page (sandbox only): `GET /sandbox/webchat?user=<userId>&channel=<CHANNEL>`.

A small page of plain HTML, CSS and JavaScript shipped in `sandbox/static/` and served from the
sandbox (nothing from a CDN; its Content-Security-Policy allows this origin only). On load it
opens a chat as that customer, then shows what the agent sends: over the web channel's
`applyToken` + `poll` on WEB, over `GET /sandbox/users/{userId}/messages` on the other channels.
The customer's replies go to `POST /sandbox/chats/{callid}/messages`.

`POST /sandbox/webchat/links` gives the page's address for a customer (with a page token: in LAN
mode the page and its calls need it); `CustomerClient.page_url()` calls it.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from sendmessage_kit.models import Channel
from sendmessage_kit.sandbox.lan import PAGE, lan_url, page_address
from sendmessage_kit.sandbox.routes._shared import StateDep
from sendmessage_kit.sandbox.routes.customer import REFUSED
from sendmessage_kit.skins import skins_css

__all__ = ["router"]

TAG = "Customer chat page (sandbox only)"
# The page loads its own script and styles, talks to this origin only, and no page may frame it.
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_TYPES = {"webchat.js": "text/javascript", "webchat.css": "text/css"}

router = APIRouter(tags=[TAG])


@cache
def _static(name: str) -> bytes:
    return files("sendmessage_kit.sandbox").joinpath("static", name).read_bytes()


def _page_response(body: bytes, media_type: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Security-Policy": _CSP,
            "Referrer-Policy": "no-referrer",  # the address may carry a page token
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.get(
    PAGE,
    summary="The customer's chat page (HTML)",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
async def page(
    state: StateDep,
    channel: Annotated[Channel, Query(description="The chat's channel (its skin).")] = Channel.WEB,
    user: Annotated[str | None, Query(max_length=32, description="The customer's user ID.")] = None,
    token: Annotated[str | None, Query(description="Page token (LAN mode).")] = None,
) -> Response:
    # The customer's 1 KB, in the sandbox's KB reading (the same as its send limit).
    html = (
        _static("webchat.html")
        .replace(b'data-max-bytes=""', f'data-max-bytes="{state.config.bytes_per_kb}"'.encode())
        .replace(b'data-web-cut=""', f'data-web-cut="{state.config.web_poll_chars}"'.encode())
    )
    return _page_response(html, "text/html; charset=utf-8")


@router.get(f"{PAGE}/skins.css", summary="The page's channel skins", include_in_schema=False)
async def skins() -> Response:
    return _page_response(skins_css().encode(), "text/css; charset=utf-8")


@router.get(f"{PAGE}/{{name}}", summary="The page's script and styles", include_in_schema=False)
async def asset(name: str) -> Response:
    media_type = _TYPES.get(name)
    if media_type is None:
        raise HTTPException(404, f"no {name!r} here; the page's files are {sorted(_TYPES)}")
    return _page_response(_static(name), f"{media_type}; charset=utf-8")


class LinkRequest(BaseModel):
    """Which customer the page is for."""

    userId: str = Field(min_length=1, max_length=32)
    channel: Channel = Channel.WEB


class Link(BaseModel):
    """The page's address (open it on the customer's screen) and its token."""

    url: str
    token: str
    lan: bool = Field(description="True when the address is the sandbox's LAN address.")


@router.post(
    f"{PAGE}/links",
    summary="The chat page's address for a customer (control: loopback only in LAN mode)",
    response_model=Link,
    responses=REFUSED,
)
async def link(body: LinkRequest, request: Request, state: StateDep) -> Link:
    token = state.links.issue(body.userId, body.channel.value)
    # In LAN mode the address phones use: the LAN address, on the port this request came to.
    port = (request.scope.get("server") or ("", 0))[1]
    base = lan_url(state.config, port) or str(request.base_url)
    url = page_address(base, body.userId, body.channel.value, token)
    return Link(url=url, token=token, lan=state.config.lan)
