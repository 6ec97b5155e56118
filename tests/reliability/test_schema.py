"""Schemathesis against the sandbox's own OpenAPI document, over a real socket on 127.0.0.1.

Every operation the document describes is called with generated data, valid (positive) and
invalid (negative): no answer may be a 5xx, and every answer must match the document (status,
content type, body schema, plus schemathesis' other default checks). The faults endpoint is
fuzzed too, on this module's own sandbox, and cleared after each call so a generated 120 s
latency cannot stall the next call. (schemathesis' pytest plugin does not run under pytest 9,
so the operations are parametrized here and each drives its own hypothesis strategy.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from sendmessage_kit.sandbox import SandboxConfig, create_app, serve
from tests.reliability._tally import TALLY

FAST, SLOW = 30, 400
GATEWAY = "/agentgateway/"
# By design (like CC-Gateway) the gateway paths answer HTTP 200 with a retcode for bad input,
# so schemathesis' "invalid request must get a 4xx" check does not apply to them.
BY_DESIGN = {GATEWAY: [checks.negative_data_rejection]}
# Gaps in the sandbox's OpenAPI document, reported to its owner (issue 7 report): the fuzz
# still runs every other check on these operations, and the 5xx check on all of them.
KNOWN_GAPS: dict[tuple[str, str], list[Any]] = {
    # The agentId range (101-59999, configurable) is not in the schema, so a schema-valid
    # agentId can be refused (400, documented).
    ("POST", "/sandbox/chats"): [checks.positive_data_acceptance],
    # FaultSpec's "one kind at a time" rule is not in the schema, so valid-looking specs get 422.
    ("POST", "/sandbox/faults"): [checks.positive_data_acceptance],
}


def _operations() -> list[Any]:
    app = create_app(SandboxConfig())  # only to read its document; opens an in-memory store
    try:
        document = app.openapi()
    finally:
        app.store.close()
    schema = schemathesis.openapi.from_dict(document)
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = _operations()
IDS = [f"{op.method.upper()} {op.path}" for op in OPERATIONS]


@pytest.fixture(scope="module")
def schema_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    config = SandboxConfig(http=True, poll_wait=0.2, data_dir=tmp_path_factory.mktemp("schema"))
    with serve(config) as sb:
        yield sb


def _excluded(operation: Any) -> list[Any]:
    out = list(KNOWN_GAPS.get((operation.method.upper(), operation.path), []))
    for prefix, skipped in BY_DESIGN.items():
        if operation.path.startswith(prefix):
            out += skipped
    return out


def _fuzz(operation: Any, base_url: str, examples: int) -> None:
    excluded = _excluded(operation)
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        TALLY.add("inputs")
        TALLY.add("api_calls")
        try:
            response = case.call(base_url=base_url, timeout=10)
            TALLY.add("5xx", int(response.status_code >= 500))
            case.validate_response(response, excluded_checks=excluded)
        finally:
            if case.path == "/sandbox/faults":
                with httpx2.Client(base_url=base_url, trust_env=False) as http:
                    http.delete("/sandbox/faults")

    run()


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_api_answers_match_the_document_and_are_never_5xx(
    operation: Any, schema_sandbox: Any
) -> None:
    _fuzz(operation, schema_sandbox.base_url, FAST)


@pytest.mark.slow
@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_api_answers_match_the_document_at_length(operation: Any, schema_sandbox: Any) -> None:
    _fuzz(operation, schema_sandbox.base_url, SLOW)


# Two 5xx the fuzz found (issue 7), fixed in the sandbox by 780437e; kept as regressions.
def test_huge_cursor_is_not_a_server_error(schema_sandbox: Any) -> None:
    TALLY.add("inputs")
    with httpx2.Client(base_url=schema_sandbox.base_url, trust_env=False) as http:
        response = http.get("/sandbox/users/u/messages", params={"after": "9" * 25})
    assert response.status_code < 500


def test_superscript_agent_id_is_not_a_server_error(schema_sandbox: Any) -> None:
    TALLY.add("inputs")
    with httpx2.Client(base_url=schema_sandbox.base_url, trust_env=False) as http:
        response = http.post("/agentgateway/resource/mediacall/³/sendmessage", json={})
    assert response.status_code < 500


# Issue 13: the fuzz reaches escaped JSON strings inside `data` (signed in, so the body is read).
SEND = next(op for op in OPERATIONS if op.path.endswith("/sendmessage"))


def _fuzz_escaped_data(base_url: str, examples: int) -> None:
    import json
    from urllib.parse import quote

    from tests.test_properties import CONTROL, LONE, escaped_bodies

    with httpx2.Client(base_url=base_url, trust_env=False) as http:
        signed = http.put(
            "/agentgateway/resource/onlineagent/101/forcelogin",
            json={"password": "sandbox", "phonenum": "88880001"},
        )
        guid = signed.headers["Set-GUID"].split("=", 1)[1]
        users: set[str] = set()

        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
        @given(
            case=SEND.as_strategy(generation_mode=GenerationMode.POSITIVE),
            sample=escaped_bodies(LONE).map(lambda c: (*c, True))
            | escaped_bodies(CONTROL).map(lambda c: (*c, False)),
        )
        def run(case: Any, sample: tuple[str, str, bool]) -> None:
            TALLY.add("inputs")
            TALLY.add("api_calls")
            text, path, lone = sample
            case.path_parameters = {"agentid": "101"}
            case.headers = {**(case.headers or {}), "Guid": guid}
            case.body = json.loads(text)
            response = case.call(base_url=base_url, timeout=10)
            TALLY.add("5xx", int(response.status_code >= 500))
            case.validate_response(response, excluded_checks=_excluded(SEND))
            answer = response.json()
            if lone:  # refused with a retcode naming the field, like check()
                assert answer["retcode"] != "0" and path in answer["message"], answer
            elif answer["retcode"] == "0":
                users.add(json.loads(case.body["data"])["to"])

        run()
        assert users, "no body with a control character was stored"
        for user in users:  # nothing stored can break a later read
            read = http.get(f"/sandbox/users/{quote(user, safe='')}/messages")
            assert read.status_code < 500, (user, read.text)


def test_sendmessage_bodies_with_escaped_invalid_text_in_data(schema_sandbox: Any) -> None:
    _fuzz_escaped_data(schema_sandbox.base_url, FAST * 3)


@pytest.mark.slow
def test_sendmessage_bodies_with_escaped_invalid_text_at_length(schema_sandbox: Any) -> None:
    _fuzz_escaped_data(schema_sandbox.base_url, SLOW)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/sandbox/chats", {"userId": "u-strict", "join": 0}, "join"),
        ("/sandbox/chats", {"userId": "u-strict", "join": "true"}, "join"),
        ("/sandbox/faults", {"garbage": 0}, "garbage"),
        ("/sandbox/faults", {"latency_ms": "5"}, "latency_ms"),
        ("/sandbox/faults", {"retcode": "100-007", "fail_ratio": True}, "fail_ratio"),
        ("/sandbox/faults", {"retcode": "100-007", "seed": 0.0}, "seed"),
    ],
)
def test_a_json_scalar_of_another_type_is_refused_not_coerced(
    schema_sandbox: Any, path: str, body: dict[str, Any], field: str
) -> None:
    """JSON `0` is no `false`, `"5"` no number: refused naming the field (found by the fuzz)."""
    with httpx2.Client(base_url=schema_sandbox.base_url, trust_env=False) as http:
        try:
            answer = http.post(path, json=body)
        finally:
            http.delete("/sandbox/faults")
    assert 400 <= answer.status_code < 500, answer.text
    assert field in answer.text


@pytest.mark.parametrize(
    "path",
    ["/sandbox/requests", "/sandbox/users/u-repeat/messages", "/sandbox/chats/c-1/messages"],
)
def test_a_query_parameter_given_twice_is_refused_naming_it(schema_sandbox: Any, path: str) -> None:
    """`?limit=1&limit=2` was taken as its last value without a word (found by the fuzz)."""
    with httpx2.Client(base_url=schema_sandbox.base_url, trust_env=False) as http:
        answer = http.get(path, params=[("limit", "[]"), ("limit", "0.0"), ("limit", "5")])
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["query", "limit"]
    assert problem["msg"] == "given 3 times; give it once"
