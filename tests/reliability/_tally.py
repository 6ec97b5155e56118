"""The suite's counters, written to a JSON file that `bench/reliability.py` turns into a table.

Tests add to named counters (`tally.add("inputs", n)`); the numbers that must stay zero (lost,
duplicated, leaked, 5xx) are recorded *before* the test asserts on them, so a failing run still
reports what it saw. The file is `$RELIABILITY_REPORT`, else `tmp/artifacts/reliability.json`.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REPORT_ENV = "RELIABILITY_REPORT"


def report_path() -> Path:
    env = os.environ.get(REPORT_ENV)
    return Path(env) if env else ROOT / "tmp" / "artifacts" / "reliability.json"


class Tally:
    """Thread-safe counters plus free-form figures (load throughput, peak RSS...)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.figures: dict[str, Any] = {}
        self.tests: Counter[str] = Counter()
        self.failed: list[str] = []

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.counts[name] += n

    def figure(self, name: str, value: Any) -> None:
        with self._lock:
            self.figures[name] = value

    def merge(self, counts: dict[str, int], figures: dict[str, Any]) -> None:
        """Add another process's counters (an xdist worker's) to these."""
        with self._lock:
            self.counts.update(counts)
            self.figures.update(figures)

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "counts": dict(self.counts),
                "figures": dict(self.figures),
                "tests": dict(self.tests),
                "failed": list(self.failed),
            }

    def write(self, path: Path | None = None) -> Path:
        path = path or report_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True), encoding="utf-8")
        return path


TALLY = Tally()
