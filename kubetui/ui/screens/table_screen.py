"""Lists pushed over the main screen (problems, xray, events): a title line, a table, `/`
to filter it (`TableFilter`) and esc to go back, clearing the filter first."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from kubetui.ui.screens.goto import GoTo
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.widgets.safe import SafeStatic
from kubetui.ui.widgets.table_filter import TableFilter

__all__: list[str] = []  # `_TableScreen`, the base of the list screens


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

    _title_shown: str = ""  # the title as last drawn

    def compose(self) -> ComposeResult:
        self._title_shown = self.title_text()
        yield SafeStatic(self._title_shown, id="list-title")
        yield from self.body()
        yield TableFilter(self.TABLE, id="list-filter")
        yield Footer()

    def body(self) -> Iterator[Widget]:
        yield ResourceTable(id="list-table")

    def title_text(self) -> str:
        raise NotImplementedError

    def show_title(self) -> None:
        """Redraw the title if its text changed. Its height is fixed (one line), so no
        layout: a layout repaints the whole screen, which at 20 redraws a second under
        churn was most of what `:problems` spent its time on."""
        text = self.title_text()
        if text != self._title_shown:
            self._title_shown = text
            self.query_one("#list-title", SafeStatic).update(text, layout=False)

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
