"""`sendmessage-kit doctor`: is my gateway reachable, and how is it set?

One line per check, in order: the settings, the address resolves and connects, TLS (the chain
against the CA given, the days until the certificate expires, its names), sign-in (its retcode
explained), one event poll (the heartbeat), whether the Guid rotates, sign-out. A blocking
failure ends the run, saying which checks it could not run. `--probe-limits --callid ID` then
sends five sized messages to that chat to find the size limit's unpublished readings
(`sendmessage_kit.doctor.probe`).
"""

from __future__ import annotations

from sendmessage_kit.doctor.checks import ORDER, Check, Doctor
from sendmessage_kit.doctor.probe import ProbeResult, probe_limits

__all__ = ["ORDER", "Check", "Doctor", "ProbeResult", "probe_limits"]
