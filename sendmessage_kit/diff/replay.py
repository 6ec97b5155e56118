"""Replay recorded exchanges, in order, against a fresh sandbox set by `Flags`.

Each replay starts its own sandbox (plain HTTP on 127.0.0.1, a free port, an in-memory store)
and stops it afterwards. The sandbox's credentials stand in for the recording's: a sign-in body's
password becomes the sandbox's, and a request that carried a `Guid` carries the Guid the
replay's own sign-in got (following `Set-GUID`, as a client does).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Literal

from sendmessage_kit.diff.har_in import Recorded

__all__ = ["Answered", "Flags", "replay"]

_WRONG_PASSWORD = "not-the-sandbox-password"  # replays a sign-in the recording saw refused


@dataclass(frozen=True, slots=True)
class Flags:
    """The sandbox settings a diff varies: the ones a gateway may set differently.

    Each is a `sendmessage-kit sandbox` flag of the same name.
    """

    secmode: int = 1
    kb: int = 1000
    counts: Literal["content", "data"] = "content"
    invalid_retcode: str = "000-002"
    oversize_retcode: str = "000-006"
    allow_empty_phonenum: bool = False
    agent_id_range: tuple[int, int] = (101, 59999)

    def config(self) -> Any:
        """The `SandboxConfig` of a replay's sandbox with these settings."""
        from sendmessage_kit.sandbox.config import SandboxConfig

        return SandboxConfig(
            http=True,
            secmode=self.secmode,
            bytes_per_kb=self.kb,
            size_counts=self.counts,
            invalid_retcode=self.invalid_retcode,
            oversize_retcode=self.oversize_retcode,
            allow_empty_phonenum=self.allow_empty_phonenum,
            agent_id_range=self.agent_id_range,
            poll_wait=0.0,  # an event poll answers at once: a replay compares retcodes only
            idle_timeout=0.0,
        )

    def changed(self, base: Flags) -> list[str]:
        """Names of the settings that differ from `base`."""
        return [
            f.name
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(base, f.name)
        ]

    def argv(self, only: list[str] | None = None) -> list[str]:
        """These settings as `sendmessage-kit sandbox` flags (`only`: just these names)."""
        out: list[str] = []
        for f in dataclasses.fields(self):
            if only is not None and f.name not in only:
                continue
            flag = "--" + f.name.replace("_", "-")
            value = getattr(self, f.name)
            if isinstance(value, bool):
                out += [flag] if value else []
            elif isinstance(value, tuple):
                out += [flag, f"{value[0]}-{value[1]}"]
            else:
                out += [flag, str(value)]
        return out


@dataclass(frozen=True, slots=True)
class Answered:
    """The sandbox's answer to one replayed request."""

    status: int
    retcode: str | None
    message: str


def replay(recorded: list[Recorded], flags: Flags) -> list[Answered]:
    """Send every recorded request, in order, to a fresh sandbox with `flags`; its answers."""
    import httpx2

    from sendmessage_kit.auth import guid_from_headers
    from sendmessage_kit.sandbox.server import serve

    answers: list[Answered] = []
    with (
        serve(flags.config()) as sb,
        httpx2.Client(base_url=sb.base_url, timeout=30.0, trust_env=False) as http,
    ):
        password = sb.password.get_secret_value()
        guid: str | None = None
        for rec in recorded:
            headers = {"Content-Type": rec.headers.get("content-type", "application/json")}
            if "guid" in rec.headers and guid is not None:
                headers["Guid"] = guid
            body = _sign_in_body(rec, password) if rec.is_sign_in else rec.body
            content = body.encode("utf-8", "surrogatepass") if body is not None else None
            response = http.request(rec.method, rec.path, headers=headers, content=content)
            guid = guid_from_headers(response.headers) or guid
            answers.append(_answered(response.status_code, response.content))
    return answers


def _sign_in_body(rec: Recorded, password: str) -> str | None:
    """The recorded sign-in body with the sandbox's password (a wrong one if it was refused)."""
    obj = rec.json_body()
    if not isinstance(obj, dict) or "password" not in obj:
        return rec.body
    obj["password"] = _WRONG_PASSWORD if rec.retcode == "100-004" else password
    return json.dumps(obj, ensure_ascii=False)


def _answered(status: int, content: bytes) -> Answered:
    try:
        obj = json.loads(content)
    except (ValueError, RecursionError):
        return Answered(status, None, content[:200].decode("utf-8", "replace"))
    if not isinstance(obj, dict) or "retcode" not in obj:
        return Answered(status, None, content[:200].decode("utf-8", "replace"))
    return Answered(status, str(obj["retcode"]), str(obj.get("message") or ""))
