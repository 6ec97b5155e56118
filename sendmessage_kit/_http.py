"""The part of the clients that does no I/O: URLs, requests, answers, retry delays.

`GatewayClient` and `AsyncGatewayClient` both call these functions, so the twins differ only in
`await`: each hands a `Call`'s request to its httpx2 transport, completes the answer with
`finished` and hands what came back, an `httpx2.Response` or an `httpx2.HTTPError`, to
`judge`. Retry numbers are openai-python's: 2 retries, 0.5 s x 2^n capped at 8 s, up to 25 %
jitter, `Retry-After` honoured.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from sendmessage_kit.errors import (
    ConnectError,
    GatewayError,
    RequestTimeout,
    ResponseError,
    SendMessageKitError,
    SettingsError,
    TLSError,
    TransportError,
    describe_retcode,
    error_for_answer,
)

if TYPE_CHECKING:
    import httpx2  # imported in the functions that need it, with the first client
    from pydantic import SecretStr

logger = logging.getLogger("sendmessage_kit.client")

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
JITTER = 0.25
POLL_TIMEOUT = 20.0  # the gateway holds an event poll open about 10 s
RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
JSON_HEADERS = {"Content-Type": "application/json; charset=UTF-8", "Accept": "application/json"}


def gateway_root(base_url: str) -> str:
    """`https://host:8043` or `https://host:8043/agentgateway` -> the `/agentgateway` root."""
    root = base_url.strip().rstrip("/")
    if not root.startswith(("http://", "https://")):
        raise SettingsError(
            f"base_url {root!r} must start with https:// (or http://); set "
            "SENDMESSAGE_KIT_BASE_URL or pass base_url=, e.g. https://10.0.0.5:8043."
        )
    return root if root.endswith("/agentgateway") else root + "/agentgateway"


def send_path(agent_id: str) -> str:
    """Path of `sendmessage` under the root."""
    return f"/resource/mediacall/{agent_id}/sendmessage"


def sign_in_path(agent_id: str, *, force: bool = False) -> str:
    """Path of sign-in (`force=True`: forced sign-in)."""
    return f"/resource/onlineagent/{agent_id}" + ("/forcelogin" if force else "")


def sign_out_path(agent_id: str) -> str:
    """Path of sign-out."""
    return f"/resource/onlineagent/{agent_id}/logout"


def update_guid_path(agent_id: str) -> str:
    """Path of updateGuid (a new Guid in `result.guid`)."""
    return f"/resource/onlineagent/{agent_id}/updateGuid"


def event_path(agent_id: str) -> str:
    """Path of event polling (also the agent's heartbeat)."""
    return f"/resource/agentevent/{agent_id}"


@functools.lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx2.URL:
    import httpx2

    # Parsing a URL is a good part of building a request; a client uses a handful of them.
    return httpx2.URL(url)


@functools.lru_cache(maxsize=64)
def _timeout_extension(timeout: float) -> dict[str, float | None]:
    import httpx2

    # No timer on the wait for a free connection: each request ahead of it ends within its own
    # connect and read timeouts (the timer cost aiohttp's pool about 25 us a request).
    return httpx2.Timeout(timeout, pool=None).as_dict()


def build_request(
    method: str,
    url: str,
    *,
    guid_headers: dict[str, str],
    content: str | None = None,
    timeout: float,
) -> httpx2.Request:
    """An `httpx2.Request` with the gateway's headers; `content` is sent byte for byte.

    The headers are the ones `httpx2.Request(content=...)` would send, in its order (Host first,
    the gateway's, then Content-Length), built directly: through `content=` httpx2 works them
    out at about five times the cost, on every send.
    """
    import httpx2

    target = _parsed_url(url)
    body = content.encode("utf-8") if content is not None else b""
    headers = [(b"Host", target.netloc)]
    if not body and method in _EMPTY_BODY_LENGTH:
        headers.append((b"Content-Length", b"0"))
    headers += _JSON_HEADER_ITEMS
    headers += [(k.encode("ascii"), v.encode("ascii")) for k, v in guid_headers.items()]
    if body:
        headers.append((b"Content-Length", str(len(body)).encode("ascii")))
    request = httpx2.Request(
        method,
        target,
        headers=headers,
        stream=httpx2.ByteStream(body),
        extensions={"timeout": dict(_timeout_extension(timeout))},
    )
    request.read()  # the body is at hand: `request.content`, as with content=
    return request


_JSON_HEADER_ITEMS = [(k.encode("ascii"), v.encode("ascii")) for k, v in JSON_HEADERS.items()]
_EMPTY_BODY_LENGTH = frozenset({"POST", "PUT", "PATCH"})  # httpx2 sends "Content-Length: 0"


def finished(response: httpx2.Response, request: httpx2.Request, started: float) -> httpx2.Response:
    """`response`, read whole, made complete: its `request` and its `elapsed` since `started`.

    What every attempt of both clients comes back as (the transport hands back the status,
    headers and body; the request and the time taken are set here, through httpx2's public
    setters). One DEBUG line of the kit's own per exchange (no header, so no Guid).
    """
    import datetime

    response.request = request
    response.elapsed = datetime.timedelta(seconds=time.perf_counter() - started)
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "%s %s answered HTTP %d in %.1f ms", request.method, request.url,
            response.status_code, response.elapsed.total_seconds() * 1000,
        )  # fmt: skip
    return response


def _loads(response: httpx2.Response) -> Any:
    try:
        # From the bytes first: json detects UTF-8 itself, while response.text may guess.
        return json.loads(response.content)
    except (ValueError, RecursionError):
        return json.loads(response.text)  # a charset the response declares, e.g. GBK


def parse_json(response: httpx2.Response) -> dict[str, Any]:
    """The gateway's JSON answer, or `ResponseError` for an HTML page, garbage or no `retcode`."""
    status = response.status_code
    try:
        obj = _loads(response)
    except (ValueError, RecursionError):
        obj = None
        text = response.text
        head = text[:200].lstrip()[:15].lower()
        html = "html" in response.headers.get("content-type", "") or head.startswith(
            ("<!doctype html", "<html")
        )
        problem = "an HTML page" if html else "a body that is not JSON"
        advice = "A proxy or load balancer may be answering instead of CC-Gateway; check base_url."
        message = f"with {problem} instead of the gateway's JSON"
    else:
        advice = "This is not a CC-Gateway answer; check base_url."
        retcode = obj.get("retcode") if isinstance(obj, dict) else None
        if not isinstance(obj, dict) or "retcode" not in obj:
            message = "with JSON that has no retcode"
        elif isinstance(retcode, bool) or not isinstance(retcode, str | int):
            message = "with a retcode that is not a code"
        else:
            obj["retcode"] = str(retcode)
            # `message` is text by the interface; keep whatever else a gateway sends, as text.
            msg = obj.get("message")
            if not isinstance(msg, str):
                obj["message"] = "" if msg is None else json.dumps(msg, ensure_ascii=False)
            return obj
        text = response.text
    raise ResponseError(
        f"HTTP {status} {message}: {text[:200]!r}. {advice}",
        response=response,
        status_code=status,
        body=text,
    )


def _is_tls(exc: BaseException) -> bool:
    import ssl  # loaded with httpx2 by then; not at module level (see _TransportT)

    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def map_error(
    exc: httpx2.HTTPError, request: httpx2.Request | None, url: str
) -> SendMessageKitError:
    """Translate an httpx2 exception into the kit's own type (never let it escape bare)."""
    import httpx2

    if isinstance(exc, httpx2.UnsupportedProtocol | httpx2.InvalidURL):
        return SettingsError(f"base_url cannot be used ({exc}); set SENDMESSAGE_KIT_BASE_URL.")
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout) and _is_tls(exc):
        return TLSError(
            f"TLS handshake with {url} failed: {exc}. Trust the server's CA with ca_bundle= "
            "(SENDMESSAGE_KIT_CA_BUNDLE); the sandbox prints its CA path at start.",
            request=request,
        )
    if isinstance(exc, httpx2.ConnectError | httpx2.ConnectTimeout | httpx2.PoolTimeout):
        return ConnectError(
            f"could not connect to {url}: {exc or type(exc).__name__}. Nothing was sent; is the "
            "gateway (or `sendmessage-kit sandbox`) running at that address?",
            request=request,
        )
    if isinstance(exc, httpx2.TimeoutException):
        return RequestTimeout(
            f"no answer from {url} within the timeout. The gateway may still have delivered the "
            "message: resend only with the same messageCode.",
            request=request,
        )
    return TransportError(
        f"the connection to {url} broke before an answer came ({type(exc).__name__}: {exc}). "
        "The message may or may not have been delivered: resend only with the same messageCode.",
        request=request,
    )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try again.

    Connect errors always (nothing was sent); anything else only when `resend` is on, because
    the same messageCode is sent again and only the sandbox documents that a repeated
    messageCode is stored once.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    resend: bool = False

    def delay(
        self, error: SendMessageKitError, attempt: int, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up."""
        if attempt >= self.max_retries or not self._retryable(error):
            return None
        return next_delay(attempt, retry_after)

    def _retryable(self, error: SendMessageKitError) -> bool:
        if isinstance(error, TLSError):
            return False
        if isinstance(error, ConnectError):
            return True
        if not self.resend:
            return False
        if isinstance(error, TransportError):
            return True
        if isinstance(error, ResponseError):
            return error.status_code in RETRYABLE_STATUS
        if isinstance(error, GatewayError):
            return describe_retcode(error.retcode).retryable
        return False


def next_delay(attempt: int, retry_after: float | None = None) -> float:
    """Backoff as openai-python's: 0.5 s x 2^attempt capped at 8 s, minus up to 25 % jitter."""
    if retry_after is not None and 0 < retry_after <= MAX_RETRY_AFTER:
        return retry_after
    base = min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)
    return base * (1 - JITTER * random.random())


def retry_after(response: httpx2.Response | None) -> float | None:
    """The `Retry-After` header in seconds, if any."""
    if response is None:
        return None
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


#: One attempt of a call: the request sent, and the response or the error it got.
Attempt: TypeAlias = "tuple[httpx2.Request, httpx2.Response | httpx2.HTTPError]"


@dataclass(slots=True)
class Call:
    """One call to the gateway with its per-call options, built once and passed whole.

    Attributes:
        method: the HTTP method.
        path: the interface's path under the `/agentgateway` root.
        content: the JSON body, sent byte for byte (None: no body).
        timeout: seconds for the connect and for each read.
        policy: when to send it again.
        attempts: how many times it has been sent (counted by `judge`).
        guid: the Guid its latest attempt carried (signing in again replaces that one).
        response: the latest attempt's whole `httpx2.Response` (None: none came).
        answer: the gateway's JSON answer in it (None: none usable).
        started: when it was built (`time.perf_counter()`).
    """

    method: str
    path: str
    content: str | None = field(default=None, repr=False)  # a sign-in body holds the password
    timeout: float = DEFAULT_TIMEOUT
    policy: RetryPolicy = RetryPolicy(DEFAULT_MAX_RETRIES, resend=False)
    attempts: int = 0
    guid: SecretStr | None = field(default=None, repr=False)
    response: httpx2.Response | None = field(default=None, repr=False)
    answer: dict[str, Any] | None = None
    started: float = field(default_factory=time.perf_counter, repr=False)


def judge(
    call: Call,
    attempt: int,
    request: httpx2.Request,
    got: httpx2.Response | httpx2.HTTPError,
    follow: Callable[[httpx2.Headers], object],
) -> dict[str, Any] | float:
    """What one attempt of `call` came to: its JSON answer, or the seconds before the next.

    Raises the kit's typed error when the policy gives up. `follow` reads every response's
    headers first (a new Guid can come with any answer).
    """
    call.attempts += 1
    call.response = call.answer = None
    if isinstance(got, Exception):
        error: SendMessageKitError = map_error(got, request, str(request.url))
        error.__cause__ = got
    else:
        call.response = got
        follow(got.headers)
        try:
            call.answer = parse_json(got)
        except ResponseError as exc:
            error = exc
        else:
            refused = error_for_answer(call.answer, response=got)
            if refused is None:
                return call.answer
            error = refused
    delay = call.policy.delay(error, attempt, retry_after(call.response))
    if delay is None:
        raise error
    logger.warning(
        "attempt %d failed (%s); retrying in %.2f s", attempt + 1, type(error).__name__, delay
    )
    return delay
