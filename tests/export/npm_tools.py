"""The real tools from npm (newman, Bruno's CLI, httpyac, Swagger UI, har-validator), installed
once per clone.

`npm_tools()` installs the pinned versions into `.cache/npm-tools` on first use (about 50 s,
then nothing) and returns that folder; without npm the tests that need it skip, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = {
    "newman": "6.2.2",
    "@usebruno/cli": "4.1.0",
    "httpyac": "6.16.7",
    "swagger-ui-dist": "5.35.0",
    "har-validator": "5.1.5",
}
FOLDER = ROOT / ".cache" / "npm-tools"


def _installed() -> bool:
    for name, version in PACKAGES.items():
        meta = FOLDER / "node_modules" / name / "package.json"
        if not meta.exists() or json.loads(meta.read_text())["version"] != version:
            return False
    return True


def npm_tools() -> Path:
    """The folder holding node_modules with the pinned tools (installed when missing)."""
    if _installed():
        return FOLDER
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the exports cannot be run in newman, bru, httpyac")
    FOLDER.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    subprocess.run(
        [npm, "install", "--prefix", str(FOLDER), "--no-audit", "--no-fund", "--silent", *specs],
        check=True,
        timeout=600,
    )
    assert _installed()
    return FOLDER


def tools_path() -> str:
    """PATH with the tools' `node_modules/.bin` first."""
    return f"{npm_tools() / 'node_modules' / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}"
