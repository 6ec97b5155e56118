"""The flow as a Bruno collection folder: bruno.json, one .bru file per request, an environment.

Open the folder in Bruno (Open Collection), pick the `sendmessage-kit` environment, set its
secret `password`, and run the collection: the requests run in `seq` order (sign in, send
message, poll event, sign out). A post-response script on every answer that can hand out a Guid
stores it from `Set-GUID` in the `guid` environment variable; a test checks `retcode` is "0".

Example:
    >>> from sendmessage_kit.export.flow import Flow
    >>> sorted(files(Flow.of(None)))[:2]
    ['1 sign in.bru', '2 send message.bru']
"""

from __future__ import annotations

import json

from sendmessage_kit.export.flow import Flow, Step

__all__ = ["CAPTURE_GUID", "ENVIRONMENT", "files"]

ENVIRONMENT = "sendmessage-kit"
#: Bruno post-response script: keep the Guid of `Set-GUID: JSESSIONID=<guid>`.
CAPTURE_GUID = (
    "// Keep the Guid the gateway hands out: Set-GUID: JSESSIONID=<guid>",
    'const setGuid = (res.getHeader("set-guid") || "").split(";")[0].trim();',
    'const guid = setGuid.replace(/^JSESSIONID=/, "");',
    'if (guid) bru.setEnvVar("guid", guid);',
)
CHECK_RETCODE = (
    'test("retcode is 0", function () {',
    '  expect(res.getBody().retcode).to.equal("0");',
    "});",
)
_SECRETS = ("password", "guid")


def _block(name: str, lines: list[str] | tuple[str, ...]) -> str:
    body = "\n".join(f"  {line}" if line else "" for line in lines)
    return f"{name} {{\n{body}\n}}\n"


def _request(flow: Flow, seq: int, step: Step) -> str:
    parts = [
        _block("meta", [f"name: {step.name}", "type: http", f"seq: {seq}"]),
        _block(
            step.method.lower(),
            [
                f"url: {{{{baseUrl}}}}{step.path}",
                f"body: {'json' if step.body is not None else 'none'}",
                "auth: none",
            ],
        ),
        _block("headers", [f"{name}: {value}" for name, value in flow.headers(step)]),
    ]
    if step.body is not None:
        parts.append(_block("body:json", step.body.split("\n")))
    if step.gives_guid:
        parts.append(_block("script:post-response", CAPTURE_GUID))
    parts.append(_block("tests", CHECK_RETCODE))
    parts.append(_block("docs", [step.doc]))
    return "\n".join(parts)


def _environment(flow: Flow) -> str:
    plain = [f"{k}: {v}" for k, v in flow.variables().items() if k not in _SECRETS]
    secret = ",\n".join(f"  {k}" for k in _SECRETS)
    return _block("vars", plain) + f"vars:secret [\n{secret}\n]\n"


def files(flow: Flow) -> dict[str, str]:
    """Relative path -> text of every file of the collection folder."""
    out = {
        "bruno.json": json.dumps(
            {"version": "1", "name": "sendmessage-kit", "type": "collection"}, indent=2
        )
        + "\n",
        f"environments/{ENVIRONMENT}.bru": _environment(flow),
    }
    for seq, step in enumerate(flow.steps, start=1):
        out[f"{seq} {step.name}.bru"] = _request(flow, seq, step)
    return out
