"""The DaemonSet controller: one pod on every node that should run one.

A node should run the pod when it matches the template's nodeSelector and required node
affinity and every NoSchedule/NoExecute taint is tolerated, counting the tolerations the
controller adds to every daemon pod (not-ready, unreachable, disk/memory/pid pressure and
`node.kubernetes.io/unschedulable`: a cordoned node keeps and gets its daemon pods, as in
a real cluster). Pods are pinned as the real controller pins them: a required node
affinity on `metadata.name`, which the scheduler then honours. Pods on nodes that should
not run one are deleted (numberMisscheduled meanwhile), failed ones are replaced.
RollingUpdate (maxUnavailable, maxSurge 0) replaces outdated pods, unavailable ones first;
OnDelete waits for someone to delete them. Pods carry `controller-revision-hash` and
`pod-template-generation`; ControllerRevisions are not written.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox import podinfo
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import base
from kubetui.sandbox.controllers.scheduler import matches_node_affinity, tolerates
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError

DS_KIND = builtin("DaemonSet")
DAEMONSETS = DS_KIND.key
HASH_LABEL = "controller-revision-hash"
_DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists",
     "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]
_NETWORK_TOLERATION = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists",
                       "effect": "NoSchedule"}


def daemon_pod_spec(template_spec: Obj, node: str) -> Obj:
    """The template's pod spec with the daemon tolerations and pinned to `node`."""
    spec = clone(template_spec)
    tolerations = spec.setdefault("tolerations", [])
    extra = _DAEMON_TOLERATIONS + ([_NETWORK_TOLERATION] if spec.get("hostNetwork") else [])
    for t in extra:
        if not any(x.get("key") == t["key"] and x.get("effect") == t["effect"]
                   for x in tolerations):
            tolerations.append(dict(t))
    if node:
        affinity = spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})
        affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}
    return spec


def should_run(template_spec: Obj, node: Obj) -> bool:
    pod = {"spec": daemon_pod_spec(template_spec, "")}
    if not matches_node_affinity(pod, node):
        return False
    tolerations = pod["spec"]["tolerations"]
    return all(tolerates(tolerations, t.get("key", ""), t.get("value") or "", t["effect"])
               for t in (node.get("spec") or {}).get("taints") or ()
               if t.get("effect") in ("NoSchedule", "NoExecute"))


def pod_node(pod: Obj) -> str:
    """The node a daemon pod runs on or is pinned to."""
    if pod["spec"].get("nodeName"):
        return pod["spec"]["nodeName"]
    required = (((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or ():
        for f in term.get("matchFields") or ():
            if f.get("key") == "metadata.name" and f.get("values"):
                return f["values"][0]
    return ""


class DaemonSetController(base.Reconciler):
    name = "daemonset-controller"
    watched = (DAEMONSETS, base.PODS, base.NODES)
    keys_in_line = True
    min_interval = 0.05

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.record = base.EventRecorder(sandbox, self.name)

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        if ev.key == base.NODES:
            if ev.old is not None and ev.type == "MODIFIED" and \
                    ev.old["metadata"].get("labels") == ev.obj["metadata"].get("labels") and \
                    ev.old.get("spec") == ev.obj.get("spec"):
                return []  # a status heartbeat changes nothing here
            return [(ds["metadata"]["namespace"], ds["metadata"]["name"])
                    for ds in self.store.iter(DAEMONSETS)]
        return base.own_key(ev, DAEMONSETS, "DaemonSet")

    def sync(self, key: tuple[str, str]) -> float | None:
        ds = self.store.find(DAEMONSETS, *key)
        if ds is None:
            self.queue.forget(key)
            return None
        template = ds["spec"].get("template") or {}
        tspec = template.get("spec") or {}
        current = base.template_hash(template)
        nodes = {n["metadata"]["name"]: n for n in self.store.iter(base.NODES)}
        wanted = {name for name, n in nodes.items() if should_run(tspec, n)}
        by_node: dict[str, list[Obj]] = {}
        for pod in podinfo.owned_by(self.store, ds, "Pod"):
            if podinfo.is_active(pod):
                by_node.setdefault(pod_node(pod), []).append(pod)
            elif not podinfo.is_deleting(pod):
                self._delete(ds, pod)  # failed: replaced on the next pass
        min_ready, now = ds["spec"].get("minReadySeconds", 0), base.now()
        if not podinfo.is_deleting(ds):
            for node, pods in list(by_node.items()):
                if node not in wanted:
                    for pod in pods:
                        self._delete(ds, pod)
                elif len(pods) > 1:
                    pods.sort(key=lambda p: p["metadata"]["creationTimestamp"])
                    for pod in pods[1:]:
                        self._delete(ds, pod)
                    by_node[node] = pods[:1]
            for node in sorted(wanted - by_node.keys()):
                by_node[node] = [self._create(ds, template, node, current)]
            self._roll(ds, wanted, by_node, current, min_ready, now)
        self._write(ds, wanted, by_node, current, min_ready, now)
        return base.seconds_until_available(
            (p for ps in by_node.values() for p in ps), min_ready, now)

    def _roll(self, ds: Obj, wanted: set[str], by_node: dict[str, list[Obj]], current: str,
              min_ready: int, now: float) -> None:
        strategy = ds["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return
        budget = base.int_or_percent((strategy.get("rollingUpdate") or {}).get(
            "maxUnavailable"), len(wanted), round_up=True, default=1)
        budget = max(1, budget) if wanted else 0
        unavailable = sum(1 for n in wanted if not any(
            podinfo.is_available(p, min_ready, now) for p in by_node.get(n, ())))
        outdated = [p for n in sorted(wanted) for p in by_node.get(n, ())
                    if base.labels_of(p).get(HASH_LABEL) != current]
        for pod in sorted(outdated, key=lambda p: podinfo.is_available(p, min_ready, now)):
            if podinfo.is_available(pod, min_ready, now):
                if unavailable >= budget:
                    break
                unavailable += 1
            self._delete(ds, pod)

    def _create(self, ds: Obj, template: Obj, node: str, current: str) -> Obj:
        body = base.pod_from_template(
            template, ds, generate_name=f"{ds['metadata']['name']}-",
            extra_labels={HASH_LABEL: current,
                          "pod-template-generation": str(ds["metadata"].get("generation", 1))})
        body["spec"] = daemon_pod_spec(template.get("spec") or {}, node)
        try:
            pod = base.create(self.sandbox, base.POD_KIND, body)
        except ApiError as e:
            self.record(ds, "Warning", "FailedCreate", f"Error creating: {e.message}")
            raise
        self.record(ds, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")
        return pod

    def _delete(self, ds: Obj, pod: Obj) -> None:
        try:
            base.delete(self.sandbox, base.POD_KIND, pod)
        except ApiError:
            return
        self.record(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    def _write(self, ds: Obj, wanted: set[str], by_node: dict[str, list[Obj]], current: str,
               min_ready: int, now: float) -> None:
        live = {n: [p for p in ps if not podinfo.is_deleting(p)] for n, ps in by_node.items()}
        on_wanted = [p for n in wanted for p in live.get(n, ())]
        available = sum(1 for p in on_wanted if podinfo.is_available(p, min_ready, now))
        status: dict[str, Any] = {k: v for k, v in (ds.get("status") or {}).items()
                                  if k in ("conditions", "collisionCount")}
        status.update(
            currentNumberScheduled=sum(1 for n in wanted if live.get(n)),
            numberMisscheduled=sum(1 for n, ps in live.items() if ps and n not in wanted),
            desiredNumberScheduled=len(wanted),
            numberReady=sum(1 for p in on_wanted if podinfo.is_ready(p)),
            observedGeneration=ds["metadata"].get("generation", 1),
        )
        extra = {"updatedNumberScheduled": sum(1 for p in on_wanted
                                               if base.labels_of(p).get(HASH_LABEL) == current),
                 "numberAvailable": available,
                 "numberUnavailable": max(0, len(wanted) - available)}
        status.update({k: v for k, v in extra.items() if v})  # omitempty
        if status != ds.get("status"):
            self.store.write_status(DAEMONSETS, dict(ds, status=status))
