"""Compiled to bytecode once at build time, not in every reader's browser at every start.

Runs inside Pyodide (`node docs/run_in_pyodide.mjs`, from docs/build_try.py), so the bytecode is
the reader's CPython's own. Without it, the Try-it lab's kernel compiled every module it imported
from source on each page load: about a third of guide 1's time to its first send.

`/work/jobs.json` names the wheels, Pyodide's `python_stdlib.zip` and a warm-up (paths under
`/work`). The wheels are installed where the browser installs them, the warm-up runs (what a
guide's first cells import and start), and every module it imported gets its bytecode added to
the wheel or zip it came from: beside its source, never instead (anyio, for one, reads its own
source when imported), as an unchecked-hash pyc (PEP 552: valid whatever the files' times):

- in a wheel, `pkg/__pycache__/mod.cpython-3XX.pyc` (listed in RECORD without a hash, as the
  wheel spec allows for .pyc);
- in the standard library's zip, `mod.pyc` beside `mod.py` (where zipimport looks first).

Modules nothing imported stay source only: the site grows by what the guides use, not by all.
"""

import importlib.util
import json
import py_compile
import sys
import zipfile
from pathlib import Path

WORK = Path("/work")
SITE = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
STDLIB = f"/lib/python{sys.version_info.major}{sys.version_info.minor}.zip"
SCRATCH = Path("/tmp/precompile")


def bytecode(source: Path, installed_as: str) -> bytes:
    """`source` compiled, named `installed_as` in tracebacks."""
    out = SCRATCH / "out.pyc"
    py_compile.compile(
        str(source), cfile=str(out), dfile=installed_as, doraise=True,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )  # fmt: skip
    return out.read_bytes()


COMPILED: set[str] = set()  # every file of /lib compiled from source since the hook was added


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "compile" and isinstance(args[1], str) and args[1].startswith("/lib/"):
        COMPILED.add(args[1])


def imported_files() -> set[str]:
    """Where every module imported so far came from, and every module compiled meanwhile.

    The second covers modules whose import failed (e.g. one that needs a package Pyodide has
    not): they leave `sys.modules` again, but a reader's kernel compiles them all the same.
    """
    files = set(COMPILED)
    for module in list(sys.modules.values()):
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        if isinstance(origin, str) and origin.endswith(".py"):
            files.add(origin)
    return {f for f in files if f.endswith(".py")}


def rewrite(src: Path, dest: Path, extra: dict[str, bytes], record: bool) -> None:
    """`src` copied to `dest` with the `extra` members; a wheel's RECORD lists them."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if record and info.filename.endswith(".dist-info/RECORD"):
                data += "".join(f"{name},,\n" for name in sorted(extra)).encode()
            new.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in sorted(extra.items()):
            new.writestr(name, data)


def main() -> None:
    """Install, warm up, compile what was imported, write the new wheels and zip."""
    jobs = json.loads((WORK / "jobs.json").read_text())
    SCRATCH.mkdir(parents=True, exist_ok=True)
    owner: dict[str, int] = {}  # a file's path under SITE -> the wheel it came from
    for i, wheel in enumerate(jobs["wheels"]):
        with zipfile.ZipFile(WORK / wheel["src"]) as archive:
            archive.extractall(SITE)
            owner.update({name: i for name in archive.namelist()})
    importlib.invalidate_caches()
    sys.addaudithook(_audit)
    exec(compile(jobs["warmup"], "<warm-up>", "exec"), {"__name__": "__warmup__"})
    extra: list[dict[str, bytes]] = [{} for _ in jobs["wheels"]]
    stdlib: dict[str, bytes] = {}
    for origin in sorted(imported_files()):
        if origin.startswith(SITE + "/"):
            rel = origin.removeprefix(SITE + "/")
            if rel in owner:
                pyc = importlib.util.cache_from_source(rel)
                extra[owner[rel]][pyc] = bytecode(Path(origin), origin)
        elif origin.startswith(STDLIB + "/"):
            rel = origin.removeprefix(STDLIB + "/")
            with zipfile.ZipFile(WORK / jobs["stdlib"]["src"]) as archive:
                (SCRATCH / "src.py").write_bytes(archive.read(rel))
            stdlib[rel.removesuffix(".py") + ".pyc"] = bytecode(SCRATCH / "src.py", origin)
    for wheel, added in zip(jobs["wheels"], extra, strict=True):
        rewrite(WORK / wheel["src"], WORK / wheel["dest"], added, record=True)
    rewrite(WORK / jobs["stdlib"]["src"], WORK / jobs["stdlib"]["dest"], stdlib, record=False)
    print(f"compiled {sum(map(len, extra))} modules of the wheels, {len(stdlib)} of the stdlib")


main()
