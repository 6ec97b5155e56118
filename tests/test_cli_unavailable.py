"""A subcommand whose module fails to import is still listed, and says why when run."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from sendmessage_kit import cli
from tests.conftest import ROOT

SEED = ROOT / "examples" / "seed_request.json"


@pytest.fixture
def broken_send(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """`send` points at a module whose import fails on a missing dependency."""
    name = "smk_broken_send_module"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent("""
            import smk_dependency_that_is_not_installed  # noqa: F401

            def add_arguments(parser): ...
            def run(args): return 0
        """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(cli.COMMANDS, "send", (name, "send a message"))
    return name


def test_help_still_lists_the_broken_command(
    broken_send: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "send" in out and "unavailable" in out
    for name in cli.COMMANDS:
        assert name in out


@pytest.mark.parametrize(
    "argv",
    [["send"], ["send", "--text", "hi", "extra"], ["send", "--help"]],
    ids=["bare", "with-arguments", "help"],
)
def test_running_it_names_the_module_and_the_import_error(
    broken_send: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"sendmessage-kit send: unavailable: module {broken_send} failed to import" in err
    assert "ModuleNotFoundError" in err and "smk_dependency_that_is_not_installed" in err
    assert "Traceback" not in err


def test_a_real_module_blocked_from_import(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # None in sys.modules makes `import sendmessage_kit.send_cli` raise ImportError.
    monkeypatch.setitem(sys.modules, "sendmessage_kit.send_cli", None)
    assert cli.main(["send", "--sandbox"]) == 2
    err = capsys.readouterr().err
    assert "module sendmessage_kit.send_cli failed to import: ModuleNotFoundError" in err


def test_a_module_that_raises_while_importing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "smk_raising_module.py").write_text("raise ValueError('bad config at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "smk_raising_module", raising=False)
    monkeypatch.setitem(cli.COMMANDS, "lab", ("smk_raising_module", "start JupyterLab"))
    assert cli.main(["lab"]) == 2
    err = capsys.readouterr().err
    assert "module smk_raising_module failed to import: ValueError: bad config at import" in err


def test_other_commands_still_work(broken_send: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(SEED)]) == 0
    assert "OK" in capsys.readouterr().out


def test_unknown_arguments_of_a_working_command_are_still_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", str(SEED), "--no-such-flag"])
    assert exc.value.code == 2
    assert "unrecognized arguments: --no-such-flag" in capsys.readouterr().err
