"""The Events screen (`:ev`, `v` on a row): `EventsView` full screen with a title. `/`
filters as in tables, `t` keeps only Warnings, Enter goes to the object an event is about.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.widget import Widget

from kubetui.cluster.store import WatchStore
from kubetui.kinds import resolve
from kubetui.ui.screens.goto import GoTo
from kubetui.ui.screens.table_screen import _TableScreen
from kubetui.ui.widgets.events_view import EventsView, event_cell
from kubetui.ui.widgets.resource_table import ResourceTable

__all__ = ["EventsScreen"]


class EventsScreen(_TableScreen, inherit_bindings=False):
    """`EventsView` full screen with a title; `esc` goes back, Enter goes to the object."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="events.close"),
        Binding("slash", "filter", "Filter", id="events.filter"),
        Binding("t", "warnings", "Warnings only", id="events.warnings"),
    ]
    TABLE = "#events-table"

    def __init__(self, store: WatchStore, namespace: str | None = None,
                 involved: tuple[str, str, str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.namespace = namespace
        self.involved = involved

    def body(self) -> Iterator[Widget]:
        yield EventsView(self.store, self.namespace, self.involved, id="events-view")

    def title_text(self) -> str:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        about = f"{self.involved[0]} {self.involved[1]} in " if self.involved else ""
        only = " · Warnings only" if self.is_mounted and self.view.warnings_only else ""
        return f"Events · {about}{where}{only}"

    @property
    def view(self) -> EventsView:
        return self.query_one(EventsView)

    def on_mount(self) -> None:
        self.view.table.focus()

    def action_warnings(self) -> None:
        self.view.toggle_warnings()
        self.show_title()

    @on(ResourceTable.Selected, "#events-table")
    def _chosen(self, message: ResourceTable.Selected) -> None:
        message.stop()
        entry = message.entry
        word, _, _ = event_cell(entry, "OBJECT").partition("/")
        kind = resolve(word) if word else None
        if kind is None or not entry.ref:
            self.notify("this event names no object kubetui can show", severity="warning")
            return
        self.dismiss(GoTo(kind, entry.namespace if kind.namespaced else "", entry.ref))
