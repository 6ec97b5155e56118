"""Build and write an export: `files(...)` gives {relative path: text}, `write(...)` saves them.

One request goes out the same way whichever it comes from: a `SendMessageRequest`, a body
string, a send-history entry (its body, gateway and agent ID) or a `PayloadBuilder` (its current
request and target).

Example:
    >>> sorted(files("postman"))
    ['sendmessage-kit.postman_collection.json', 'sendmessage-kit.postman_environment.json']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sendmessage_kit.errors import SettingsError
from sendmessage_kit.export.flow import Flow

__all__ = ["FORMATS", "files", "flow_for", "write"]

#: format -> what `--out` names when it is not given (a folder for postman and bruno).
FORMATS = {
    "postman": "sendmessage-kit-postman",
    "bruno": "sendmessage-kit-bruno",
    "http": "sendmessage-kit.http",
    "openapi": "sendmessage-kit-openapi.json",
}


def flow_for(
    source: Any = None,
    *,
    base_url: str | None = None,
    agent_id: str | None = None,
    phonenum: str | None = None,
    force_sign_in: bool = False,
) -> Flow:
    """The flow sending `source`.

    `source` is None (a demo message), a request, a body string, a history entry or a builder.
    Arguments win over what the source knows, then the `SENDMESSAGE_KIT_*` settings.
    """
    from sendmessage_kit.history import HistoryEntry
    from sendmessage_kit.settings import KitSettings

    body = source
    known_url: str | None = None
    known_agent: str | None = None
    if isinstance(source, HistoryEntry):
        body, known_url, known_agent = source.body, source.base_url, source.agent_id
    elif hasattr(source, "payload") and hasattr(source, "base_url"):  # a PayloadBuilder
        body = source.payload
        if body is None:
            raise SettingsError("the builder's form does not validate yet: fix the fields first")
        known_url, known_agent = source.base_url, str(source.agent_id.value)
    settings = KitSettings()
    return Flow.of(
        body,
        base_url=base_url or known_url or settings.base_url,
        agent_id=agent_id or known_agent or settings.agent_id,
        phonenum=phonenum if phonenum is not None else settings.phonenum,
        force_sign_in=force_sign_in,
    )


def files(fmt: str, source: Any = None, **target: Any) -> dict[str, str]:
    """The export's files as {relative path: text}; `target` as for `flow_for`."""
    if fmt not in FORMATS:
        raise SettingsError(f"export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    flow = flow_for(source, **target)
    if fmt == "openapi":
        from sendmessage_kit.export.openapi import document

        return {FORMATS["openapi"]: _json(document(server=flow.base_url))}
    if fmt == "postman":
        from sendmessage_kit.export import postman

        return {name: _json(doc) for name, doc in postman.files(flow).items()}
    if fmt == "bruno":
        from sendmessage_kit.export import bruno

        return bruno.files(flow)
    from sendmessage_kit.export import http_file

    return {http_file.FILE_NAME: http_file.render(flow)}


def write(fmt: str, out: str | Path | None = None, source: Any = None, **target: Any) -> list[Path]:
    """Write the export and return the paths written.

    postman and bruno go into the folder `out`, http and openapi to the file `out` (defaults:
    `FORMATS`); a README on running it goes beside them (`export.run.readme_path`).
    """
    produced = files(fmt, source, **target)
    dest = Path(out if out is not None else FORMATS[fmt])
    written: list[Path] = []
    if fmt in ("http", "openapi"):
        [text] = produced.values()
        targets = {dest: text}
    else:
        targets = {dest / name: text for name, text in produced.items()}
    from sendmessage_kit.export.run import readme, readme_path

    base_url = flow_for(source, **target).base_url
    targets[readme_path(fmt, dest)] = readme(fmt, dest, base_url=base_url)  # how to run it
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _json(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
