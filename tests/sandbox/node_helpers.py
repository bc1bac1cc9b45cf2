"""Shared pieces of the node-side controller tests.

`node_cluster` is an in-process sandbox running the scheduler, the kubelet (at a fast
pace), the endpoints and namespace controllers, plus the workload controllers.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Event, Obj
from kubetui.sandbox.controllers import WORKLOAD_CONTROLLERS
from kubetui.sandbox.controllers.endpoints import EndpointsController
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from kubetui.sandbox.controllers.namespace import NamespaceController
from kubetui.sandbox.controllers.scheduler import Scheduler
from kubetui.sandbox.core import Sandbox

PODS = ("", "pods")
NODES = ("", "nodes")
EVENTS = ("", "events")
FAST = KubeletTiming(pace=0.02)


@dataclass
class Recorded:
    """An Event as first written: (namespace, involved name, type, reason, message)."""

    namespace: str
    name: str
    type: str
    reason: str
    message: str


_RECORDED: dict[int, list[Recorded]] = {}
_STATES: dict[int, dict[str, set[str]]] = {}  # pod name -> first container's states seen


@asynccontextmanager
async def node_cluster(timing: KubeletTiming = FAST, workloads: bool = False
                       ) -> AsyncIterator[Sandbox]:
    sb = Sandbox.create()
    seen = _RECORDED[id(sb.store)] = []
    states = _STATES[id(sb.store)] = {}

    def record(ev: Event) -> None:
        if ev.key == PODS and ev.type != "DELETED":
            cs = ((ev.obj.get("status") or {}).get("containerStatuses") or [{}])[0]
            for name, inner in (cs.get("state") or {}).items():
                states.setdefault(ev.obj["metadata"]["name"], set()).add(
                    inner.get("reason") or name)
        if ev.key == EVENTS and ev.type == "ADDED":
            e = ev.obj
            seen.append(Recorded(e["metadata"]["namespace"], e["involvedObject"]["name"],
                                 e["type"], e["reason"], e["message"]))

    sb.store.add_listener(record)
    sb.start_controllers([
        functools.partial(Scheduler, backoff=0.05),
        functools.partial(Kubelet, timing=timing),
        EndpointsController,
        functools.partial(NamespaceController, retry=0.05),
        *(WORKLOAD_CONTROLLERS if workloads else []),
    ])
    try:
        yield sb
    finally:
        await sb.stop()
        del _RECORDED[id(sb.store)], _STATES[id(sb.store)]


def add_node(sb: Sandbox, name: str, cpu: str = "4", memory: str = "8Gi", pods: str = "110",
             labels: dict[str, str] | None = None, taints: list[Obj] | None = None,
             unschedulable: bool = False, pod_cidr: str | None = None) -> Obj:
    spec: Obj = {"taints": taints} if taints else {}
    if unschedulable:
        spec["unschedulable"] = True
    if pod_cidr:
        spec["podCIDR"] = pod_cidr
        spec["podCIDRs"] = [pod_cidr]
    resources = {"cpu": cpu, "memory": memory, "pods": pods}
    return sb.store.create(NODES, {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                              **(labels or {})}},
        "spec": spec,
        "status": {"capacity": resources, "allocatable": resources},
    }, namespaced=False)


def pod(name: str, image: str = "nginx:1.25", namespace: str = "default",
        cpu: str | None = None, memory: str | None = None, **spec: Any) -> Obj:
    container: Obj = {"name": spec.pop("container_name", "app"), "image": image}
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    if requests:
        container["resources"] = {"requests": requests}
    for field in ("command", "args", "readinessProbe"):
        if field in spec:
            container[field] = spec.pop(field)
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace,
                         "labels": spec.pop("labels", {"app": name})},
            "spec": {"containers": [container], **spec}}


def create_pod(sb: Sandbox, obj: Obj) -> Obj:
    """Through the API's create (defaults, validation), as kubectl's would go."""
    return verbs.create(sb, builtin("Pod"), obj["metadata"]["namespace"], obj, "v1")


def delete_pod(sb: Sandbox, name: str, namespace: str = "default") -> Obj:
    return verbs.delete(sb, builtin("Pod"), namespace, name)


def get_pod(sb: Sandbox, name: str, namespace: str = "default") -> Obj | None:
    return sb.store.find(PODS, namespace, name)


def status(sb: Sandbox, name: str, namespace: str = "default") -> Obj:
    p = get_pod(sb, name, namespace)
    return (p or {}).get("status") or {}


def container_status(sb: Sandbox, name: str, namespace: str = "default") -> Obj:
    statuses = status(sb, name, namespace).get("containerStatuses") or [{}]
    return statuses[0]


def condition(sb: Sandbox, name: str, type_: str) -> Obj:
    return next((c for c in status(sb, name).get("conditions") or ()
                 if c["type"] == type_), {})


def is_ready(sb: Sandbox, name: str, namespace: str = "default") -> bool:
    return next((c["status"] == "True" for c in status(sb, name, namespace).get(
        "conditions") or () if c["type"] == "Ready"), False)


def pod_events(sb: Sandbox, name: str, namespace: str = "default") -> list[Recorded]:
    """The pod's events in the order they were first written."""
    return [e for e in _RECORDED[id(sb.store)] if e.name == name and e.namespace == namespace]


def states_seen(sb: Sandbox, name: str) -> set[str]:
    """Every state (waiting/terminated reason, or "running") the pod's first container
    has been written with."""
    return _STATES[id(sb.store)].get(name, set())


def reasons(sb: Sandbox, name: str, namespace: str = "default") -> list[str]:
    return [e.reason for e in pod_events(sb, name, namespace)]


def event_count(sb: Sandbox, name: str, reason: str) -> int:
    """How many times an event was recorded, repeats (`count`) included."""
    return sum(e.get("count", 1) for e in sb.store.iter(EVENTS)
               if e["involvedObject"].get("name") == name and e["reason"] == reason)
