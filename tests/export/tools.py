"""Tiny runners for the exports: they do what Postman and the JetBrains HTTP Client do with them.

Each request is sent over a real socket in file order, `{{variables}}` replaced from the
environment; the tool's own script (a Postman test, a `> {% %}` response handler) runs in Node
with the part of the tool's API the exports use (tool_scripts.js), and the variables it sets
feed the next request.
"""

from __future__ import annotations

import json
import re
import shutil
import ssl
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

SCRIPTS = Path(__file__).with_name("tool_scripts.js")
HAS_NODE = shutil.which("node") is not None


@dataclass
class Exchange:
    name: str
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    status: int = 0
    answer: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def substitute(text: str, variables: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        assert name in variables, f"{{{{{name}}}}} is not set"
        return variables[name]

    return re.sub(r"\{\{([^{}]+)\}\}", one, text)


def run_script(
    dialect: str, script: str, response: httpx2.Response
) -> tuple[dict[str, str], list[str]]:
    payload = {
        "dialect": dialect,
        "script": script,
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": response.text,
    }
    proc = subprocess.run(
        ["node", str(SCRIPTS)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    out = json.loads(proc.stdout)
    return out["set"], out["failures"]


def send(http: httpx2.Client, ex: Exchange) -> httpx2.Response:
    content = ex.body.encode("utf-8") if ex.body is not None else None
    response = http.request(ex.method, ex.url, headers=ex.headers, content=content)
    ex.status = response.status_code
    ex.answer = response.json()
    return response


def run_postman(
    collection: dict[str, Any],
    environment: dict[str, Any],
    verify: ssl.SSLContext | bool,
    overrides: dict[str, str],
) -> list[Exchange]:
    variables = {v["key"]: v["value"] for v in environment["values"] if v.get("enabled", True)}
    variables.update(overrides)
    done = []
    with httpx2.Client(verify=verify, timeout=30) as http:
        for item in collection["item"]:
            req = item["request"]
            ex = Exchange(
                item["name"],
                req["method"],
                substitute(req["url"]["raw"], variables),
                {h["key"]: substitute(h["value"], variables) for h in req.get("header", [])},
                substitute(req["body"]["raw"], variables) if "body" in req else None,
            )
            response = send(http, ex)
            for event in item.get("event", []):
                if event["listen"] == "test":
                    new, ex.failures = run_script(
                        "postman", "\n".join(event["script"]["exec"]), response
                    )
                    variables.update(new)
            done.append(ex)
    return done


_REQUEST_LINE = re.compile(r"^(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) (\S+)$")


def parse_http_file(text: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """File variables (`@name = value`) and the requests, each with its response handler."""
    blocks = re.split(r"(?m)^###", text)
    # A file variable needs a value: httpYac reads `@name =` with none as a request line.
    variables = dict(re.findall(r"(?m)^@(\w+) = (\S.*)$", blocks[0]))
    assert not re.search(r"(?m)^@\w+ =\s*$", blocks[0]), "a file variable without a value"
    requests = []
    for block in blocks[1:]:
        name, _, rest = block.partition("\n")
        handler = None
        if "\n> {%" in rest:
            rest, _, tail = rest.partition("\n> {%")
            handler, _, _ = tail.partition("%}")
        lines = [ln for ln in rest.split("\n") if not ln.startswith("#")]
        while lines and not lines[0].strip():
            lines.pop(0)
        method, url = _REQUEST_LINE.match(lines[0]).groups()  # type: ignore[union-attr]
        headers: dict[str, str] = {}
        i = 1
        while i < len(lines) and lines[i].strip():
            key, _, value = lines[i].partition(":")
            headers[key.strip()] = value.strip()
            i += 1
        body = "\n".join(lines[i + 1 :]).strip("\n") or None
        requests.append(
            {
                "name": name.strip(),
                "method": method,
                "url": url,
                "headers": headers,
                "body": body,
                "handler": handler,
            }
        )
    return variables, requests


def run_http_file(
    text: str, verify: ssl.SSLContext | bool, environment: dict[str, str]
) -> list[Exchange]:
    variables, requests = parse_http_file(text)
    variables.update(environment)
    done = []
    with httpx2.Client(verify=verify, timeout=30) as http:
        for r in requests:
            ex = Exchange(
                r["name"],
                r["method"],
                substitute(r["url"], variables),
                {k: substitute(v, variables) for k, v in r["headers"].items()},
                substitute(r["body"], variables) if r["body"] is not None else None,
            )
            response = send(http, ex)
            if r["handler"]:
                new, ex.failures = run_script("jetbrains", r["handler"], response)
                variables.update(new)
            done.append(ex)
    return done


def parse_bru(text: str) -> dict[str, list[str]]:
    """A .bru file's blocks: name -> its lines, the two-space indent removed."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        if current is None:
            match = re.match(r"^([\w:-]+) [{\[]$", line)
            if match:
                current = blocks.setdefault(match.group(1), [])
        elif line in ("}", "]"):
            current = None
        else:
            current.append(line.removeprefix("  "))
    return blocks


def _pairs(lines: list[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) if ": " in line else (line.rstrip(":"), "") for line in lines)


def run_bruno(
    folder: Path, verify: ssl.SSLContext | bool, secrets: dict[str, str]
) -> list[Exchange]:
    """Run the collection like Bruno's runner: requests in `seq` order, the environment's vars."""
    [env_file] = (folder / "environments").glob("*.bru")
    env = parse_bru(env_file.read_text())
    variables = _pairs(env["vars"])
    for name in env.get("vars:secret", []):
        variables[name.strip().rstrip(",")] = ""
    variables.update(secrets)
    requests = [parse_bru(p.read_text()) for p in folder.glob("*.bru")]
    requests.sort(key=lambda b: int(_pairs(b["meta"])["seq"]))
    done = []
    with httpx2.Client(verify=verify, timeout=30) as http:
        for blocks in requests:
            [method] = [k for k in blocks if k in ("get", "put", "post", "delete")]
            body = "\n".join(blocks["body:json"]) if "body:json" in blocks else None
            ex = Exchange(
                _pairs(blocks["meta"])["name"],
                method.upper(),
                substitute(_pairs(blocks[method])["url"], variables),
                {k: substitute(v, variables) for k, v in _pairs(blocks["headers"]).items()},
                substitute(body, variables) if body is not None else None,
            )
            response = send(http, ex)
            for block in ("script:post-response", "tests"):
                if block in blocks:
                    new, failures = run_script("bruno", "\n".join(blocks[block]), response)
                    variables.update(new)
                    ex.failures += failures
            done.append(ex)
    return done
