"""Pure parts: URLs, Guid headers, masking, retry policy and delays, response parsing."""

from __future__ import annotations

import httpx2
import pytest
from pydantic import SecretStr

from sendmessage_kit import _http
from sendmessage_kit.auth import GuidState, guid_from_headers, mask, sign_in_body
from sendmessage_kit.errors import (
    AuthError,
    ConnectError,
    GatewayInternalError,
    RequestTimeout,
    ResponseError,
    SettingsError,
    TLSError,
    TransportError,
)
from tests.conftest import CANARY_GUID


@pytest.mark.parametrize(
    "base",
    [
        "https://gw:8043",
        "https://gw:8043/",
        "https://gw:8043/agentgateway",
        " https://gw:8043/agentgateway/ ",
    ],
)
def test_gateway_root_accepts_with_or_without_agentgateway(base: str) -> None:
    assert _http.gateway_root(base) == "https://gw:8043/agentgateway"


def test_gateway_root_without_scheme_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="SENDMESSAGE_KIT_BASE_URL"):
        _http.gateway_root("gw:8043")


def test_paths_are_the_documented_ones() -> None:
    assert _http.send_path("101") == "/resource/mediacall/101/sendmessage"
    assert _http.sign_in_path("101") == "/resource/onlineagent/101"
    assert _http.sign_in_path("101", force=True) == "/resource/onlineagent/101/forcelogin"
    assert _http.sign_out_path("101") == "/resource/onlineagent/101/logout"
    assert _http.event_path("101") == "/resource/agentevent/101"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(
            {"set-guid": "JSESSIONID=g1.AgentGateway0"}, "g1.AgentGateway0", id="set-guid"
        ),
        pytest.param({"set-guid": "JSESSIONID=g2; Path=/"}, "g2", id="set-guid-attrs"),
        pytest.param({"guid": "g3"}, "g3", id="bare-guid"),
        pytest.param({"set-guid": "g4"}, "g4", id="set-guid-without-name"),
        pytest.param({"content-type": "x"}, None, id="none"),
        pytest.param({"guid": "  "}, None, id="blank"),
    ],
)
def test_guid_from_headers(headers: dict[str, str], expected: str | None) -> None:
    assert guid_from_headers(httpx2.Headers(headers)) == expected


def test_mask_keeps_only_the_tail() -> None:
    assert mask(CANARY_GUID) == "****0001.AgentGateway9"
    assert mask(SecretStr(CANARY_GUID)) == "****0001.AgentGateway9"
    assert mask("short") == "****"
    assert mask(None) == "<none>"


def test_guid_state_follows_a_new_guid_and_counts_rotations() -> None:
    state = GuidState("old")
    assert state.follow(httpx2.Headers({"Set-GUID": "JSESSIONID=old"})) is False
    assert state.follow(httpx2.Headers({"Set-GUID": "JSESSIONID=new"})) is True
    assert state.headers() == {"Guid": "new"}
    assert state.rotations == 1
    state.set(None)
    assert state.headers() == {}


def test_guid_state_repr_is_masked() -> None:
    assert CANARY_GUID not in repr(GuidState(CANARY_GUID))


def test_sign_in_body_reveals_the_password_only_in_the_body() -> None:
    assert sign_in_body(SecretStr("pw"), "8888", status=4) == {
        "password": "pw",
        "phonenum": "8888",
        "status": 4,
    }


def test_build_request_sends_the_body_byte_for_byte_with_the_guid_header() -> None:
    req = _http.build_request(
        "POST", "https://gw/x", guid_headers={"Guid": "g"}, content='{"a":"é"}', timeout=3.0
    )
    assert req.content == '{"a":"é"}'.encode()
    assert req.headers["Guid"] == "g"
    assert req.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert req.extensions["timeout"]["read"] == 3.0


@pytest.mark.parametrize(
    ("method", "content", "guid_headers"),
    [
        ("POST", '{"callid":"c","data":"{\\"a\\":\\"é\\"}"}', {"Guid": "g-1"}),
        ("PUT", '{"password":"p","phonenum":"1"}', {}),
        ("POST", "", {"Guid": "g"}),
        ("POST", None, {}),
        ("GET", None, {"Guid": "g"}),
        ("DELETE", None, {"Guid": "g"}),
    ],
)
@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/agentgateway/x", "https://[::1]:8043/a", "https://gw.example:443/b"],
)
def test_build_request_sends_what_httpx2s_content_path_would(
    method: str, content: str | None, guid_headers: dict[str, str], url: str
) -> None:
    # build_request writes the headers itself (five times cheaper); they must stay the ones,
    # in the order, that httpx2.Request(content=...) works out.
    ours = _http.build_request(method, url, guid_headers=guid_headers, content=content, timeout=5)
    body = content.encode() if content is not None else None
    theirs = httpx2.Request(
        method, url, headers={**_http.JSON_HEADERS, **guid_headers}, content=body
    )
    assert ours.headers.raw == theirs.headers.raw
    assert ours.content == theirs.content


@pytest.mark.parametrize(
    ("status", "text", "match"),
    [
        pytest.param(502, "<html><body>502 Bad Gateway</body></html>", "HTML page", id="html"),
        pytest.param(200, "<<not json>>", "not JSON", id="angle-garbage"),
        pytest.param(200, "\x00garbage", "not JSON", id="garbage"),
        pytest.param(200, '{"ok": true}', "no retcode", id="no-retcode"),
        pytest.param(200, "[1, 2]", "no retcode", id="array"),
    ],
)
def test_parse_json_rejects_what_is_not_the_gateway(status: int, text: str, match: str) -> None:
    with pytest.raises(ResponseError, match=match) as info:
        _http.parse_json(httpx2.Response(status, text=text))
    assert info.value.status_code == status


def test_parse_json_normalises_a_numeric_retcode() -> None:
    assert _http.parse_json(httpx2.Response(200, json={"retcode": 0}))["retcode"] == "0"


def _tls_error() -> httpx2.ConnectError:
    import ssl

    exc = httpx2.ConnectError("handshake failed")
    exc.__cause__ = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED]")
    return exc


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        pytest.param(httpx2.ConnectError("refused"), ConnectError, id="connect"),
        pytest.param(_tls_error(), TLSError, id="tls"),
        pytest.param(httpx2.ReadTimeout("slow"), RequestTimeout, id="read-timeout"),
        pytest.param(httpx2.RemoteProtocolError("closed"), TransportError, id="dropped"),
        pytest.param(httpx2.UnsupportedProtocol("ftp"), SettingsError, id="bad-url"),
    ],
)
def test_map_error_gives_the_kit_types(exc: httpx2.HTTPError, kind: type[Exception]) -> None:
    error = _http.map_error(exc, None, "https://gw")
    assert type(error) is kind


def _resp_error(status: int) -> ResponseError:
    return ResponseError("x", status_code=status)


@pytest.mark.parametrize(
    ("error", "resend", "retried"),
    [
        pytest.param(ConnectError("x"), False, True, id="connect-always"),
        pytest.param(TLSError("x"), True, False, id="tls-never"),
        pytest.param(RequestTimeout("x"), False, False, id="timeout-needs-opt-in"),
        pytest.param(RequestTimeout("x"), True, True, id="timeout-opted-in"),
        pytest.param(TransportError("x"), True, True, id="dropped-opted-in"),
        pytest.param(_resp_error(502), True, True, id="502-opted-in"),
        pytest.param(_resp_error(502), False, False, id="502-not-opted-in"),
        pytest.param(_resp_error(200), True, False, id="garbage-200-never"),
        pytest.param(GatewayInternalError("100-007"), True, True, id="retryable-retcode"),
        pytest.param(AuthError("000-003"), True, False, id="auth-never"),
    ],
)
def test_retry_policy(error: Exception, resend: bool, retried: bool) -> None:
    policy = _http.RetryPolicy(max_retries=2, resend=resend)
    assert (policy.delay(error, 0) is not None) is retried  # type: ignore[arg-type]


def test_retry_policy_stops_after_max_retries() -> None:
    policy = _http.RetryPolicy(max_retries=2, resend=True)
    assert policy.delay(ConnectError("x"), 1) is not None
    assert policy.delay(ConnectError("x"), 2) is None


def test_next_delay_is_openai_backoff_with_jitter_and_cap() -> None:
    for attempt, base in [(0, 0.5), (1, 1.0), (2, 2.0), (5, 8.0), (10, 8.0)]:
        delays = [_http.next_delay(attempt) for _ in range(200)]
        assert all(base * 0.75 <= d <= base for d in delays)
        assert max(delays) - min(delays) > 0


def test_next_delay_honours_retry_after_within_bounds() -> None:
    assert _http.next_delay(0, 3.0) == 3.0
    assert _http.next_delay(0, 3600.0) <= 0.5
    assert _http.retry_after(httpx2.Response(503, headers={"Retry-After": "2"})) == 2.0
    assert _http.retry_after(httpx2.Response(503, headers={"Retry-After": "soon"})) is None
