"""`sendmessage-kit diff FILE.har`: where the sandbox differs from the gateway you recorded.

The recorded requests are replayed, in order, against a fresh sandbox (its credentials in place
of the recording's), and each answer is set beside the recorded one. Where they differ, the diff
names the sandbox setting that explains each difference and prints the one command line that
makes the sandbox agree with the recording (checked by replaying against a sandbox so set).

Example:
    >>> from sendmessage_kit.diff import Flags, compare, read_har   # doctest: +SKIP
    >>> recorded, skipped = read_har("my-app.har")                   # doctest: +SKIP
    >>> compare(recorded, Flags()).command()                         # doctest: +SKIP
    'sendmessage-kit sandbox --kb 1024 --invalid-retcode 000-006'
"""

from __future__ import annotations

from sendmessage_kit.diff.compare import Comparison, Row, compare
from sendmessage_kit.diff.har_in import HarError, Recorded, read_har
from sendmessage_kit.diff.replay import Flags, replay

__all__ = ["Comparison", "Flags", "HarError", "Recorded", "Row", "compare", "read_har", "replay"]
