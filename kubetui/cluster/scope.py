"""Which store entries belong to an object: the pods a Deployment owns through its
ReplicaSets, those a StatefulSet, DaemonSet, ReplicaSet or Job owns directly, those a
Service selects, those on a node. The table's drill-downs and the workload log feed both
ask this, so they agree on which pods are a workload's. Pure: no I/O, no Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubetui.cluster.entries import Entry
from kubetui.kinds import Kind, builtin

__all__ = ["Scope", "pods_of"]

REPLICASET = builtin("ReplicaSet")
_DEPLOYMENT = ("apps", "deployments")
_SERVICE = ("", "services")
#: Kinds whose pods carry an ownerReference to them.
_OWNS_PODS = {("apps", "statefulsets"), ("apps", "daemonsets"), ("apps", "replicasets"),
              ("batch", "jobs")}


@dataclass(frozen=True)
class Scope:
    """Which entries of a kind belong to something. Empty fields do not narrow."""

    namespace: str = ""  # entries in this namespace only
    owner: str = ""  # uid: entries it owns...
    via: Kind | None = None  # ...or that the `via` objects it owns own (Deployment -> RS)
    node: str = ""  # pods on this node
    selector: tuple[tuple[str, str], ...] | None = None  # labels (a Service's selector)

    def owners(self, via_entries: Iterable[Entry] = ()) -> frozenset[str]:
        """The uids an entry may be owned by to be in scope: the owner and those of the
        `via` entries it owns (pass the current `via` entries)."""
        if not self.owner:
            return frozenset()
        return frozenset((self.owner, *(e.uid for e in via_entries if self.owner in e.owners)))

    def matches(self, entry: Entry, owners: frozenset[str]) -> bool:
        """Whether `entry` is in scope; `owners` is `self.owners(...)`."""
        if self.namespace and entry.namespace != self.namespace:
            return False
        if self.node and entry.node != self.node:
            return False
        if self.selector is not None and not (
                self.selector and all(entry.labels.get(k) == v for k, v in self.selector)):
            return False  # a Service without a selector selects no pods
        return not self.owner or not owners.isdisjoint(entry.owners)


def pods_of(kind: Kind, namespace: str, uid: str,
            obj: dict[str, Any] | None = None) -> Scope | None:
    """The scope of the pods behind an object of `kind`, or None if it has none (or it
    is a Service and `obj`, whose selector says which pods, is not given)."""
    if kind.key == _DEPLOYMENT:
        return Scope(namespace=namespace, owner=uid, via=REPLICASET)
    if kind.key in _OWNS_PODS:
        return Scope(namespace=namespace, owner=uid)
    if kind.key == _SERVICE and obj is not None:
        selector = (obj.get("spec") or {}).get("selector") or {}
        return Scope(namespace=namespace, selector=tuple(sorted(selector.items())))
    return None
