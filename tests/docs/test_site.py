"""The built docs site: no leaked secret, no CDN, widgets rendered from the vendored bundle."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docs import build_pages, tables
from tests.docs.conftest import CANARY_GUID, CANARY_PASSWORD, ROOT, expected_pages

WIDGETS = ROOT / "docs" / "assets" / "widgets"


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_build_leaks_neither_guid_nor_password(built_site: Path) -> None:
    leaks = []
    for path in sorted(p for p in built_site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for secret in (CANARY_GUID, CANARY_PASSWORD, "DO-NOT-LEAK"):
            if secret.encode() in data:
                leaks.append(f"{path.relative_to(built_site)}: {secret}")
    assert leaks == []


# Every Guid the sandbox issues while the guides execute has the real gateway's shape.
GUID_SHAPE = re.compile(
    rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\.AgentGateway\d*"
)
# The vendor's published example (docs/facts.md#sign-in), quoted in docstrings: not a credential.
PUBLISHED_EXAMPLE = b"279fe21d-2caa-4437-84c3-ab9e9dae20f5.AgentGateway0"


def test_executed_guides_show_no_issued_guid(built_site: Path) -> None:
    found = sorted(
        {
            f"{path.relative_to(built_site)}: {m[:8].decode()}…"
            for path in built_site.rglob("*.html")
            for m in GUID_SHAPE.findall(path.read_bytes())
            if m != PUBLISHED_EXAMPLE
        }
    )
    assert found == []


def test_pages_name_no_cdn_and_load_no_remote_script(built_site: Path) -> None:
    remote = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["']?(?:https?:)?//""")
    bad = []
    for page in _pages(built_site):
        if page.relative_to(built_site).parts[0] == "try":
            continue  # the Try-it lab: loaded with every remote request aborted (test_try_browser)
        html = page.read_text(encoding="utf-8")
        bad += [f"{page.name}: {host}" for host in tables.CDN_HOSTS if host in html]
        bad += [f"{page}: {m.group(0)}" for m in remote.finditer(html)]
    assert bad == []


def test_guide_pages_use_the_vendored_renderer() -> None:
    assert (ROOT / "docs" / build_pages.WIDGET_RENDERER).is_file()


def test_vendored_bundle_has_every_font_browsers_pick(built_site: Path) -> None:
    bundle = (WIDGETS / "embed.js").read_text(encoding="utf-8")
    fonts = set(re.findall(r'n\.p\+"([0-9a-f]{20}\.woff2?)"', bundle))
    assert len(fonts) == 6
    for font in fonts:
        assert (built_site / "assets" / "widgets" / font).is_file(), font


def test_widget_pages_load_the_renderer_relative_to_the_page(built_site: Path) -> None:
    widget_pages = [p for p in _pages(built_site) if "widget-view+json" in p.read_text("utf-8")]
    assert widget_pages, "no page has a widget output (the guides should have at least one)"
    for page in widget_pages:
        srcs = set(re.findall(r"widgetRendererSrc = '([^']+)'", page.read_text("utf-8")))
        assert len(srcs) == 1, (page, srcs)
        target = (page.parent / srcs.pop()).resolve()
        assert target == (built_site / "assets/widgets/embed.js").resolve()
        assert "application/vnd.jupyter.widget-state+json" in page.read_text("utf-8")


def test_every_notebook_and_module_gets_a_page(built_site: Path) -> None:
    expected = [p + "index.html" if not p.endswith(".html") else p for p in expected_pages()]
    assert [p for p in expected if not (built_site / p).is_file()] == []
    assert any(p.startswith("guides/") for p in expected), "notebooks/ has no notebook"


def test_missing_code_gives_a_not_available_line_instead_of_failing() -> None:
    assert tables._load("sendmessage_kit.no_such_module", "RULES") is None
    assert tables._load("sendmessage_kit.errors", "NO_SUCH_NAME") is None
    assert tables.render_sandbox_api(None).startswith("*Not available yet")


@pytest.mark.parametrize(
    ("table", "row"),
    [
        pytest.param({"WEB": {"TEXT": True, "IMAGE": False}}, "| `IMAGE` | – |", id="mapping"),
        pytest.param({"WEB": ["TEXT"]}, "| `TEXT` | ✓ |", id="iterable"),
    ],
)
def test_channel_matrix_accepts_plain_shapes(
    monkeypatch: pytest.MonkeyPatch, table: object, row: str
) -> None:
    monkeypatch.setattr(tables, "_load", lambda module, attr: table)
    assert row in tables.render_channel_matrix()


def test_table_cells_escape_pipes() -> None:
    assert tables._table(["a"], [["x | y"]]).endswith("| x \\| y |")


def test_fact_citations_become_links_relative_to_the_page() -> None:
    text = "interface description: docs/facts.md#interface; docs/facts.md#size-limit."
    assert tables.cite_facts(text, "constraints.md") == (
        "interface description: [facts#interface](facts.md#interface); "
        "[facts#size-limit](facts.md#size-limit)."
    )
    assert tables.cite_facts("docs/facts.md#tls", "reference/client.md") == (
        "[facts#tls](../facts.md#tls)"
    )


def test_generated_tables_link_to_anchors_the_facts_page_has(built_site: Path) -> None:
    facts = (built_site / "facts" / "index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'\bid="([\w-]+)"', facts))
    cited = set()
    for page in ("constraints", "errors"):
        html = (built_site / page / "index.html").read_text(encoding="utf-8")
        cited |= set(re.findall(r'href="\.\./facts/#([\w-]+)"', html))
    assert {"size-limit", "retcodes", "channel-matrix"} <= cited
    assert cited - ids == set()


def test_vendored_licence_texts_are_published_beside_the_files(built_site: Path) -> None:
    licences = sorted(p.name for p in WIDGETS.glob("LICENSE*"))
    assert licences
    published = built_site / "assets" / "widgets"
    assert [name for name in licences if not (published / name).is_file()] == []


def test_properdocs_assembles_the_same_pages(built_site: Path, properdocs_site: Path) -> None:
    def pages(site: Path) -> set[str]:
        return {
            str(p.relative_to(site))
            for p in site.rglob("*.html")
            if p.relative_to(site).parts[0] != "try"
        }

    assert pages(properdocs_site) == pages(built_site)
    guide = (properdocs_site / "guides/01_quickstart/index.html").read_text("utf-8")
    assert "application/vnd.jupyter.widget-state+json" in guide
    assert "Try it live" in guide


def test_every_guide_page_links_to_the_same_notebook_in_try(built_site: Path) -> None:
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = built_site / "guides" / notebook.stem / "index.html"
        hrefs = re.findall(r'href="([^"]*try/[^"]*)"[^>]*>Try it live', page.read_text("utf-8"))
        assert len(hrefs) == 1, page
        target, _, query = hrefs[0].replace("&amp;", "&").partition("?")
        assert (page.parent / target).resolve() == (built_site / "try/notebooks/index.html")
        assert query == f"path=notebooks/{notebook.name}"
        assert (built_site / "try/files/notebooks" / notebook.name).is_file()


def test_the_labs_pyyaml_is_pure_python_with_its_licence(built_site: Path) -> None:
    import zipfile

    (wheel,) = (built_site / "try/static/pyodide").glob("pyyaml-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        licence = zf.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE")))
    assert "yaml/scanner.py" in names
    assert not [n for n in names if n.endswith((".so", ".pyx", ".c"))]
    assert b"Permission is hereby granted, free of charge" in licence  # MIT
