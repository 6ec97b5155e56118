"""Demo scenarios: the shipped files load; a bad file names the file, the line and the fix."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from sendmessage_kit.sandbox.demo import add_demo_arguments, voila_command
from sendmessage_kit.scenario import (
    GUID_EXPIRED,
    AgentStep,
    CustomerStep,
    ScenarioError,
    load_scenario,
)

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))


def test_two_scenarios_are_shipped_and_load() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"order-shipped", "oversize-recovery"} <= names
    for path in SHIPPED:
        s = load_scenario(path)
        assert s.customer.name and s.steps
    shipped = load_scenario(ROOT / "examples/scenarios/order-shipped.yaml")
    assert isinstance(shipped.steps[1], CustomerStep) and shipped.steps[1].when == "shipped"
    recovery = load_scenario(ROOT / "examples/scenarios/oversize-recovery.yaml")
    refused = [s for s in recovery.steps if isinstance(s, AgentStep) and s.expect == "refused"]
    assert refused and len(refused[0].agent.encode()) > 1900  # over the 1.9 KB limit
    assert any(isinstance(s, AgentStep) and s.retcode == "100-007" for s in recovery.steps)


BAD = [
    (
        "customer: {name: A, channel: WEB}\nsteps:\n  - agent: hi\n  - customer: x\n    aftr: 2\n",
        ":5: step 2: aftr: unknown key",
        "after, when",
    ),
    ("customer:\n  channel: WEB\nsteps:\n  - agent: hi\n", ":1: customer.name is missing", "name"),
    (
        'customer: {name: A, channel: WEB}\nsteps:\n  - agent: hi\n    fault: {retcode: "9-9"}\n',
        ":4: step 1: fault.retcode: unknown retcode '9-9'",
        "100-007",
    ),
    (
        "customer: {name: A, channel: WEB}\nsteps:\n  - agent: hi\n    customer: yo\n",
        ":3: step 1 needs exactly one of agent:",
        "customer:",
    ),
    (
        "customer: {name: A, channel: WEBB}\nsteps:\n  - agent: hi\n",
        ":1: customer.channel:",
        "'WHATSAPP'",
    ),
    ("customer: {name: A, channel: WEB}\nsteps: [ {agent: hi}\n", ":3: not valid YAML", ""),
]


@pytest.mark.parametrize(("text", "where", "fix"), BAD)
def test_a_bad_scenario_names_file_line_and_fix(
    tmp_path: Path, text: str, where: str, fix: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}{where}"), message
    assert fix in message


def test_guid_expired_is_the_gateways_answer_to_an_expired_guid(tmp_path: Path) -> None:
    path = tmp_path / "guid.yaml"
    path.write_text(
        "customer: {name: A, channel: SMS}\nsteps:\n  - agent: hi\n    fault: guid_expired\n"
    )
    step = load_scenario(path).steps[0]
    assert isinstance(step, AgentStep) and step.retcode == GUID_EXPIRED == "000-003"


def test_demo_refuses_a_bad_scenario_before_starting(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("customer: {name: A, channel: WEB}\nsteps:\n  - agnt: hi\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sendmessage_kit.cli",
            "demo",
            "--no-browser",
            "--scenario",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert run.returncode == 2, run
    assert f"{path}:3: step 1 needs exactly one of agent:" in run.stderr
    assert "presenter" not in run.stdout  # nothing started


def test_demo_accepts_no_browser_and_culls_closed_tabs_kernels() -> None:
    parser = argparse.ArgumentParser()
    add_demo_arguments(parser)
    args = parser.parse_args(["--no-browser", "--cull-after", "5"])
    assert args.no_browser and args.cull_after == 5
    command = voila_command(Path("n.ipynb"), 1, browser=not args.no_browser, cull_after=5)
    assert "--Voila.open_browser=False" in command
    assert "--MappingKernelManager.cull_idle_timeout=5" in command
    assert "--MappingKernelManager.cull_connected=False" in command
    default = parser.parse_args([])
    assert not default.no_browser  # like `lab`: a browser opens unless told not to
    assert "--Voila.open_browser=True" in voila_command(Path("n.ipynb"), 1, browser=True)
