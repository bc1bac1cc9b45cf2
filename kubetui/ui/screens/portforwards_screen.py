"""The port-forwards screen (`:pf`, `:portforwards`): every forward of the session with its
state and counters, refreshed twice a second; `ctrl+d` stops the one under the cursor
(after asking), `esc` goes back. The STATE column is kept narrow (a long reason would push
the counters off the screen) and the line under the table says the cursor's forward in
full: its state and reason, its last error. Cells hold server words (a reason): they go
through the sanitiser (`one_line`)."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from rich.text import Text

from kubetui.cluster.portforward import ForwardManager
from kubetui.model.portforwards import COLUMNS, forward_rows, state_text
from kubetui.render.sanitize import one_line, safe_text
from kubetui.ui.screens.dialogs import ConfirmDialog

__all__ = ["PortForwardsScreen"]

REFRESH = 0.5
STATE_WIDTH = 36  # cells; the whole state is on the line under the table


class PortForwardsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="portforwards.close"),
        Binding("ctrl+d", "stop", "Stop", id="portforwards.stop"),
    ]
    DEFAULT_CSS = """
    PortForwardsScreen #pf-title { height: 1; background: $panel; padding: 0 1; }
    PortForwardsScreen DataTable { height: 1fr; }
    PortForwardsScreen #pf-detail { height: auto; max-height: 3; padding: 0 1;
                                    background: $panel; }
    """

    def __init__(self, manager: ForwardManager) -> None:
        super().__init__()
        self.manager = manager

    def compose(self) -> ComposeResult:
        yield Static("Port-forwards", id="pf-title")
        yield DataTable(cursor_type="row", id="forwards")
        yield Static("", id="pf-detail")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#forwards", DataTable)

    def on_mount(self) -> None:
        for label in COLUMNS:
            self.table.add_column(label, width=STATE_WIDTH if label == "STATE" else None)
        self.refresh_rows()
        self.set_interval(REFRESH, self.refresh_rows)
        self.table.focus()

    def refresh_rows(self) -> None:
        """Rows rebuilt in place; the cursor stays on the same forward."""
        table = self.table
        rows = forward_rows(self.manager.forwards)
        keys = [str(id(r.forward)) for r in rows]
        shown = [str(k.value) for k in table.rows]
        if keys != shown:
            cursor = table.cursor_row
            table.clear()
            for key, row in zip(keys, rows):
                table.add_row(*map(_cell, row.cells), key=key)
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
        else:
            for key, row in zip(keys, rows):
                for column, cell in zip(table.columns, row.cells):
                    table.update_cell(key, column, _cell(cell))
        count = len(rows)
        up = self.manager.up
        self.query_one("#pf-title", Static).update(safe_text(
            f"Port-forwards · {up} up of {count}" if count else
            "Port-forwards · none (shift-f on a pod, Service or workload starts one)"))
        self._show_detail()

    def _show_detail(self) -> None:
        forwards = self.manager.forwards
        row = self.table.cursor_row
        text = ""
        if forwards and 0 <= row < len(forwards):
            forward = forwards[row]
            text = f"{forward.describe()} · {state_text(forward)}"
            if forward.last_error:
                text += f" · last error: {forward.last_error}"
        self.query_one("#pf-detail", Static).update(safe_text(one_line(text)))

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    @work(exclusive=True, group="pf-stop")
    async def action_stop(self) -> None:
        forwards = self.manager.forwards
        row = self.table.cursor_row
        if not forwards or not 0 <= row < len(forwards):
            return
        forward = forwards[row]
        if await self.app.push_screen_wait(ConfirmDialog(
                "Stop this port-forward?", forward.describe(), "Stop")):
            await self.manager.stop(forward)
            self.app.notify(f"stopped {forward.describe()}", title="Port-forward",
                            markup=False)
            self.refresh_rows()

    def action_close(self) -> None:
        self.dismiss()


def _cell(text: str) -> Text:
    """One line, cut with an ellipsis where its column is narrower."""
    return Text(one_line(text), no_wrap=True, overflow="ellipsis")
