"""The same request as curl, Python (httpx) and JavaScript (fetch) code, ready to paste.

The Guid appears as a placeholder (`$CC_GUID`, an environment variable) unless `show_guid=True`,
so a snippet can be shared or committed without leaking it. The body is the exact compact
JSON the kit sends, `data` included as an escaped string.

Example:
    >>> from sendmessage_kit import SendMessageRequest, new_message
    >>> req = SendMessageRequest(callid="c1", data=new_message(to="u1", content="hi"))
    >>> "$CC_GUID" in render(req, base_url="https://gw:8043", agent_id="101")["curl"]
    True
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from pydantic import SecretStr

from sendmessage_kit import _http
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.models import SendMessageRequest

__all__ = ["GUID_ENV", "render"]

GUID_ENV = "CC_GUID"


def render(
    request: SendMessageRequest,
    *,
    base_url: str,
    agent_id: str | int,
    guid: SecretStr | str | None = None,
    show_guid: bool = False,
    ca_bundle: str | Path | None = None,
) -> dict[str, str]:
    """Snippets for `request`: keys "curl", "python", "javascript".

    Args:
        request: the request to send.
        base_url: the gateway (with or without `/agentgateway`).
        agent_id: the agent ID of the path.
        guid: the Guid; written out only with `show_guid=True`.
        show_guid: put the Guid itself in the code instead of the `CC_GUID` variable.
        ca_bundle: a CA file to trust (the sandbox's); otherwise the system's trust store.
    """
    url = _http.gateway_root(base_url) + _http.send_path(str(agent_id))
    body = encode_body(request)
    secret = guid.get_secret_value() if isinstance(guid, SecretStr) else guid
    literal = secret if show_guid and secret else None
    return {
        "curl": _curl(url, body, literal, ca_bundle),
        "python": _python(url, body, literal, ca_bundle),
        "javascript": _javascript(url, body, literal, ca_bundle),
    }


def _curl(url: str, body: str, guid: str | None, ca: str | Path | None) -> str:
    guid_arg = shlex.quote(f"Guid: {guid}") if guid else f'"Guid: ${GUID_ENV}"'
    lines = [
        f"curl -sS -X POST {shlex.quote(url)} \\",
        "  -H 'Content-Type: application/json; charset=UTF-8' \\",
        f"  -H {guid_arg} \\",
    ]
    if ca is not None:
        lines.append(f"  --cacert {shlex.quote(str(ca))} \\")
    lines.append(f"  --data-binary {shlex.quote(body)}")
    return "\n".join(lines)


def _python(url: str, body: str, guid: str | None, ca: str | Path | None) -> str:
    guid_expr = repr(guid) if guid else f'os.environ["{GUID_ENV}"]'
    verify = repr(str(ca)) if ca is not None else "True"
    return "\n".join(
        [
            "import os",
            "",
            "import httpx  # httpx2 (the maintained httpx) works the same: import httpx2 as httpx",
            "",
            f"url = {url!r}",
            "headers = {",
            '    "Content-Type": "application/json; charset=UTF-8",',
            f'    "Guid": {guid_expr},',
            "}",
            "# The exact body: `data` is a JSON object encoded as a string inside the JSON.",
            f"body = {body!r}",
            f"response = httpx.post(url, headers=headers, content=body.encode(), verify={verify})",
            'print(response.json())  # {"message": "success", "retcode": "0"} when accepted',
        ]
    )


def _javascript(url: str, body: str, guid: str | None, ca: str | Path | None) -> str:
    guid_expr = json.dumps(guid) if guid else f"process.env.{GUID_ENV}"
    lines = []
    if ca is not None:
        lines.append(f"// Node: trust the CA with NODE_EXTRA_CA_CERTS={shlex.quote(str(ca))}")
    lines += [
        f"const url = {json.dumps(url)};",
        "// The exact body: `data` is a JSON object encoded as a string inside the JSON.",
        f"const body = {json.dumps(body, ensure_ascii=False)};",
        "const response = await fetch(url, {",
        '  method: "POST",',
        "  headers: {",
        '    "Content-Type": "application/json; charset=UTF-8",',
        f"    Guid: {guid_expr},",
        "  },",
        "  body,",
        "});",
        'console.log(await response.json()); // {message: "success", retcode: "0"} when accepted',
    ]
    return "\n".join(lines)
