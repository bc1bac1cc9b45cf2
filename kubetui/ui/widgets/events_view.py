"""`EventsView`: core/v1 Events streaming live from the watch store, newest first."""

from __future__ import annotations


from textual.app import ComposeResult
from textual.widget import Widget

from kubetui.cluster.store import Batch, Entry, StreamHealth, Subscription, WatchStore
from kubetui.kinds import builtin
from kubetui.render import columns_for
from kubetui.ui.widgets.resource_table import ResourceTable


__all__ = ["EventsView"]

EVENT_KIND = builtin("Event", "")
_EVENT_COLUMNS = columns_for("Event")


class EventsView(Widget):
    """core/v1 Events streaming live, newest first, Warnings red (the table's "failed"
    style): for the whole cluster (`namespace` None), one namespace, or one object
    (`involved` = (kind, name, uid), e.g. ("Deployment", "web", uid), within `namespace`).
    An object's events are matched by uid, so those of an earlier object of the same
    name stay out.

    While the cursor is on the newest event the view follows the stream, as `tail -f`
    does; move down and it holds still."""

    DEFAULT_CSS = "EventsView { height: 1fr; }"

    def __init__(self, store: WatchStore, namespace: str | None = None,
                 involved: tuple[str, str, str] | None = None, *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.namespace = namespace or None
        self.involved_uid = involved[2] if involved else None
        self.health: StreamHealth | None = None
        self._sub: Subscription | None = None

    def compose(self) -> ComposeResult:
        yield ResourceTable(id="events-table")

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#events-table", ResourceTable)

    def on_mount(self) -> None:
        table = self.table
        table.set_columns(_EVENT_COLUMNS)
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
        return self.involved_uid is None or entry.ref == self.involved_uid

    def _on_batch(self, batch: Batch) -> None:
        table = self.table
        following = table.cursor_index in (None, 0)
        upserts = [e for e in batch.upserts if self._wanted(e)]
        table.apply(Batch(upserts, batch.deletes, batch.reset))
        if following and table.row_count:
            table.action_first()


