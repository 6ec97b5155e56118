"""A small HAR 1.2 recorder for the tests: it sends requests to a real gateway-like server and
writes what went and what came back, with the kit's placeholders in place of the secrets.

It stands in for a recording by the proxy or a browser: the diff reads any HAR 1.2 file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from sendmessage_kit.auth import guid_from_headers
from sendmessage_kit.diff.har_in import (
    GUID_PLACEHOLDER,
    PASSWORD_PLACEHOLDER,
    SET_GUID_PLACEHOLDER,
)
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.models import SendMessageRequest, new_message

GW = "/agentgateway/resource"


@dataclass
class Step:
    method: str
    path: str
    body: str | None = None
    guid: bool = True


def sign_in(agent: str, password: str, phonenum: str = "88880001") -> Step:
    body = json.dumps({"password": password, "phonenum": phonenum})
    return Step("PUT", f"{GW}/onlineagent/{agent}", body, guid=False)


def send(agent: str, content: str, callid: str = "call-diff-1", to: str = "diff-user") -> Step:
    body = encode_body(SendMessageRequest(callid=callid, data=new_message(to=to, content=content)))
    return Step("POST", f"{GW}/mediacall/{agent}/sendmessage", body)


def raw_send(agent: str, body: str) -> Step:
    return Step("POST", f"{GW}/mediacall/{agent}/sendmessage", body)


def poll(agent: str) -> Step:
    return Step("GET", f"{GW}/agentevent/{agent}")


def sign_out(agent: str) -> Step:
    return Step("DELETE", f"{GW}/onlineagent/{agent}/logout")


def _headers(pairs: Any) -> list[dict[str, str]]:
    out = []
    for name, value in pairs:
        if name.lower() == "guid":
            value = GUID_PLACEHOLDER
        elif name.lower() == "set-guid":
            value = SET_GUID_PLACEHOLDER
        out.append({"name": name, "value": value})
    return out


def record(base_url: str, steps: list[Step], path: Path) -> dict[str, Any]:
    """Send `steps` in order to `base_url` and write them as HAR 1.2 to `path`."""
    entries = []
    guid: str | None = None
    with httpx2.Client(base_url=base_url, timeout=30, trust_env=False) as http:
        for step in steps:
            headers = {"Content-Type": "application/json; charset=UTF-8"}
            if step.guid and guid:
                headers["Guid"] = guid
            content = step.body.encode() if step.body is not None else None
            response = http.request(step.method, step.path, headers=headers, content=content)
            guid = guid_from_headers(response.headers) or guid
            request: dict[str, Any] = {
                "method": step.method,
                "url": base_url + step.path,
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": _headers(response.request.headers.items()),
                "queryString": [],
                "headersSize": -1,
                "bodySize": len(content or b""),
            }
            if step.body is not None:
                text = step.body
                obj = json.loads(text) if text.startswith("{") else None
                if isinstance(obj, dict) and "password" in obj:
                    text = json.dumps({**obj, "password": PASSWORD_PLACEHOLDER})
                request["postData"] = {"mimeType": "application/json", "text": text}
            entries.append(
                {
                    "startedDateTime": "2026-12-04T17:00:00.000Z",
                    "time": 1,
                    "request": request,
                    "response": {
                        "status": response.status_code,
                        "statusText": response.reason_phrase,
                        "httpVersion": "HTTP/1.1",
                        "cookies": [],
                        "headers": _headers(response.headers.items()),
                        "content": {
                            "size": len(response.content),
                            "mimeType": response.headers.get("content-type", ""),
                            "text": response.text,
                        },
                        "redirectURL": "",
                        "headersSize": -1,
                        "bodySize": len(response.content),
                    },
                    "cache": {},
                    "timings": {"send": 0, "wait": 1, "receive": 0},
                }
            )
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "sendmessage-kit tests", "version": "0"},
            "entries": entries,
        }
    }
    path.write_text(json.dumps(har, indent=1, ensure_ascii=False), encoding="utf-8")
    return har
