"""The product cites only files it ships, and every `docs/facts.md#<anchor>` it cites exists."""

from __future__ import annotations

import re
from pathlib import Path

from docs import tables
from sendmessage_kit.channels import DEFAULT_TABLE
from sendmessage_kit.errors import RETCODES
from sendmessage_kit.rules import ASSUMED, RULES
from tests.conftest import ROOT

FACTS_PAGE = ROOT / "docs" / "facts.md"
SCANNED = ["sendmessage_kit", "scripts", "docs", "notebooks", "tests", "bench", "examples"]
TOP_FILES = ["README.md", "pyproject.toml", "mkdocs.yml"]
TEXT_SUFFIXES = {"", ".py", ".md", ".ipynb", ".toml", ".yml", ".yaml", ".json", ".txt", ".sh"}
# A file name a text points a reader at: `NAME.md` / `NAME.txt`, or anything under ../shared/
# (this file, which spells the patterns out, is not scanned).
CITED_FILE = re.compile(r"(?<![\w/.-])([\w-][\w.-]*\.(?:md|txt))\b")
CITED_ANCHOR = re.compile(r"\bfacts\.md#([\w-]+)")


def _product_files() -> list[Path]:
    files = [ROOT / name for name in TOP_FILES]
    for top in SCANNED:
        for path in (ROOT / top).rglob("*"):
            parts = set(path.relative_to(ROOT).parts)
            if "__pycache__" in parts or "assets" in parts or ".ipynb_checkpoints" in parts:
                continue
            if path.is_file() and path.suffix in TEXT_SUFFIXES and path != Path(__file__):
                files.append(path)
    return files


def _shipped_names() -> set[str]:
    names = {p.name for p in ROOT.rglob("*") if ".venv" not in p.parts and ".git" not in p.parts}
    # What the docs pre-build writes (docs/build_pages.py) ships too, whether or not it has run
    # in this checkout: one reference page per module and one page per table.
    generated = {f"{p.stem}.md" for p in (ROOT / "sendmessage_kit").rglob("*.py")}
    return names | generated | {f"{name}.md" for name in tables.RENDERERS}


def test_no_product_file_cites_a_file_it_does_not_ship() -> None:
    shipped = _shipped_names()
    files = _product_files()
    assert len(files) > 50
    bad = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(ROOT)
        bad += [f"{rel}: ../shared/" for _ in re.finditer(r"\.\./shared/|\bshared/api/", text)]
        bad += [f"{rel}: {m[1]}" for m in CITED_FILE.finditer(text) if m[1] not in shipped]
    assert bad == []


def _defined_anchors() -> set[str]:
    return set(re.findall(r"\{#([\w-]+)\}", FACTS_PAGE.read_text(encoding="utf-8")))


def _runtime_sources() -> list[str]:
    return [
        *(r.source for r in RULES),
        *(r.source for r in RETCODES.values()),
        *(cell.source for cell in DEFAULT_TABLE.cells.values()),
    ]


def test_every_cited_facts_anchor_exists_on_the_page() -> None:
    defined = _defined_anchors()
    cited: dict[str, set[str]] = {}
    for path in _product_files():
        for m in CITED_ANCHOR.finditer(path.read_text(encoding="utf-8", errors="replace")):
            cited.setdefault(m[1], set()).add(str(path.relative_to(ROOT)))
    for source in _runtime_sources():
        for m in CITED_ANCHOR.finditer(source):
            cited.setdefault(m[1], set()).add("(runtime source)")
    assert {"size-limit", "retcodes", "channel-matrix"} <= cited.keys()
    missing = {anchor: sorted(where) for anchor, where in cited.items() if anchor not in defined}
    assert missing == {}


def test_every_vendor_sourced_row_cites_a_facts_anchor() -> None:
    rules = [r.id for r in RULES if r.source != ASSUMED and "docs/facts.md#" not in r.source]
    retcodes = [r.code for r in RETCODES.values() if "docs/facts.md#" not in r.source]
    cells = sorted(
        {
            cell.source
            for cell in DEFAULT_TABLE.cells.values()
            if cell.source != "none" and "docs/facts.md#" not in cell.source
        }
    )
    assert (rules, retcodes, cells) == ([], [], [])


def test_the_facts_page_gives_a_public_source_and_the_unknowns() -> None:
    text = FACTS_PAGE.read_text(encoding="utf-8")
    sections = re.split(r"^#+ .*\{#[\w-]+\}$", text, flags=re.M)[1:]
    assert len(sections) == len(_defined_anchors()) > 10
    assert "https://support.huaweicloud.com/intl/en-us/api-cec/cec_07_1277.html" in text
    for unknown in ("1000 or 1024", "what the size counts", "106-007, 106-011, 106-013"):
        assert unknown.lower() in text.lower(), unknown
    nav = (ROOT / "docs" / "nav.yml").read_text()  # the nav mkdocs.yml inherits (build_pages)
    assert "facts.md" in nav
