"""The local CC-Gateway sandbox: a real HTTP(S) server on loopback that behaves like the gateway.

Example:
    >>> from sendmessage_kit import sandbox
    >>> sb = sandbox.start(http=True)   # a background thread; HTTPS (local CA) without http=True
    >>> sb.agent_id, sb.password.get_secret_value()
    ('101', 'sandbox')
    >>> sb.stop()

Every `start()` is a new sandbox of the caller's; `attach_lab()` is the one way to share the
sandbox `sendmessage-kit lab` runs.

Names are imported on first use, so `sendmessage-kit --help` does not load the web stack.
See docs/sandbox.md for what it implements and its documented choices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sendmessage_kit._lazy import lazy_names

if TYPE_CHECKING:
    from sendmessage_kit.sandbox.app import create_app
    from sendmessage_kit.sandbox.config import (
        DEMO_AGENT_ID,
        DEMO_PASSWORD,
        DEMO_PHONENUM,
        ManualClock,
        SandboxConfig,
        data_dir,
        load_agents,
    )
    from sendmessage_kit.sandbox.customer import CustomerClient
    from sendmessage_kit.sandbox.faults import FaultSpec
    from sendmessage_kit.sandbox.server import FaultsControl, Sandbox, serve, start
    from sendmessage_kit.sandbox.sharing import CA_ENV, URL_ENV, attach_lab, lab_environ

_HOME = {
    "create_app": "app",
    "DEMO_AGENT_ID": "config",
    "DEMO_PASSWORD": "config",
    "DEMO_PHONENUM": "config",
    "ManualClock": "config",
    "SandboxConfig": "config",
    "data_dir": "config",
    "load_agents": "config",
    "CustomerClient": "customer",
    "FaultSpec": "faults",
    "CA_ENV": "sharing",
    "URL_ENV": "sharing",
    "FaultsControl": "server",
    "Sandbox": "server",
    "attach_lab": "sharing",
    "lab_environ": "sharing",
    "serve": "server",
    "start": "server",
}

__all__ = [
    "CA_ENV",
    "DEMO_AGENT_ID",
    "DEMO_PASSWORD",
    "DEMO_PHONENUM",
    "URL_ENV",
    "CustomerClient",
    "FaultSpec",
    "FaultsControl",
    "ManualClock",
    "Sandbox",
    "SandboxConfig",
    "attach_lab",
    "create_app",
    "data_dir",
    "lab_environ",
    "load_agents",
    "serve",
    "start",
]


__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__, globals())
