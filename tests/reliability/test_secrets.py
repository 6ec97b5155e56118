"""Secrets: a canary Guid and password go through every path, and none appears whole anywhere.

The sandbox here signs agent 101 in only with the canary password (`agents=`) and hands out the
canary Guid (its Guid factory is patched in this process), so the real client, the CLI, the
widgets and a notebook all carry both canaries end to end. Every surface they produce is
scanned: reprs, log records at DEBUG, exception texts, CLI output, widget values, snippets,
the send journal's SQLite bytes, and the executed notebook's outputs.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sendmessage_kit import SendMessageRequest, new_message, snippets
from sendmessage_kit.auth import WITHHELD
from sendmessage_kit.client import AsyncGatewayClient, GatewayClient
from sendmessage_kit.errors import SendMessageKitError
from sendmessage_kit.history import History
from sendmessage_kit.sandbox import SandboxConfig, lab_environ, serve, sessions
from sendmessage_kit.settings import KitSettings
from tests.conftest import CANARY_GUID, CANARY_PASSWORD, ROOT
from tests.reliability._proc import SandboxProcess
from tests.reliability._tally import TALLY

CANARIES = (CANARY_GUID, CANARY_PASSWORD)
pytestmark = [
    # jupyter_client/zmq warn about their own event loops and sockets (as tests/notebooks does).
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jupyter_client.*"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
]


# httpcore2 traces every response's headers at DEBUG, Set-GUID included: the kit withholds the
# lines that name a Guid header.
THIRD_PARTY_TRACE = "httpcore2"


def scan(surfaces: dict[str, str | bytes], counter: str = "leaked") -> list[str]:
    """Names of the surfaces holding a whole canary; counted in the tally either way."""
    leaks = []
    for name, content in surfaces.items():
        blob = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
        if any(c.encode() in blob for c in CANARIES):
            leaks.append(name)
    TALLY.add("secret_surfaces", len(surfaces))
    TALLY.add(counter, len(leaks))
    return leaks


@pytest.fixture(scope="module")
def canary_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    patch = pytest.MonkeyPatch()
    patch.setattr(sessions, "new_guid", lambda: CANARY_GUID)
    config = SandboxConfig(
        http=True,
        agents={str(agent): CANARY_PASSWORD for agent in range(101, 121)},
        idle_timeout=0,
        poll_wait=0.2,
        data_dir=tmp_path_factory.mktemp("canary"),
    )
    try:
        with serve(config) as sb:
            yield sb
    finally:
        patch.undo()


@pytest.fixture
def canary_env(canary_sandbox: Any, tmp_path: Path) -> dict[str, str]:
    return {
        "SENDMESSAGE_KIT_BASE_URL": canary_sandbox.base_url,
        "SENDMESSAGE_KIT_AGENT_ID": "101",
        "SENDMESSAGE_KIT_PASSWORD": CANARY_PASSWORD,
        "SENDMESSAGE_KIT_PHONENUM": "88880001",
        "SENDMESSAGE_KIT_DATA_DIR": str(tmp_path / "data"),
    }


def _file_bytes(path: Path) -> bytes:
    out = b""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
        if p.exists():
            out += p.read_bytes()
    return out


def _message(user: str = "canary-user") -> Any:
    return new_message(to=user, content="hello", message_code=str(uuid.uuid4()))


async def test_client_paths_never_show_the_canaries(
    canary_sandbox: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    journal_path = tmp_path / "journal.sqlite3"
    surfaces: dict[str, str | bytes] = {}
    errors: list[BaseException] = []
    journal = History(journal_path)
    client = GatewayClient(
        base_url=canary_sandbox.base_url,
        agent_id="101",
        password=CANARY_PASSWORD,
        phonenum="88880001",
        history=journal,
        max_retries=1,
        resend_on_failure=True,
    )
    with client:
        client.force_sign_in()
        assert client.guid is not None and client.guid.get_secret_value() == CANARY_GUID
        ok = client.send_message("canary-call", _message())
        assert ok.ok
        surfaces.update(
            client_repr=repr(client),
            guid_str=str(client.guid),
            guid_repr=repr(client.guid),
            result_repr=repr(ok),
            explanation=ok.explanation,
            request_body=ok.request_body,
        )
        for spec in (
            {"retcode": "000-003"},
            {"retcode": "100-007"},
            {"html_502": True},
            {"garbage": True},
            {"drop_connection": True},
        ):
            canary_sandbox.faults.set(**spec)
            try:
                client.send_message("canary-call", _message())
            except SendMessageKitError as exc:
                errors.append(exc)
            finally:
                canary_sandbox.faults.clear()
        request = SendMessageRequest(callid="canary-call", data=_message())
        for key, code in snippets.render(request, base_url=client.base_url, agent_id="101").items():
            surfaces[f"snippet_{key}"] = code
        client.sign_out()
        try:
            client.send_message("canary-call", _message())
        except SendMessageKitError as exc:
            errors.append(exc)
    async with AsyncGatewayClient(
        base_url=canary_sandbox.base_url,
        agent_id="101",
        password=CANARY_PASSWORD,
        phonenum="88880001",
        history=journal,
    ) as aclient:
        await aclient.force_sign_in()
        report = await aclient.send_many(
            [("canary-call", _message(f"bulk-{i}")) for i in range(20)], progress=False
        )
        assert report.ok
        surfaces["async_repr"] = repr(aclient)
        surfaces["bulk_report"] = str(report) + repr(report.outcomes)
    # A wrong password: the error must not echo it.
    with GatewayClient(
        base_url=canary_sandbox.base_url, agent_id="101", password=CANARY_PASSWORD + "x",
        history=False,
    ) as wrong:  # fmt: skip
        try:
            wrong.sign_in()
        except SendMessageKitError as exc:
            errors.append(exc)
    journal.close()
    assert len(errors) >= 6, errors
    for i, exc in enumerate(errors):
        surfaces[f"error_{i}_{type(exc).__name__}"] = f"{exc}\n{exc!r}\n{exc.args!r}"
    for i, r in enumerate(caplog.records):
        surfaces[f"log_{i}_{r.name}"] = f"{r.levelname} {r.getMessage()} {r.args!r}"
    surfaces["journal_file"] = _file_bytes(journal_path)
    surfaces["settings_repr"] = repr(
        KitSettings(guid=CANARY_GUID, password=CANARY_PASSWORD, base_url="https://gw")
    )
    assert scan(surfaces) == []
    assert any("signed in" in r.getMessage() for r in caplog.records), "logs were captured"


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    return subprocess.run(
        [sys.executable, "-m", "sendmessage_kit.cli", *args],
        env={**full_env, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_send_cli_output_and_its_journal_never_show_the_canaries(
    canary_sandbox: Any, canary_env: dict[str, str]
) -> None:
    # `send` signs in and leaves the agent signed in, so each run uses an agent of its own.
    def env(agent: int) -> dict[str, str]:
        return {**canary_env, "SENDMESSAGE_KIT_AGENT_ID": str(agent)}

    runs = {
        "text": _cli(["send", "--to", "cli-user", "--text", "hi"], env(111)),
        "json": _cli(["send", "--to", "cli-user", "--text", "hi", "--json"], env(112)),
    }
    canary_sandbox.faults.set(retcode="000-003")
    try:
        runs["failing"] = _cli(["send", "--to", "cli-user", "--text", "hi"], env(113))
    finally:
        canary_sandbox.faults.clear()
    bad = {**env(114), "SENDMESSAGE_KIT_PASSWORD": CANARY_PASSWORD[:-1] + "?"}
    runs["wrong_password"] = _cli(["send", "--to", "cli-user", "--text", "hi"], bad)
    assert [runs[k].returncode for k in ("text", "json", "failing")] == [0, 0, 1], runs
    assert runs["wrong_password"].returncode != 0
    assert "****" in runs["text"].stdout, "the CLI shows the Guid masked"
    surfaces: dict[str, str | bytes] = {}
    for name, run in runs.items():
        surfaces[f"cli_{name}_stdout"] = run.stdout
        surfaces[f"cli_{name}_stderr"] = run.stderr
    journal = Path(canary_env["SENDMESSAGE_KIT_DATA_DIR"]) / "history.sqlite3"
    assert journal.exists(), "the CLI journals its sends"
    surfaces["cli_journal_file"] = _file_bytes(journal)
    assert scan(surfaces) == []


def test_sandbox_cli_with_an_agents_file_never_prints_the_password(tmp_path: Path) -> None:
    agents = tmp_path / "agents.json"
    agents.write_text(json.dumps({"101": CANARY_PASSWORD}))
    sp = SandboxProcess(tmp_path / "sb.db", tmp_path / "sb.log", extra=("--agents", str(agents)))
    with sp:
        with GatewayClient(
            base_url=sp.base_url, agent_id="101", password=CANARY_PASSWORD,
            phonenum="88880001", history=False
        ) as client:  # fmt: skip
            client.sign_in()
            assert client.send_message("c", _message()).ok
        time.sleep(0.1)
    assert scan({"sandbox_cli_output": sp.log.read_bytes()}) == []


def test_send_panel_widget_never_shows_the_canaries(canary_sandbox: Any) -> None:
    widgets = pytest.importorskip("sendmessage_kit.widgets")
    client = GatewayClient(
        base_url=canary_sandbox.base_url,
        agent_id="101",
        password=CANARY_PASSWORD,
        phonenum="88880001",
        history=False,
    )
    client.force_sign_in()
    builder = widgets.PayloadBuilder()
    panel = widgets.SendPanel(builder, client=client)
    try:
        builder.to.value = "widget-user"
        panel.send.click()
        assert panel.result is not None and panel.result.ok, panel.status.value
        canary_sandbox.faults.set(retcode="000-003")
        panel.send.click()
        canary_sandbox.faults.clear()
        panel.diff.click()
        values = _widget_values(panel.widget) + _widget_values(builder._layout())
        surfaces: dict[str, str | bytes] = {
            f"widget_{i}": v for i, v in enumerate(values) if isinstance(v, str)
        }
        surfaces["widget_state"] = json.dumps(panel.widget.get_state(), default=str)
        surfaces["widget_mimebundle"] = json.dumps(panel._repr_mimebundle_(), default=str)
    finally:
        canary_sandbox.faults.clear()
        panel.close()
        client.close()
    assert len(surfaces) > 5
    assert scan(surfaces) == []


def _widget_values(widget: Any) -> list[Any]:
    out = [getattr(widget, "value", None), getattr(widget, "description", None)]
    out += [str(o) for o in getattr(widget, "options", ())]
    for child in getattr(widget, "children", ()):
        out += _widget_values(child)
    return [v for v in out if v is not None]


def test_third_party_debug_trace_does_not_show_the_guid(
    canary_sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with GatewayClient(
        base_url=canary_sandbox.base_url, agent_id="101", password=CANARY_PASSWORD,
        phonenum="88880001", history=False
    ) as client:  # fmt: skip
        client.force_sign_in()
    traced = {
        f"log_{i}_{r.name}": f"{r.getMessage()} {r.args!r}"
        for i, r in enumerate(caplog.records)
        if r.name.startswith(THIRD_PARTY_TRACE)
    }
    assert traced, "httpcore2 traced the exchange"
    assert scan(traced, counter="leaked_third_party_debug") == []
    # The response headers' line was there, and withheld whole (its format is not read).
    assert any(WITHHELD in line for line in traced.values())


def test_executed_notebook_never_shows_the_canaries(
    canary_sandbox: Any, canary_env: dict[str, str]
) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "01_quickstart.ipynb"
    nb = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENDMESSAGE_KIT_")}
    # The notebook runs as under `sendmessage-kit lab` with the canary sandbox as lab's:
    # open_target() attaches to it and signs in with the canary password.
    env.update(canary_env, SENDMESSAGE_KIT_AGENT_ID="116")
    del env["SENDMESSAGE_KIT_BASE_URL"]
    env.update(lab_environ(canary_sandbox))
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute(env=env)
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "Traceback" not in outputs
    assert "****" in outputs, "the client's repr (Guid masked) is among the outputs"
    assert canary_sandbox.base_url in outputs, "the notebook's client is the canary sandbox's"
    assert scan({"notebook_01_outputs": outputs, "notebook_01": nbformat.writes(nb)}) == []
