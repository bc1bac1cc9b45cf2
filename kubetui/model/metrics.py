"""Rows of pods or nodes with their CPU and memory: store entries joined with the latest
metrics reading. No Textual here.

The metrics columns go after kubectl's default columns and before its wide ones (as k9s
places CPU and MEM before IP and NODE), so the joined rows keep kubectl's cells in order
around them. `MetricsJoin.batch` joins a store batch; `update` applies a new reading and
returns the rows whose metrics cells changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kubetui.cluster.entries import Entry
from kubetui.cluster.metrics import Reading
from kubetui.cluster.store import Batch
from kubetui.render.metrics import metric_cells, metric_columns
from kubetui.render.model import Column, Row

__all__ = ["MetricsJoin"]


class MetricsJoin:
    def __init__(self, kind: str, columns: Sequence[Column]) -> None:
        self.kind = kind
        extra = metric_columns(kind)
        self._at = next((i for i, c in enumerate(columns) if c.priority > 0), len(columns))
        self.columns: list[Column] = [*columns[:self._at], *extra, *columns[self._at:]]
        self._waiting = ("",) * len(extra)  # until the first reading
        self.reading: Reading | None = None
        self._raw: dict[str, Entry] = {}
        self._cells: dict[str, tuple[str, ...]] = {}  # uid -> metrics cells shown

    def _metrics(self, entry: Entry) -> tuple[str, ...]:
        reading = self.reading
        if reading is None:
            return self._waiting
        usage = reading.usage.get((entry.namespace, entry.name))
        return metric_cells(self.kind, usage.cpu if usage else None,
                            usage.memory if usage else None, entry.resources, reading.error)

    def _join(self, entry: Entry, cells: tuple[str, ...]) -> Entry:
        own = entry.row.cells
        row = Row(cells=(*own[:self._at], *cells, *own[self._at:]), health=entry.row.health)
        return replace(entry, row=row)

    def batch(self, batch: Batch) -> Batch:
        """A store batch with every row joined to the current reading."""
        if batch.reset:
            self._raw.clear()
            self._cells.clear()
        for uid in batch.deletes:
            self._raw.pop(uid, None)
            self._cells.pop(uid, None)
        joined = []
        for entry in batch.upserts:
            cells = self._metrics(entry)
            self._raw[entry.uid] = entry
            self._cells[entry.uid] = cells
            joined.append(self._join(entry, cells))
        return Batch(joined, batch.deletes, batch.reset)

    def update(self, reading: Reading) -> Batch:
        """Take a new reading: the rows whose metrics cells it changes."""
        self.reading = reading
        changed = []
        for uid, entry in self._raw.items():
            cells = self._metrics(entry)
            if cells != self._cells.get(uid):
                self._cells[uid] = cells
                changed.append(self._join(entry, cells))
        return Batch(changed, [], False)
