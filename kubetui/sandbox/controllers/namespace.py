"""The namespace controller: empties a namespace being deleted, then removes it.

The API server marks the namespace (deletionTimestamp, phase Terminating). Here, as in
kube-controller-manager, every namespaced object in it is deleted through the API's
delete (pods gracefully: the kubelet finishes them), the status conditions say what
remains, and once nothing is left the `kubernetes` finalizer is taken out of
`spec.finalizers` and the namespace goes. Objects with finalizers of their own keep it
Terminating until their finalizers are removed, as on a real cluster.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

from kubetui.kinds import Kind
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import NAMESPACES, Event, Obj, ResKey, clone, now_rfc3339
from kubetui.sandbox.controllers.base import Reconciler
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.podinfo import is_deleting

FINALIZER = "kubernetes"


class NamespaceController(Reconciler):
    """Keys are namespace names."""

    name = "namespace"
    watched = (NAMESPACES,)

    def __init__(self, sandbox: Sandbox, retry: float = 0.2) -> None:
        super().__init__(sandbox)
        self.retry = retry

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        if ev.type != "DELETED" and is_deleting(ev.obj):
            return (ev.obj["metadata"]["name"],)
        return ()

    def _kinds(self) -> dict[ResKey, Kind]:
        """Each namespaced resource once, keyed where the store keeps it."""
        out: dict[ResKey, Kind] = {}
        for k in self.sandbox.kinds.all():
            if k.namespaced and "delete" in k.verbs:
                out.setdefault(verbs.store_key(k), k)
        return out

    def sync(self, key: Any) -> float | None:
        ns = self.store.find(NAMESPACES, "", key)
        if ns is None or not is_deleting(ns):
            return None
        remaining: Counter[str] = Counter()
        finalizers: Counter[str] = Counter()
        for res, kind in self._kinds().items():
            items, _ = self.store.list(res, key)
            for obj in items:
                if not is_deleting(obj):
                    try:
                        verbs.delete(self.sandbox, kind, key, obj["metadata"]["name"],
                                     verbs.DeleteOptions(propagation="Background"))
                    except ApiError:
                        pass  # gone meanwhile
                if self.store.find(res, key, obj["metadata"]["name"]) is not None:
                    remaining[kind.resource] += 1
                    finalizers.update(obj["metadata"].get("finalizers") or ())
        if remaining:
            self._report(ns, remaining, finalizers)
            return self.retry
        spec_finalizers = (ns.get("spec") or {}).get("finalizers") or []
        if FINALIZER in spec_finalizers:
            ns = clone(ns)
            ns["spec"]["finalizers"] = [f for f in spec_finalizers if f != FINALIZER]
            ns = self.store.update(NAMESPACES, ns, check_rv=False)
        if not ns["spec"].get("finalizers"):
            self.store.delete(NAMESPACES, "", key)
        return None

    def _report(self, ns: Obj, remaining: Counter[str], finalizers: Counter[str]) -> None:
        """The conditions the real controller writes while content remains."""
        content = ", ".join(f"{r} has {n} resource instances"
                            for r, n in sorted(remaining.items()))
        fins = ", ".join(f"{f} in {n} resource instances"
                         for f, n in sorted(finalizers.items()))
        wanted = [
            ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered",
             "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions",
             "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", "False", "ContentDeleted",
             "All content successfully deleted, may be waiting on finalization"),
            ("NamespaceContentRemaining", "True", "SomeResourcesRemain",
             f"Some resources are remaining: {content}"),
            ("NamespaceFinalizersRemaining", "True" if fins else "False",
             "SomeFinalizersRemain" if fins else "ContentHasNoFinalizers",
             f"Some content in the namespace has finalizers remaining: {fins}" if fins
             else "All content-preserving finalizers finished"),
        ]
        old = {c.get("type"): c for c in (ns.get("status") or {}).get("conditions") or ()}
        now = now_rfc3339()
        conditions = []
        for type_, status, reason, message in wanted:
            prev = old.get(type_)
            when = prev["lastTransitionTime"] if prev and prev.get("status") == status \
                else now
            conditions.append({"type": type_, "status": status, "lastTransitionTime": when,
                               "reason": reason, "message": message})
        status = {**(ns.get("status") or {}), "phase": "Terminating",
                  "conditions": conditions}
        if status != ns.get("status"):
            self.store.write_status(NAMESPACES, {"metadata": {"name": ns["metadata"]["name"]},
                                                 "status": status})
