"""The npm package `har-validator` (the HAR 1.2 schema of `har-schema`), run in Node.

Installed once per test session into a temporary folder with npm, as CI installs its npm tools.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

HAS_NPM = shutil.which("node") is not None and shutil.which("npm") is not None
VERSION = "5.1.5"
_SCRIPT = """
const v = require('har-validator');
const har = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
v.har(har).then(() => console.log('valid'))
  .catch((e) => { console.log(JSON.stringify(e.errors || String(e))); process.exit(1); });
"""


def install(folder: Path) -> Path:
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", f"har-validator@{VERSION}"],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=300,
    )
    script = folder / "validate.js"
    script.write_text(_SCRIPT)
    return script


def validate(script: Path, har: Path) -> str:
    """'valid', or har-validator's errors as JSON."""
    proc = subprocess.run(
        ["node", str(script), str(har)], capture_output=True, text=True, timeout=60,
        cwd=script.parent,
    )  # fmt: skip
    out = proc.stdout.strip()
    assert proc.returncode in (0, 1) and out, proc.stderr
    return out if proc.returncode == 0 else json.dumps(json.loads(out), indent=1)
