"""What an agent ID is: its number written plainly, inside the configured range.

One rule for `check()` (rule `agent.range`) and the sandbox's gateway: ASCII digits without a
leading zero ("0101" is refused, not read as agent 101: one agent, one identity), and short
enough that `int()` is cheap and defined (Python refuses `int()` of over 4,300 digits).
"""

from __future__ import annotations

import re

__all__ = ["agent_id_ok"]

_AGENT_ID = re.compile(r"^(?:0|[1-9][0-9]{0,8})\Z")


def agent_id_ok(agent_id: str, agent_id_range: tuple[int, int]) -> bool:
    """True when `agent_id` is a number written plainly (no leading zero) inside the range."""
    low, high = agent_id_range
    # isdigit() accepts "10³" and other Unicode digits that int() refuses: ASCII only.
    return _AGENT_ID.match(agent_id) is not None and low <= int(agent_id) <= high
