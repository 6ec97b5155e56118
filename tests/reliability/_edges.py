"""Helpers of the edge tests (issue 23): counting inputs per class, raw sockets, answers."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterable
from typing import Any

import httpx2

from tests.reliability._tally import TALLY

PREFIX = "class:"
#: What a refusal may be at most, whatever its input (the echo is cut to 200 characters).
SMALL_ANSWER = 4096


def tried(cls: str, n: int = 1) -> None:
    """Count `n` inputs of a class (the table shows each class)."""
    TALLY.add("inputs", n)
    TALLY.add(PREFIX + cls, n)


def refusal_ok(response: httpx2.Response, *, big_input: bool = False) -> dict[str, Any]:
    """Record a 5xx; check the answer is a JSON refusal (or success) and, for big input, small.

    Returns the JSON body.
    """
    TALLY.add("5xx", int(response.status_code >= 500))
    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    if big_input:
        assert len(response.content) <= SMALL_ANSWER, len(response.content)
    body: dict[str, Any] = response.json()
    return body


def raw_request(
    port: int, head: bytes, body_chunks: Iterable[bytes] = (), wait: float = 10
) -> bytes:
    """Send a request over a raw socket (head already formatted) and read the answer's head."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(head)
        try:
            for chunk in body_chunks:
                s.sendall(chunk)
        except OSError:  # the server answered and closed while we were still sending
            pass
        data = b""
        deadline = time.monotonic() + wait
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            try:
                got = s.recv(65536)
            except OSError:
                break
            if not got:
                break
            data += got
        try:
            s.settimeout(0.5)
            data += s.recv(65536)
        except OSError:
            pass
        return data


def status_and_json(answer: bytes) -> tuple[int, dict[str, Any]]:
    """The status code and JSON body of a raw HTTP/1.1 answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    TALLY.add("5xx", int(status >= 500))
    return status, json.loads(body) if body else {}
