"""The Deployment controller: Deployments -> ReplicaSets, as kube-controller-manager does.

One ReplicaSet per pod template, named `<deployment>-<hash>` and labelled and selected by
`pod-template-hash`. Revisions live in the `deployment.kubernetes.io/revision` annotation
(the max of the old ones plus one); rolling back to an old template reuses its ReplicaSet,
which gets the new revision and keeps its former ones in `revision-history`. Strategies
RollingUpdate and Recreate, pause, proportional scaling of a rollout in progress, progress
deadlines, `revisionHistoryLimit` cleanup, status and conditions with the real reasons and
messages, ScalingReplicaSet events.

One deliberate difference makes the rollout bounds hold at every instant rather than
eventually: where the real controller counts a ReplicaSet's pods by `spec.replicas` and
`status.availableReplicas` (both possibly stale), this one counts the larger of spec and
live pods for the surge bound and the smaller of spec and live available pods for the
unavailability bound.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox import podinfo
from kubetui.sandbox.apiserver.store import Event, Obj, ObjectStore, clone
from kubetui.sandbox.controllers import base
from kubetui.sandbox.controllers.replicaset import REPLICASETS, RS_KIND
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError

DEPLOYMENTS = builtin("Deployment").key
HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
_NOT_COPIED = {"kubectl.kubernetes.io/last-applied-configuration", REVISION, REVISION_HISTORY,
               DESIRED, MAX, "deprecated.deployment.rollback.to"}
_REVISION_HISTORY_CHARS = 2000

# Progressing / Available reasons, as pkg/controller/deployment/util names them.
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"


def _replicas(obj: Obj) -> int:
    return obj["spec"].get("replicas", 1)


def _revision(rs: Obj) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def _created(obj: Obj) -> tuple[str, str]:
    return (obj["metadata"].get("creationTimestamp", ""), obj["metadata"]["name"])


def _without_hash(template: Obj) -> Obj:
    """The template as EqualIgnoreHash compares it: no hash label, and nulls (kubectl
    sends `creationTimestamp: null` in templates) the same as absent fields."""
    meta = template.get("metadata") or {}
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != HASH_LABEL}
    return _drop_nulls({**template, "metadata": {**meta, "labels": labels}})


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


@dataclass
class _Memo:
    """`fn(template)` remembered for each stored template. Stored objects never change and
    a status write keeps the spec it had, so a Deployment synced on every status change of
    its ReplicaSets (hundreds a second under churn) compared freshly rebuilt templates:
    a twelfth of the sandbox's time under churn. Keyed by identity, holding the template
    (an id is unique only while its object lives); cleared when full."""

    fn: Callable[[Obj], Obj]
    size: int = 8192
    _memo: dict[int, tuple[Obj, Obj]] = field(default_factory=dict)

    def __call__(self, template: Obj) -> Obj:
        hit = self._memo.get(id(template))
        if hit is not None and hit[0] is template:
            return hit[1]
        if len(self._memo) >= self.size:
            self._memo.clear()
        out = self.fn(template)
        self._memo[id(template)] = (template, out)
        return out


def fenceposts(d: Obj) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) resolved against spec.replicas: surge rounds up,
    unavailable rounds down, and both zero makes unavailable one."""
    strategy = d["spec"].get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0, 0
    rolling = strategy.get("rollingUpdate") or {}
    n = _replicas(d)
    surge = base.int_or_percent(rolling.get("maxSurge"), n, round_up=True)
    unavailable = base.int_or_percent(rolling.get("maxUnavailable"), n, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_unavailable(d: Obj) -> int:
    n = _replicas(d)
    return 0 if n == 0 else min(fenceposts(d)[1], n)


def annotate(d: Obj, rs: Obj, revision: str, exists: bool) -> bool:
    """SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the
    revision (remembering the former one when an old ReplicaSet is reused), and on
    creation record the replica counts."""
    ann = rs["metadata"].setdefault("annotations", {})
    before = dict(ann)
    for k, v in (d["metadata"].get("annotations") or {}).items():
        if k not in _NOT_COPIED:
            ann[k] = v
    old = ann.get(REVISION)
    old_int = int(old) if old and old.isdigit() else 0
    if old_int < int(revision):
        ann[REVISION] = revision
        if old:
            history = [h for h in ann.get(REVISION_HISTORY, "").split(",") if h] + [old]
            while len(",".join(history)) > _REVISION_HISTORY_CHARS:
                history.pop(0)
            ann[REVISION_HISTORY] = ",".join(history)
    if not exists:
        replica_annotations(d, rs)
    return ann != before


def replica_annotations(d: Obj, rs: Obj) -> bool:
    ann = rs["metadata"].setdefault("annotations", {})
    want = {DESIRED: str(_replicas(d)), MAX: str(_replicas(d) + fenceposts(d)[0])}
    if all(ann.get(k) == v for k, v in want.items()):
        return False
    ann.update(want)
    return True


def new_replicaset(d: Obj, wanted: Obj, replicas: int, revision: str,
                   collisions: int = 0) -> Obj:
    """The ReplicaSet the controller creates for the Deployment `d`'s template `wanted`
    (nulls dropped): named and selected by the template's hash, owned by `d`."""
    h = base.template_hash(wanted, collisions)
    template = clone(wanted)
    template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = h
    selector = clone(d["spec"]["selector"])
    selector.setdefault("matchLabels", {})[HASH_LABEL] = h
    rs: Obj = {
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": f"{d['metadata']['name']}-{h}",
                     "namespace": d["metadata"]["namespace"],
                     "labels": dict(template["metadata"]["labels"]),
                     "ownerReferences": [base.owner_reference(d)]},
        "spec": {"replicas": replicas, "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                 "selector": selector, "template": template},
    }
    annotate(d, rs, revision, exists=False)
    return rs


def settled_replicaset(d: Obj) -> Obj:
    """The ReplicaSet of `d` once its first rollout is complete: revision 1, all of
    `spec.replicas` (the scale scenario's steady state; `scenarios/scale.py`)."""
    return new_replicaset(d, _drop_nulls(d["spec"].get("template") or {}), _replicas(d), "1")


@dataclass
class _Rollout:
    """One sync's view of a Deployment and its ReplicaSets, kept current as it writes."""

    store: ObjectStore
    d: Obj
    rss: list[Obj]
    new: Obj | None = None
    _live: dict[str, tuple[int, int]] = field(default_factory=dict)  # uid -> active, avail

    @property
    def olds(self) -> list[Obj]:
        uid = self.new["metadata"]["uid"] if self.new else None
        return [rs for rs in self.rss if rs["metadata"]["uid"] != uid]

    def all(self) -> list[Obj]:
        return self.olds + ([self.new] if self.new else [])

    def replace(self, rs: Obj) -> Obj:
        uid = rs["metadata"]["uid"]
        self.rss = [rs if r["metadata"]["uid"] == uid else r for r in self.rss]
        if self.new is not None and self.new["metadata"]["uid"] == uid:
            self.new = rs
        return rs

    def live(self, rs: Obj) -> tuple[int, int]:
        """(active, available) pods the ReplicaSet has now; counted only when a rollout
        needs them, since it costs a pass over the pods."""
        uid = rs["metadata"]["uid"]
        if uid not in self._live:
            pods = [p for p in podinfo.owned_by(self.store, rs, "Pod") if podinfo.is_active(p)]
            min_ready, now = self.d["spec"].get("minReadySeconds", 0), base.now()
            self._live[uid] = (len(pods),
                               sum(1 for p in pods if podinfo.is_available(p, min_ready, now)))
        return self._live[uid]

    def pods(self, rs: Obj) -> int:
        """Pods the ReplicaSet has or is about to have: never fewer than there are."""
        return max(_replicas(rs), self.live(rs)[0])

    def available(self, rs: Obj) -> int:
        """Available pods it is sure to keep: never more than there are."""
        return min(_replicas(rs), self.live(rs)[1])


class DeploymentController(base.Reconciler):
    name = "deployment-controller"
    watched = (DEPLOYMENTS, REPLICASETS, base.PODS)
    keys_in_line = True
    min_interval = 0.05

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.record = base.EventRecorder(sandbox, self.name)
        # namespace -> ReplicaSets without a controller, as the events told (a sync looks
        # at these for adoption instead of at every ReplicaSet of its namespace)
        self._orphans: dict[str, dict[str, None]] = {}
        self._wanted = _Memo(_drop_nulls)  # a Deployment's template as compared
        self._plain = _Memo(_without_hash)  # a ReplicaSet's template as compared

    # ----- triggers ---------------------------------------------------------------------

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        ns = ev.obj["metadata"].get("namespace", "")
        if ev.key == DEPLOYMENTS:
            return [(ns, ev.obj["metadata"]["name"])]
        if ev.key == base.PODS:
            # A pod gone may let a Recreate rollout go on; the rest arrives as RS status.
            if ev.type != "DELETED":
                return []
            ref = podinfo.controller_ref(ev.obj)
            rs = self.store.find(REPLICASETS, ns, ref["name"]) \
                if ref and ref.get("kind") == "ReplicaSet" else None
            return self._deployments_of(rs, ns) if rs else []
        orphans = self._orphans.setdefault(ns, {})
        if ev.type != "DELETED" and podinfo.controller_ref(ev.obj) is None:
            orphans[ev.obj["metadata"]["name"]] = None
        else:
            orphans.pop(ev.obj["metadata"]["name"], None)
        keys = self._deployments_of(ev.obj, ns)
        if ev.old is not None:
            keys += self._deployments_of(ev.old, ns)
        return keys

    def _deployments_of(self, rs: Obj, ns: str) -> list[tuple[str, str]]:
        ref = podinfo.controller_ref(rs)
        if ref is not None:
            return [(ns, ref["name"])] if ref.get("kind") == "Deployment" else []
        labels = base.labels_of(rs)
        return [(ns, d["metadata"]["name"]) for d in self.store.list(DEPLOYMENTS, ns)[0]
                if base.selector_predicate(d["spec"].get("selector"))(labels)]

    # ----- sync -------------------------------------------------------------------------

    def sync(self, key: tuple[str, str]) -> float | None:
        ns, name = key
        d = self.store.find(DEPLOYMENTS, ns, name)
        if d is None:
            self.queue.forget(key)
            return None
        selector = d["spec"].get("selector")
        if not selector or not (selector.get("matchLabels") or selector.get("matchExpressions")):
            self.record(d, "Warning", "SelectorRequired",
                        "This deployment is selecting all pods. A non-empty selector is required.")
            return None
        orphans = [rs for n in sorted(self._orphans.get(ns, ()))
                   if (rs := self.store.find(REPLICASETS, ns, n)) is not None and
                   podinfo.controller_ref(rs) is None]
        r = _Rollout(self.store, d, base.claim(self.store, d, RS_KIND, orphans))
        if podinfo.is_deleting(d):
            self._find_new(r, create=False)
            self._write(r, self._status(r))
            return None
        self._check_paused(r)
        if d["spec"].get("paused") or self._is_scaling_event(r):
            return self._sync_scale(r)
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            return self._recreate(r)
        return self._rolling(r)

    # ----- the new ReplicaSet -----------------------------------------------------------

    def _find_new(self, r: _Rollout, create: bool) -> bool:
        """getAllReplicaSetsAndSyncRevision: find (or create) the ReplicaSet of the current
        template and give it the newest revision. False when a hash collision needs
        another try."""
        d = r.d
        wanted = self._wanted(d["spec"].get("template") or {})
        for rs in sorted(r.rss, key=_created):
            if self._plain(rs["spec"].get("template") or {}) == wanted:
                r.new = rs
                break
        else:
            r.new = None
        revision = str(max((_revision(rs) for rs in r.olds), default=0) + 1)
        if r.new is not None:
            rs = clone(r.new)
            changed = annotate(d, rs, revision, exists=True)
            if rs["spec"].get("minReadySeconds", 0) != d["spec"].get("minReadySeconds", 0):
                rs["spec"]["minReadySeconds"] = d["spec"].get("minReadySeconds", 0)
                changed = True
            if changed:
                r.replace(self.store.update(REPLICASETS, rs, check_rv=False))
            self._set_revision(r, (r.new["metadata"].get("annotations") or {})[REVISION])
            if self._has_deadline(d) and base.condition(d, "Progressing") is None:
                status = clone(d.get("status") or {})
                self._set_cond(status, "True", FOUND_NEW_RS,
                               f'Found new replica set "{r.new["metadata"]["name"]}"')
                self._write(r, status)
            return True
        if not create:
            return True
        return self._create_new(r, wanted, revision)

    def _create_new(self, r: _Rollout, wanted: Obj, revision: str) -> bool:
        d = r.d
        collisions = (d.get("status") or {}).get("collisionCount", 0)
        replicas = _replicas(d) if (d["spec"].get("strategy") or {}).get("type") == "Recreate" \
            else self._new_rs_replicas(r, None)
        rs = new_replicaset(d, wanted, replicas, revision, collisions)
        name = rs["metadata"]["name"]
        try:
            created = base.create(self.sandbox, RS_KIND, rs)
        except ApiError as e:
            if e.reason != "AlreadyExists":
                raise
            existing = self.store.find(REPLICASETS, d["metadata"]["namespace"], name)
            ref = podinfo.controller_ref(existing) if existing else None
            if existing is not None and ref is not None and \
                    ref.get("uid") == d["metadata"]["uid"] and \
                    self._plain(existing["spec"].get("template") or {}) == wanted:
                r.new = existing
                return True
            status = clone(d.get("status") or {})
            status["collisionCount"] = collisions + 1
            self._write(r, status)
            return False
        r.rss.append(created)
        r.new = created
        if replicas > 0:
            self.record(d, "Normal", "ScalingReplicaSet",
                        f"Scaled up replica set {name} from 0 to {replicas}")
        if self._has_deadline(d):
            status = clone(d.get("status") or {})
            self._set_cond(status, "True", NEW_RS_CREATED, f'Created new replica set "{name}"')
            self._write(r, status)
        self._set_revision(r, revision)
        return True

    def _set_revision(self, r: _Rollout, revision: str) -> None:
        ann = r.d["metadata"].get("annotations") or {}
        if ann.get(REVISION) == revision:
            return
        d = clone(r.d)
        d["metadata"].setdefault("annotations", {})[REVISION] = revision
        r.d = self.store.update(DEPLOYMENTS, d, check_rv=False)

    # ----- scaling ----------------------------------------------------------------------

    def _scale(self, r: _Rollout, rs: Obj, to: int) -> bool:
        """scaleReplicaSetAndRecordEvent. Returns whether the size changed."""
        size = _replicas(rs)
        if size == to:
            return False
        new = clone(rs)
        new["spec"]["replicas"] = to
        replica_annotations(r.d, new)
        r.replace(self.store.update(REPLICASETS, new, check_rv=False))
        direction = "up" if to > size else "down"
        self.record(r.d, "Normal", "ScalingReplicaSet",
                    f"Scaled {direction} replica set {rs['metadata']['name']} from {size} to {to}")
        return True

    def _new_rs_replicas(self, r: _Rollout, new: Obj | None) -> int:
        """NewRSNewReplicas for RollingUpdate: grow the new ReplicaSet into the surge room."""
        want = _replicas(r.d)
        current = sum(r.pods(rs) for rs in r.all())
        have = _replicas(new) if new else 0
        room = want + fenceposts(r.d)[0] - current
        if room <= 0:
            return have
        return have + min(room, want - have)

    def _is_scaling_event(self, r: _Rollout) -> bool:
        self._find_new(r, create=False)
        want = str(_replicas(r.d))
        return any((rs["metadata"].get("annotations") or {}).get(DESIRED, want) != want
                   for rs in r.all() if _replicas(rs) > 0)

    def _scale_deployment(self, r: _Rollout) -> None:
        """DeploymentController.scale: one active ReplicaSet takes the whole size; a
        rollout in progress is resized proportionally to each ReplicaSet's share."""
        d, want = r.d, _replicas(r.d)
        active = [rs for rs in r.all() if _replicas(rs) > 0]
        target = None
        if len(active) == 1:
            target = active[0]
        elif not active:
            target = r.new or max(r.olds, key=_created, default=None)
        if target is not None or not active:
            if target is not None and _replicas(target) != want:
                self._scale(r, target, want)
            return
        new = r.new
        if new is not None and _replicas(new) == want and \
                (new["metadata"].get("annotations") or {}).get(DESIRED) == str(want) and \
                (new.get("status") or {}).get("availableReplicas", 0) == want:
            for rs in r.olds:
                if _replicas(rs) > 0:
                    self._scale(r, rs, 0)
            return
        if (d["spec"].get("strategy") or {}).get("type") == "Recreate":
            return
        surge = fenceposts(d)[0]
        allowed = want + surge if want > 0 else 0
        to_add = allowed - sum(_replicas(rs) for rs in active)
        if to_add == 0:
            return
        # Bigger first; on a tie the newer first when growing, the older when shrinking.
        active.sort(key=lambda rs: _created(rs), reverse=to_add > 0)
        active.sort(key=_replicas, reverse=True)
        sizes, added = {}, 0
        for rs in active:
            share = self._proportion(r, rs, to_add, added)
            sizes[rs["metadata"]["uid"]] = _replicas(rs) + share
            added += share
        first = active[0]["metadata"]["uid"]
        sizes[first] = max(0, sizes[first] + to_add - added)
        for rs in active:
            self._scale(r, rs, sizes[rs["metadata"]["uid"]])

    @staticmethod
    def _proportion(r: _Rollout, rs: Obj, to_add: int, added: int) -> int:
        size = _replicas(rs)
        if size == 0 or to_add == added:
            return 0
        want = _replicas(r.d)
        if want == 0:
            fraction = -size
        else:
            ann = (rs["metadata"].get("annotations") or {}).get(MAX, "")
            annotated = int(ann) if ann.isdigit() and int(ann) else \
                (r.d.get("status") or {}).get("replicas", 0)
            if not annotated:
                return 0
            total = want + fenceposts(r.d)[0]
            fraction = int(size * total / annotated + 0.5) - size
        allowed = to_add - added
        return min(fraction, allowed) if allowed > 0 else max(fraction, allowed)

    # ----- strategies -------------------------------------------------------------------

    def _sync_scale(self, r: _Rollout) -> float | None:
        """`sync`: scaling events and paused Deployments; no new ReplicaSet is made."""
        self._find_new(r, create=False)
        self._scale_deployment(r)
        if r.d["spec"].get("paused"):
            self._cleanup(r)
        self._write(r, self._status(r))
        return None

    def _rolling(self, r: _Rollout) -> float | None:
        if not self._find_new(r, create=True):
            return 0.0
        assert r.new is not None
        if not self._reconcile_new(r) and not self._reconcile_olds(r) and \
                self._complete(r.d, r.d.get("status") or {}):
            self._cleanup(r)
        return self._rollout_status(r)

    def _reconcile_new(self, r: _Rollout) -> bool:
        assert r.new is not None
        want, have = _replicas(r.d), _replicas(r.new)
        if have == want:
            return False
        if have > want:
            return self._scale(r, r.new, want)
        return self._scale(r, r.new, self._new_rs_replicas(r, r.new))

    def _reconcile_olds(self, r: _Rollout) -> bool:
        assert r.new is not None
        if sum(r.pods(rs) for rs in r.olds) == 0:
            return False
        min_available = _replicas(r.d) - max_unavailable(r.d)
        new_unavailable = _replicas(r.new) - r.available(r.new)
        room = sum(r.pods(rs) for rs in r.all()) - min_available - new_unavailable
        if room <= 0:
            return False
        cleaned = 0
        # First the old ReplicaSets' unhealthy replicas, oldest ReplicaSet first.
        for rs in sorted(r.olds, key=_created):
            if cleaned >= room:
                break
            unhealthy = _replicas(rs) - r.available(rs)
            if _replicas(rs) == 0 or unhealthy <= 0:
                continue
            n = min(room - cleaned, unhealthy)
            self._scale(r, rs, _replicas(rs) - n)
            cleaned += n
        # Then healthy ones, as far as availability allows.
        excess = sum(r.available(rs) for rs in r.all()) - min_available
        scaled = 0
        for rs in sorted(r.olds, key=_created):
            if scaled >= excess:
                break
            if _replicas(rs) == 0:
                continue
            n = min(_replicas(rs), excess - scaled)
            self._scale(r, rs, _replicas(rs) - n)
            scaled += n
        return cleaned + scaled > 0

    def _recreate(self, r: _Rollout) -> float | None:
        self._find_new(r, create=False)
        scaled = False
        for rs in r.olds:
            if _replicas(rs) > 0:
                scaled = self._scale(r, rs, 0) or scaled
        if scaled or self._old_pods_running(r):
            return self._rollout_status(r)
        if r.new is None and not self._find_new(r, create=True):
            return 0.0
        assert r.new is not None
        self._scale(r, r.new, _replicas(r.d))
        if self._complete(r.d, r.d.get("status") or {}):
            self._cleanup(r)
        return self._rollout_status(r)

    def _old_pods_running(self, r: _Rollout) -> bool:
        """Any pod of an old ReplicaSet not finished, terminating ones included."""
        return any(podinfo.pod_phase(p) not in ("Succeeded", "Failed")
                   for rs in r.olds for p in podinfo.owned_by(self.store, rs, "Pod"))

    def _cleanup(self, r: _Rollout) -> None:
        """Delete the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit."""
        limit = r.d["spec"].get("revisionHistoryLimit", 10)
        alive = [rs for rs in r.olds if not podinfo.is_deleting(rs)]
        for rs in sorted(alive, key=lambda x: (_revision(x), _created(x)))[:len(alive) - limit]:
            status = rs.get("status") or {}
            if status.get("replicas", 0) or _replicas(rs) or \
                    rs["metadata"].get("generation", 1) > status.get("observedGeneration", 0):
                continue
            try:
                base.delete(self.sandbox, RS_KIND, rs)
            except ApiError:
                continue
            r.rss = [x for x in r.rss if x is not rs]

    # ----- status -----------------------------------------------------------------------

    @staticmethod
    def _has_deadline(d: Obj) -> bool:
        return d["spec"].get("progressDeadlineSeconds", 600) is not None

    @staticmethod
    def _complete(d: Obj, status: dict[str, Any]) -> bool:
        want = _replicas(d)
        return status.get("updatedReplicas", 0) == want and status.get("replicas", 0) == want \
            and status.get("availableReplicas", 0) == want and \
            status.get("observedGeneration", 0) >= d["metadata"].get("generation", 1)

    @staticmethod
    def _set_cond(status: dict[str, Any], state: str, reason: str, message: str,
                  type_: str = "Progressing", touch: bool = False) -> None:
        """SetDeploymentCondition: nothing changes for the same status and reason unless
        `touch` (progress made: lastUpdateTime moves); lastTransitionTime only moves when
        the status does."""
        conds = status.setdefault("conditions", [])
        old = next((c for c in conds if c.get("type") == type_), None)
        if old is not None and old.get("status") == state and old.get("reason") == reason \
                and not touch:
            return
        now = base.format_time(base.now())
        new = {"type": type_, "status": state, "lastUpdateTime": now,
               "lastTransitionTime": old["lastTransitionTime"]
               if old is not None and old.get("status") == state else now,
               "reason": reason, "message": message}
        status["conditions"] = [c for c in conds if c.get("type") != type_] + [new]

    def _status(self, r: _Rollout) -> dict[str, Any]:
        """calculateStatus: counts from the ReplicaSets' status, Available condition."""
        d, rss = r.d, r.all()

        def total(field_: str, of: list[Obj]) -> int:
            return sum((rs.get("status") or {}).get(field_, 0) for rs in of)
        available = total("availableReplicas", rss)
        old = d.get("status") or {}
        counts = {
            "replicas": total("replicas", rss),
            "updatedReplicas": total("replicas", [r.new] if r.new else []),
            "readyReplicas": total("readyReplicas", rss),
            "availableReplicas": available,
            "unavailableReplicas": max(0, sum(_replicas(rs) for rs in rss) - available),
        }
        status: dict[str, Any] = {"observedGeneration": d["metadata"].get("generation", 1)}
        status.update({k: v for k, v in counts.items() if v})  # omitempty
        if old.get("collisionCount"):
            status["collisionCount"] = old["collisionCount"]
        status["conditions"] = [dict(c) for c in old.get("conditions") or ()]
        if available >= _replicas(d) - max_unavailable(d):
            self._set_cond(status, "True", "MinimumReplicasAvailable",
                           "Deployment has minimum availability.", type_="Available")
        else:
            self._set_cond(status, "False", "MinimumReplicasUnavailable",
                           "Deployment does not have minimum availability.", type_="Available")
        return status

    def _rollout_status(self, r: _Rollout) -> float | None:
        """syncRolloutStatus: the Progressing condition, and when to look again for a
        deadline that may pass."""
        d = r.d
        status = self._status(r)
        deadline = d["spec"].get("progressDeadlineSeconds", 600)
        if not self._has_deadline(d):
            status["conditions"] = [c for c in status["conditions"]
                                    if c["type"] != "Progressing"]
        cur = next((c for c in status["conditions"] if c["type"] == "Progressing"), None)
        done = status.get("replicas", 0) == status.get("updatedReplicas", 0) and \
            cur is not None and cur.get("reason") == NEW_RS_AVAILABLE
        name = r.new["metadata"]["name"] if r.new else ""
        if self._has_deadline(d) and not done:
            if self._complete(d, status):
                msg = f'ReplicaSet "{name}" has successfully progressed.' if r.new else \
                    f'Deployment "{d["metadata"]["name"]}" has successfully progressed.'
                self._set_cond(status, "True", NEW_RS_AVAILABLE, msg)
            elif self._progressing(d, status):
                self._set_cond(status, "True", RS_UPDATED, f'ReplicaSet "{name}" is progressing.',
                               touch=True)
            elif self._timed_out(cur, deadline):
                self._set_cond(status, "False", TIMED_OUT,
                               f'ReplicaSet "{name}" has timed out progressing.')
        if status == (d.get("status") or {}):
            return self._stuck_requeue(d, status, deadline)
        self._write(r, status)
        return None

    @staticmethod
    def _progressing(d: Obj, new: dict[str, Any]) -> bool:
        old = d.get("status") or {}

        def get(s: dict[str, Any], k: str) -> int:
            return s.get(k, 0)
        return get(new, "updatedReplicas") > get(old, "updatedReplicas") or \
            get(new, "replicas") - get(new, "updatedReplicas") < \
            get(old, "replicas") - get(old, "updatedReplicas") or \
            get(new, "readyReplicas") > get(old, "readyReplicas") or \
            get(new, "availableReplicas") > get(old, "availableReplicas")

    @staticmethod
    def _timed_out(cur: dict[str, Any] | None, deadline: int) -> bool:
        if cur is None or cur.get("reason") == NEW_RS_AVAILABLE:
            return False
        if cur.get("reason") == TIMED_OUT:
            return True
        since = podinfo.parse_time(cur.get("lastUpdateTime")) or 0.0
        return since + deadline < base.now()

    def _stuck_requeue(self, d: Obj, status: dict[str, Any], deadline: int) -> float | None:
        cur = next((c for c in status.get("conditions", ()) if c["type"] == "Progressing"), None)
        if not self._has_deadline(d) or cur is None or cur.get("status") != "True" or \
                self._complete(d, status) or cur.get("reason") == TIMED_OUT:
            return None
        since = podinfo.parse_time(cur.get("lastUpdateTime")) or 0.0
        # Timestamps have whole seconds: look again just after the deadline has surely passed.
        return max(0.1, since + deadline + 1.05 - base.now())

    def _check_paused(self, r: _Rollout) -> None:
        d = r.d
        if not self._has_deadline(d):
            return
        cur = base.condition(d, "Progressing")
        if cur is not None and cur.get("reason") == TIMED_OUT:
            return
        paused_cond = cur is not None and cur.get("reason") == PAUSED
        status = clone(d.get("status") or {})
        if d["spec"].get("paused") and not paused_cond:
            self._set_cond(status, "Unknown", PAUSED, "Deployment is paused")
        elif not d["spec"].get("paused") and paused_cond:
            self._set_cond(status, "Unknown", RESUMED, "Deployment is resumed")
        else:
            return
        self._write(r, status)

    def _write(self, r: _Rollout, status: dict[str, Any]) -> None:
        if status != (r.d.get("status") or {}):
            r.d = self.store.write_status(DEPLOYMENTS, dict(r.d, status=status))
