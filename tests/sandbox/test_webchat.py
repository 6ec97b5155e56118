"""The customer's chat page: served by the sandbox, its own files only, links, and the reads it
relies on (a chat's starting cursor, a web token that starts at the newest message)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx2

from sendmessage_kit.models import Channel
from sendmessage_kit.sandbox import Sandbox
from sendmessage_kit.skins import skins_css
from tests.sandbox.conftest import Agent, body_for


def test_the_page_and_its_files_come_from_the_sandbox_only(sandbox_http: Sandbox) -> None:
    with sandbox_http.http_client() as http:
        page = http.get("/sandbox/webchat", params={"user": "u-page", "channel": "WHATSAPP"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "http" not in csp
        assert page.headers["referrer-policy"] == "no-referrer"
        refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert refs and all(r.startswith("/sandbox/webchat/") or r == "data:," for r in refs)
        for ref in refs:
            if ref.startswith("/"):
                asset = http.get(ref)
                assert asset.status_code == 200, ref
                assert "://" not in asset.text, ref  # no address of anywhere else
        assert http.get("/sandbox/webchat/skins.css").text == skins_css()
        js = http.get("/sandbox/webchat/webchat.js")
        assert js.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in js.text  # what the agent sent is shown as text, never as HTML
        missing = http.get("/sandbox/webchat/secret.txt")
        assert missing.status_code == 404 and "webchat.js" in missing.json()["detail"]


def test_an_unknown_channel_is_refused_with_the_list(sandbox_http: Sandbox) -> None:
    with sandbox_http.http_client() as http:
        r = http.get("/sandbox/webchat", params={"user": "u", "channel": "PIGEON"})
    assert r.status_code == 422
    [problem] = r.json()["detail"]
    assert problem["loc"] == ["query", "channel"] and "WHATSAPP" in problem["msg"]


def test_page_url_is_on_this_sandbox_for_that_customer(sandbox_http: Sandbox) -> None:
    url = sandbox_http.customer.page_url("u-link", "telegram")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == sandbox_http.base_url
    assert parts.path == "/sandbox/webchat"
    query = parse_qs(parts.query)
    assert query["user"] == ["u-link"] and query["channel"] == ["TELEGRAM"]
    assert len(query["token"][0]) >= 20
    with httpx2.Client(verify=sandbox_http.verify()) as http:
        assert http.get(url).status_code == 200
    assert sandbox_http.customer.page_url("u-link", "TELEGRAM") != url  # a token per link


def test_page_url_refuses_a_bad_channel_clearly(sandbox_http: Sandbox) -> None:
    try:
        sandbox_http.customer.page_url("u", "PIGEON")
    except ValueError as exc:
        assert "422" in str(exc) and "channel" in str(exc)
    else:
        raise AssertionError("a bad channel gave a link")


def test_a_chat_starts_after_the_customers_earlier_messages(agent: Agent) -> None:
    user = f"cursor-{agent.agent_id}"
    assert agent.send(body_for("before the chat", to=user, channel="SMS"))["retcode"] == "0"
    with agent.sb.customer() as customer:
        chat = customer.open_chat("SMS", user, agent_id=agent.agent_id)
        assert agent.send(body_for("in the chat", to=user, channel="SMS"))["retcode"] == "0"
        messages, _ = customer.messages(user, after=chat["cursor"])
        assert [m.content for m in messages] == ["in the chat"]
        everything, _ = customer.messages(user)
        assert [m.content for m in everything] == ["before the chat", "in the chat"]


def test_each_web_token_gets_every_message_once(agent: Agent) -> None:
    http, user = agent.http, f"webtok-{agent.agent_id}"
    assert agent.send(body_for("before any token", to=user))["retcode"] == "0"

    def token() -> dict[str, str]:
        answer = http.post("/apiaccess/ccmessaging/applyToken", json={"userId": user}).json()
        return {"ccmessaging-token": answer["token"]}

    def poll(headers: dict[str, str]) -> list[str]:
        params = {"receiverId": user, "channel": "WEB"}
        body = http.get("/apiaccess/ccmessaging/poll", params=params, headers=headers).json()
        return [m["content"] for m in body["downlinkMessages"]]

    first, second = token(), token()
    assert poll(first) == ["before any token"]
    assert agent.send(body_for("after both tokens", to=user))["retcode"] == "0"
    assert poll(first) == ["after both tokens"]
    # two pages of one customer (a phone and the presenter's screen) both get every message
    assert poll(second) == ["before any token", "after both tokens"]
    assert poll(first) == [] and poll(second) == []


def test_every_channel_opens_a_page(sandbox_http: Sandbox) -> None:
    with sandbox_http.http_client() as http:
        for channel in Channel:
            r = http.get("/sandbox/webchat", params={"user": "u", "channel": channel.value})
            assert r.status_code == 200, channel


def test_open_chat_cursor_on_a_fresh_sandbox(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox()
    assert sb.customer.open_chat("WEB", "fresh")["cursor"] == "0"
