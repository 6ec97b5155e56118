"""The OpenAPI export: a valid 3.1 document of exactly the gateway's surface, which works.

The flow is driven from the document itself (its paths, methods and security scheme) against
the real sandbox, and every answer matches the document's Answer schema.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx2
import jsonschema
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from sendmessage_kit.encoding import encode_body
from sendmessage_kit.errors import RETCODES
from sendmessage_kit.export import files
from sendmessage_kit.export.flow import demo_request
from sendmessage_kit.export.openapi import document
from tests.export.conftest import new_agent_id, new_user


def _schema(doc: dict[str, Any], name: str) -> jsonschema.Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return jsonschema.Draft202012Validator(root)


def test_the_document_validates_and_a_broken_one_does_not() -> None:
    doc = document()
    validate(doc)
    broken = copy.deepcopy(doc)
    broken["components"]["securitySchemes"]["Guid"]["in"] = "body"  # not a place for an API key
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_the_cli_prints_and_writes_the_same_document_as_json(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from sendmessage_kit.cli import main

    expected = json.loads(json.dumps(document()))
    assert main(["export", "--format", "openapi", "--out", "-"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    out = tmp_path / "gateway.json"
    assert main(["export", "--format", "openapi", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == expected
    [text] = files("openapi").values()
    assert json.loads(text) == expected


def test_it_holds_the_gateways_routes_and_none_of_the_sandboxs(sandbox_http: Any) -> None:
    with httpx2.Client(base_url=sandbox_http.base_url) as http:
        sandbox_doc = http.get("/openapi.json").json()
    gateway = {
        (path.removeprefix("/agentgateway"), method)
        for path, ops in sandbox_doc["paths"].items()
        if path.startswith("/agentgateway/resource/")
        for method in ops
    }
    ours = {(path, method) for path, ops in document()["paths"].items() for method in ops}
    assert ours == gateway
    assert len(ours) == 6


def test_data_is_a_json_string_whose_content_schema_is_message_data() -> None:
    doc = document()
    data = doc["components"]["schemas"]["SendMessageBody"]["properties"]["data"]
    assert data["type"] == "string"
    assert data["contentMediaType"] == "application/json"
    message_data = _schema(doc, "MessageData")
    body = json.loads(encode_body(demo_request()))
    _schema(doc, "SendMessageBody").validate(body)
    message_data.validate(json.loads(body["data"]))
    wrong = {**json.loads(body["data"]), "channel": "PIGEON"}
    assert list(message_data.iter_errors(wrong))
    # Derived from the model: every MessageData field is there under its wire name.
    assert set(doc["components"]["schemas"]["MessageData"]["properties"]) >= {
        "from",
        "to",
        "channel",
        "content",
        "messageCode",
    }


def test_the_retcode_catalog_is_documented_on_every_answer() -> None:
    doc = document()
    answer = _schema(doc, "Answer")
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            response = op["responses"]["200"]
            if "$ref" in response:
                response = doc["components"]["responses"]["Answer"]
            examples = response["content"]["application/json"]["examples"]
            assert set(examples) == {"success", *RETCODES}, (path, method)
            for example in examples.values():
                answer.validate(example["value"])


def test_guid_is_the_security_scheme_of_everything_but_sign_in() -> None:
    doc = document()
    assert doc["components"]["securitySchemes"]["Guid"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Guid",
        "description": doc["components"]["securitySchemes"]["Guid"]["description"],
    }
    secured = {
        op["operationId"]: op["security"] for ops in doc["paths"].values() for op in ops.values()
    }
    assert secured.pop("signIn") == secured.pop("forceSignIn") == []
    assert all(value == [{"Guid": []}] for value in secured.values())


def test_the_documented_operations_work_against_the_sandbox(sandbox_https: Any) -> None:
    doc = document()
    ops = {
        op["operationId"]: (method.upper(), path)
        for path, methods in doc["paths"].items()
        for method, op in methods.items()
    }
    agent, user = new_agent_id(), new_user()
    answer = _schema(doc, "Answer")
    root = sandbox_https.base_url + "/agentgateway"

    def call(op_id: str, guid: str | None = None, body: str | None = None) -> httpx2.Response:
        method, path = ops[op_id]
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        if guid:
            headers["Guid"] = guid
        response = http.request(
            method, root + path.replace("{agentid}", agent), headers=headers, content=body
        )
        answer.validate(response.json())
        assert response.json()["retcode"] == "0", (op_id, response.text)
        return response

    with httpx2.Client(verify=sandbox_https.verify(), timeout=30) as http:
        sign_in = json.dumps({"password": "sandbox", "phonenum": "88880001"})
        _schema(doc, "SignInBody").validate(json.loads(sign_in))
        guid = call("signIn", body=sign_in).headers["set-guid"].removeprefix("JSESSIONID=")
        guid = call("updateGuid", guid).json()["result"]["guid"]
        request = demo_request().model_copy(
            update={"data": demo_request().data.model_copy(update={"to": user, "userId": user})}  # type: ignore[union-attr]
        )
        call("sendMessage", guid, encode_body(request))
        call("pollEvent", guid)
        call("signOut", guid)
        guid = call("forceSignIn", body=sign_in).headers["set-guid"].removeprefix("JSESSIONID=")
        call("signOut", guid)
    assert len(sandbox_https.customer.all_messages(user)) == 1
