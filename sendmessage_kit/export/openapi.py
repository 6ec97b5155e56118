"""An OpenAPI 3.1 document of the CC-Gateway agent interfaces the kit uses.

Sign-in, forced sign-in, sign-out, updateGuid, event polling and sendmessage: the gateway's
surface only (the sandbox's own `/sandbox/...` routes are not in it). Everything is derived from
the kit's sources: the paths from the client's path functions, the `data` string's schema from
`MessageData` (as `contentSchema` of a string whose `contentMediaType` is JSON), the documented
answers from the retcode catalog (`errors.RETCODES`), and `Guid` as an API-key header scheme.

Example:
    >>> doc = document()
    >>> doc["openapi"], sorted(doc["components"]["securitySchemes"])
    ('3.1.0', ['Guid'])
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from sendmessage_kit import _http
from sendmessage_kit.errors import RETCODES
from sendmessage_kit.export.flow import DEFAULT_AGENT_ID, GUID_HEADER
from sendmessage_kit.models import MessageData, SendMessageRequest

__all__ = ["document"]

_REF = "#/components/schemas/{model}"
_AGENT = "{agentid}"
_GUID_SECURITY: list[dict[str, list[str]]] = [{GUID_HEADER: []}]


def _schemas() -> dict[str, Any]:
    """MessageData and its enums (from the model), the wire body, the answer, the sign-in body."""
    from sendmessage_kit.sandbox.routes.gateway import SignInBody

    _, defs = models_json_schema(
        [(MessageData, "validation"), (SignInBody, "validation")], ref_template=_REF
    )
    schemas: dict[str, Any] = dict(defs["$defs"])
    fields = SendMessageRequest.model_fields
    schemas["SendMessageBody"] = {
        "type": "object",
        "description": (SendMessageRequest.__doc__ or "").strip().splitlines()[0],
        "required": ["callid", "data"],
        "properties": {
            "callid": {"type": "string", "description": fields["callid"].description},
            "userid": {"type": "string", "description": fields["userid"].description},
            "data": {
                "type": "string",
                "description": (
                    "A MessageData object (Table 3) encoded as a JSON string inside the JSON "
                    'body, e.g. "{\\"from\\":...}"; a plain text string is also accepted.'
                ),
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": _REF.format(model="MessageData")},
            },
        },
        "additionalProperties": True,
    }
    schemas["Answer"] = {
        "type": "object",
        "description": "Every interface answers HTTP 200 with a retcode; success is retcode 0.",
        "required": ["retcode"],
        "properties": {
            "retcode": {
                "type": "string",
                "description": '"0" success; otherwise one of the codes in the examples.',
            },
            "message": {"type": "string"},
            "result": {"description": "The interface's result, when it has one."},
            "event": {"description": "Event polling: the event, or null when none came."},
        },
    }
    return schemas


def _answer_examples() -> dict[str, Any]:
    out: dict[str, Any] = {
        "success": {"summary": "success", "value": {"retcode": "0", "message": "success"}}
    }
    for code, info in RETCODES.items():
        out[code] = {
            "summary": f"{code}: {info.description}",
            "description": f"{info.remedy} (source: {info.source})",
            "value": {"retcode": code, "message": info.description},
        }
    return out


def _operation(
    op_id: str,
    summary: str,
    *,
    body: str | None = None,
    secured: bool = True,
    set_guid: bool = False,
) -> dict[str, Any]:
    answer: dict[str, Any] = {"$ref": "#/components/responses/Answer"}
    if set_guid:
        answer = {
            "description": "The answer; a new Guid in Set-GUID when the gateway hands one out.",
            "headers": {
                "Set-GUID": {
                    "description": "JSESSIONID=<guid>: the Guid for the Guid header.",
                    "schema": {"type": "string", "examples": ["JSESSIONID=<guid>.AgentGateway0"]},
                }
            },
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/Answer"},
                    "examples": _answer_examples(),
                }
            },
        }
    op: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "parameters": [{"$ref": "#/components/parameters/agentid"}],
        "responses": {"200": answer},
        "security": _GUID_SECURITY if secured else [],
    }
    if body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _REF.format(model=body)}}},
        }
    return op


def _server(server: str | None) -> str:
    from sendmessage_kit.export.flow import DEFAULT_BASE_URL
    from sendmessage_kit.settings import KitSettings

    return _http.gateway_root(server or KitSettings().base_url or DEFAULT_BASE_URL)


def document(server: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document as a dict (JSON-ready).

    `server`: the gateway's address (its `/agentgateway` root is added when missing), listed
    first in `servers`, so Swagger UI and generated clients call it; None: the
    `SENDMESSAGE_KIT_BASE_URL` setting, else the sandbox on https://127.0.0.1:8043.
    """
    from sendmessage_kit import __version__

    sign_in = _operation(
        "signIn",
        "Sign in; the Guid comes in Set-GUID",
        body="SignInBody",
        secured=False,
        set_guid=True,
    )
    force = _operation(
        "forceSignIn",
        "Forced sign-in: take over an agent signed in elsewhere (after 100-002)",
        body="SignInBody",
        secured=False,
        set_guid=True,
    )
    paths = {
        _http.sign_in_path(_AGENT): {"put": sign_in},
        _http.sign_in_path(_AGENT, force=True): {"put": force},
        _http.sign_out_path(_AGENT): {"delete": _operation("signOut", "Sign out")},
        _http.update_guid_path(_AGENT): {
            "put": _operation("updateGuid", "Ask for a new Guid (result.guid)")
        },
        _http.event_path(_AGENT): {
            "get": _operation(
                "pollEvent",
                "Poll one event (long poll, about 10 s; also the heartbeat)",
                set_guid=True,
            )
        },
        _http.send_path(_AGENT): {
            "post": _operation(
                "sendMessage", "Send a message to the customer of a chat", body="SendMessageBody"
            )
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Huawei CC-Gateway agent interfaces around sendmessage",
            "version": __version__,
            "description": (
                "The interfaces sendmessage-kit uses, as the kit knows them (generated by "
                "sendmessage-kit). HTTP status is 200 for business failures: read retcode. "
                "Sign in first; send the Guid from its Set-GUID header (JSESSIONID=<guid>) "
                "in the Guid header of every later call, and switch to a new one whenever an "
                "answer hands it out."
            ),
        },
        "servers": [
            {"url": _server(server), "description": "The gateway the export was made for."},
            {
                "url": "https://{host}:{port}/agentgateway",
                "description": "Another gateway or its NSLB address; default port 8043.",
                "variables": {"host": {"default": "127.0.0.1"}, "port": {"default": "8043"}},
            },
        ],
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "parameters": {
                "agentid": {
                    "name": "agentid",
                    "in": "path",
                    "required": True,
                    "description": "The agent ID (101-59999 in the seed's edition).",
                    "schema": {"type": "string", "examples": [DEFAULT_AGENT_ID]},
                }
            },
            "responses": {
                "Answer": {
                    "description": "The answer (HTTP 200 also for failures; see retcode).",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Answer"},
                            "examples": _answer_examples(),
                        }
                    },
                }
            },
            "securitySchemes": {
                GUID_HEADER: {
                    "type": "apiKey",
                    "in": "header",
                    "name": GUID_HEADER,
                    "description": "The Guid from sign-in's Set-GUID: JSESSIONID=<guid> header.",
                }
            },
        },
    }
