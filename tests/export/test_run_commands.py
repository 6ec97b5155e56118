"""The run commands an export prints and writes beside its files, and OpenAPI's servers.

(Running them in the real tools: test_run_in_tools.py.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from sendmessage_kit.export import files, write
from sendmessage_kit.export.run import commands, readme_path

PW = '"$SENDMESSAGE_KIT_PASSWORD"'


def test_each_tool_gets_its_command_with_the_password_from_the_environment() -> None:
    url = "http://10.0.0.5:8043"
    [postman] = commands("postman", Path("pm"), base_url=url)
    assert postman.command == (
        "newman run pm/sendmessage-kit.postman_collection.json "
        f"-e pm/sendmessage-kit.postman_environment.json --env-var password={PW}"
    )
    [bruno] = commands("bruno", Path("my bru"), base_url=url)
    assert bruno.command == f"cd 'my bru' && bru run --env sendmessage-kit --env-var password={PW}"
    [httpyac] = commands("http", Path("gw.http"), base_url=url)
    assert httpyac.command == f"httpyac send gw.http --all --var password={PW}"
    assert commands("openapi", Path("o.json"), base_url=url) == []


def test_https_trusts_the_ca_of_the_settings_or_the_local_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDMESSAGE_KIT_DATA_DIR", str(tmp_path))
    sandbox_ca = tmp_path / "tls" / "ca.pem"
    [run] = commands("postman", Path("pm"), base_url="https://127.0.0.1:8043")
    assert run.command.endswith(f" --ssl-extra-ca-certs {sandbox_ca}")
    [run] = commands("http", Path("x.http"), base_url="https://localhost:8043")
    assert run.command.startswith(f"NODE_EXTRA_CA_CERTS={sandbox_ca} httpyac send")
    [run] = commands("bruno", Path("b"), base_url="https://gw.example:8043")
    assert "--cacert" not in run.command  # a remote gateway: this machine's CAs
    monkeypatch.setenv("SENDMESSAGE_KIT_CA_BUNDLE", "/etc/company-ca.pem")
    [run] = commands("bruno", Path("b"), base_url="https://gw.example:8043")
    assert run.command.endswith(" --cacert /etc/company-ca.pem")


@pytest.mark.parametrize("fmt", ["postman", "bruno", "http", "openapi"])
def test_a_readme_is_written_beside_the_export(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / ("export" if fmt in ("postman", "bruno") else f"export.{fmt}")
    written = write(fmt, out, base_url="http://127.0.0.1:8043")
    readme = readme_path(fmt, out)
    assert written[-1] == readme
    text = readme.read_text()
    assert "http://127.0.0.1:8043/agentgateway" in text
    assert "SENDMESSAGE_KIT_PASSWORD" in text and "=sandbox" not in text
    for run in commands(fmt, Path(".") if fmt in ("postman", "bruno") else Path(out.name),
                        base_url="http://127.0.0.1:8043"):  # fmt: skip
        assert f"```sh\n{run.command}\n```" in text


def _servers(**target: str) -> list[dict[str, object]]:
    [text] = files("openapi", **target).values()
    doc = json.loads(text)
    validate(doc)
    return list(doc["servers"])


def test_openapi_servers_follow_the_base_url_and_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _servers()[0]["url"] == "https://127.0.0.1:8043/agentgateway"
    monkeypatch.setenv("SENDMESSAGE_KIT_BASE_URL", "https://gw.example:9443")
    assert _servers()[0]["url"] == "https://gw.example:9443/agentgateway"
    first = _servers(base_url="http://127.0.0.1:18043/")[0]
    assert first["url"] == "http://127.0.0.1:18043/agentgateway"
