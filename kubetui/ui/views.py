"""What the main table shows: a kind in a namespace, optionally narrowed to a drill-down's
scope (the pods of a Deployment, of a node, behind a Service...), and the feed of rows.

A drill-down is a filter over the same store subscription its kind would use anyway, so
opening the pods of ten Deployments in turn costs one pod watch, not ten. No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui.cluster.scope import Scope, pods_of
from kubetui.cluster.store import Batch, Entry, Health, Subscription, WatchStore
from kubetui.kinds import Kind, builtin
from kubetui.render import columns_for

POD = builtin("Pod")
JOB = builtin("Job")
SERVICE = builtin("Service")
NAMESPACE = builtin("Namespace")
ENDPOINTS = builtin("Endpoints")
EVENT = builtin("Event", "")
_ENDPOINTS_CELL = [c.name for c in columns_for("Endpoints")].index("ENDPOINTS")


@dataclass(frozen=True)
class Tab:
    """A kind one key away: the workloads and services an on-call engineer looks at most."""

    key: str
    label: str
    short: str  # for narrow terminals
    kind: Kind


TABS: tuple[Tab, ...] = tuple(
    Tab(str(i), label, short, builtin(kind)) for i, (label, short, kind) in enumerate((
        ("Pods", "Pods", "Pod"), ("Deployments", "Deploy", "Deployment"),
        ("StatefulSets", "STS", "StatefulSet"), ("DaemonSets", "DS", "DaemonSet"),
        ("Jobs", "Jobs", "Job"), ("CronJobs", "CJ", "CronJob"),
        ("Services", "Svc", "Service")), start=1))


@dataclass(frozen=True)
class View:
    kind: Kind
    namespace: str | None  # None: all namespaces (ignored by cluster-scoped kinds)
    crumb: str  # how the breadcrumbs name it
    scope: Scope | None = None
    service: str = ""  # a Service's name: its Endpoints are shown as a note

    @property
    def all_namespaces(self) -> bool:
        return self.kind.namespaced and self.namespace is None


def root_view(kind: Kind, namespace: str | None) -> View:
    where = "" if not kind.namespaced else f"({namespace or 'all'})"
    return View(kind, namespace, f"{kind.title}{where}")


def needs_object(kind: Kind) -> bool:
    """Whether drilling into `kind` needs the full object (a Service's selector)."""
    return kind.key == SERVICE.key


def drill_view(kind: Kind, entry: Entry, namespace: str | None,
               obj: dict[str, Any] | None = None) -> View | None:
    """The view Enter opens on `entry` (a row of `kind`), or None if there is none.
    `namespace` is the current view's; pods are watched with the same scope."""
    what = f"{kind.kind.lower()}/{entry.name}"
    if kind.key == NAMESPACE.key:
        return View(POD, entry.name, f"pods({entry.name})")
    if kind.key == ("", "nodes"):
        return View(POD, None, f"pods on {what}", Scope(node=entry.name))
    if kind.key == ("batch", "cronjobs"):
        return View(JOB, namespace, f"jobs of {what}",
                    Scope(namespace=entry.namespace, owner=entry.uid))
    scope = pods_of(kind, entry.namespace, entry.uid, obj)
    if scope is None:
        return None
    service = entry.name if kind.key == SERVICE.key else ""
    return View(POD, namespace, f"pods of {what}", scope, service)


class Feed:
    """The rows of one view: a store subscription, narrowed to the view's scope, plus the
    subscriptions the scope itself follows (a Deployment's ReplicaSets, a Service's
    Endpoints). Callbacks run on the event loop."""

    def __init__(self, store: WatchStore, view: View, on_batch: Callable[[Batch], None],
                 on_health: Callable[[Health], None],
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
    def health(self) -> Health:
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
                cells = entry.row.cells
                self._on_note(f"endpoints {cells[_ENDPOINTS_CELL]}"
                              if len(cells) > _ENDPOINTS_CELL else "")
                return
        self._on_note("no endpoints")


def ignore(_: object) -> None:
    """For callbacks whose news is not shown (a helper stream's health: the header shows
    the main stream's)."""
