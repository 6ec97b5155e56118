"""The flow as a Postman Collection v2.1 and a Postman environment.

The collection's requests run in order (sign in, send message, poll event, sign out); a test
script on every answer that can hand out a Guid stores it from `Set-GUID` in the `guid`
variable, and checks `retcode` is "0". The environment holds baseUrl, agentId, phonenum, and
password and guid as secrets with empty values: fill in the password in Postman.

Example:
    >>> from sendmessage_kit.export.flow import Flow
    >>> collection(Flow.of(None))["info"]["schema"]
    'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'
"""

from __future__ import annotations

import uuid
from typing import Any

from sendmessage_kit.export.flow import Flow, Step

__all__ = ["CAPTURE_GUID", "SCHEMA_URL", "collection", "environment", "files"]

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NAME = "sendmessage-kit: CC-Gateway sendmessage"
#: Postman test script: keep the Guid of `Set-GUID: JSESSIONID=<guid>`, check the retcode.
CAPTURE_GUID = (
    "// Keep the Guid the gateway hands out: Set-GUID: JSESSIONID=<guid>",
    'const setGuid = (pm.response.headers.get("Set-GUID") || "").split(";")[0].trim();',
    'const guid = setGuid.replace(/^JSESSIONID=/, "");',
    'if (guid) { pm.environment.set("guid", guid); }',
)
CHECK_RETCODE = (
    'pm.test("retcode is 0", function () {',
    '    pm.expect(pm.response.json().retcode).to.eql("0");',
    "});",
)
_ID_NAMESPACE = uuid.UUID("4a1f6f52-95a4-4b3e-9d5e-6b1c2f3e5a70")


def _item(flow: Flow, step: Step) -> dict[str, Any]:
    segments = [s for s in step.path.split("/") if s]
    request: dict[str, Any] = {
        "method": step.method,
        "header": [{"key": k, "value": v, "type": "text"} for k, v in flow.headers(step)],
        "url": {
            "raw": "{{baseUrl}}" + step.path,
            "host": ["{{baseUrl}}"],
            "path": segments,
        },
        "description": step.doc,
    }
    if step.body is not None:
        request["body"] = {
            "mode": "raw",
            "raw": step.body,
            "options": {"raw": {"language": "json"}},
        }
    script = [*CAPTURE_GUID, *CHECK_RETCODE] if step.gives_guid else [*CHECK_RETCODE]
    return {
        "name": step.name,
        "request": request,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": script}}],
    }


def collection(flow: Flow) -> dict[str, Any]:
    """The Postman Collection v2.1 document."""
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(_ID_NAMESPACE, NAME)),
            "name": NAME,
            "description": (
                "Sign in, send a message, poll one event, sign out, in this order (Run "
                "collection). Select the environment and set its `password` first; the sign-in "
                "answer's Set-GUID header fills `guid`. `data` in the body is a JSON object "
                "encoded as a string. An HTTPS sandbox: add its CA file under Settings > "
                "Certificates > CA certificates."
            ),
            "schema": SCHEMA_URL,
        },
        "item": [_item(flow, step) for step in flow.steps],
    }


def environment(flow: Flow) -> dict[str, Any]:
    """The Postman environment: the flow's variables, password and guid as empty secrets."""
    secret = {"password", "guid"}
    return {
        "id": str(uuid.uuid5(_ID_NAMESPACE, NAME + " environment")),
        "name": "sendmessage-kit",
        "values": [
            {
                "key": key,
                "value": value,
                "type": "secret" if key in secret else "default",
                "enabled": True,
            }
            for key, value in flow.variables().items()
        ],
        "_postman_variable_scope": "environment",
    }


def files(flow: Flow) -> dict[str, Any]:
    """File name -> JSON document, as `sendmessage-kit export --format postman` writes them."""
    return {
        "sendmessage-kit.postman_collection.json": collection(flow),
        "sendmessage-kit.postman_environment.json": environment(flow),
    }
