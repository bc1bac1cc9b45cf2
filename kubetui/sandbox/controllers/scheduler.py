"""kube-scheduler: binds each pending pod to a node, or says why none fits.

Filters run per node in the default profile's order and stop at the first that fails,
as the framework does: NodeUnschedulable (cordoned, unless the pod tolerates
`node.kubernetes.io/unschedulable`), TaintToleration (NoSchedule and NoExecute taints),
NodeAffinity (`nodeSelector` and required node affinity, on labels and on
`metadata.name`), NodeResourcesFit (CPU and memory requests against
`status.allocatable` minus what bound, unfinished pods request; and the pod count).
Among the nodes that fit, the least allocated wins (NodeResourcesLeastAllocated, with the
scheduler's non-zero defaults of 100m and 200Mi for containers that request nothing, which
is what spreads best-effort pods). Host ports, volumes and inter-pod affinity are not
modelled.

A pod that fits nowhere gets PodScheduled=False/Unschedulable and a FailedScheduling event
carrying the real message; it is tried again when a node changes or a bound pod goes
away, no sooner than `backoff` seconds after its last attempt (and every
`flush_after` seconds regardless), as the scheduling queue's unschedulable pool does.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubetui.sandbox.apiserver.store import Event, Obj, now_rfc3339
from kubetui.sandbox.controllers.base import NODES, PODS, Reconciler
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.events import record_event
from kubetui.sandbox.podinfo import (Requests, is_deleting, pod_phase, pod_requests,
                                     resource_quantity)
from kubetui.selectors import EXISTS, GT, IN, LT, NOT_EXISTS, NOT_IN, LabelRequirement

SCHEDULER_NAME = "default-scheduler"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
# NodeResourcesFit's stand-ins for containers without requests (scoring only).
# Filters whose failure preemption cannot fix ("UnschedulableAndUnresolvable").
_UNRESOLVABLE = ("node(s) were unschedulable", "node(s) didn't match Pod's node affinity/"
                 "selector", "node(s) had untolerated taint")
# Node selector operators as label requirement operators (see kubetui.selectors).
_NODE_SELECTOR_OPS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": NOT_EXISTS,
                      "Gt": GT, "Lt": LT}

PodKey = tuple[str, str]


@dataclass
class _NodeInfo:
    obj: Obj
    cpu: float  # allocatable
    memory: float
    pods: int
    used: Requests = field(default_factory=Requests)
    count: int = 0
    open_to_all: bool = True  # schedulable and without NoSchedule/NoExecute taints

    @classmethod
    def of(cls, node: Obj) -> _NodeInfo:
        alloc = (node.get("status") or {}).get("allocatable") or \
            (node.get("status") or {}).get("capacity") or {}
        spec = node.get("spec") or {}
        open_ = not spec.get("unschedulable") and not any(
            t.get("effect") in ("NoSchedule", "NoExecute") for t in spec.get("taints") or ())
        return cls(node, resource_quantity(alloc, "cpu"), resource_quantity(alloc, "memory"),
                   int(resource_quantity(alloc, "pods") or 110), open_to_all=open_)

    def add(self, r: Requests, sign: int) -> None:
        u = self.used
        self.used = Requests(u.cpu + sign * r.cpu, u.memory + sign * r.memory,
                             u.nz_cpu + sign * r.nz_cpu, u.nz_memory + sign * r.nz_memory)
        self.count += sign


@dataclass
class _Columns:
    """The nodes' free room and LeastAllocated score as columns, in the scheduler's node
    order, for `_pick`'s fast path: over a search window of open nodes of one size, min()
    and max() over slices answer "do all fit" and "which scores best" at C speed, where
    120 nodes per pod asked one by one were an eighth of starting 50,000 pods."""

    names: list[str]
    index: dict[str, int]
    uniform: bool  # every node open to all and of the same allocatable cpu and memory
    pods: list[int]  # pods that still fit
    cpu: list[float]  # requested cpu that still fits
    memory: list[float]
    nz_cpu: list[float]  # room for the scores' non-zero requests
    nz_memory: list[float]
    score: list[float]  # LeastAllocated before this pod's own request

    @classmethod
    def of(cls, nodes: dict[str, _NodeInfo]) -> _Columns:
        infos = list(nodes.values())
        sizes = {(i.cpu, i.memory) for i in infos}
        uniform = len(sizes) == 1 and all(i.open_to_all for i in infos) and \
            min(next(iter(sizes))) > 0
        cols = cls(list(nodes), {n: k for k, n in enumerate(nodes)}, uniform,
                   [0] * len(infos), [0.0] * len(infos), [0.0] * len(infos),
                   [0.0] * len(infos), [0.0] * len(infos), [0.0] * len(infos))
        for k, info in enumerate(infos):
            cols.set(k, info)
        return cols

    def set(self, k: int, info: _NodeInfo) -> None:
        u = info.used
        self.pods[k] = info.pods - info.count
        self.cpu[k], self.memory[k] = info.cpu - u.cpu, info.memory - u.memory
        self.nz_cpu[k], self.nz_memory[k] = info.cpu - u.nz_cpu, info.memory - u.nz_memory
        if info.cpu > 0 and info.memory > 0:
            self.score[k] = self.nz_cpu[k] / info.cpu + self.nz_memory[k] / info.memory

    def window(self, column: list, start: int, size: int) -> list:
        end = start + size
        return column[start:end] + column[:max(0, end - len(column))]

    def best_of_window(self, r: Requests, start: int, size: int) -> list[str] | None:
        """The best-scoring nodes of `size` nodes from `start` when every one of them
        fits `r` and none is short of room for the score (else None: ask node by node)."""
        if not self.uniform:
            return None
        w = self.window
        if min(w(self.pods, start, size)) < 1 or \
                min(w(self.cpu, start, size)) + 1e-9 < r.cpu or \
                min(w(self.memory, start, size)) < r.memory or \
                min(w(self.nz_cpu, start, size)) < r.nz_cpu or \
                min(w(self.nz_memory, start, size)) < r.nz_memory:
            return None
        # Same size and no clamping: every score is this one's less the same amount.
        scores = w(self.score, start, size)
        top = max(scores) - 1e-12
        names = w(self.names, start, size)
        return [names[k] for k, s in enumerate(scores) if s >= top]


def tolerates(tolerations: list[Obj], key: str, value: str, effect: str) -> bool:
    for t in tolerations:
        if t.get("effect") and t["effect"] != effect:
            continue
        if t.get("operator") == "Exists":
            if not t.get("key") or t["key"] == key:
                return True
        elif t.get("key") == key and (t.get("value") or "") == value:
            return True
    return False


def _term_matches(term: Obj, node: Obj) -> bool:
    """One nodeSelectorTerm: its expressions (labels) and fields (name), all of them.
    An empty term matches nothing."""
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False
    labels = node["metadata"].get("labels") or {}
    fields_of = {"metadata.name": node["metadata"]["name"]}
    for items, values in ((exprs, labels), (fields, fields_of)):
        for e in items:
            op = _NODE_SELECTOR_OPS.get(e.get("operator", ""))
            if op is None:
                return False
            req = LabelRequirement(e.get("key", ""), op, frozenset(e.get("values") or ()))
            if not req.matches(values):
                return False
    return True


def matches_node_affinity(pod: Obj, node: Obj) -> bool:
    spec = pod.get("spec") or {}
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (spec.get("nodeSelector") or {}).items()):
        return False
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if required is None:
        return True
    return any(_term_matches(t, node) for t in required.get("nodeSelectorTerms") or ())


def _unconstrained(pod: Obj) -> bool:
    """The pod names no nodes: only taints and resources can keep it off one."""
    spec = pod.get("spec") or {}
    return not spec.get("nodeSelector") and not spec.get("affinity")


def _filter(pod: Obj, r: Requests, info: _NodeInfo, unconstrained: bool = False) -> list[str]:
    """Why the pod cannot go to this node (empty when it can). An `unconstrained` pod
    skips straight to the resources on an open node (the common case, and the hot one)."""
    if not (unconstrained and info.open_to_all):
        why = _node_filters(pod, info.obj)
        if why:
            return why
    out = []
    if info.count + 1 > info.pods:
        out.append("Too many pods")
    if r.cpu and info.used.cpu + r.cpu > info.cpu + 1e-9:
        out.append("Insufficient cpu")
    if r.memory and info.used.memory + r.memory > info.memory:
        out.append("Insufficient memory")
    return out


def _node_filters(pod: Obj, node: Obj) -> list[str]:
    """NodeUnschedulable, TaintToleration, NodeAffinity."""
    nspec = node.get("spec") or {}
    tolerations = (pod.get("spec") or {}).get("tolerations") or []
    if nspec.get("unschedulable") and \
            not tolerates(tolerations, UNSCHEDULABLE_TAINT, "", "NoSchedule"):
        return ["node(s) were unschedulable"]
    for taint in nspec.get("taints") or ():
        effect = taint.get("effect")
        if effect in ("NoSchedule", "NoExecute") and not tolerates(
                tolerations, taint.get("key", ""), taint.get("value") or "", effect):
            return [f"node(s) had untolerated taint {{{taint.get('key', '')}: "
                    f"{taint.get('value') or ''}}}"]
    if not matches_node_affinity(pod, node):
        return ["node(s) didn't match Pod's node affinity/selector"]
    return []


def _score(r: Requests, info: _NodeInfo) -> float:
    """LeastAllocated over cpu and memory, on non-zero requests."""
    score = 0.0
    used = info.used
    if info.cpu > 0:
        score += max(0.0, info.cpu - used.nz_cpu - r.nz_cpu) / info.cpu
    if info.memory > 0:
        score += max(0.0, info.memory - used.nz_memory - r.nz_memory) / info.memory
    return score


def feasible_nodes_to_find(nodes: int) -> int:
    """kube-scheduler's numFeasibleNodesToFind with the default (adaptive)
    percentageOfNodesToScore: every node up to 100, then 50% less 1% per 125 nodes, never
    under 5% nor under 100 nodes."""
    if nodes < 100:
        return nodes
    percentage = max(5, 50 - nodes // 125)
    return max(100, nodes * percentage // 100)


def fit_error_message(total: int, failures: list[list[str]]) -> str:
    """framework.FitError's text: the filter histogram over nodes' reasons, then the
    preemption verdict per node."""
    if total == 0:
        return "no nodes available to schedule pods"
    reasons = Counter(r for why in failures for r in why)
    hist = sorted(f"{n} {reason}" for reason, n in reasons.items())
    unhelpful = sum(1 for why in failures if why[0].startswith(_UNRESOLVABLE))
    verdicts = []
    if unhelpful:
        verdicts.append(f"{unhelpful} Preemption is not helpful for scheduling")
    if len(failures) > unhelpful:
        verdicts.append(f"{len(failures) - unhelpful} No preemption victims found for "
                        "incoming pod")
    return (f"0/{total} nodes are available: {', '.join(hist)}. preemption: 0/{total} nodes "
            f"are available: {', '.join(sorted(verdicts))}.")


class Scheduler(Reconciler):
    """The default scheduler. Keys are pods (namespace, name)."""

    name = "scheduler"
    watched = (NODES, PODS)

    def __init__(self, sandbox: Sandbox, backoff: float = 1.0,
                 flush_after: float = 300.0) -> None:
        super().__init__(sandbox)
        self.backoff = backoff
        self.flush_after = flush_after
        self._nodes: dict[str, _NodeInfo] = {}
        self._bound: dict[PodKey, tuple[str, Requests]] = {}  # pods holding node resources
        self._unschedulable: set[PodKey] = set()
        self._start = 0  # where the next search starts (the real one rotates too)
        self._columns: _Columns | None = None  # built when needed, dropped on node changes
        self._rng = random.Random()

    # ----- cache -------------------------------------------------------------------------

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        if ev.key == NODES:
            name = ev.obj["metadata"]["name"]
            if ev.type == "DELETED":
                self._nodes.pop(name, None)
            else:
                info = _NodeInfo.of(ev.obj)
                old = self._nodes.get(name)
                if old is not None:
                    info.used, info.count = old.used, old.count
                else:  # pods bound before the node was known
                    for node, r in self._bound.values():
                        if node == name:
                            info.add(r, 1)
                self._nodes[name] = info
            self._columns = None
            self._retry_unschedulable()
            return ()
        pod = ev.obj
        key = (pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
        if self._account(key, pod, ev.type == "DELETED"):
            self._retry_unschedulable()
        if ev.type == "DELETED" or (pod.get("spec") or {}).get("nodeName"):
            self._unschedulable.discard(key)
            return ()
        if key in self._unschedulable and ev.old is not None and \
                ev.old.get("spec") == pod.get("spec") and \
                ev.old["metadata"].get("labels") == pod["metadata"].get("labels"):
            return ()  # our own status write, or nothing that changes the verdict
        return (key,)

    def _account(self, key: PodKey, pod: Obj, deleted: bool) -> bool:
        """Track what bound pods request of their nodes. True when resources were freed."""
        node = (pod.get("spec") or {}).get("nodeName")
        holds = not deleted and bool(node) and pod_phase(pod) not in ("Succeeded", "Failed")
        old = self._bound.get(key)
        if holds and old is not None and old[0] == node:
            return False
        if old is not None:
            del self._bound[key]
            if (info := self._nodes.get(old[0])) is not None:
                info.add(old[1], -1)
                self._changed(old[0], info)
        if holds:
            r = pod_requests(pod)
            self._bound[key] = (node, r)
            if (info := self._nodes.get(node)) is not None:
                info.add(r, 1)
                self._changed(node, info)
        return old is not None and not holds

    def _changed(self, name: str, info: _NodeInfo) -> None:
        if self._columns is not None:
            self._columns.set(self._columns.index[name], info)

    def _retry_unschedulable(self) -> None:
        for key in self._unschedulable:
            self.queue.add_after(key, self.backoff)

    # ----- scheduling --------------------------------------------------------------------

    def sync(self, key: Any) -> float | None:
        ns, name = key
        pod = self.store.find(PODS, ns, name)
        if pod is None or is_deleting(pod):
            self._unschedulable.discard(key)
            return None
        spec = pod.get("spec") or {}
        if spec.get("nodeName") or \
                (spec.get("schedulerName") or SCHEDULER_NAME) != SCHEDULER_NAME or \
                spec.get("schedulingGates"):
            return None
        r = pod_requests(pod)
        node, failures = self._pick(pod, r)
        if node is None:
            self._unschedulable.add(key)
            self._report_unschedulable(pod, fit_error_message(len(self._nodes), failures))
            return self.flush_after
        self._unschedulable.discard(key)
        self._bind(pod, node)
        return None

    def _pick(self, pod: Obj, r: Requests) -> tuple[str | None, list[list[str]]]:
        """The best node, or None and each node's reasons. As the real scheduler, the
        search stops once `feasible_nodes_to_find` nodes fit, and the next one starts
        where it stopped (which keeps a 50,000-pod cluster from costing pods x nodes)."""
        n = len(self._nodes)
        enough = feasible_nodes_to_find(n)
        unconstrained = _unconstrained(pod)
        if unconstrained and n:
            if self._columns is None:
                self._columns = _Columns.of(self._nodes)
            start = self._start % n
            fast = self._columns.best_of_window(r, start, enough)
            if fast is not None:
                self._start = (start + enough) % n
                return self._rng.choice(fast), []
        nodes = list(self._nodes.items())
        failures: list[list[str]] = []
        best: list[str] = []
        best_score = -1.0
        feasible = processed = 0
        for i in range(n):
            if feasible >= enough:
                break
            processed += 1
            name, info = nodes[(self._start + i) % n]
            why = _filter(pod, r, info, unconstrained)
            if why:
                failures.append(why)
                continue
            feasible += 1
            score = _score(r, info)
            if score > best_score + 1e-12:
                best, best_score = [name], score
            elif abs(score - best_score) <= 1e-12:
                best.append(name)
        self._start = (self._start + processed) % max(1, n)
        return (self._rng.choice(best) if best else None), failures

    def _bind(self, pod: Obj, node: str) -> None:
        """What POST pods/binding does: set spec.nodeName, then PodScheduled=True. A pod
        without a PodScheduled condition yet gets it from the kubelet's first status
        write, which follows at once; that saves a write per pod at scale."""
        meta = pod["metadata"]
        bound = {**pod, "spec": {**pod["spec"], "nodeName": node}}
        self.store.update(PODS, bound, owned=True)
        self._account((meta["namespace"], meta["name"]), bound, False)
        status = dict(pod.get("status") or {})
        if any(c.get("type") == "PodScheduled" for c in status.get("conditions") or ()):
            self._set_scheduled(pod, status)
        record_event(self.store, pod, "Normal", "Scheduled",
                     f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
                     SCHEDULER_NAME)

    def _set_scheduled(self, pod: Obj, status: Obj) -> None:
        meta = pod["metadata"]
        status.setdefault("phase", "Pending")
        status["conditions"] = _with_condition(status.get("conditions"), {
            "type": "PodScheduled", "status": "True", "lastProbeTime": None,
            "lastTransitionTime": now_rfc3339()})
        self.store.write_status(PODS, {"metadata": {"namespace": meta["namespace"],
                                                    "name": meta["name"]},
                                       "status": status}, owned=True)

    def _report_unschedulable(self, pod: Obj, message: str) -> None:
        status = dict(pod.get("status") or {})
        status.setdefault("phase", "Pending")
        old = next((c for c in status.get("conditions") or ()
                    if c.get("type") == "PodScheduled"), None)
        when = old["lastTransitionTime"] if old and old.get("status") == "False" \
            else now_rfc3339()
        status["conditions"] = _with_condition(status.get("conditions"), {
            "type": "PodScheduled", "status": "False", "lastProbeTime": None,
            "lastTransitionTime": when, "reason": "Unschedulable", "message": message})
        meta = pod["metadata"]
        self.store.write_status(PODS, {"metadata": {"namespace": meta["namespace"],
                                                    "name": meta["name"]},
                                       "status": status})
        record_event(self.store, pod, "Warning", "FailedScheduling", message, SCHEDULER_NAME)


def _with_condition(conditions: list[Obj] | None, cond: Obj) -> list[Obj]:
    out = [c for c in conditions or () if c.get("type") != cond["type"]]
    out.append(cond)
    return out
