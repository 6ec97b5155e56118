"""Every numbered notebook is committed clean and runs top to bottom against the sandbox."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# The sandbox issues Guids shaped like the real gateway's: UUID + "." + node name.
GUID_SHAPE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                        r"[0-9a-fA-F]{12}\.AgentGateway\d*")  # fmt: skip
pytestmark = [
    pytest.mark.notebooks,
    # jupyter_client/zmq warn about their own event loops and sockets; not the kit's.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
]


def test_there_are_numbered_notebooks() -> None:
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c.get("outputs") or c.get("execution_count")]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "**Goal:**" in "".join(first["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_DATA_DIR", str(tmp_path / "data"))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    started = time.perf_counter()
    client.execute(env=dict(os.environ))
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"{path.name} took {elapsed:.1f} s (budget 60 s)"
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "Traceback" not in text
    leaked = GUID_SHAPE.findall(text)
    assert not leaked, f"{path.name}: a whole Guid appears in the outputs: {leaked[0][:8]}…"
