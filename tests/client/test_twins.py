"""The twin clients share everything but the I/O, and no module of the kit outgrows 400 lines."""

from __future__ import annotations

import io
import keyword
import tokenize
from pathlib import Path

import sendmessage_kit

PACKAGE = Path(sendmessage_kit.__file__).parent
MAX_RUN = 10  # lines alike, up to names, that the twins may repeat
MAX_MODULE = 400


def _shapes(path: Path) -> list[tuple[int, str]]:
    """Each line's shape: names become `N`, `async`/`await` vanish; blank and comment-only
    lines are left out. (line number, shape) per kept line."""
    lines: dict[int, list[str]] = {}
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                        tokenize.DEDENT, tokenize.ENDMARKER):  # fmt: skip
            continue
        if tok.string in ("async", "await"):
            continue
        text = tok.string
        if tok.type == tokenize.NAME and not keyword.iskeyword(text):
            text = "N"
        # a token spanning lines (a docstring) belongs to the line it starts on
        lines.setdefault(tok.start[0], []).append(text)
    return [(n, " ".join(parts)) for n, parts in sorted(lines.items())]


def _longest_common_run(a: list[tuple[int, str]], b: list[tuple[int, str]]) -> tuple[int, int]:
    """Length of the longest run of consecutive lines alike in both, and where it starts in a."""
    best, where = 0, 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1][1] == b[j - 1][1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best, where = cur[j], a[i - cur[j]][0]
        prev = cur
    return best, where


def test_the_checker_finds_a_repeated_run(tmp_path: Path) -> None:
    body = "".join(f"    total = total + value_{i}\n" for i in range(MAX_RUN + 1))
    one = tmp_path / "one.py"
    two = tmp_path / "two.py"
    one.write_text(f"def first(total):\n{body}    return total\n")
    two.write_text(f"async def second(sum):\n{body.replace('total', 'sum')}    return 1\n")
    assert _longest_common_run(_shapes(one), _shapes(two))[0] == MAX_RUN + 2


def test_no_run_of_more_than_ten_lines_is_repeated_between_the_twins() -> None:
    sync = _shapes(PACKAGE / "client.py")
    twin = _shapes(PACKAGE / "async_client.py")
    run, line = _longest_common_run(sync, twin)
    assert run <= MAX_RUN, f"client.py:{line}: {run} lines alike in async_client.py"


def test_no_module_is_over_400_lines() -> None:
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE} == {}
