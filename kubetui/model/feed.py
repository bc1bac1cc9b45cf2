"""`Feed`: the rows of one view, from the watch store, narrowed to the view's scope.

A drill-down is a filter over the same store subscription its kind would use anyway, so
opening the pods of ten Deployments in turn costs one pod watch, not ten. No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable

from kubetui.cluster.store import Batch, Entry, StreamHealth, Subscription, WatchStore
from kubetui.kinds import builtin
from kubetui.model.views import View
from kubetui.render import columns_for

ENDPOINTS = builtin("Endpoints")
_ENDPOINTS_CELL = [c.name for c in columns_for("Endpoints")].index("ENDPOINTS")


class Feed:
    """The rows of one view: a store subscription, narrowed to the view's scope, plus the
    subscriptions the scope itself follows (a Deployment's ReplicaSets, a Service's
    Endpoints). Callbacks run on the event loop."""

    def __init__(self, store: WatchStore, view: View, on_batch: Callable[[Batch], None],
                 on_health: Callable[[StreamHealth], None],
                 on_note: Callable[[str], None]) -> None:
        self.view = view
        self._on_batch = on_batch
        self._on_note = on_note
        scope = view.scope
        self._scope = scope
        self._owners = scope.owners() if scope else frozenset()
        self._shown: set[str] = set()
        self._main = store.subscribe(view.kind, view.namespace, self._main_batch, on_health)
        self._extra: list[Subscription] = []
        if scope and scope.via:
            self._via = store.subscribe(scope.via, view.namespace, self._via_batch, ignore)
            self._extra.append(self._via)
        if scope and view.service:
            self._endpoints = store.subscribe(ENDPOINTS, scope.namespace or None,
                                              self._endpoints_batch, ignore)
            self._extra.append(self._endpoints)

    @property
    def health(self) -> StreamHealth:
        return self._main.health

    def close(self) -> None:
        for sub in (self._main, *self._extra):
            sub.close()

    def _main_batch(self, batch: Batch) -> None:
        scope = self._scope
        if scope is None:
            self._on_batch(batch)
            return
        if batch.reset:
            self._reset()
            return
        upserts: list[Entry] = []
        deletes = [uid for uid in batch.deletes if uid in self._shown]
        self._shown.difference_update(deletes)
        for entry in batch.upserts:
            if scope.matches(entry, self._owners):
                upserts.append(entry)
                self._shown.add(entry.uid)
            elif entry.uid in self._shown:  # relabelled, re-owned: it leaves the view
                deletes.append(entry.uid)
                self._shown.discard(entry.uid)
        if upserts or deletes:
            self._on_batch(Batch(upserts, deletes, False))

    def _reset(self) -> None:
        assert self._scope is not None
        if self._main.needs_reset:  # its own first batch is still to come
            return
        entries = [e for e in self._main.entries().values()
                   if self._scope.matches(e, self._owners)]
        self._shown = {e.uid for e in entries}
        self._on_batch(Batch(entries, [], True))

    def _via_batch(self, batch: Batch) -> None:
        assert self._scope is not None
        owners = self._scope.owners(self._via.entries().values())
        if owners != self._owners:
            self._owners = owners
            self._reset()

    def _endpoints_batch(self, batch: Batch) -> None:
        assert self._scope is not None
        for entry in self._endpoints.entries().values():
            if entry.name == self.view.service and entry.namespace == self._scope.namespace:
                cells = entry.cells
                self._on_note(f"endpoints {cells[_ENDPOINTS_CELL]}"
                              if len(cells) > _ENDPOINTS_CELL else "")
                return
        self._on_note("no endpoints")


def ignore(_: object) -> None:
    """For callbacks whose news is not shown (a helper stream's health: the header shows
    the main stream's)."""
