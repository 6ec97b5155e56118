"""The guides the Try-it lab promises run top to bottom in Pyodide, from the built site's files.

Pyodide runs under Node here (the same wheels, lock and Python as in the reader's browser; the
browser itself is tested with guide 1 in test_try_browser.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.docs.conftest import ROOT

HERE = Path(__file__).parent
IN_THE_BROWSER = ["02", "03", "06", "07"]  # 4 and 5 say at their top where they stop
#: What is true at a guide's end beyond "no cell raised" (guide 7: its scenario played through).
AT_THE_END = {"07": "len(story.scenario_run.log) == len(story.scenario_run.scenario.steps)"}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_guides_run_in_pyodide(built_site: Path) -> None:
    notebooks = [
        p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p.name[:2] in IN_THE_BROWSER
    ]
    proc = subprocess.run(
        ["node", str(HERE / "run_guides.mjs"), str(built_site / "try")]
        + [f"notebooks/{p.name}::{AT_THE_END.get(p.name[:2], 'True')}" for p in notebooks],
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = [
        line for line in proc.stdout.splitlines() if line.endswith(("ok",)) or "failed" in line
    ]
    assert results == [f"{p.name}: ok" for p in notebooks], proc.stdout[-3000:]
