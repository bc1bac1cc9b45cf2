"""The Events screen (`:ev`): `EventsView` full screen with a title."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from kubetui.cluster.store import WatchStore
from kubetui.ui.widgets.events_view import EventsView
from kubetui.ui.widgets.safe import SafeStatic


__all__ = ["EventsScreen"]



class EventsScreen(Screen[None]):
    """`EventsView` full screen with a title; `esc` goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="events.close"),
    ]
    DEFAULT_CSS = "EventsScreen #events-title { height: 1; background: $panel; padding: 0 1; }"

    def __init__(self, store: WatchStore, namespace: str | None = None,
                 involved: tuple[str, str, str] | None = None) -> None:
        super().__init__()
        self.store = store
        self.namespace = namespace
        self.involved = involved

    def compose(self) -> ComposeResult:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        about = f"{self.involved[0]} {self.involved[1]} in " if self.involved else ""
        yield SafeStatic(f"Events · {about}{where}", id="events-title")
        yield EventsView(self.store, self.namespace, self.involved, id="events-view")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(EventsView).table.focus()

    def action_close(self) -> None:
        self.dismiss()
