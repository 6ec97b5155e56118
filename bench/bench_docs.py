"""Docs build time (`sh scripts/docs`, fresh execution) and each guide notebook's execution time.

Run: uv run python bench/bench_docs.py [--skip-build]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def build_seconds() -> float:
    """Wall time of `sh scripts/docs` into a throw-away site dir (raises if the build fails)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, SITE_DIR=str(Path(tmp) / "site"))
        started = time.perf_counter()
        proc = subprocess.run(
            ["sh", "scripts/docs"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise SystemExit(f"sh scripts/docs failed:\n{proc.stderr[-4000:]}")
        return time.perf_counter() - started


def notebook_seconds(path: Path) -> tuple[float, str]:
    """Wall time of one top-to-bottom run in a fresh python3 kernel, and "ok" or the error."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    try:
        client.execute()
        status = "ok"
    except Exception as exc:  # a failing guide is reported, not fatal to the benchmark
        status = f"{type(exc).__name__}"
    return time.perf_counter() - started, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-build", action="store_true", help="only time the notebooks")
    args = parser.parse_args()

    rows: list[tuple[str, float, str]] = []
    if not args.skip_build:
        rows.append(("docs build (sh scripts/docs, strict, execute)", build_seconds(), "ok"))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        seconds, status = notebook_seconds(path)
        rows.append((f"notebooks/{path.name}", seconds, status))

    width = max(len(name) for name, _, _ in rows)
    print(f"{'what':<{width}}  {'seconds':>8}  status")
    print(f"{'-' * width}  {'-' * 8}  ------")
    for name, seconds, status in rows:
        print(f"{name:<{width}}  {seconds:8.2f}  {status}")
    nb_total = sum(s for name, s, _ in rows if name.startswith("notebooks/"))
    print(f"{'notebooks, total':<{width}}  {nb_total:8.2f}")


if __name__ == "__main__":
    main()
