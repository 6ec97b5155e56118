"""`KitParser`: the command line's parser, which adds a subcommand's costly flags on first use."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

__all__ = ["KitParser"]


class KitParser(argparse.ArgumentParser):
    """An `ArgumentParser` that runs its `before_parse` callbacks once, when it first parses.

    `send`'s flags for the fields of `data` come from the model (pydantic): registered here,
    they are added only when `send` parses its own arguments or its `--help`, so
    `sendmessage-kit --help` and the other commands do not load them.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_parse: list[Callable[[], None]] = []

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        """`ArgumentParser.parse_known_args`, after the registered callbacks (each runs once)."""
        while self.before_parse:
            self.before_parse.pop(0)()
        return super().parse_known_args(*args, **kwargs)
