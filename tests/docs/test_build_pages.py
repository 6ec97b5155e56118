"""docs/build_pages.py without a whole build: a failing cell, fresh outputs, the CDN check."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from docs import build_pages
from docs.tables import BuildError

pytestmark = pytest.mark.notebooks


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A guide")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)
    return path


def test_a_failing_cell_fails_the_build_naming_notebook_and_cell(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "09_broken.ipynb", "x = 1", "1 / 0  # the bad one")
    with pytest.raises(BuildError) as caught:
        build_pages.execute(path)
    message = str(caught.value)
    assert message.startswith("notebooks/09_broken.ipynb: cell 3 failed ('1 / 0  # the bad one')")
    assert "ZeroDivisionError" in message


def test_outputs_come_from_the_code_as_it_is_now(tmp_path: Path) -> None:
    """No cache: the same notebook executed after its module changed shows the new value."""
    (tmp_path / "live.py").write_text("VALUE = 'alpha-7731'\n")
    path = _notebook(tmp_path / "10_live.ipynb", "import live\nprint(live.VALUE)")
    first = build_pages.notebook_html(build_pages.execute(path))
    (tmp_path / "live.py").write_text("VALUE = 'beta-4419'\n")
    second = build_pages.notebook_html(build_pages.execute(path))
    assert "alpha-7731" in first and "beta-4419" not in first
    assert "beta-4419" in second and "alpha-7731" not in second


def test_the_page_html_loads_nothing_remote(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "11_widget.ipynb", "import ipywidgets\nipywidgets.IntSlider(3)")
    html = build_pages.notebook_html(build_pages.execute(path))
    assert "widgetRendererSrc = '../../assets/widgets/embed.js'" in html
    assert "application/vnd.jupyter.widget-state+json" in html
    assert "mathjax" not in html.lower() and "mermaid" not in html.lower().replace("jp-mermaid", "")


def test_check_site_names_a_page_that_names_a_cdn(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<script src="https://unpkg.com/x.js"></script>')
    (tmp_path / "b.html").write_text("<p>fine</p>")
    assert build_pages.check_site(tmp_path) == ["a/index.html: unpkg.com"]
    assert build_pages.main(["--check", str(tmp_path)]) == 1
