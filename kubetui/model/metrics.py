"""Rows of pods, nodes or workloads with their CPU and memory: store entries joined with
the latest metrics reading (a workload's being the sum over its pods). No Textual here.

The metrics columns go after kubectl's default columns and before its wide ones (as k9s
places CPU and MEM before IP and NODE), so the joined rows keep kubectl's cells in order
around them. `MetricsJoin.take` follows a store batch and `cells` gives a row's cells with
its metrics joined in, as a table takes the row (`RowModel.join`): the table keeps that
one tuple, not a second entry and row per object, remade at each change and each reading
(at 50,000 pods, 100,000 objects fewer in the collector's passes, and RSS after the list
148 -> 140 MiB). `updates` applies a new reading and gives the store's entries whose
metrics cells changed, to be upserted again.
A table of several contexts tags copies of the rows instead: `joined` gives it entries
whose rows are the joined cells.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from kubetui.cluster.entries import Entry
from kubetui.cluster.metrics import Reading, Usage
from kubetui.cluster.store import Batch
from kubetui.render.metrics import WORKLOAD_KINDS, metric_cells, metric_columns
from kubetui.render.model import Column

__all__ = ["MetricsJoin", "usage_by_owner"]

Entries = Callable[[], Iterable[Entry]]
#: Rows looked at per batch of a new reading (tens of thousands of pods are redrawn in
#: steps, with keys handled between them): a batch of 250 changed rows joined and put in
#: the table was ~10 ms of CPU at 50,000 pods, 2,000 were a pause a key could feel; 100
#: keep a step near the 4 ms a watch's burst is sliced to (`StoreSettings.yield_after`).
CHUNK = 100


def usage_by_owner(reading: Reading, pods: Iterable[Entry],
                   replicasets: Iterable[Entry] = ()) -> dict[str, Usage]:
    """Pods' usage summed by the uid of what owns them, and of what owns those
    ReplicaSets (a Deployment)."""
    above = {rs.uid: rs.owners for rs in replicasets}
    totals: dict[str, list[float]] = {}
    for pod in pods:
        usage = reading.usage.get((pod.namespace, pod.name))
        if usage is None:
            continue
        cpu, memory = usage
        for owner in pod.owners:
            for uid in (owner, *above.get(owner, ())):
                t = totals.setdefault(uid, [0.0, 0.0])
                t[0] += cpu
                t[1] += memory
    return {uid: (cpu, mem) for uid, (cpu, mem) in totals.items()}


class MetricsJoin:
    """`pods` and `replicasets` give the current entries a workload's sum is taken over
    (workload kinds only)."""

    def __init__(self, kind: str, columns: Sequence[Column], pods: Entries | None = None,
                 replicasets: Entries | None = None) -> None:
        self.kind = kind
        self._pods = pods
        self._replicasets = replicasets
        self._owned: dict[str, Usage] = {}
        extra = metric_columns(kind)
        self._at = next((i for i, c in enumerate(columns) if c.priority > 0), len(columns))
        self.columns: list[Column] = [*columns[:self._at], *extra, *columns[self._at:]]
        self._waiting = ("",) * len(extra)  # until the first reading
        self.reading: Reading | None = None
        self._raw: dict[str, Entry] = {}
        self._cells: dict[str, tuple[str, ...]] = {}  # uid -> metrics cells shown

    def namespaces(self) -> Counter[str]:
        """How many pods the rows stand for in each namespace (a workload's, its pods):
        what a poll of every namespace has to read (`MetricsFeed`'s `namespaces`)."""
        if self.kind in WORKLOAD_KINDS and self._pods is not None:
            return Counter(e.namespace for e in self._pods())
        return Counter(e.namespace for e in self._raw.values())

    def _metrics(self, entry: Entry) -> tuple[str, ...]:
        reading = self.reading
        if reading is None:
            return self._waiting
        usage = self._owned.get(entry.uid) if self.kind in WORKLOAD_KINDS else \
            reading.usage.get((entry.namespace, entry.name))
        cpu, memory = usage if usage else (None, None)
        return tuple(map(sys.intern, metric_cells(self.kind, cpu, memory, entry.resources,
                                                  reading.error)))

    def take(self, batch: Batch) -> None:
        """Follow a store batch: its rows' metrics cells, under the current reading."""
        if batch.reset:
            self._raw.clear()
            self._cells.clear()
        for uid in batch.deletes:
            self._raw.pop(uid, None)
            self._cells.pop(uid, None)
        for entry in batch.upserts:
            self._raw[entry.uid] = entry
            self._cells[entry.uid] = self._metrics(entry)

    def cells(self, entry: Entry) -> tuple[str, ...]:
        """The cells of `entry`'s row under `columns`: its own with its metrics cells (as
        last taken or updated) in their place."""
        extra = self._cells.get(entry.uid)
        if extra is None:
            extra = self._metrics(entry)
        own = entry.cells
        return (*own[:self._at], *extra, *own[self._at:])

    def joined(self, batch: Batch) -> Batch:
        """`batch`'s entries showing `cells` as their rows."""
        return Batch([e.with_cells(self.cells(e)) for e in batch.upserts], batch.deletes,
                     batch.reset)

    def updates(self, reading: Reading, size: int = CHUNK) -> Iterator[Batch]:
        """Take a new reading: the store's entries whose metrics cells it changes, `size`
        rows looked at per batch, so that a caller can draw (and take keys) between
        batches."""
        self.reading = reading
        if self.kind in WORKLOAD_KINDS and self._pods is not None:
            self._owned = usage_by_owner(reading, self._pods(),
                                         self._replicasets() if self._replicasets else ())
        uids = list(self._raw)
        for start in range(0, len(uids), size):
            changed = []
            for uid in uids[start:start + size]:
                entry = self._raw.get(uid)  # rows may have gone between two batches
                if entry is None:
                    continue
                cells = self._metrics(entry)
                if cells != self._cells.get(uid):
                    self._cells[uid] = cells
                    changed.append(entry)
            yield Batch(changed, [], False)

    def update(self, reading: Reading) -> Batch:
        """`updates` in one batch."""
        return Batch([e for batch in self.updates(reading, max(1, len(self._raw)))
                      for e in batch.upserts], [], False)
