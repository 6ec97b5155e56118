"""The "Try it" lab: the guides, live in the reader's browser (`site/try/`, `sh scripts/docs`).

    python -m docs.build_try --site-dir site

A JupyterLite site with the Pyodide kernel, the kit's wheel built from this checkout, and only
the wheels it needs; nothing is fetched from anywhere when a reader opens it (PyPI fallback
off, Pyodide served from the site). The build needs only the package registries:

- Pyodide's core from the npm package `pyodide` (`npm pack`);
- the wheels from PyPI for Pyodide's platform (`pip download --platform ...`), at the versions
  `uv.lock` pins, and a `pyodide-lock.json` that lists just them (the kernel loads the kit and
  what it imports from there when it starts);
- the wheels and Pyodide's standard library compiled to bytecode by Pyodide itself, under
  Node.js (`docs/precompile.py`): a reader's browser then imports instead of compiling;
- `jupyter lite build` with `jupyterlite-pyodide-kernel` and `jupyterlab-widgets`.

Downloads are kept in `build/try-cache/` (a second build downloads nothing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from docs.pure_wheel import BUILT, pure_wheel
from docs.tables import ROOT, BuildError

PYODIDE_VERSION = "314.0.6"
#: Pyodide 314 is CPython 3.14 on the PEP 783 platform below.
PLATFORM = "pyemscripten_2026_0_wasm32"
PYTHON = "3.14"
CACHE = ROOT / "build" / "try-cache"
#: The kit's dependencies that have no wheel for Pyodide's platform; the kit imports them only
#: where a browser never goes (the sandbox's TLS certificates). PyYAML has none either: its
#: pure-Python wheel is built here from its sdist (docs/pure_wheel.py).
NOT_IN_BROWSER = {"trustme", "cryptography", "cffi", "pycparser"}
#: What the kernel itself needs beside the kit (IPython, the comm layer, completion).
KERNEL = ["micropip", "ipython", "comm", "jedi"]
#: The kernel's own wheels (jupyterlite-pyodide-kernel's): preloaded with the rest, the kernel
#: installs nothing when it starts (it would resolve and install them with micropip).
KERNEL_OWN = ["piplite", "ipykernel", "pyodide-kernel"]
#: Declared by httpx2 for emscripten only, which pip (judging markers on this machine) skips.
EXTRA = ["httpx2-jsfetch==1.0"]
#: Served by the lab itself (jupyterlab-widgets' extension): no wheel needed in the kernel.
PROVIDED = {"widgetsnbextension", "jupyterlab-widgets"}
#: The guides in the lab; those that need a real Python say so at their top (the lab's copy).
GUIDES = ["01", "02", "03", "04", "05", "06", "07"]
#: What the guides read besides themselves, at the checkout's relative paths (`../examples/...`).
GUIDE_FILES = ["examples/scenarios/*.yaml"]
NEEDS_PYTHON = {
    "04": (
        '**In the browser, this guide stops at the proxy\'s cell** ("Watching the wire"): the '
        "proxy is a real server between the client and the gateway, and a web page cannot listen "
        "on a socket. Everything before it runs here; run the rest in JupyterLab "
        "(`sh scripts/lab`)."
    ),
    "05": (
        "**In the browser, this guide stops at its third cell.** It makes a client from the "
        "sandbox's address and certificate authority (`GatewayClient(base_url=..., "
        "ca_bundle=...)`), as for a real gateway — and a web page has no sockets and no TLS of "
        "its own: it can only `fetch()`, which a real gateway (self-signed certificates, no "
        "CORS) refuses. Run it in JupyterLab (`sh scripts/lab`) to follow sign-in, Guid "
        "rotation and certificate trust end to end."
    ),
}


PIP_DOWNLOAD = [
    *[sys.executable, "-m", "pip", "download", "--isolated", "--quiet", "--no-deps"],
    *["--only-binary=:all:", "--platform", PLATFORM, "--python-version", PYTHON],
    *["--implementation", "cp", "--abi", "cp314", "--abi", "abi3", "--abi", "none"],
]


def _uv() -> list[str]:
    """The uv binary: `uv run` names it in $UV; else the one on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        raise BuildError("uv not found: run this through `uv run` (sh scripts/docs does)")
    return [found]


def _run(cmd: list[str], **kw: Any) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd[:4])} … failed:\n{(proc.stderr or proc.stdout)[-3000:]}")


def pyodide_core() -> Path:
    """The npm package's files (cached), unpacked; its directory."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tgz = CACHE / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not tgz.exists():
        _run(["npm", "pack", f"pyodide@{PYODIDE_VERSION}", "--silent"], cwd=CACHE)
    out = CACHE / f"pyodide-{PYODIDE_VERSION}"
    if not out.exists():
        with tarfile.open(tgz) as tar:
            tar.extractall(out, filter="data")
    return out / "package"


def pins() -> list[str]:
    """`uv.lock`'s versions of the kit's runtime dependencies (browser-less ones left out)."""
    proc = subprocess.run(
        [*_uv(), "export", "--no-default-groups", "--no-hashes", "--no-emit-project", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [ln.strip() for ln in proc.stdout.splitlines() if ln and not ln.startswith((" ", "#"))]
    return [ln for ln in lines if ln.split("==")[0] not in NOT_IN_BROWSER]


def kit_wheel(out: Path) -> Path:
    """The kit's wheel, built from this checkout (every time: it is the code as it is now)."""
    _run([*_uv(), "build", "--wheel", "--out-dir", str(out), "--quiet"], cwd=ROOT)
    return next(out.glob("*.whl"))


def wheels(kit: Path) -> list[Path]:
    """The wheels for Pyodide's platform, the kit's included: the closure of its requirements.

    pip judges markers for this machine (ipython would want psutil; httpx2, no httpx2-jsfetch),
    so each wheel is fetched alone (`--no-deps`) and its requirements are judged for Pyodide
    here. Versions: `uv.lock`'s where it pins one. Downloads are kept per set of names and pins.
    """
    from packaging.requirements import Requirement

    pinned = {_canonical(p.split("==")[0]): p.split(";")[0].strip() for p in pins()}
    fixed = {_canonical(r.split("==")[0]): r for r in EXTRA}
    names = {_canonical(r.split("==")[0]) for r in [*KERNEL, *EXTRA]}
    names |= {_canonical(Requirement(r).name) for r in _requires(kit)}
    done = {name: pure_wheel(name, CACHE / "built") for name in sorted(names & set(BUILT))}
    while todo := sorted(names - set(done) - NOT_IN_BROWSER - PROVIDED):
        specs = [fixed.get(n) or pinned.get(n) or n for n in todo]
        key = hashlib.sha256(json.dumps(specs).encode()).hexdigest()[:16]
        dest = CACHE / "wheels" / key
        if not dest.exists():
            tmp = dest.with_suffix(".part")
            shutil.rmtree(tmp, ignore_errors=True)
            _run([*PIP_DOWNLOAD, "-d", str(tmp), *specs])
            tmp.rename(dest)
        for wheel in dest.glob("*.whl"):
            done[_canonical(_metadata(wheel)[0])] = wheel
            names |= {_canonical(Requirement(r).name) for r in _requires(wheel)}
        missing = set(todo) - set(done)
        if missing:
            raise BuildError(f"no wheel for Pyodide's platform: {sorted(missing)}")
    return [*sorted(done.values()), kit]


def kernel_wheels() -> list[Path]:
    """`KERNEL_OWN`'s wheels, from the folder of jupyterlite-pyodide-kernel's lab extension."""
    from jupyter_core.paths import jupyter_path

    for root in jupyter_path("labextensions"):
        folder = Path(root) / "@jupyterlite" / "pyodide-kernel-extension" / "static" / "pypi"
        found = {_canonical(_metadata(w)[0]): w for w in folder.glob("*.whl")}
        if all(name in found for name in KERNEL_OWN):
            return [found[name] for name in KERNEL_OWN]
    raise BuildError("jupyterlite-pyodide-kernel's wheels not found: run `uv sync --all-extras`")


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def _metadata(wheel: Path) -> tuple[str, str, list[str], list[str]]:
    """Name, version, Requires-Dist and top-level import names of a wheel."""
    from email.parser import Parser

    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode())
        tops = set()
        for n in zf.namelist():
            first = n.split("/")[0]
            if first.endswith((".dist-info", ".data")):
                continue
            if "/" in n or n.endswith((".py", ".pyc")):  # .pyc: a compiled module
                tops.add(first.removesuffix(".pyc").removesuffix(".py"))
    return meta["Name"], meta["Version"], meta.get_all("Requires-Dist") or [], sorted(tops)


def _requires(wheel: Path) -> list[str]:
    """The wheel's requirements that apply in Pyodide (no extras)."""
    from packaging.requirements import Requirement

    env = {"sys_platform": "emscripten", "platform_system": "Emscripten", "extra": ""}
    env |= {"python_version": PYTHON, "python_full_version": f"{PYTHON}.2"}
    env |= {"platform_machine": "wasm32", "implementation_name": "cpython"}
    out = []
    for raw in _metadata(wheel)[2]:
        req = Requirement(raw)
        if req.marker is None or req.marker.evaluate(env):
            out.append(raw)
    return out


def lock(core: Path, wheel_files: list[Path]) -> dict[str, Any]:
    """A `pyodide-lock.json` of just these wheels (file names relative to the lock)."""
    npm_lock = json.loads((core / "pyodide-lock.json").read_text())
    have = {_canonical(_metadata(w)[0]) for w in wheel_files}
    packages = {}
    for wheel in wheel_files:
        from packaging.requirements import Requirement

        name, version, _, imports = _metadata(wheel)
        depends = sorted(
            {_canonical(Requirement(r).name) for r in _requires(wheel)} & have - {_canonical(name)}
        )
        packages[_canonical(name)] = {
            "name": _canonical(name),
            "version": version,
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "package_type": "package",
            "imports": imports,
            "depends": depends,
            "unvendored_tests": False,
        }
    return {"info": npm_lock["info"], "packages": packages}


def lite_config(packages: list[str]) -> dict[str, Any]:
    """`jupyter-lite.json`: Pyodide from the site, the kit preloaded, PyPI fallback off."""
    kernel = {
        "pyodideUrl": "./static/pyodide/pyodide.mjs",
        "disablePyPIFallback": True,
        "loadPyodideOptions": {"packages": packages},
    }
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "sendmessage-kit · Try it",
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": kernel},
        },
    }


def lab_copy(path: Path) -> str:
    """A guide as the lab shows it: with a note at its top if it needs a real Python."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    note = NEEDS_PYTHON.get(path.name[:2])
    if note:
        cell = {"cell_type": "markdown", "id": "try-it-note", "metadata": {}, "source": note}
        nb["cells"].insert(1, cell)
    return json.dumps(nb, indent=1, ensure_ascii=False)


#: What the lab's kernel and a guide's first cells import and start, run once at build time under
#: Pyodide: every module it imports ships compiled (docs/precompile.py). The kernel
#: (jupyterlite's pyodide_kernel) runs an IPython shell; the guide opens the page sandbox, sends.
WARMUP = """
import sys

import piplite.piplite
import pyodide_kernel

pyodide_kernel.ipython_shell.run_cell("1 + 1")
sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__  # the kernel took them

import sendmessage_kit
from sendmessage_kit import new_message, open_target, preview, seed, widgets

target = open_target()
chat = target.sandbox.customer.open_chat(channel="WEB", user_id=seed.USER_ID)
target.client.send_message(chat["callid"], new_message(to=seed.USER_ID, content="warm-up"))
target.close()
"""


def precompile(core: Path, wheel_files: list[Path]) -> tuple[list[Path], Path]:
    """`wheel_files` and Pyodide's standard library with what `WARMUP` imports compiled.

    Runs `docs/precompile.py` in Pyodide under Node.js; the results are kept in
    `build/try-cache/pyc/`, keyed by every input, so an unchanged build compiles nothing.
    """
    script, runner = ROOT / "docs" / "precompile.py", ROOT / "docs" / "run_in_pyodide.mjs"
    inputs = [*wheel_files, core / "python_stdlib.zip"]
    digest = hashlib.sha256(script.read_bytes() + WARMUP.encode() + PYODIDE_VERSION.encode())
    for path in inputs:
        digest.update(path.read_bytes())
    out = CACHE / "pyc" / digest.hexdigest()[:16]
    results = [out / path.name for path in inputs]
    if not out.exists():
        with tempfile.TemporaryDirectory(dir=ROOT / "build", prefix="pyc-") as tmp:
            work = Path(tmp)
            (work / "in").mkdir()
            for path in inputs:
                shutil.copy2(path, work / "in" / path.name)
            jobs = {
                "wheels": [{"src": f"in/{w.name}", "dest": f"out/{w.name}"} for w in wheel_files],
                "stdlib": {"src": "in/python_stdlib.zip", "dest": "out/python_stdlib.zip"},
                "warmup": WARMUP,
            }
            (work / "jobs.json").write_text(json.dumps(jobs))
            _run(["node", str(runner), str(core), str(work), str(script)])
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(work / "out", out)
    return results[:-1], results[-1]


def build(site_dir: Path) -> Path:
    """Build `site_dir/try/`; its path (the lab's source in a folder of this build's own)."""
    started = time.perf_counter()
    core = pyodide_core()
    (ROOT / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "build", prefix="try-src-") as tmp:
        kit = kit_wheel(Path(tmp) / "kit")
        compiled, stdlib = precompile(core, [*kernel_wheels(), *wheels(kit)])
        out = _assemble(site_dir, Path(tmp) / "lite", core, stdlib, compiled)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    print(f"  try/: {size:.1f} MB, {time.perf_counter() - started:.1f} s")
    return out


def _assemble(
    site_dir: Path, source: Path, core: Path, stdlib: Path, wheel_files: list[Path]
) -> Path:
    """The lab's source (`source`) built into `site_dir/try`; the kit's wheel comes last."""
    static = source / "static" / "pyodide"
    static.mkdir(parents=True)
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm"):
        shutil.copy2(core / name, static / name)
    shutil.copy2(stdlib, static / "python_stdlib.zip")
    shutil.copy2(core / "package.json", static / "package.json")
    for wheel in wheel_files:
        shutil.copy2(wheel, static / wheel.name)
    (static / "pyodide-lock.json").write_text(json.dumps(lock(core, wheel_files), indent=1))
    preload = [*KERNEL, *KERNEL_OWN, _canonical(_metadata(wheel_files[-1])[0])]
    (source / "jupyter-lite.json").write_text(json.dumps(lite_config(preload), indent=2))
    contents = source / "contents"
    (contents / "notebooks").mkdir(parents=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if nb.name[:2] in GUIDES:
            (contents / "notebooks" / nb.name).write_text(lab_copy(nb), encoding="utf-8")
    for pattern in GUIDE_FILES:  # the checkout's layout, so the guides' relative paths hold
        for file in sorted(ROOT.glob(pattern)):
            (contents / file.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, contents / file.relative_to(ROOT))
    for nb in sorted((ROOT / "docs" / "try-contents").glob("*.ipynb")):
        shutil.copy2(nb, contents / nb.name)  # the lab's own (shared.ipynb: a shared payload)
    out = site_dir / "try"
    shutil.rmtree(out, ignore_errors=True)
    _run(
        [
            *[sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(source)],
            *["--contents", str(contents), "--output-dir", str(out)],
            *["--no-sourcemaps", "--no-unused-shared-packages"],
        ],
        cwd=source,
    )
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: build `--site-dir`/try."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-dir", type=Path, default=ROOT / "site")
    args = parser.parse_args(argv)
    try:
        build(args.site_dir.resolve())
    except BuildError as exc:
        print(f"Try-it build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
