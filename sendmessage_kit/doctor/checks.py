"""The doctor's checks, in order; each gives a `Check` (passed, what it saw, the fix).

The network checks use the standard library (`socket`, `ssl`), the gateway checks the kit's
`GatewayClient`, so what passes here is what the kit's clients will do. A check that blocks the
ones after it (nothing to connect to, a certificate not trusted, a refused sign-in) ends the run.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ORDER", "Check", "Doctor"]

#: Every check's name, in the order they run.
ORDER = (
    "settings",
    "resolve",
    "connect",
    "TLS chain",
    "TLS expiry",
    "TLS name",
    "sign-in",
    "event poll",
    "Guid rotation",
    "sign-out",
)


@dataclass
class Check:
    """One check's result.

    Attributes:
        name: one of `ORDER`.
        ok: True passed, False failed, None not run (`detail` says why).
        detail: what it saw.
        fix: what to do about a failure ("" when it passed).
        blocking: a failure that stops the checks after it.
    """

    name: str
    ok: bool | None
    detail: str
    fix: str = ""
    blocking: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


_NOT_A_GATEWAY = (
    "the address answers, but not as CC-Gateway (a web server, proxy or load balancer?): check "
    "SENDMESSAGE_KIT_BASE_URL, the gateway's address and port (its /agentgateway root is added "
    "for you)"
)


class Doctor:
    """Runs the checks against the settings' gateway; `client` is open between sign-in and out."""

    def __init__(self, settings: Any, *, force_sign_in: bool = False, poll_timeout: float = 20.0):
        self.settings = settings
        self.force_sign_in = force_sign_in
        self.poll_timeout = poll_timeout
        self.client: Any = None
        self.signed_in = False
        self._addr: tuple[Any, ...] | None = None
        self._cert: dict[str, Any] = {}  # the peer's certificate, once the chain is trusted
        self._before: str | None = None  # the Guid before the event poll
        url = settings.base_url or ""
        parts = urlsplit(url if "://" in url else f"https://{url}")
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)

    def steps(self) -> list[tuple[str, Callable[[], Check]]]:
        """(name, check) in order; the TLS checks only for https."""
        tls = [
            ("TLS chain", self.tls_chain),
            ("TLS expiry", self.tls_expiry),
            ("TLS name", self.tls_name),
        ]
        return [
            ("settings", self.check_settings),
            ("resolve", self.resolve),
            ("connect", self.connect),
            *(tls if self.scheme == "https" else [("TLS chain", self.no_tls)]),
            ("sign-in", self.sign_in),
            ("event poll", self.poll),
            ("Guid rotation", self.rotation),
            ("sign-out", self.sign_out),
        ]

    def check_settings(self) -> Check:
        """The gateway, agent and a way to sign in are set."""
        s = self.settings
        where = "SENDMESSAGE_KIT_BASE_URL (or --base-url)"
        if not s.base_url:
            return Check(
                "settings",
                False,
                "no gateway configured",
                f"set {where}; to try doctor on the sandbox first: `sendmessage-kit sandbox "
                "--http --port 8043` in another terminal, then `SENDMESSAGE_KIT_PASSWORD=sandbox "
                "SENDMESSAGE_KIT_PHONENUM=88880001 sendmessage-kit doctor --base-url "
                "http://127.0.0.1:8043 --agent-id 101`",
                True,
            )
        if self.scheme not in ("http", "https") or not self.host:
            return Check(
                "settings",
                False,
                f"base URL {s.base_url!r} is not http(s)://host[:port]",
                f"set {where} to e.g. https://10.0.0.5:8043",
                True,
            )
        if s.ca_bundle is not None and not s.ca_bundle.is_file():
            return Check(
                "settings",
                False,
                f"the CA file {s.ca_bundle} does not exist",
                "set SENDMESSAGE_KIT_CA_BUNDLE (or --ca-bundle) to the PEM file of the CA that "
                "signed the gateway's certificate",
                True,
            )
        if not s.agent_id:
            return Check("settings", False, "no agent ID", "set SENDMESSAGE_KIT_AGENT_ID", True)
        if s.guid is None and (s.password is None or not s.phonenum):
            missing = "password" if s.password is None else "phonenum"
            return Check(
                "settings",
                False,
                f"no {missing} to sign in with",
                f"set SENDMESSAGE_KIT_{missing.upper()} (the password: or --password-stdin), "
                "or SENDMESSAGE_KIT_GUID for a Guid you have",
                True,
            )
        how = "a Guid you gave" if s.guid is not None else "password and phonenum"
        return Check(
            "settings",
            True,
            f"{s.base_url}, agent {s.agent_id}, sign-in with {how}; "
            f"secmode {s.secmode}, 1 KB = {s.bytes_per_kb} bytes, size counts {s.size_counts}",
        )

    def resolve(self) -> Check:
        """The host name resolves."""
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            return Check(
                "resolve",
                False,
                f"{self.host} does not resolve ({exc.strerror})",
                "check the host name in SENDMESSAGE_KIT_BASE_URL, or use the gateway's IP "
                "address (or its NSLB address)",
                True,
            )
        self._addr = infos[0][4]
        addrs = sorted({str(i[4][0]) for i in infos})
        return Check("resolve", True, f"{self.host} resolves to {', '.join(addrs)}")

    def connect(self) -> Check:
        """A TCP connection opens."""
        assert self._addr is not None
        started = time.perf_counter()
        try:
            with socket.create_connection(self._addr[:2], timeout=self.settings.timeout):
                pass
        except TimeoutError:
            return Check(
                "connect",
                False,
                f"no answer from {self._where()} in {self.settings.timeout:g} s",
                "a firewall may drop the connection: check the route and that the port is open "
                "from this machine",
                True,
            )
        except OSError as exc:
            return Check(
                "connect",
                False,
                f"{self._where()} refused the connection ({exc.strerror})",
                "is the gateway (or `sendmessage-kit sandbox`) running there? check the port"
                + ("" if self.port == 8043 else f" ({self.port}; the gateway's default is 8043)"),
                True,
            )
        ms = (time.perf_counter() - started) * 1000
        return Check("connect", True, f"{self._where()} accepts connections ({ms:.1f} ms)")

    def _where(self) -> str:
        assert self._addr is not None
        return f"{self._addr[0]}:{self.port}"

    def _context(self, check_hostname: bool) -> ssl.SSLContext:
        ca = self.settings.ca_bundle
        context = ssl.create_default_context(cafile=str(ca) if ca else None)
        context.check_hostname = check_hostname
        return context

    def _handshake(self, context: ssl.SSLContext) -> dict[str, Any]:
        assert self._addr is not None
        with (
            socket.create_connection(self._addr[:2], timeout=self.settings.timeout) as raw,
            context.wrap_socket(raw, server_hostname=self.host) as tls,
        ):
            cert: dict[str, Any] = tls.getpeercert() or {}
            return cert

    def no_tls(self) -> Check:
        """Plain HTTP: nothing to check, said so."""
        return Check("TLS chain", None, "not checked: plain http:// (a gateway answers HTTPS)")

    def tls_chain(self) -> Check:
        """The certificate chain is trusted against the CA given (else the system's)."""
        ca = self.settings.ca_bundle
        against = f"the CA file {ca}" if ca else "this machine's trusted CAs"
        try:
            self._cert = self._handshake(self._context(check_hostname=False))
        except ssl.SSLCertVerificationError as exc:
            blocking = bool(self.settings.verify)
            return Check(
                "TLS chain",
                False,
                f"not trusted against {against}: {exc.verify_message}",
                "set SENDMESSAGE_KIT_CA_BUNDLE to the CA that signed the gateway's certificate "
                "(ask its operators; the sandbox prints its CA path at start)",
                blocking,
            )
        except (ssl.SSLError, OSError) as exc:
            return Check(
                "TLS chain",
                False,
                f"the TLS handshake failed: {exc}",
                "is it HTTPS on that port? try http:// in SENDMESSAGE_KIT_BASE_URL",
                True,
            )
        issuer = _name(self._cert.get("issuer"))
        return Check("TLS chain", True, f"trusted against {against} (issuer: {issuer})")

    def tls_expiry(self) -> Check:
        """Days until the certificate expires."""
        not_after = self._cert.get("notAfter")
        if not not_after:
            return Check("TLS expiry", None, "not checked: the certificate is not trusted")
        days = int((ssl.cert_time_to_seconds(not_after) - time.time()) // 86400)
        if days < 0:
            return Check(
                "TLS expiry",
                False,
                f"expired {-days} days ago ({not_after})",
                "ask the gateway's operators to renew the certificate",
                True,
            )
        soon = "; renew it soon" if days < 30 else ""
        return Check("TLS expiry", True, f"expires in {days} days ({not_after}){soon}")

    def tls_name(self) -> Check:
        """The host name is one of the certificate's names."""
        if not self._cert:
            return Check("TLS name", None, "not checked: the certificate is not trusted")
        names = [v for k, v in self._cert.get("subjectAltName", ()) if k in ("DNS", "IP Address")]
        try:
            self._handshake(self._context(check_hostname=True))
        except ssl.SSLCertVerificationError as exc:
            return Check(
                "TLS name",
                False,
                f"{self.host} is not a name of the certificate "
                f"({', '.join(names) or 'none'}): {exc.verify_message}",
                "use a host name the certificate lists in SENDMESSAGE_KIT_BASE_URL",
                True,
            )
        return Check("TLS name", True, f"{self.host} is among its names ({', '.join(names)})")

    def sign_in(self) -> Check:
        """Sign in (or use the Guid given); a refusal's retcode explained."""
        from sendmessage_kit.client import GatewayClient
        from sendmessage_kit.errors import (
            GatewayError,
            ResponseError,
            SendMessageKitError,
            describe_retcode,
        )

        self.client = GatewayClient(self.settings, max_retries=0, history=False)
        if self.client.guid is not None:
            return Check("sign-in", True, "not needed: using the Guid you gave")
        try:
            self.client.force_sign_in() if self.force_sign_in else self.client.sign_in()
        except GatewayError as exc:
            info = describe_retcode(exc.retcode)
            fix = info.remedy
            if exc.retcode == "100-002":
                fix += " With doctor: --force-sign-in."
            return Check("sign-in", False, f"retcode {exc.retcode}: {info.description}", fix, True)
        except ResponseError as exc:
            return Check("sign-in", False, str(exc), _NOT_A_GATEWAY, True)
        except SendMessageKitError as exc:
            return Check("sign-in", False, str(exc), "as the message says", True)
        self.signed_in = True
        from sendmessage_kit.auth import mask

        return Check("sign-in", True, f"retcode 0 (success): Guid {mask(self.client.guid)}")

    def poll(self) -> Check:
        """One event poll: the heartbeat."""
        from sendmessage_kit.errors import GatewayError, SendMessageKitError, describe_retcode

        self._before = self.client.guid.get_secret_value() if self.client.guid else None
        started = time.perf_counter()
        try:
            event = self.client.poll_event(timeout=self.poll_timeout)
        except GatewayError as exc:
            info = describe_retcode(exc.retcode)
            return Check(
                "event poll", False, f"retcode {exc.retcode}: {info.description}", info.remedy
            )
        except SendMessageKitError as exc:
            return Check("event poll", False, str(exc), "as the message says")
        took = time.perf_counter() - started
        what = f"an event ({event.get('eventType', 'of no type')})" if event else "no event"
        return Check("event poll", True, f"retcode 0 in {took:.1f} s, {what}: the heartbeat works")

    def rotation(self) -> Check:
        """Whether the poll handed out a new Guid."""
        now = self.client.guid.get_secret_value() if self.client.guid else None
        if self._before != now:
            return Check(
                "Guid rotation",
                True,
                "the poll handed out a new Guid (Set-GUID): dynamic "
                "authentication (AUTHMODE 2); the kit's clients follow it",
            )
        return Check(
            "Guid rotation",
            True,
            "the Guid did not change over one poll: static "
            "authentication (AUTHMODE 1), or not due yet (GUIDINTERVAL)",
        )

    def sign_out(self) -> Check:
        """Sign out the agent doctor signed in."""
        from sendmessage_kit.errors import SendMessageKitError

        if not self.signed_in:
            return Check("sign-out", None, "not run: the Guid is yours (doctor did not sign in)")
        try:
            self.client.sign_out()
        except SendMessageKitError as exc:
            return Check("sign-out", False, str(exc), "sign the agent out from its console")
        self.signed_in = False
        return Check("sign-out", True, "retcode 0: the agent is signed out")

    def close(self) -> None:
        """Sign out if still signed in (a check failed in between), close the client."""
        if self.client is None:
            return
        try:
            if self.signed_in:
                self.sign_out()
        finally:
            self.client.close()
            self.client = None


def _name(rdns: Any) -> str:
    try:
        return ", ".join(f"{k}={v}" for rdn in rdns for k, v in rdn)
    except (TypeError, ValueError):
        return "unknown"
