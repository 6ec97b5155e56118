"""Export and snippet fixtures: agent IDs of their own, and a gateway that records raw bodies.

The session sandboxes (tests/fixtures_sandbox.py) are shared, so each test signs in an agent ID
drawn from 51000-59999, a band no other test uses.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest

from tests.loopback import LoopbackServer, QuietHandler


def new_agent_id() -> str:
    """An agent ID no other test signs in."""
    return str(51000 + uuid.uuid4().int % 9000)


def new_user() -> str:
    """A customer no other test writes to."""
    return "exp-" + uuid.uuid4().hex[:12]


class RecordingGateway(LoopbackServer):
    """A loopback HTTP server that answers like the gateway and keeps every raw request body.

    The sandbox keeps `data`, not the outer body as it arrived; this server keeps the bytes, so
    a test can compare what different senders put on the wire.
    """

    GUID = "5a1d0c4e-0000-4000-8000-recording0001.AgentGateway0"

    def __init__(self) -> None:
        self.bodies: list[tuple[str, str, bytes]] = []
        recorder = self

        class Handler(QuietHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                recorder.bodies.append((self.command, self.path, self.rfile.read(length)))
                payload = json.dumps({"retcode": "0", "message": "success"}).encode()
                self.send_response(200)
                if self.path.rstrip("/").split("/")[-2] == "onlineagent":
                    self.send_header("Set-GUID", f"JSESSIONID={recorder.GUID}")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_PUT = do_POST = do_DELETE = do_GET = _answer

        super().__init__(Handler)

    def sent(self, suffix: str) -> list[bytes]:
        """Bodies of the requests whose path ends with `suffix`."""
        return [body for _, path, body in self.bodies if path.endswith(suffix)]


@pytest.fixture
def recording_gateway() -> Iterator[RecordingGateway]:
    gw = RecordingGateway()
    try:
        yield gw
    finally:
        gw.close()


def kit_env(**settings: str) -> dict[str, str]:
    """The process environment without SENDMESSAGE_KIT_* (cleaned by conftest) plus `settings`."""
    return {**os.environ, **settings}
