"""The local CC-Gateway sandbox: a real HTTP(S) server on loopback that behaves like the gateway.

Example:
    >>> from sendmessage_kit import sandbox
    >>> sb = sandbox.start(http=True)   # a background thread; HTTPS (local CA) without http=True
    >>> sb.agent_id, sb.password.get_secret_value()
    ('101', 'sandbox')
    >>> sb.stop()

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
        SandboxConfig,
        data_dir,
        load_agents,
    )
    from sendmessage_kit.sandbox.customer import CustomerClient
    from sendmessage_kit.sandbox.faults import FaultSpec
    from sendmessage_kit.sandbox.server import (
        CA_ENV,
        URL_ENV,
        FaultsControl,
        Sandbox,
        attach,
        serve,
        start,
    )

_HOME = {
    "create_app": "app",
    "DEMO_AGENT_ID": "config",
    "DEMO_PASSWORD": "config",
    "DEMO_PHONENUM": "config",
    "SandboxConfig": "config",
    "data_dir": "config",
    "load_agents": "config",
    "CustomerClient": "customer",
    "FaultSpec": "faults",
    "CA_ENV": "server",
    "URL_ENV": "server",
    "FaultsControl": "server",
    "Sandbox": "server",
    "attach": "server",
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
    "Sandbox",
    "SandboxConfig",
    "attach",
    "create_app",
    "data_dir",
    "load_agents",
    "serve",
    "start",
]


__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__, globals())
