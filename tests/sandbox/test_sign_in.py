"""Sign-in bodies the gateway cannot use answer 100-001 (issue 13 §2), and the catalog knows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sendmessage_kit import GatewayClient
from sendmessage_kit.errors import RETCODES, InvalidParameterError
from sendmessage_kit.sandbox import Sandbox
from tests.sandbox.conftest import Agent

BAD_SIGN_INS: list[tuple[str, Any]] = [
    ("no password", {"phonenum": "88880001"}),
    ("empty password", {"password": "", "phonenum": "88880001"}),
    ("no phonenum", {"password": "sandbox"}),
    ("empty phonenum", {"password": "sandbox", "phonenum": ""}),
    ("whitespace phonenum", {"password": "sandbox", "phonenum": " \t "}),
    ("phonenum null", {"password": "sandbox", "phonenum": None}),
    ("phonenum too long", {"password": "sandbox", "phonenum": "1" * 25}),
    ("password too long", {"password": "x" * 33, "phonenum": "88880001"}),
    ("password a number", {"password": 5, "phonenum": "88880001"}),
    ("empty object", {}),
    ("a list", ["sandbox"]),
    ("not JSON", b"{password"),
    ("no body", b""),
]


@pytest.mark.parametrize("force", [False, True], ids=["onlineagent", "forcelogin"])
@pytest.mark.parametrize(("what", "body"), BAD_SIGN_INS, ids=[w for w, _ in BAD_SIGN_INS])
def test_empty_or_invalid_sign_in_parameters_are_100_001(
    sandbox_http: Sandbox, what: str, body: Any, force: bool
) -> None:
    a = Agent(sandbox_http, agent_id="4101")
    try:
        path = "/agentgateway/resource/onlineagent/4101" + ("/forcelogin" if force else "")
        if isinstance(body, bytes):
            r = a.http.put(path, content=body, headers={"Content-Type": "application/json"})
        else:
            r = a.http.put(path, json=body)
        assert r.status_code == 200
        answer = r.json()
        assert answer["retcode"] == "100-001", (what, answer)
        assert "set-guid" not in r.headers
        if isinstance(body, dict) and len(body) == 1:  # the message names the field at fault
            missing = {"password", "phonenum"} - set(body)
            assert missing.pop() in answer["message"]
        if what.endswith("phonenum"):
            assert "phonenum" in answer["message"]
        health = a.http.get("/sandbox/health").json()
        assert "4101" not in health["signedIn"]  # nothing was signed in
        assert health["config"]["allowEmptyPhonenum"] is False
    finally:
        a.close()


def test_empty_phonenum_is_accepted_only_with_allow_empty_phonenum(
    sandbox_http: Sandbox, make_sandbox: Callable[..., Sandbox]
) -> None:
    body = {"password": "sandbox", "phonenum": ""}
    strict = Agent(sandbox_http, agent_id="4103")
    lenient_sb = make_sandbox(allow_empty_phonenum=True)
    lenient = Agent(lenient_sb, agent_id="4103")
    try:
        path = "/agentgateway/resource/onlineagent/4103/forcelogin"
        answer = strict.http.put(path, json=body).json()
        assert answer["retcode"] == "100-001" and "phonenum" in answer["message"]
        assert strict.http.put(path, json={**body, "phonenum": "1"}).json()["retcode"] == "0"
        assert lenient.http.put(path, json=body).json()["retcode"] == "0"
        assert lenient.http.put(path, json={**body, "phonenum": " "}).json()["retcode"] == "0"
        assert lenient.http.get("/sandbox/health").json()["config"]["allowEmptyPhonenum"] is True
    finally:
        lenient.close()
        strict.close()


def test_agent_id_out_of_range_stays_000_002_before_the_body(sandbox_http: Sandbox) -> None:
    a = Agent(sandbox_http, agent_id="60000")
    try:
        assert a.sign_in(password="")["retcode"] == "000-002"
    finally:
        a.close()


def test_the_catalog_has_the_published_sign_in_codes() -> None:
    for code in ("000-001", "100-001", "100-003"):
        entry = RETCODES[code]
        assert entry.description and entry.remedy
        assert "cec_07_0580" in entry.source and "docs/facts.md#retcodes" in entry.source, code
    assert "docs/facts.md#sign-in" in RETCODES["100-001"].source
    assert RETCODES["100-003"].retryable and not RETCODES["100-001"].retryable


def test_the_client_gets_100_001_as_a_typed_error_with_its_remedy(sandbox_http: Sandbox) -> None:
    with GatewayClient(
        base_url=sandbox_http.base_url,
        agent_id="4102",
        password="",
        phonenum="88880001",
        history=False,
    ) as client:
        with pytest.raises(InvalidParameterError) as info:
            client.sign_in()
    assert info.value.retcode == "100-001"
    assert RETCODES["100-001"].remedy in str(info.value)
