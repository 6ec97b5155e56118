"""What a client of a sandbox is built with: the sandbox's address, CA, agent and profile."""

from __future__ import annotations

from typing import Any

__all__ = ["sandbox_kwargs", "sandbox_target"]


def sandbox_target(sandbox: Any, agent_id: str) -> str:
    """The journal's target for a client of `sandbox`: the sandbox, at its address."""
    from sendmessage_kit.history import target_of

    return target_of(sandbox.base_url, agent_id, sandbox=True)


def sandbox_kwargs(sandbox: Any, given: dict[str, Any]) -> dict[str, Any]:
    """A sandbox client's arguments: the sandbox's overridden by `given`.

    Resending on failure is on (the sandbox stores a repeated messageCode once); `check()` uses
    the sandbox's profile (its secmode, KB reading, size counts, agent-ID range and web poll
    cut: the limits in force there); the sandbox's demo phonenum is used only when neither
    `given` nor its `settings` name one.
    """
    config = getattr(sandbox, "config", None)
    out: dict[str, Any] = {
        "profile": config.profile() if config is not None else None,
        "base_url": sandbox.base_url,
        "agent_id": sandbox.agent_id,
        "password": sandbox.password,
        "phonenum": getattr(sandbox, "phonenum", None),
        "ca_bundle": getattr(sandbox, "ca_path", None),
        "secmode": getattr(sandbox, "secmode", None),
        "resend_on_failure": True,
    }
    if getattr(given.get("settings"), "phonenum", None):
        del out["phonenum"]
    if hasattr(sandbox, "transport"):  # a sandbox in a web page: its clients talk in-process
        out["transport"] = sandbox.transport()
    return {**out, **given}
