"""The port-forwards screen (`:pf`, `:portforwards`): every forward of the session with its
state and counters, refreshed twice a second; `ctrl+d` stops the one under the cursor
(after asking), `esc` goes back. With several contexts shown, the forwards of each, with a
CONTEXT column first. The STATE column is kept narrow (a long reason would push the
counters off the screen) and the line under the table says the cursor's forward in full:
its state and reason, its last error. Cells hold server words (a reason): they go through
the sanitiser (`one_line`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from rich.text import Text

from kubetui.cluster.portforward import Forward, ForwardManager
from kubetui.model.multi import CONTEXT_COLUMN
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

    def __init__(self, managers: ForwardManager | Mapping[str, ForwardManager]) -> None:
        """One session's forwards, or several contexts' by context name."""
        super().__init__()
        self.managers = {"": managers} if isinstance(managers, ForwardManager) \
            else dict(managers)
        self.merged = any(self.managers)  # context names: a CONTEXT column

    def _forwards(self) -> list[tuple[str, ForwardManager, Forward]]:
        return [(name, manager, forward) for name, manager in self.managers.items()
                for forward in manager.forwards]

    def compose(self) -> ComposeResult:
        yield Static("Port-forwards", id="pf-title")
        yield DataTable(cursor_type="row", id="forwards")
        yield Static("", id="pf-detail")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#forwards", DataTable)

    def on_mount(self) -> None:
        if self.merged:
            self.table.add_column(CONTEXT_COLUMN)
        for label in COLUMNS:
            self.table.add_column(label, width=STATE_WIDTH if label == "STATE" else None)
        self.refresh_rows()
        self.set_interval(REFRESH, self.refresh_rows)
        self.table.focus()

    def refresh_rows(self) -> None:
        """Rows rebuilt in place; the cursor stays on the same forward."""
        table = self.table
        found = self._forwards()
        rows = [((name,) if self.merged else ()) + row.cells for (name, _, _), row
                in zip(found, forward_rows([f for _, _, f in found]))]
        keys = [str(id(f)) for _, _, f in found]
        shown = [str(k.value) for k in table.rows]
        if keys != shown:
            cursor = table.cursor_row
            table.clear()
            for key, cells in zip(keys, rows):
                table.add_row(*map(_cell, cells), key=key)
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
        else:
            for key, cells in zip(keys, rows):
                for column, cell in zip(table.columns, cells):
                    table.update_cell(key, column, _cell(cell))
        count = len(rows)
        up = sum(m.up for m in self.managers.values())
        self.query_one("#pf-title", Static).update(safe_text(
            f"Port-forwards · {up} up of {count}" if count else
            "Port-forwards · none (shift-f on a pod, Service or workload starts one)"))
        self._show_detail()

    def _show_detail(self) -> None:
        forwards = self._forwards()
        row = self.table.cursor_row
        text = ""
        if forwards and 0 <= row < len(forwards):
            name, _, forward = forwards[row]
            text = f"{name}: " * bool(name) + f"{forward.describe()} · {state_text(forward)}"
            if forward.last_error:
                text += f" · last error: {forward.last_error}"
        self.query_one("#pf-detail", Static).update(safe_text(one_line(text)))

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    @work(exclusive=True, group="pf-stop")
    async def action_stop(self) -> None:
        forwards = self._forwards()
        row = self.table.cursor_row
        if not forwards or not 0 <= row < len(forwards):
            return
        name, manager, forward = forwards[row]
        if await self.app.push_screen_wait(ConfirmDialog(
                "Stop this port-forward?", f"{name}: {forward.describe()}" if name
                else forward.describe(), "Stop")):
            await manager.stop(forward)
            self.app.notify(f"stopped {forward.describe()}", title="Port-forward",
                            markup=False)
            self.refresh_rows()

    def action_close(self) -> None:
        self.dismiss()


def _cell(text: str) -> Text:
    """One line, cut with an ellipsis where its column is narrower."""
    return Text(one_line(text), no_wrap=True, overflow="ellipsis")
