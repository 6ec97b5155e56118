"""The flow every export writes: sign in, send the message, poll one event, sign out.

One description of the steps (method, path, body, whether the Guid goes along) that the Postman,
Bruno and `.http` writers all turn into their own syntax. Paths come from the client's own path
functions with `{{agentId}}` in place of the agent ID; `{{baseUrl}}` is the gateway's
`/agentgateway` root. Variables the tools hold: baseUrl, agentId, password, phonenum, guid.

Example:
    >>> [s.name for s in Flow.of(None).steps]
    ['sign in', 'send message', 'poll event', 'sign out']
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sendmessage_kit import _http, seed
from sendmessage_kit.encoding import encode_body
from sendmessage_kit.models import SendMessageRequest, new_message
from sendmessage_kit.sandbox.config import DEMO_PHONENUM

__all__ = ["DEFAULT_AGENT_ID", "DEFAULT_BASE_URL", "GUID_HEADER", "Flow", "Step", "demo_request"]

#: What an export points at when neither an argument nor a setting says: the sandbox started
#: with `sendmessage-kit sandbox --port 8043` and its demo agent (and its phone number).
DEFAULT_BASE_URL = "https://127.0.0.1:8043"
DEFAULT_AGENT_ID = "101"
GUID_HEADER = "Guid"
#: The tools' variable syntax, `{{name}}`, shared by Postman, Bruno and both .http clients.
AGENT = "{{agentId}}"
SIGN_IN_BODY = '{"password": "{{password}}", "phonenum": "{{phonenum}}"}'


@dataclass(frozen=True, slots=True)
class Step:
    """One request of the flow.

    Attributes:
        key: a short identifier (`signIn`, `sendMessage`, `pollEvent`, `signOut`).
        name: a readable name.
        method: the HTTP method.
        path: the path under `{{baseUrl}}`, with `{{agentId}}`.
        body: the exact body text, or None.
        needs_guid: send the `Guid: {{guid}}` header.
        gives_guid: the answer may hand out a Guid in `Set-GUID` (store it).
        doc: one line on what the step does.
    """

    key: str
    name: str
    method: str
    path: str
    body: str | None
    needs_guid: bool
    gives_guid: bool
    doc: str


@dataclass(frozen=True, slots=True)
class Flow:
    """The steps plus the environment values they start from (no secret among them)."""

    steps: tuple[Step, ...]
    base_url: str
    agent_id: str
    phonenum: str

    @classmethod
    def of(
        cls,
        body: str | SendMessageRequest | None,
        *,
        base_url: str | None = None,
        agent_id: str | None = None,
        phonenum: str | None = None,
        force_sign_in: bool = False,
    ) -> Flow:
        """The flow sending `body` (the exact text, a request, or None for a demo message)."""
        if body is None:
            body = demo_request()
        text = tool_safe_body(body if isinstance(body, str) else encode_body(body))
        _plain("--base-url (or SENDMESSAGE_KIT_BASE_URL)", base_url)
        _plain("--agent-id (or SENDMESSAGE_KIT_AGENT_ID)", agent_id)
        _plain("the phone number", phonenum)
        sign_in = "forced sign-in" if force_sign_in else "sign in"
        steps = (
            Step(
                "signIn",
                sign_in,
                "PUT",
                _http.sign_in_path(AGENT, force=force_sign_in),
                SIGN_IN_BODY,
                False,
                True,
                "Sign the agent in; the answer's Set-GUID header (JSESSIONID=<guid>) is the Guid.",
            ),
            Step(
                "sendMessage",
                "send message",
                "POST",
                _http.send_path(AGENT),
                text,
                True,
                True,
                "Send the message; `data` is a JSON object encoded as a string inside the JSON.",
            ),
            Step(
                "pollEvent",
                "poll event",
                "GET",
                _http.event_path(AGENT),
                None,
                True,
                True,
                "Poll one agent event (also the heartbeat); a rotated Guid comes in Set-GUID.",
            ),
            Step(
                "signOut",
                "sign out",
                "DELETE",
                _http.sign_out_path(AGENT),
                None,
                True,
                False,
                "Sign the agent out.",
            ),
        )
        return cls(
            steps,
            _http.gateway_root(base_url or DEFAULT_BASE_URL),
            str(agent_id or DEFAULT_AGENT_ID),
            phonenum or DEMO_PHONENUM,
        )

    def headers(self, step: Step) -> list[tuple[str, str]]:
        """The headers of a step, the Guid as the `{{guid}}` variable."""
        out = [("Content-Type", "application/json; charset=UTF-8")]
        if step.needs_guid:
            out.append((GUID_HEADER, "{{guid}}"))
        return out

    def variables(self) -> dict[str, str]:
        """The environment's starting values; password and guid are empty secrets."""
        return {
            "baseUrl": self.base_url,
            "agentId": self.agent_id,
            "phonenum": self.phonenum,
            "password": "",
            "guid": "",
        }


# A control character (a newline above all) in a value the files write on their own lines
# would start a line of its own: a request (`### ...` in .http) or a block (Bruno).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# `{` followed by `{`: the start of a `{{variable}}` the tools would substitute.
_OPENING = re.compile(r"\{(?=\{)")


def _plain(what: str, value: object) -> None:
    if value is not None and _CONTROL.search(str(value)):
        bad = _CONTROL.search(str(value))
        assert bad is not None
        raise ValueError(
            f"{what} holds the control character U+{ord(bad.group()):04X} (a line break?); "
            "give the value on one line without control characters"
        )


def tool_safe_body(text: str) -> str:
    """The body text written so that Postman, Bruno and the .http clients send it as given.

    The tools replace `{{name}}` in a body with a variable (Postman, Bruno and httpYac also run
    `{{$dynamic}}` names, httpYac JavaScript), so a message mentioning `{{password}}` would send
    the agent's password. In JSON, `{{` can stand only inside a string (an object's key is a
    string), where `\u007b` means `{`: every `{` followed by `{` is written `\u007b`. The JSON
    parses to the same value, and no `{{` is left for a tool to substitute.

    Raises:
        ValueError: a body that is not JSON holds `{{` (there is no escape for it).
    """
    if "{{" not in text:
        return text
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError(
            "the body is not JSON and holds '{{': Postman, Bruno and .http clients would "
            "replace '{{name}}' with a variable; write the body as JSON (the kit then escapes "
            "it) or remove '{{'"
        ) from None
    return _OPENING.sub(r"\\u007b", text)


def demo_request() -> SendMessageRequest:
    """The message an export sends when none is given: a WEB text to the seed's customer."""
    data = new_message(to=seed.USER_ID, content="Hello from sendmessage-kit")
    return SendMessageRequest(callid=seed.CALLID, data=data)
