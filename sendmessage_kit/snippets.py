"""The same request as a complete curl (sh), Python and JavaScript (Node) program.

Each program signs in, takes the Guid from `Set-GUID`, sends the request, prints the answer and
signs out again; it exits 0 when the gateway answers retcode "0". Credentials are read from the
environment when the program runs (`SENDMESSAGE_KIT_PASSWORD` and `SENDMESSAGE_KIT_PHONENUM`,
both required, or `SENDMESSAGE_KIT_GUID` to skip sign-in) and are never written into the code,
so a program can be shared or committed. The gateway, the agent ID and the CA file are written
in when given, else read from `SENDMESSAGE_KIT_BASE_URL`, `SENDMESSAGE_KIT_AGENT_ID` and
`SENDMESSAGE_KIT_CA_BUNDLE`.
The body is the exact compact JSON the kit's client sends, `data` included as an escaped string.

Example:
    >>> from sendmessage_kit import SendMessageRequest, new_message
    >>> req = SendMessageRequest(callid="c1", data=new_message(to="u1", content="hi"))
    >>> code = render(req, base_url="https://gw:8043", agent_id="101")
    >>> sorted(code), "SENDMESSAGE_KIT_PASSWORD" in code["python"]
    (['curl', 'javascript', 'python'], True)
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from sendmessage_kit import _http
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.models import SendMessageRequest

__all__ = ["ENV", "LANGUAGES", "render"]

LANGUAGES = ("curl", "python", "javascript")
#: The environment variables a program reads: setting -> variable.
ENV = {
    "base_url": "SENDMESSAGE_KIT_BASE_URL",
    "agent_id": "SENDMESSAGE_KIT_AGENT_ID",
    "ca_bundle": "SENDMESSAGE_KIT_CA_BUNDLE",
    "password": "SENDMESSAGE_KIT_PASSWORD",
    "phonenum": "SENDMESSAGE_KIT_PHONENUM",
    "guid": "SENDMESSAGE_KIT_GUID",
}
_EXAMPLES = {"base_url": "https://10.0.0.5:8043", "agent_id": "101"}
_TEMPLATES = {"curl": "send.sh.tmpl", "python": "send.py.tmpl", "javascript": "send.js.tmpl"}


def render(
    request: SendMessageRequest,
    *,
    base_url: str | None = None,
    agent_id: str | int | None = None,
    ca_bundle: str | Path | None = None,
    force_sign_in: bool = False,
) -> dict[str, str]:
    """Complete programs sending `request`: keys "curl" (a sh script), "python", "javascript".

    Args:
        request: the request to send.
        base_url: the gateway (with or without `/agentgateway`); None: the program reads
            `SENDMESSAGE_KIT_BASE_URL` when it runs.
        agent_id: the agent ID of the paths; None: `SENDMESSAGE_KIT_AGENT_ID`.
        ca_bundle: a PEM file of CAs to trust (the sandbox's); None: `SENDMESSAGE_KIT_CA_BUNDLE`
            when set, else the system's trust store.
        force_sign_in: sign in with `.../forcelogin` (take over an agent signed in elsewhere).
    """
    if base_url is not None:
        _http.gateway_root(base_url)  # a clear SettingsError for a URL without a scheme
    body = encode_body(request)
    values = {
        "base_url": base_url,
        "agent_id": None if agent_id is None else str(agent_id),
        "ca_bundle": None if ca_bundle is None else str(ca_bundle),
    }
    return {lang: _fill(lang, values, body, force_sign_in=force_sign_in) for lang in LANGUAGES}


def _fill(lang: str, values: dict[str, str | None], body: str, *, force_sign_in: bool) -> str:
    literal, setting, optional, agent = _SYNTAX[lang]
    text = (resources.files("sendmessage_kit") / "templates" / _TEMPLATES[lang]).read_text("utf-8")
    fills = {"BODY": literal(body)}
    for key, value in values.items():
        if value is not None:
            fills[key.upper()] = literal(value)
        elif key == "ca_bundle":
            fills[key.upper()] = optional(ENV[key])
        else:
            fills[key.upper()] = setting(ENV[key], _EXAMPLES[key])
    fills["SIGN_IN_PATH"] = _http.sign_in_path(agent, force=force_sign_in)
    fills["SEND_PATH"] = _http.send_path(agent)
    fills["SIGN_OUT_PATH"] = _http.sign_out_path(agent)
    for name, value in fills.items():
        text = text.replace(f"@@{name}@@", value)
    return text


def _sh_setting(name: str, example: str) -> str:
    return f'"${{{name}:?set {name}, e.g. {example}}}"'


def _py_literal(value: str) -> str:
    return repr(value)


def _js_literal(value: str) -> str:
    # JSON is a JS string literal; U+2028/U+2029 are legal in string literals since ES2019.
    return json.dumps(value, ensure_ascii=False)


# lang -> (literal, required setting, optional setting, the agent ID inside a path string)
_SYNTAX: dict[
    str, tuple[Callable[[str], str], Callable[[str, str], str], Callable[[str], str], str]
]
_SYNTAX = {
    "curl": (shlex.quote, _sh_setting, lambda name: f'"${{{name}:-}}"', "$AGENT_ID"),
    "python": (
        _py_literal,
        lambda name, example: f"setting({name!r}, {example!r})",
        lambda name: f"os.environ.get({name!r})",
        "{AGENT_ID}",
    ),
    "javascript": (
        _js_literal,
        lambda name, example: f"setting({json.dumps(name)}, {json.dumps(example)})",
        lambda name: f'process.env.{name} || ""',
        "${AGENT_ID}",
    ),
}
