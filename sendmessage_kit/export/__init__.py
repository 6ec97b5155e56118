"""Take requests out of the kit: collections and files for other tools.

`sendmessage-kit export --format postman|bruno|http|openapi` writes the sign-in, send, poll,
sign-out flow as a Postman collection and environment, a Bruno collection folder, an `.http`
file, or an OpenAPI 3.1 document of the gateway's agent interfaces. `files()` and `write()` do
the same from Python, for one request, a send-history entry or a `PayloadBuilder`.
`sendmessage-kit snippet` (`sendmessage_kit.snippets`) prints one request as a program.

Example:
    >>> from sendmessage_kit import export
    >>> sorted(export.files("http"))
    ['sendmessage-kit.http']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sendmessage_kit._lazy import lazy_names

if TYPE_CHECKING:
    from sendmessage_kit.export.build import FORMATS, files, flow_for, write
    from sendmessage_kit.export.flow import Flow, Step

_HOME = {
    "FORMATS": "build",
    "Flow": "flow",
    "Step": "flow",
    "files": "build",
    "flow_for": "build",
    "write": "build",
}
__all__ = ["FORMATS", "Flow", "Step", "files", "flow_for", "write"]

__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__, globals())
