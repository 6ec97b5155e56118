"""`from sendmessage_kit import GatewayClient` loads only what the class needs (issue 14).

pydantic, the settings (pydantic-settings), the models, the constraint tables, the journal, httpx2
and the sandbox load on construction or first send, and the async twin (with asyncio) only when
asked for; a regression that imports one of them at the top of a client module makes this fail
(measured: httpx2 alone is about half of the old import time).
"""

from __future__ import annotations

import json
import subprocess
import sys

DEFERRED = [
    "pydantic_settings",
    "sendmessage_kit.settings",
    "sendmessage_kit.models",
    "sendmessage_kit.constraints",
    "sendmessage_kit.history",
    "sendmessage_kit.sandbox",
    "fastapi",
    "aiohttp",
    "httpx2",
    "pydantic",
    "asyncio",
    "sendmessage_kit.async_client",
]


def _loaded_after(code: str) -> list[str]:
    listing = f"print(json.dumps([m for m in {DEFERRED!r} if m in sys.modules]))"
    probe = f"{code}\nimport json, sys\n{listing}"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_client_defers_what_construction_needs() -> None:
    assert _loaded_after("from sendmessage_kit import GatewayClient") == []


def test_construction_loads_the_settings_and_checks() -> None:
    # The probe sees modules: construction loads what the import deferred.
    code = (
        "from sendmessage_kit import GatewayClient\n"
        "GatewayClient(base_url='http://127.0.0.1:9', agent_id='101', history=False).close()"
    )
    loaded = _loaded_after(code)
    expected = {"pydantic_settings", "sendmessage_kit.settings", "sendmessage_kit.constraints"}
    assert expected | {"httpx2", "pydantic"} <= set(loaded)
    assert "sendmessage_kit.async_client" not in loaded
