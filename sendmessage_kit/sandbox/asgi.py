"""Plain ASGI helpers for the sandbox's paths that run ahead of FastAPI (faults, sendmessage).

Reading a body, answering with bytes, reading a header: what Starlette's `Request` and
`Response` do, without building them.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

__all__ = ["answer", "drain", "header", "read_body", "replay"]


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None when the client went away before it ended."""
    message = await receive()
    if message["type"] != "http.request":
        return None
    body: bytes = message.get("body", b"")
    if not message.get("more_body"):
        return body  # the usual case: one message
    chunks = [body]
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(body: bytes, then: Receive) -> Receive:
    """A `receive` that gives a body already read, then waits on the real one (disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive


async def drain(receive: Receive) -> None:
    """Read and drop the rest of the request body."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def answer(send: Send, status: int, content_type: bytes, body: bytes) -> None:
    """Send a whole response: status, content type and length, body."""
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (`name` in lower case, as ASGI servers give it)."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
