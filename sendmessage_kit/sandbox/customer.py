"""A small client for the sandbox's customer side (`/sandbox/...`): open a chat, write, read.

These endpoints are the sandbox's own, not CC-Gateway's: they let a demo play the customer.

Example:
    >>> from sendmessage_kit import sandbox                          # doctest: +SKIP
    >>> sb = sandbox.start()                                         # doctest: +SKIP
    >>> chat = sb.customer.open_chat("WEB", "customer-1")  # doctest: +SKIP
    >>> sb.customer.send(chat["callid"], "Hello, I need help")      # doctest: +SKIP
    >>> messages, cursor = sb.customer.messages("customer-1")  # doctest: +SKIP
    >>> messages[-1].content                                  # doctest: +SKIP
    >>> sb.customer.page_url("customer-1", "WHATSAPP")  # the chat page  # doctest: +SKIP

`sb.customer` is shared and closed by `sb.stop()`; `sb.customer()` gives a client of your own
(close it, or use it in a `with`).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx2

from sendmessage_kit import seed
from sendmessage_kit.customer_message import CustomerMessage

__all__ = ["CustomerClient"]


class CustomerClient:
    """Plays the customer against a running sandbox."""

    def __init__(
        self,
        base_url: str,
        *,
        verify: ssl.SSLContext | bool = True,
        timeout: float = 10.0,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self._args = (base_url, verify, timeout, transport)
        self._http = httpx2.Client(
            base_url=base_url, verify=verify, timeout=timeout, transport=transport
        )

    def __call__(self) -> CustomerClient:
        """A new client with the same settings (`sandbox.customer()`; close it when done)."""
        base_url, verify, timeout, transport = self._args
        return CustomerClient(base_url, verify=verify, timeout=timeout, transport=transport)

    def open_chat(
        self,
        channel: str = "WEB",
        user_id: str = seed.USER_ID,
        *,
        agent_id: str | None = None,
        join: bool = False,
    ) -> dict[str, Any]:
        """Open a chat; the agent gets an event. Returns `{callid, agentId, channel, userId}`.

        With `join=True`, the customer's open chat on that channel is joined when there is one
        (no new chat, no event): the chat page and the presenter's phone share it.
        """
        body: dict[str, Any] = {"channel": channel, "userId": user_id, "join": join}
        if agent_id is not None:
            body["agentId"] = agent_id
        return self._json(self._http.post("/sandbox/chats", json=body))

    def send(self, callid: str, content: str, message_code: str | None = None) -> dict[str, Any]:
        """Write in a chat as the customer; the agent gets `AgentEvent_MessageData`."""
        body = {"content": content}
        if message_code is not None:
            body["messageCode"] = message_code
        return self._json(self._http.post(f"/sandbox/chats/{_seg(callid)}/messages", json=body))

    def chat_messages(
        self, callid: str, after: str | None = None
    ) -> tuple[list[CustomerMessage], str]:
        """One chat's messages, both directions, after `after`, oldest first, and the cursor."""
        params = {"after": after} if after else None
        body = self._json(self._http.get(f"/sandbox/chats/{_seg(callid)}/messages", params=params))
        return [CustomerMessage.model_validate(m) for m in body["messages"]], str(body["cursor"])

    def stream(
        self, callid: str, after: str | None = None, *, ping: int | None = None
    ) -> Iterator[CustomerMessage | None]:
        """The chat's messages as the sandbox pushes them (Server-Sent Events), until closed.

        First those after `after`, then each new one as it is stored; the iterator ends when the
        sandbox stops or the connection drops (read again with `after` = the last `seq`).
        With `ping` (seconds), a keep-alive comes that often and is yielded as None, so a
        reader can check whether to stop.
        """
        params: dict[str, Any] = {"after": after} if after else {}
        if ping is not None:
            params["ping"] = ping
        path = f"/sandbox/chats/{_seg(callid)}/stream"
        with self._http.stream("GET", path, params=params, timeout=None) as response:
            if response.status_code >= 400:
                response.read()
                self._json(response)
            for line in response.iter_lines():
                if line.startswith("data:"):
                    yield CustomerMessage.model_validate_json(line[5:].strip())
                elif line.startswith(":") and ping is not None:
                    yield None

    def messages(
        self, user_id: str, after: str | None = None, *, channel: str | None = None
    ) -> tuple[list[CustomerMessage], str]:
        """Messages the agents sent to this customer after `after`, oldest first, and the cursor.

        With `channel`, the sandbox answers that channel's messages only.
        """
        params = {"after": after} if after else {}
        if channel is not None:
            params["channel"] = channel.upper()
        path = f"/sandbox/users/{_seg(user_id)}/messages"
        body = self._json(self._http.get(path, params=params or None))
        messages = [CustomerMessage.model_validate(m) for m in body["messages"]]
        return messages, str(body["cursor"])

    def page_url(self, user_id: str, channel: str = "WEB") -> str:
        """The address of this customer's chat page on `channel` (open it in a browser).

        The page opens a chat as `user_id` when it loads. In LAN mode the address is the
        sandbox's LAN address and carries a page token for this user and channel only.
        """
        body = {"userId": user_id, "channel": channel.upper()}
        return str(self._json(self._http.post("/sandbox/webchat/links", json=body))["url"])

    def health(self) -> dict[str, Any]:
        """The sandbox's `GET /sandbox/health` (raises `ValueError` when it is not a sandbox)."""
        return self._json(self._http.get("/sandbox/health"))

    def all_messages(self, user_id: str) -> list[CustomerMessage]:
        """Every message the agents sent to this customer, oldest first (all pages)."""
        out, cursor = self.messages(user_id)
        while True:
            page, nxt = self.messages(user_id, after=cursor)
            if not page:
                return out
            out.extend(page)
            cursor = nxt

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> CustomerClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @staticmethod
    def _json(response: httpx2.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = response.text[:200]
            path = response.request.url.path
            raise ValueError(f"sandbox {path}: {response.status_code} {detail}")
        body: dict[str, Any] = response.json()
        return body


def _seg(value: str) -> str:
    """`value` as one path segment: every reserved character encoded ("a/b" -> "a%2Fb")."""
    return quote(value, safe="")
