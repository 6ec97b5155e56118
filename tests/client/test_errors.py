"""A retcode maps to its exception in one place: the `RETCODES` catalog."""

from __future__ import annotations

from sendmessage_kit import errors
from sendmessage_kit.errors import (
    RETCODES,
    GatewayError,
    MultimediaError,
    SignedOutError,
    error_for_answer,
    error_for_retcode,
)


def test_each_exception_documents_the_codes_the_catalog_gives_it() -> None:
    for entry in RETCODES.values():
        assert type(error_for_retcode(entry.code)) is entry.exception
        assert entry.code in (entry.exception.__doc__ or ""), entry.code
    # and no docstring claims a code the catalog gives to another exception
    for kind in {r.exception for r in RETCODES.values()}:
        listed = (kind.__doc__ or "").split("Retcodes (from `RETCODES`):")[-1]
        for code in RETCODES:
            assert (code in listed) == (RETCODES[code].exception is kind), (kind, code)


def test_the_guid_no_longer_valid_codes_are_signed_out_errors() -> None:
    assert {c for c, r in RETCODES.items() if r.exception is SignedOutError} == {
        "000-003",
        "100-006",
    }
    assert issubclass(SignedOutError, errors.AuthError)


def test_codes_missing_from_the_catalog() -> None:
    assert type(error_for_retcode("106-099")) is MultimediaError
    assert type(error_for_retcode("999-001")) is GatewayError


def test_an_answer_becomes_its_error_with_the_gateway_s_words() -> None:
    assert error_for_answer({"retcode": "0", "message": ""}) is None
    error = error_for_answer({"retcode": "100-006", "message": "not signed in"})
    assert isinstance(error, SignedOutError) and error.message == "not signed in"
    hinted = error.with_hint("Do this.")
    assert type(hinted) is SignedOutError and str(hinted).endswith("Do this.")
    assert hinted.retcode == "100-006" and hinted.response == error.response
