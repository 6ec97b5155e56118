"""The docs' generated tables, rendered from the code (used by ``docs/build_pages.py``).

Tables from ``errors.RETCODES``, ``constraints.RULES``, ``channels.DEFAULT_TABLE`` (or
``constraints.CHANNEL_TABLE``) and the sandbox's OpenAPI document; the Reference's module list.
Code that does not exist yet gives a "not available yet" line; code that exists but fails to
import fails the build (``BuildError``).
"""

from __future__ import annotations

import importlib
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "sendmessage_kit"
CDN_HOSTS = (
    "cdn.jsdelivr.net",
    "unpkg.com",
    "cdnjs.cloudflare.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "polyfill.io",
)


class BuildError(Exception):
    """The docs cannot be built as the code stands (the message says where and why)."""


NOT_YET = "*Not available yet: `{what}` does not exist in this checkout.*"
_MARKER = re.compile(r"<!--\s*generated:\s*([\w-]+)\s*-->")


# --------------------------------------------------------------------------- discovery


def reference_modules() -> dict[str, list[str]]:
    """Public modules of the package: page name -> dotted names to document on that page."""
    pkg = ROOT / PACKAGE
    pages: dict[str, list[str]] = {}
    for path in sorted(pkg.iterdir()):
        if path.name.startswith("_"):
            continue
        if path.suffix == ".py":
            pages[path.stem] = [f"{PACKAGE}.{path.stem}"]
        elif path.is_dir() and (path / "__init__.py").exists():
            subs = sorted(p.stem for p in path.glob("*.py") if not p.name.startswith("_"))
            pages[path.name] = [f"{PACKAGE}.{path.name}"] + [
                f"{PACKAGE}.{path.name}.{s}" for s in subs
            ]
    return pages


def _load(module: str, attr: str) -> Any | None:
    """``module.attr``, or None when the module or attribute does not exist (yet)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            return None
        raise BuildError(f"importing {module} failed: {exc!r}") from exc
    except Exception as exc:  # a module that exists but is broken must fail the build
        raise BuildError(f"importing {module} failed: {exc!r}") from exc
    return getattr(mod, attr, None)


# --------------------------------------------------------------------------- rendering


def _text(value: Any) -> str:
    """One markdown table cell: enums by value, classes by name, pipes and newlines escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, type):
        return f"`{value.__name__}`"
    value = getattr(value, "value", value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: Iterable[Iterable[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_text(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_retcodes() -> str:
    """The retcode catalog: one row per ``errors.RETCODES`` entry."""
    catalog = _load(f"{PACKAGE}.errors", "RETCODES")
    if catalog is None:
        return NOT_YET.format(what=f"{PACKAGE}.errors.RETCODES")
    rows = [
        (
            f"`{r.code}`",
            r.exception,
            r.retryable,
            r.description,
            r.remedy,
            r.source,
        )
        for r in catalog.values()
    ]
    return _table(["Retcode", "Exception", "Retryable", "Description", "Remedy", "Source"], rows)


def render_rules() -> str:
    """The constraint rules: one row per ``constraints.RULES`` entry, limits as by default."""
    in_force = _load(f"{PACKAGE}.constraints", "rules_in_force")
    if in_force is None:
        return NOT_YET.format(what=f"{PACKAGE}.constraints.rules_in_force")
    rules = in_force()
    rows = [
        (f"`{r.id}`", f"`{_text(r.field)}`", r.severity, r.sentence, r.fix, r.source) for r in rules
    ]
    return _table(["Rule", "Field", "Severity", "Rule as written", "Fix", "Source"], rows)


def _matrix_cell(value: Any) -> str:
    status = getattr(value, "status", value)
    assumed = "*" if getattr(value, "basis", "") == "assumed" else ""
    if status is True or status == "yes":
        formats = getattr(value, "formats", ())
        return ("✓" + assumed + " " + "/".join(formats)) if formats else "✓" + assumed
    if status is False or status == "no":
        return "–" + assumed
    return "?" if status == "unpublished" else _text(status)


def render_channel_matrix() -> str:
    """Channel × media matrix from ``channels.DEFAULT_TABLE`` or ``constraints.CHANNEL_TABLE``.

    Accepted shapes: an object with ``.cells`` = ``{(channel, media): cell}`` where a cell has
    ``.status`` ("yes"/"no"/"unpublished"), ``.formats``, ``.note``, ``.source``; or
    ``{channel: {media: bool | str}}``; or ``{channel: iterable of media}``.
    """
    table = _load(f"{PACKAGE}.channels", "DEFAULT_TABLE")
    if table is None:
        table = _load(f"{PACKAGE}.constraints", "CHANNEL_TABLE")
    if table is None:
        return NOT_YET.format(what=f"{PACKAGE}.channels.DEFAULT_TABLE")
    cells: dict[tuple[str, str], Any] = {}
    if hasattr(table, "cells"):
        cells = {(_text(ch), _text(m)): v for (ch, m), v in table.cells.items()}
    else:
        for ch, media in dict(table).items():
            pairs = media.items() if isinstance(media, Mapping) else ((m, True) for m in media)
            cells.update({(_text(ch), _text(m)): v for m, v in pairs})
    channels = list(dict.fromkeys(ch for ch, _ in cells))
    media_types = list(dict.fromkeys(m for _, m in cells))
    rows = [
        [f"`{m}`", *(_matrix_cell(cells[(ch, m)]) if (ch, m) in cells else "–" for ch in channels)]
        for m in media_types
    ]
    out = [_table(["Media type", *(f"`{ch}`" for ch in channels)], rows)]
    out.append(
        "\n✓ documented as accepted (with formats when restricted) · – not accepted (an error) · "
        "* the kit's assumption, not a source's word (a warning) · ? no public source says "
        "either way (a warning)\n"
    )
    notes = sorted(
        {
            f"- `{ch}` × `{m}`: {_text(v.note)}"
            for (ch, m), v in cells.items()
            if getattr(v, "note", "") and _matrix_cell(v).startswith("✓")
        }
    )
    sources = sorted(
        {_text(v.source) for v in cells.values() if getattr(v, "source", "none") != "none"}
    )
    if notes:
        out.append("Notes:\n\n" + "\n".join(notes) + "\n")
    if sources:
        out.append("Sources:\n\n" + "\n".join(f"- {s}" for s in sources) + "\n")
    return "\n".join(out)


def sandbox_openapi() -> dict[str, Any] | None:
    """The sandbox app's OpenAPI document, or None when the sandbox does not exist yet."""
    factory = _load(f"{PACKAGE}.sandbox.app", "create_app")
    return None if factory is None else factory().openapi()


def render_sandbox_api(spec: dict[str, Any] | None) -> str:
    """Endpoints of the sandbox, from its OpenAPI document."""
    if spec is None:
        return NOT_YET.format(what=f"{PACKAGE}.sandbox.app.create_app")
    info = spec.get("info", {})
    out = [
        f"**{info.get('title', '')}** {info.get('version', '')}, OpenAPI {spec.get('openapi', '')}."
        " The whole document: [sandbox-openapi.json](sandbox-openapi.json).\n"
    ]
    ops = [
        (method.upper(), path, op)
        for path, item in spec.get("paths", {}).items()
        for method, op in item.items()
        if isinstance(op, dict)
    ]
    out.append(
        _table(
            ["Method", "Path", "Summary"],
            [(f"`{m}`", f"`{p}`", o.get("summary", "")) for m, p, o in ops],
        )
    )
    for method, path, op in ops:
        out.append(f"\n### `{method} {path}`\n")
        if op.get("description"):
            out.append(op["description"].strip() + "\n")
        params = [
            (f"`{p.get('name')}`", p.get("in"), p.get("required", False), p.get("description", ""))
            for p in op.get("parameters", [])
        ]
        if params:
            out.append(_table(["Parameter", "In", "Required", "Description"], params) + "\n")
        for ctype, media in op.get("requestBody", {}).get("content", {}).items():
            out.append(f"Request body `{ctype}`: {_schema_name(media.get('schema', {}))}\n")
        responses = [
            (f"`{c}`", r.get("description", "")) for c, r in op.get("responses", {}).items()
        ]
        if responses:
            out.append(_table(["Status", "Description"], responses) + "\n")
    return "\n".join(out)


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref")
    return f"`{ref.rsplit('/', 1)[-1]}`" if ref else f"`{schema.get('type', 'object')}`"


def render_reference_index() -> str:
    """List of the reference pages the hook generates."""
    pages = reference_modules()
    if not pages:
        return NOT_YET.format(what=f"{PACKAGE}/*.py")
    return "\n".join(f"- [`{PACKAGE}.{name}`]({name}.md)" for name in pages)


RENDERERS: dict[str, Callable[[], str]] = {
    "retcodes": render_retcodes,
    "rules": render_rules,
    "channel-matrix": render_channel_matrix,
    "sandbox-api": lambda: render_sandbox_api(sandbox_openapi()),
    "reference-index": render_reference_index,
}


_FACT_CITATION = re.compile(r"\bdocs/facts\.md#([\w-]+)")


def cite_facts(markdown: str, src_uri: str) -> str:
    """Turn the package's ``docs/facts.md#<anchor>`` citations into links relative to the page."""
    target = posixpath.relpath("facts.md", posixpath.dirname(src_uri) or ".")
    return _FACT_CITATION.sub(lambda m: f"[facts#{m[1]}]({target}#{m[1]})", markdown)
