"""`EventsView`: core/v1 Events streaming live from the watch store, newest first, with
the selected event whole in a pane under the table (its message wrapped, the object,
source, first and last seen, count). The table shows kubectl's columns, the wide ones
(source, first seen, count) as the width allows.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widget import Widget

from kubetui.cluster.store import Batch, Entry, StreamHealth, Subscription, WatchStore
from kubetui.kinds import builtin
from kubetui.render import columns_for
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.widgets.safe import SafeStatic

__all__ = ["EventsView", "event_cell", "event_text"]

EVENT_KIND = builtin("Event", "")
_EVENT_COLUMNS = columns_for("Event")
_CELL = {c.name: i for i, c in enumerate(_EVENT_COLUMNS)}


def event_cell(entry: Entry, column: str) -> str:
    cells = entry.cells
    i = _CELL[column]
    return str(cells[i]) if i < len(cells) else ""


def event_text(entry: Entry) -> str:
    """One event in full, for the detail pane (drawn by a `SafeStatic`: sanitised)."""
    where = f"{entry.namespace}/" if entry.namespace else ""
    lines = [f"{event_cell(entry, 'TYPE')} {event_cell(entry, 'REASON')} · {event_cell(entry, 'OBJECT')}"
             + (f" {event_cell(entry, 'SUBOBJECT')}" if event_cell(entry, "SUBOBJECT") else "")
             + f" · {where}{entry.name}",
             f"source {event_cell(entry, 'SOURCE') or '-'} · first seen {event_cell(entry, 'FIRST SEEN')}"
             f" ago · last seen {event_cell(entry, 'LAST SEEN')} ago · count {event_cell(entry, 'COUNT')}",
             event_cell(entry, "MESSAGE")]
    return "\n".join(lines)


class EventsView(Widget):
    """core/v1 Events streaming live, newest first, Warnings red: for the whole cluster
    (`namespace` None), one namespace, or one object (`involved` = (kind, name, uid),
    e.g. ("Deployment", "web", uid), within `namespace`). An object's events are matched
    by uid, so those of an earlier object of the same name stay out.

    While the cursor is on the newest event the view follows the stream, as `tail -f`
    does; move down and it holds still."""

    DEFAULT_CSS = """
    EventsView { height: 1fr; }
    EventsView #events-table { height: 1fr; }
    EventsView #event-detail { height: auto; max-height: 12; border-top: solid $panel;
                               padding: 0 1; }
    """

    def __init__(self, store: WatchStore, namespace: str | None = None,
                 involved: tuple[str, str, str] | None = None, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.namespace = namespace or None
        self.involved_uid = involved[2] if involved else None
        self.warnings_only = False
        self.health: StreamHealth | None = None
        self._sub: Subscription | None = None

    def compose(self) -> ComposeResult:
        yield ResourceTable(id="events-table")
        yield SafeStatic("", id="event-detail")

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#events-table", ResourceTable)

    @property
    def detail(self) -> str:
        return str(self.query_one("#event-detail", SafeStatic).render())

    def on_mount(self) -> None:
        table = self.table
        table.set_columns(_EVENT_COLUMNS, wide=True)
        table.show_namespace = self.namespace is None
        table.sort_by("LAST SEEN", reverse=False)
        table.empty_text = "Waiting for events…"
        self._sub = self.store.subscribe(EVENT_KIND, self.namespace, self._on_batch,
                                         self._on_health)

    def on_unmount(self) -> None:
        if self._sub is not None:
            self._sub.close()
            self._sub = None

    def _on_health(self, health: StreamHealth) -> None:
        self.health = health
        self.table.empty_text = ("No events" if health.state == "live"
                                 else health.error or "Waiting for events…")

    def _wanted(self, entry: Entry) -> bool:
        return (self.involved_uid is None or entry.ref == self.involved_uid) and \
            (not self.warnings_only or entry.problem is not None)

    def _on_batch(self, batch: Batch) -> None:
        table = self.table
        following = table.cursor_index in (None, 0)
        upserts = [e for e in batch.upserts if self._wanted(e)]
        # An event changed into one this view leaves out (never: type is fixed) or out of
        # scope is simply not shown; deletes of rows not shown are ignored by the table.
        table.apply(Batch(upserts, batch.deletes, batch.reset))
        if following and table.row_count:
            table.action_first()
        self._show_selected()

    def toggle_warnings(self) -> None:
        """Show only Warnings, or everything again."""
        self.warnings_only = not self.warnings_only
        if self._sub is not None and not self._sub.needs_reset:
            self._on_batch(Batch(list(self._sub.entries().values()), [], True))

    @on(ResourceTable.Highlighted, "#events-table")
    def _highlighted(self, message: ResourceTable.Highlighted) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        entry = self.table.selected_entry
        self.query_one("#event-detail", SafeStatic).update(event_text(entry) if entry else "")


