"""The ReplicaSet controller, and the ReplicationController manager built on it: each
keeps `spec.replicas` pods of its template running.

As kube-controller-manager's: pods carry a controller reference to their ReplicaSet and are
named `<rs>-<5 random chars>`; orphans matching the selector are adopted and owned pods
whose labels stop matching are released; at most 500 pods are created or deleted per sync
(`burstReplicas`); a scale-down deletes first the pods that matter least (unscheduled,
pending, not ready, crowded on one node, recently ready, restarting, newest). Status
counts active pods (not terminating, not finished). The `/scale` subresource is the API
server's: it only changes `spec.replicas`, which is all this loop reads.

A ReplicationController is the same loop (kube-controller-manager's replication
controller is the ReplicaSet controller with a conversion, pkg/controller/replication):
only its selector is a plain label map and its events come from `replication-controller`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

from kubetui.kinds import builtin
from kubetui.sandbox import podinfo
from kubetui.sandbox.apiserver.store import Event, Obj
from kubetui.sandbox.controllers import base
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError

RS_KIND = builtin("ReplicaSet")
REPLICASETS = RS_KIND.key
RC_KIND = builtin("ReplicationController")
BURST = 500  # replicas created or deleted per sync, as the real controller's burstReplicas
_COUNTS = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")
_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


def deletion_order(pods: list[Obj]) -> list[Obj]:
    """Pods sorted so the first are the best to delete, as ActivePodsWithRanks sorts."""
    per_node = Counter(p["spec"].get("nodeName") for p in pods if p["spec"].get("nodeName"))

    def rank(p: Obj) -> tuple:
        node = p["spec"].get("nodeName")
        since = podinfo.ready_since(p)
        restarts = max((c.get("restartCount", 0) for c in
                        (p.get("status") or {}).get("containerStatuses") or ()), default=0)
        created = podinfo.parse_time(p["metadata"].get("creationTimestamp")) or 0.0
        return (bool(node), _PHASE_ORDER.get(podinfo.pod_phase(p), 0), since is not None,
                -per_node[node] if node else 0, -(since or 0.0), -restarts, -created)
    return sorted(pods, key=rank)


class ReplicaSetController(base.Reconciler):
    name = "replicaset-controller"
    kind = RS_KIND
    watched = (REPLICASETS, base.PODS)
    keys_in_line = True
    min_interval = 0.05

    @staticmethod
    def label_selector(owner: Obj) -> dict | None:
        return owner["spec"].get("selector")

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.record = base.EventRecorder(sandbox, self.name)
        self._orphans: dict[str, dict[str, None]] = {}  # namespace -> orphan pod names
        # ReplicaSet uid -> (its template, the pod it creates): defaults and validation
        # once per template, not per pod (a tenth of the sandbox's time under churn)
        self._prototypes: dict[str, tuple[Obj, Obj]] = {}

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        meta = ev.obj["metadata"]
        ns = meta.get("namespace", "")
        if ev.key == self.kind.key:
            if ev.type == "DELETED":
                self._prototypes.pop(meta.get("uid", ""), None)
            return [(ns, meta["name"])]
        keys = []
        ref = podinfo.controller_ref(ev.obj)
        if ref is not None and ref.get("kind") == self.kind.kind:
            keys.append((ns, ref["name"]))
        # A status write shares the owner references with the pod it was: seen above.
        if ev.old is not None and ev.old["metadata"].get("ownerReferences") is not \
                meta.get("ownerReferences"):
            old_ref = podinfo.controller_ref(ev.old)
            if old_ref is not None and old_ref.get("kind") == self.kind.kind:
                keys.append((ns, old_ref["name"]))
        orphans = self._orphans.setdefault(ns, {})
        if ev.type != "DELETED" and ref is None and not podinfo.is_deleting(ev.obj):
            orphans[meta["name"]] = None
            keys += [(ns, rs["metadata"]["name"])
                     for rs in self.store.list(self.kind.key, ns)[0]
                     if base.selector_predicate(self.label_selector(rs))(meta.get("labels"))]
        else:
            orphans.pop(meta["name"], None)
        return keys

    def sync(self, key: tuple[str, str]) -> float | None:
        ns, name = key
        rs = self.store.find(self.kind.key, ns, name)
        if rs is None:
            self.queue.forget(key)
            return None
        orphans = [p for n in list(self._orphans.get(ns, ()))
                   if (p := self.store.find(base.PODS, ns, n)) is not None]
        owned = base.claim(self.store, rs, base.POD_KIND, orphans, self.label_selector(rs))
        active = [p for p in owned if podinfo.is_active(p)]
        again: float | None = None
        if not podinfo.is_deleting(rs):
            diff = len(active) - rs["spec"].get("replicas", 1)
            if diff < 0:
                created, failed = self._create(rs, min(-diff, BURST))
                active += created
                if failed:
                    again = 5.0  # the real controller backs off after a failed create
                elif -diff > BURST:
                    self.queue.add_now(key)
            elif diff > 0:
                victims = deletion_order(active)[:min(diff, BURST)]
                for pod in victims:
                    self._delete(rs, pod)
                gone = {p["metadata"]["name"] for p in victims}
                active = [p for p in active if p["metadata"]["name"] not in gone]
                if diff > BURST:
                    self.queue.add_now(key)
        now = base.now()
        min_ready = rs["spec"].get("minReadySeconds", 0)
        self._write_status(rs, active, min_ready, now)
        wait = base.seconds_until_available(active, min_ready, now)
        return min((t for t in (again, wait) if t is not None), default=None)

    def _prototype(self, rs: Obj) -> Obj:
        """The pod this ReplicaSet creates (`base.pod_prototype`), made again when its
        template or identity changes."""
        template = rs["spec"].get("template") or {}
        uid = rs["metadata"]["uid"]
        kept = self._prototypes.get(uid)
        if kept is None or kept[0] is not template:
            kept = self._prototypes[uid] = (template,
                                            base.pod_prototype(self.sandbox, template, rs))
        return kept[1]

    def _create(self, rs: Obj, n: int) -> tuple[list[Obj], bool]:
        created = []
        for _ in range(n):
            try:
                pod = base.create_like(self.sandbox, self._prototype(rs))
            except ApiError as e:
                self.record(rs, "Warning", "FailedCreate", f"Error creating: {e.message}")
                return created, True
            created.append(pod)
            self.record(rs, "Normal", "SuccessfulCreate",
                        f"Created pod: {pod['metadata']['name']}")
        return created, False

    def _delete(self, rs: Obj, pod: Obj) -> None:
        try:
            base.delete(self.sandbox, base.POD_KIND, pod)
        except ApiError as e:
            if e.code != 404:
                self.record(rs, "Warning", "FailedDelete", f"Error deleting: {e.message}")
            return
        self.record(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    def _write_status(self, rs: Obj, active: list[Obj], min_ready: int, now: float) -> None:
        tlabels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
        status = {k: v for k, v in (rs.get("status") or {}).items() if k not in _COUNTS}
        counts = dict(
            fullyLabeledReplicas=sum(
                1 for p in active
                if all(base.labels_of(p).get(k) == v for k, v in tlabels.items())),
            readyReplicas=sum(1 for p in active if podinfo.is_ready(p)),
            availableReplicas=sum(1 for p in active if podinfo.is_available(p, min_ready, now)),
        )
        # Zero counts are left out, as Go's omitempty does; `replicas` is always there.
        status.update({k: v for k, v in counts.items() if v}, replicas=len(active),
                      observedGeneration=rs["metadata"].get("generation", 1))
        if status != rs.get("status"):
            new = dict(rs, status=status)
            self.store.write_status(self.kind.key, new, owned=True)


class ReplicationManager(ReplicaSetController):
    """ReplicationControllers: `spec.selector` is a map of labels to match."""

    name = "replication-controller"
    kind = RC_KIND
    watched = (RC_KIND.key, base.PODS)

    @staticmethod
    def label_selector(owner: Obj) -> dict | None:
        selector = owner["spec"].get("selector")
        return {"matchLabels": selector} if selector else None
