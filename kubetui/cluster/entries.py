"""What the store keeps of an object: its rendered row and the few fields views need.

A pod is about 6 KiB of JSON and 30 KiB as Python dicts; an `Entry` aims at well under
1 KiB. Its rendered row is kept in it (cells and health), not as a `Row` object beside it:
an entry per object and a tuple of strings (which the garbage collector stops tracking at
its first pass) are all the collector keeps seeing of it. Strings that repeat across
objects (namespaces, node names, label keys and values, the cells of rows but their names,
such as "Running" or "1/1") are interned, and identical label maps and owner tuples are
shared through small bounded caches. (Interned strings die with their last reference on
CPython 3.11 and from 3.12.5; 3.12.0-3.12.4 kept them.)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from kubetui.kinds import Kind
from kubetui.render.model import RowHealth
from kubetui.render.age import parse_time
from kubetui.render.columns import render_values
from kubetui.render.diagnosis import Finding, diagnose, has_rules
from kubetui.render.metrics import Resources, resources_of
from kubetui.render.printers.event import as_core_event, last_seen_time
from kubetui.render.text import display_all

_CACHE_LIMIT = 4096
_EMPTY_LABELS: dict[str, str] = {}


@dataclass(slots=True)
class Entry:
    uid: str
    name: str
    namespace: str  # "" for cluster-scoped objects
    cells: tuple[str, ...]  # its row as rendered (`render.Row`), one string per column
    health: RowHealth
    labels: dict[str, str]  # shared between entries: never mutate
    owners: tuple[str, ...]  # uids of ownerReferences
    node: str  # spec.nodeName (pods), else ""
    #: creationTimestamp as epoch seconds; for an Event, when it was last seen: what its
    #: table's LAST SEEN shows and sorts by, to the second rather than by the rounded text.
    created: float | None
    rv: str
    #: An Event's involvedObject (regarding) uid, so an object's events are told from
    #: those of an earlier object of the same name; "" for other kinds.
    ref: str = ""
    #: What is wrong with the object (`render.diagnosis`), None when nothing is: what
    #: `:problems` lists, kept here so triage needs no watch of its own.
    problem: Finding | None = None
    #: A pod's requests and limits, a node's allocatable: what its metrics are read
    #: against (`render.metrics`); None for other kinds. Shared between equal values.
    resources: Resources | None = None

    def with_cells(self, cells: tuple[str, ...]) -> Entry:
        """This entry showing `cells` instead (a view's extra cells joined in): what
        `dataclasses.replace` does, without its introspection on every call."""
        return Entry(self.uid, self.name, self.namespace, cells, self.health, self.labels,
                     self.owners, self.node, self.created, self.rv, self.ref, self.problem,
                     self.resources)


class _Shared:
    """A bounded cache handing out one shared instance per distinct value."""

    def __init__(self) -> None:
        self._items: dict[Any, Any] = {}

    def get(self, key: Any, make: Any) -> Any:
        """The shared instance for `key`, made by `make(key)` the first time."""
        found = self._items.get(key)
        if found is None:
            if len(self._items) >= _CACHE_LIMIT:
                self._items.clear()
            found = self._items[key] = make(key)
        return found


def _interned_labels(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {sys.intern(k): sys.intern(v) for k, v in items}


def _interned(texts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(sys.intern, texts))


class EntryMaker:
    """Turns an API object (a plain dict) into an `Entry`, rendering its row."""

    def __init__(self, kind: Kind, printer_columns: list[dict] | None = None) -> None:
        self.kind = kind
        self._printer_columns = printer_columns
        self._labels = _Shared()
        self._owners = _Shared()
        self._is_event = kind.kind == "Event"
        self._is_pod = kind.kind == "Pod"
        self._diagnosed = printer_columns is None and has_rules(kind.kind, kind.group)
        self._measured = kind.group == "" and kind.kind in ("Pod", "Node")

    def cells(self, obj: dict[str, Any], now: datetime) -> tuple[tuple[str, ...], RowHealth]:
        """The object's row's cells and health, every cell but its name interned: the
        others repeat across objects ("Running", "1/1", ages, node names)."""
        cells, health = render_values(self.kind.kind, obj, now, self.kind.group,
                                      self._printer_columns)
        texts = display_all(cells)
        name = obj["metadata"].get("name")
        if texts and texts[0] is name:  # NAME first, as in every printer
            return (name, *map(sys.intern, texts[1:])), health
        return tuple(c if c is name else sys.intern(c) for c in texts), health

    def __call__(self, obj: dict[str, Any], now: datetime) -> Entry:
        meta = obj["metadata"]
        raw_labels = meta.get("labels")
        labels = self._labels.get(tuple(raw_labels.items()), _interned_labels) \
            if raw_labels else _EMPTY_LABELS
        refs = meta.get("ownerReferences")
        owners: tuple[str, ...] = ()
        if refs:
            owners = self._owners.get(tuple(r.get("uid", "") for r in refs), _interned)
        created = meta.get("creationTimestamp")
        if self._is_event:
            created = last_seen_time(as_core_event(obj)) or created
        cells, health = self.cells(obj, now)
        return Entry(
            uid=meta.get("uid") or _synthetic_uid(meta),
            name=meta.get("name", ""),
            namespace=sys.intern(meta.get("namespace") or ""),
            cells=cells,
            health=health,
            labels=labels,
            owners=owners,
            node=sys.intern((obj.get("spec") or {}).get("nodeName") or "")
            if self._is_pod else "",
            created=_epoch(created) if created else None,
            rv=meta.get("resourceVersion", ""),
            ref=self._ref(obj) if self._is_event else "",
            problem=diagnose(self.kind.kind, self.kind.group, obj) if self._diagnosed
            else None,
            resources=resources_of(self.kind.kind, obj) if self._measured else None,
        )

    @staticmethod
    def _ref(event: dict[str, Any]) -> str:
        """The uid of what an Event is about (core/v1 involvedObject, events.k8s.io/v1
        regarding), interned: an object's many events share one string."""
        about = event.get("involvedObject") or event.get("regarding") or {}
        return sys.intern(about.get("uid") or "")


def uid_of(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    return meta.get("uid") or _synthetic_uid(meta)


def _synthetic_uid(meta: dict[str, Any]) -> str:
    """Objects without a uid (synthesized ones) are keyed by namespace/name."""
    return f"{meta.get('namespace') or ''}/{meta.get('name', '')}"


@lru_cache(maxsize=4096)  # objects share creation seconds: one float for each
def _epoch(timestamp: str) -> float | None:
    when = parse_time(timestamp)
    return when.timestamp() if when is not None else None
