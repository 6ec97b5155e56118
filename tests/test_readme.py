"""The README's Python example runs as written, and its two commands are the scripts CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_DATA_DIR", str(tmp_path))
    blocks = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    assert blocks
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "[]" in out and "success" in out
    started = namespace["target"].sandbox  # type: ignore[attr-defined]
    assert started.owned and not started.running  # the example stops what it started


def test_readme_two_commands_are_the_scripts_ci_runs() -> None:
    first, second = re.findall(r"^sh (scripts/\w+)", README, re.MULTILINE)[:2]
    assert (first, second) == ("scripts/lab", "scripts/test")
    assert "sh scripts/test" in (ROOT / ".ci" / "run").read_text()
