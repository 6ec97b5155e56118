"""README's "Against your gateway": its doctor and diff commands are the commands' own flags."""

from __future__ import annotations

import re
import shlex

from sendmessage_kit.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Against your gateway", 1)[1].split("\n## ", 1)[0]


def _commands(sub: str) -> list[list[str]]:
    part = SECTION.split(f"### {sub}", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", part, re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [shlex.split(line)[3:] for line in lines if line.startswith("uv run sendmessage-kit")]


def test_each_subsection_shows_its_command_and_they_parse() -> None:
    parser = build_parser()
    for sub in ("doctor", "diff"):
        commands = _commands(sub)
        assert commands and all(c[0] == sub for c in commands), sub
        for argv in commands:
            args = parser.parse_args(argv)
            assert args.command == sub
    assert "--probe-limits" in str(_commands("doctor"))


def test_the_sample_lines_are_the_commands_own_words() -> None:
    from sendmessage_kit.diff.cli import _print  # noqa: F401 (the sample's wording lives there)

    source = (ROOT / "sendmessage_kit" / "diff" / "cli.py").read_text(encoding="utf-8")
    assert "The sandbox agrees with the recording, every exchange checked by a replay, with:" in (
        SECTION
    ) and "The sandbox agrees with the recording, every exchange checked by a replay, with:" in (
        source
    )
    probe = (ROOT / "sendmessage_kit" / "doctor" / "cli.py").read_text(encoding="utf-8")
    assert "    settings: SENDMESSAGE_KIT_BYTES_PER_KB=1024" in SECTION and "settings: {" in probe
