"""`/` for a table on a pushed screen (the main screen's prompt serves only the main
table): a one-line input docked at the bottom that filters as it is typed, with the same
syntax as the main table's filter (`RowFilter`)."""

from __future__ import annotations

from textual import on
from textual.widgets import Input

from kubetui.ui.widgets.resource_table import ResourceTable

__all__ = ["TableFilter"]


class TableFilter(Input):
    DEFAULT_CSS = """
    TableFilter { dock: bottom; display: none; border: none; height: 1; padding: 0 1; }
    TableFilter.-open { display: block; }
    """

    def __init__(self, table: str, *, id: str | None = None) -> None:
        """`table`: the selector of the ResourceTable on the same screen it filters."""
        super().__init__(placeholder="filter (text, regex, !text, -l selector)", id=id)
        self._table = table

    @property
    def table(self) -> ResourceTable:
        return self.screen.query_one(self._table, ResourceTable)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self) -> None:
        self.value = self.table.filter.text
        self.add_class("-open")
        self.focus()

    def close(self, clear: bool) -> None:
        self.remove_class("-open")
        if clear:
            self.value = ""
            self.table.set_filter("")
        self.table.focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value)

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        event.stop()
        self.close(clear=False)


