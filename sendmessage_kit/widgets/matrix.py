"""ChannelMatrix: the channels × media types table, each cell with its source."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from sendmessage_kit.channels import DEFAULT_TABLE, ChannelTable, load_channel_table
from sendmessage_kit.widgets import _html as hx
from sendmessage_kit.widgets._common import guarded

__all__ = ["ChannelMatrix"]


class ChannelMatrix:
    """Show which media types each channel takes, and load a tenant's own table over it.

    Attributes:
        table: the `ChannelTable` shown (the default one, or the tenant's once loaded).
        path: a text control for a tenant table file (JSON or YAML); `load` loads it.
        widget: the whole view.
    """

    def __init__(self, table: ChannelTable | None = None, *, path: str = "") -> None:
        self.table = table or DEFAULT_TABLE
        self.last_error = ""
        self.path = w.Text(value=path, placeholder="tenant table (.yaml/.json)")
        self.load = w.Button(description="Load tenant table")
        self.matrix = w.HTML()
        self.status = w.HTML()
        self.load.on_click(self._on_load)
        self.widget = w.VBox([w.HBox([self.path, self.load]), self.status, self.matrix])
        if path:
            self._on_load()
        self.refresh()

    def refresh(self) -> None:
        """Render the current table."""
        self.matrix.value = hx.matrix_html(self.table)

    @guarded
    def _on_load(self, button: Any = None) -> None:
        self.table = load_channel_table(self.path.value.strip())
        self.status.value = hx.note_html(
            f"Loaded {self.table.name}: {len(self.table.overridden)} cells overridden.", "#2e7d32"
        )
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
