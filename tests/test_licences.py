"""The kit's own licence, and a licence text beside every vendored file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.conftest import ROOT

ASSETS = ROOT / "docs" / "assets"
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".otf", ".eot"}
OFL = "SIL OPEN FONT LICENSE Version 1.1"
BSD_3 = "Neither the name of the copyright holder nor the names of its"
MIT = "Permission is hereby granted, free of charge, to any person obtaining a copy"


def test_the_kit_has_the_licence_pyproject_declares() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 sendmessage-kit contributors" in text
    assert MIT in text


def _vendored_dirs() -> list[Path]:
    # Kit-owned assets sit directly in docs/assets; each vendored package has its own folder.
    return sorted(p for p in ASSETS.iterdir() if p.is_dir())


def test_every_vendored_directory_has_a_licence_file() -> None:
    dirs = _vendored_dirs()
    assert dirs, "docs/assets has no vendored directory: the test would prove nothing"
    missing = [d.name for d in dirs if not list(d.glob("LICENSE*"))]
    assert missing == []


def test_vendored_fonts_ship_the_full_font_licence() -> None:
    checked = 0
    for d in _vendored_dirs():
        if not any(p.suffix in FONT_SUFFIXES for p in d.iterdir()):
            continue
        texts = [p.read_text() for p in d.glob("LICENSE*")]
        assert any(OFL in t and "PERMISSION & CONDITIONS" in t for t in texts), d.name
        checked += 1
    assert checked


def test_the_widget_renderer_ships_its_bsd_licence_and_every_licence_file_is_named() -> None:
    widgets = ASSETS / "widgets"
    assert (widgets / "embed.js").is_file()
    bsd = (widgets / "LICENSE.html-manager.txt").read_text()
    assert BSD_3 in bsd and "Project Jupyter" in bsd
    readme = (widgets / "README.md").read_text()
    for licence in sorted(widgets.glob("*LICENSE*")):
        assert f"`{licence.name}`" in readme, f"README.md does not say what {licence.name} covers"
