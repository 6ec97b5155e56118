"""Where the kit sends: the configured gateway or a sandbox, with the agent signed in.

`open_target()` is the one place that decides; `connect()`, the `send` command, `SendPanel` and
`playground()` all go through it:

- a gateway is configured (`SENDMESSAGE_KIT_BASE_URL`): a client of it, signed in when it has a
  password and no Guid yet;
- nothing configured: a sandbox. Under `sendmessage-kit lab`, the sandbox lab runs
  (`sandbox.attach_lab()`); elsewhere a new one, started for you. Its demo agent is signed in
  (with `SENDMESSAGE_KIT_AGENT_ID` set, that agent signs in with `_PASSWORD`/`_PHONENUM` instead;
  without it, a password meant for a real gateway is never tried on a sandbox).

What it returns is yours, and only that: `target.client` and, on a sandbox, `target.sandbox`,
whose customer side plays the customer (`target.sandbox.customer.open_chat(...)`).
`target.close()` closes the client and stops the sandbox if `open_target()` started it; a sandbox
you passed in (`sandbox=`) or lab's keeps running. `connect()` returns just the client, made the
owner of that sandbox: `client.close()` stops it.

Example:
    >>> from sendmessage_kit import new_message, open_target
    >>> with open_target() as target:  # nothing configured: a sandbox of its own
    ...     chat = target.sandbox.customer.open_chat("WEB", "customer-1")
    ...     msg = new_message(to="customer-1", content="Hello")
    ...     target.client.send_message(chat["callid"], msg).ok
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from sendmessage_kit.errors import SettingsError
from sendmessage_kit.settings import KitSettings

if TYPE_CHECKING:
    from sendmessage_kit.client import GatewayClient
    from sendmessage_kit.sandbox.server import Sandbox

__all__ = ["Target", "open_target"]

Use = Literal["auto", "sandbox", "configured"]


@dataclass(eq=False)
class Target:
    """What `open_target()` opened: the client and, on a sandbox, the sandbox.

    Attributes:
        client: the signed-in `GatewayClient`.
        sandbox: the sandbox the client talks to (None for a configured gateway).
        owns_sandbox: True when `open_target()` started `sandbox`, so `close()` stops it.
        signed_in: True when `open_target()` signed the agent in (False: a Guid was given).
    """

    client: GatewayClient
    sandbox: Sandbox | None = None
    owns_sandbox: bool = False
    signed_in: bool = False
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Close the client, then stop the sandbox if this target started it; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self.client.close()
        finally:
            if self.owns_sandbox and self.sandbox is not None:
                self.sandbox.stop()

    def hand_over(self) -> GatewayClient:
        """The client, made the owner of this target's sandbox: `client.close()` stops it."""
        if self.owns_sandbox and self.sandbox is not None:
            self.client.on_close(self.sandbox.stop)
        self._closed = True  # from now on the client closes what this target opened
        return self.client

    def __enter__(self) -> Target:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_target(
    settings: KitSettings | None = None,
    *,
    use: Use = "auto",
    sandbox: Sandbox | None = None,
    lab: bool = True,
    force_sign_in: bool = False,
    **client_options: Any,
) -> Target:
    """The configured gateway's client, or a sandbox's, signed in; see the module docstring.

    Args:
        settings: defaults to `KitSettings()` (`SENDMESSAGE_KIT_*`, `.env`).
        use: "auto" (the configured gateway, else a sandbox), "sandbox" (a sandbox even when a
            gateway is configured) or "configured" (`SettingsError` when none is).
        sandbox: a running sandbox of yours to use (unless `use="configured"`); never stopped.
        lab: under `sendmessage-kit lab`, use lab's sandbox rather than starting one.
        force_sign_in: take the agent over when it is signed in elsewhere (configured gateway;
            on a sandbox the demo agent is always taken over).
        **client_options: passed to `GatewayClient` (e.g. `max_retries=0`, `history=False`).
    """
    s = settings if settings is not None else KitSettings()
    if use == "configured" and s.uses_sandbox:
        raise SettingsError(
            "no gateway configured: set SENDMESSAGE_KIT_BASE_URL and SENDMESSAGE_KIT_AGENT_ID "
            "(and a Guid or password), or use the sandbox."
        )
    if use == "configured" or (use == "auto" and sandbox is None and not s.uses_sandbox):
        return _configured(s, force_sign_in, client_options)
    return _on_sandbox(s, sandbox, lab, client_options)


def _configured(s: KitSettings, force: bool, options: dict[str, Any]) -> Target:
    from sendmessage_kit.client import GatewayClient

    client = GatewayClient(s, **options)
    if client.guid is not None or s.password is None:
        return Target(client)
    try:
        client.force_sign_in() if force else client.sign_in()
    except BaseException:
        client.close()
        raise
    return Target(client, signed_in=True)


def _on_sandbox(
    s: KitSettings, given: Sandbox | None, lab: bool, options: dict[str, Any]
) -> Target:
    from sendmessage_kit import sandbox as sandbox_mod
    from sendmessage_kit.client import GatewayClient

    sb, owned = given, False
    if sb is None and lab:
        sb = sandbox_mod.attach_lab(secmode=s.secmode)
    if sb is None:
        sb, owned = sandbox_mod.start(secmode=s.secmode), True
    # An agent of your own (SENDMESSAGE_KIT_AGENT_ID, e.g. of `lab --agents`) signs in with your
    # credentials; without an agent ID, a password meant for a real gateway is not tried here.
    if s.agent_id is not None:
        mine = {"agent_id": s.agent_id, "password": s.password, "phonenum": s.phonenum}
        options = {**{k: v for k, v in mine.items() if v is not None}, **options}
    try:
        client = GatewayClient.for_sandbox(sb, settings=s, **options)
    except BaseException:
        if owned:
            sb.stop()
        raise
    return Target(client, sb, owns_sandbox=owned, signed_in=True)
