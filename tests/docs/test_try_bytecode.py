"""The Try-it lab ships bytecode: the kernel's start and a guide's first send compile nothing.

Runs the build's own warm-up (`docs.build_try.WARMUP`: the kernel's imports and shell, guide 1's
first cells) in Pyodide under Node, from the built site's own lock, wheels and standard library,
with an audit hook that records every module compiled from source to be imported (anyio, for
one, also parses its own source when imported: that is no import and stays).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest

from docs.build_try import KERNEL, KERNEL_OWN, WARMUP
from tests.docs.conftest import ROOT

PROBE = """
import json, sys, pyodide_js

await pyodide_js.loadPackage({packages})
compiled = []
# Who compiles a module it imports: importlib (site-packages) and zipimport (the stdlib's zip).
IMPORTERS = {{"_call_with_frames_removed", "_compile_source"}}


def audit(event, args):
    if event == "compile" and isinstance(args[1], str) and args[1].startswith("/lib/"):
        if sys._getframe(1).f_code.co_name in IMPORTERS:  # not a library parsing its own source
            compiled.append(args[1])


sys.addaudithook(audit)
{warmup}
with open("/work/compiled.json", "w") as out:
    json.dump(compiled, out)
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_kernel_and_guide_1_import_without_compiling(built_site: Path, tmp_path: Path) -> None:
    packages = [*KERNEL, *KERNEL_OWN, "sendmessage-kit"]
    script = tmp_path / "probe.py"
    script.write_text(PROBE.format(packages=json.dumps(packages), warmup=textwrap.dedent(WARMUP)))
    pyodide = built_site / "try" / "static" / "pyodide"
    runner = ROOT / "docs" / "run_in_pyodide.mjs"
    proc = subprocess.run(
        ["node", str(runner), str(pyodide), str(tmp_path), str(script)],
        capture_output=True, text=True, timeout=280,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    compiled = json.loads((tmp_path / "compiled.json").read_text())
    assert compiled == []


def test_the_kit_ships_its_source_beside_its_bytecode(built_site: Path) -> None:
    pyodide = built_site / "try" / "static" / "pyodide"
    (kit,) = pyodide.glob("sendmessage_kit-*.whl")
    with zipfile.ZipFile(kit) as wheel:
        names = set(wheel.namelist())
        record = wheel.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
    assert "sendmessage_kit/client.py" in names  # readers still read the source
    cached = [n for n in names if n.startswith("sendmessage_kit/__pycache__/client.cpython-")]
    assert cached and cached[0] in record
    with zipfile.ZipFile(pyodide / "python_stdlib.zip") as stdlib:
        assert {"json/__init__.py", "json/__init__.pyc"} <= set(stdlib.namelist())
