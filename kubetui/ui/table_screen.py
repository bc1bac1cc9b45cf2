"""Lists pushed over the main screen (problems, xray, events): a title line, a table, `/`
to filter it and esc to go back, clearing the filter first.

`TableFilter` is their `/` (the main screen's prompt serves only the main table): a
one-line input docked at the bottom that filters as it is typed, with the same syntax as
the main table's filter (`RowFilter`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input

from kubetui.ui.goto import GoTo
from kubetui.ui.resource_table import ResourceTable
from kubetui.ui.safe import SafeStatic

__all__ = ["TableFilter"]  # and `_TableScreen`, the base of the list screens


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


class _TableScreen(Screen[GoTo | None]):
    """A title, the widgets of `body` (by default one table), the filter and the footer.
    Dismissed with a `GoTo` when Enter picks an object, None on esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="list.close"),
        Binding("slash", "filter", "Filter", id="list.filter"),
    ]
    DEFAULT_CSS = "_TableScreen #list-title { height: 1; background: $panel; padding: 0 1; }"
    #: The selector of the table `/` filters.
    TABLE: ClassVar[str] = "#list-table"

    def compose(self) -> ComposeResult:
        yield SafeStatic(self.title_text(), id="list-title")
        yield from self.body()
        yield TableFilter(self.TABLE, id="list-filter")
        yield Footer()

    def body(self) -> Iterator[Widget]:
        yield ResourceTable(id="list-table")

    def title_text(self) -> str:
        raise NotImplementedError

    def show_title(self) -> None:
        self.query_one("#list-title", SafeStatic).update(self.title_text())

    @property
    def table(self) -> ResourceTable:
        return self.query_one(self.TABLE, ResourceTable)

    def action_close(self) -> None:
        search = self.query_one(TableFilter)
        if search.is_open or self.table.filter.text:
            search.close(clear=True)
        else:
            self.dismiss(None)

    def action_filter(self) -> None:
        self.query_one(TableFilter).open()
