"""The docs' pre-build: writes every generated page into the docs source (`sh scripts/docs`).

    python -m docs.build_pages            # then `mkdocs build` or `properdocs build`
    python -m docs.build_pages --check SITE_DIR   # after the build: no page names a CDN host

What it writes (all ignored by git), so that the site generator only assembles pages — no
notebook plugin, no build hook:

- `docs/guides/<notebook>.md`: each `notebooks/*.ipynb` executed top to bottom in a fresh kernel
  (nbclient, widget state saved), rendered to HTML by nbconvert with the vendored widget
  renderer (`docs/assets/widgets/embed.js`) and a "Try it live" link to the same notebook in
  `try/`. Every build executes again: the outputs always show the code as it is. A failing cell
  stops the build naming the notebook and the cell.
- `docs/_generated/*.md`: the tables (`docs/tables.py`), which pages pull in with
  `--8<-- "<name>.md"` (pymdownx.snippets); `docs/sandbox-openapi.json`.
- `docs/reference/<module>.md`: one page per public module (`::: sendmessage_kit.<module>`),
  unless a hand-written one exists.
- `docs/_generated/nav.yml`: the Guides and Reference navigation, which `mkdocs.yml` inherits.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

from docs import tables
from docs.tables import CDN_HOSTS, ROOT, BuildError

DOCS = ROOT / "docs"
GENERATED = DOCS / "_generated"
GUIDES = DOCS / "guides"
NOTEBOOKS = ROOT / "notebooks"
#: A page written here starts with this line; only such pages are rewritten or removed.
STAMP = "<!-- written by docs/build_pages.py: edit the source, not this file -->"
#: From a guide's page (`guides/<name>/`, directory URLs) to the site's root.
PAGE_TO_ROOT = "../../"
WIDGET_RENDERER = "assets/widgets/embed.js"
CELL_TIMEOUT = 120


# --------------------------------------------------------------------------- notebooks


def execute(path: Path) -> Any:
    """The notebook run top to bottom in a fresh python3 kernel, widget state saved."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as exc:
        index, source = _failed_cell(nb)
        first = source.strip().splitlines()[0] if source.strip() else ""
        raise BuildError(
            f"notebooks/{path.name}: cell {index} failed ({first!r}):\n{exc.ename}: {exc.evalue}"
        ) from exc
    return nb


def _failed_cell(nb: Any) -> tuple[int, str]:
    """The (1-based) number and source of the first code cell whose output is an error."""
    for number, cell in enumerate(nb.cells, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return number, cell.source
    return 0, ""


_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_MAIN = re.compile(r"<main>(.*)</main>", re.DOTALL)
_SCRIPT = re.compile(r"<script[^>]*>.*?</script>", re.DOTALL)


def notebook_html(nb: Any) -> str:
    """The executed notebook as one HTML block: its styles, cells and widget state.

    Only what the page needs is kept from nbconvert's page: no MathJax or mermaid loaders (they
    would load from a CDN), the widget renderer from the vendored copy, relative to the page.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        widget_renderer_url=PAGE_TO_ROOT + WIDGET_RENDERER,
        require_js_url="",
        mathjax_url="",
        mermaid_js_url="",
        jquery_url="",
    )
    page, _ = exporter.from_notebook_node(nb)
    head, _, body = page.partition("<body")
    styles = [
        s for s in _STYLE.findall(head) if "jp-Mermaid" not in s and "outputing to pdf" not in s
    ]
    loaders = [s for s in _SCRIPT.findall(head) if "addWidgetsRenderer" in s]
    main = _MAIN.search(body)
    if main is None:
        raise BuildError("nbconvert's page has no <main>: its lab template changed")
    state = [s for s in _SCRIPT.findall(body.split("</main>", 1)[1]) if "widget-state" in s]
    inner = main.group(1).strip()
    parts = [*styles, *loaders, f'<div class="jp-Notebook smk-notebook">\n{inner}\n</div>', *state]
    return "\n".join(parts)


def title_of(nb: Any, fallback: str) -> str:
    """The notebook's first markdown heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def try_link(name: str) -> str:
    """The "Try it live" link of a guide: the same notebook in the Try-it lab (`site/try/`)."""
    href = f"{PAGE_TO_ROOT}try/notebooks/index.html?path=notebooks/{name}"
    return (
        f'<p class="smk-try"><a class="md-button md-button--primary" href="{html.escape(href)}">'
        "Try it live</a> runs this guide in your browser: nothing to install, nothing leaves "
        "the page.</p>"
    )


def write_guide(path: Path) -> tuple[str, float]:
    """Execute one notebook and write its page; its docs path and the seconds it took."""
    started = time.perf_counter()
    nb = execute(path)
    title = title_of(nb, path.stem)
    text = "\n".join(
        [
            "---",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            "---",
            STAMP,
            "",
            try_link(path.name),
            "",
            notebook_html(nb),
            "",
        ]
    )
    write_whole(GUIDES / f"{path.stem}.md", text)
    return f"guides/{path.stem}.md", time.perf_counter() - started


# --------------------------------------------------------------------------- the rest


def write_tables() -> list[str]:
    """Each table of `docs/tables.py` as `docs/_generated/<name>.md`; the names written."""
    GENERATED.mkdir(exist_ok=True)
    # Pages that pull a table in live at the docs root, except the reference index.
    where = {"reference-index": "reference/index.md"}
    for name, render in tables.RENDERERS.items():
        text = tables.cite_facts(render(), where.get(name, "index.md"))
        write_whole(GENERATED / f"{name}.md", text + "\n")
    spec = tables.sandbox_openapi()
    if spec is not None:
        out = json.dumps(spec, indent=2, ensure_ascii=False)
        write_whole(DOCS / "sandbox-openapi.json", out + "\n")
    return list(tables.RENDERERS)


def write_reference() -> list[str]:
    """One page per public module unless written by hand; their docs paths."""
    pages = []
    for name, modules in tables.reference_modules().items():
        path = DOCS / "reference" / f"{name}.md"
        if not path.exists() or _generated(path):  # a page written by hand is kept
            body = "\n\n".join(f"::: {m}" for m in modules)
            write_whole(path, f"{STAMP}\n# `{tables.PACKAGE}.{name}`\n\n{body}\n")
        pages.append(f"reference/{name}.md")
    return pages


def write_nav(guides: list[str], reference: list[str]) -> None:
    """The Guides and Reference sections, in the order `mkdocs.yml` names the others."""
    import yaml

    nav = yaml.safe_load((DOCS / "nav.yml").read_text(encoding="utf-8"))
    for entry in nav:
        if isinstance(entry, dict) and "Guides" in entry:
            entry["Guides"] = guides
        elif isinstance(entry, dict) and "Reference" in entry:
            entry["Reference"] = [{"Overview": "reference/index.md"}, *reference]
    text = yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False)
    write_whole(GENERATED / "nav.yml", text)


def write_whole(path: Path, text: str) -> None:
    """Write a file whole: a finished copy is renamed over it.

    Whoever reads the docs source during a build (a test on another pytest-xdist worker,
    `mkdocs serve`) sees the old page or the new one, never a half-written or missing one.
    """
    part = path.with_name(f".{path.name}.{os.getpid()}.part")  # dot: no generator picks it up
    part.write_text(text, encoding="utf-8")
    part.replace(path)


def _generated(path: Path) -> bool:
    return STAMP in path.read_text(encoding="utf-8")[:1000]


def clean(written: list[str]) -> None:
    """Remove pages an earlier build wrote that this one did not (a notebook or module gone)."""
    keep = {DOCS / page for page in written}
    for path in [*GUIDES.glob("*.md"), *(DOCS / "reference").glob("*.md")]:
        if path not in keep and _generated(path):
            path.unlink()


def build() -> None:
    """Write every generated page (see the module docstring)."""
    import tempfile

    # The guides' sends go to a journal of the build's own, never the reader's (the kernels
    # inherit this process's environment).
    journal = tempfile.mkdtemp(prefix="docs-journal-")
    os.environ["SENDMESSAGE_KIT_HISTORY_PATH"] = str(Path(journal) / "history.sqlite3")
    GUIDES.mkdir(exist_ok=True)
    GENERATED.mkdir(exist_ok=True)
    write_tables()
    reference = write_reference()
    guides = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        page, seconds = write_guide(path)
        guides.append(page)
        print(f"  {page}: executed and written in {seconds:.1f} s", flush=True)
    write_nav(guides, reference)
    clean([*guides, *reference])


def check_site(site: Path) -> list[str]:
    """Pages of a built site that name a CDN host (the site must work offline)."""
    found = []
    for page in sorted(site.rglob("*.html")):
        if "try" in page.relative_to(site).parts[:1]:
            continue  # JupyterLite's own files: checked by loading them offline (tests/docs)
        text = page.read_text(encoding="utf-8", errors="replace")
        found += [f"{page.relative_to(site)}: {h}" for h in CDN_HOSTS if h in text]
    return found


def main(argv: list[str] | None = None) -> int:
    """Command line: build the pages, or `--check SITE` a built site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", type=Path, metavar="SITE", help="check a built site")
    args = parser.parse_args(argv)
    try:
        if args.check is not None:
            found = check_site(args.check)
            if found:
                raise BuildError(
                    "pages name CDN hosts (the site must work offline):\n" + "\n".join(found)
                )
            return 0
        build()
    except BuildError as exc:
        print(f"docs build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
