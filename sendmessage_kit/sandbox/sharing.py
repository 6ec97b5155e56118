"""Sharing the sandbox `sendmessage-kit lab` (or `demo`) runs with its kernels.

The only code that knows how lab names its sandbox to the kernels: `lab_environ()` gives the
variables, `attach_lab()` reads them. Nothing else reads `SENDMESSAGE_KIT_SANDBOX_*`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import ssl
from pathlib import Path
from typing import Any

import httpx2
from pydantic import SecretStr

from sendmessage_kit.sandbox.config import SandboxConfig
from sendmessage_kit.sandbox.server import Sandbox
from sendmessage_kit.sandbox.tls import client_context

__all__ = ["CA_ENV", "ENV_KEYS", "PASSWORD_ENV", "URL_ENV", "attach_lab", "lab_environ"]

URL_ENV = "SENDMESSAGE_KIT_SANDBOX_URL"
CA_ENV = "SENDMESSAGE_KIT_SANDBOX_CA"
PASSWORD_ENV = "SENDMESSAGE_KIT_SANDBOX_PASSWORD"
#: Every variable lab sets for its kernels (an app drops inherited ones before setting its own).
ENV_KEYS = (URL_ENV, CA_ENV, PASSWORD_ENV)
log = logging.getLogger("sendmessage_kit.sandbox")


def lab_environ(sandbox: Sandbox) -> dict[str, str]:
    """The variables `sendmessage-kit lab` gives its kernels so `attach_lab()` finds `sandbox`."""
    env = {URL_ENV: sandbox.base_url}
    if sandbox.ca_path is not None:
        env[CA_ENV] = str(sandbox.ca_path)
    if sandbox.config.lan:
        # LAN mode's agent password is random: the kernels (processes of this user, which
        # alone can read their environment) need it to sign in; it is shown nowhere.
        env[PASSWORD_ENV] = sandbox.password.get_secret_value()
    return env


def attach_lab(**wanted: Any) -> Sandbox | None:
    """A handle on the sandbox `sendmessage-kit lab` runs, or None outside lab.

    Lab gives its kernels the sandbox's address (`SENDMESSAGE_KIT_SANDBOX_URL`, and its CA in
    `SENDMESSAGE_KIT_SANDBOX_CA`). Keyword arguments are `SandboxConfig` settings the sandbox must
    have (e.g. `secmode=0`); when lab's differs, or it does not answer, this returns None (and
    logs why). The handle's `stop()` never stops lab's sandbox. A lab started with `--agents`
    admits only the agents of its file, whose passwords never leave it: the handle then carries
    the demo credentials, and you sign in with your own (`SENDMESSAGE_KIT_AGENT_ID`/`_PASSWORD`).

    Example:
        >>> from sendmessage_kit import sandbox
        >>> sb = sandbox.attach_lab() or sandbox.start()   # doctest: +SKIP
    """
    url = os.environ.get(URL_ENV)
    if not url:
        return None
    ca = os.environ.get(CA_ENV) or None
    verify: ssl.SSLContext | bool = client_context(ca) if ca else True
    try:
        with httpx2.Client(base_url=url, verify=verify, timeout=3.0) as client:
            health = client.get("/sandbox/health").json()
        config = _config_of(health["config"], url)
    except (httpx2.HTTPError, ValueError, KeyError, TypeError) as exc:
        log.warning("%s=%s is not a sandbox that answers (%s)", URL_ENV, url, exc)
        return None
    differs = {k: v for k, v in wanted.items() if getattr(config, k) != v}
    if differs:
        log.info("lab's sandbox at %s is set differently (%s)", url, sorted(differs))
        return None
    handle = Sandbox(config, url.rstrip("/"), Path(ca) if ca else None)
    password = os.environ.get(PASSWORD_ENV)
    if password:  # LAN mode: lab's random agent password
        handle.password = SecretStr(password)
    return handle


def _config_of(behaviour: dict[str, Any], url: str) -> SandboxConfig:
    """A running sandbox's config from its `/sandbox/health` (`SandboxConfig.behaviour()`)."""
    known = {f.name: _camel(f.name) for f in dataclasses.fields(SandboxConfig)}
    kw = {name: behaviour[key] for name, key in known.items() if key in behaviour}
    kw.pop("agents", None)  # a digest: the passwords of an agents list never leave the sandbox
    if "agent_id_range" in kw:
        kw["agent_id_range"] = tuple(kw["agent_id_range"])
    kw["port"] = httpx2.URL(url).port or 0
    return SandboxConfig(**kw)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
