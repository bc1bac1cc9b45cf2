"""Simulated resource usage, in the shapes metrics-server serves (metrics.k8s.io/v1beta1).

Usage is a pure function of the pod and the clock, so nothing has to be kept or ticked:
each running container settles at a level drawn from its pod's uid (30-70% of its CPU
request, 40-80% of its memory request, small amounts without requests), wobbling slowly
over time and never above its limits. Knobs for scenarios and autoscaling tests, the most
specific first:

- pod annotations ``kubetui.dev/simulated-cpu`` and ``kubetui.dev/simulated-memory``
  (quantities, e.g. ``450m``, ``300Mi``) set the whole pod's usage, split evenly over its
  running containers;
- a Deployment, StatefulSet or ReplicaSet annotated ``kubetui.dev/simulated-cpu-load``
  (e.g. ``1500m``) has that much CPU demand in total, shared evenly by its ready pods, so
  more pods lower each one's share as real load would (what the HPA reacts to);
- an image named ``cpu-hog`` or ``stress`` burns ~95% of its CPU limit (or request, or a
  core).

Only Running pods with running containers appear, as with metrics-server. Nodes report a
system overhead plus their pods. The HPA controller reads its utilisation from here too, so
it and ``kubectl top`` agree.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from typing import Any

from kubetui import clock
from kubetui.kinds import builtin
from kubetui.quantity import parse_quantity
from kubetui.sandbox.apiserver.store import Obj, ObjectStore, now_rfc3339
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.podinfo import (container_requests, controller_ref, is_active, is_ready,
                                     owned_by)

GROUP = "metrics.k8s.io"
API_VERSION = f"{GROUP}/v1beta1"
CPU_ANNOTATION = "kubetui.dev/simulated-cpu"
MEMORY_ANNOTATION = "kubetui.dev/simulated-memory"
LOAD_ANNOTATION = "kubetui.dev/simulated-cpu-load"
WINDOW = "15s"
MI = 1024 * 1024
#: Workloads that can be scaled, hence carry a load: kind -> store key.
SCALABLE = {kind: builtin(kind).key for kind in ("Deployment", "StatefulSet", "ReplicaSet")}


def _fraction(seed: str) -> float:
    """A stable number in [0, 1) for `seed`."""
    return int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) / 2**32


def _limit(container: Obj, name: str) -> float:
    value = ((container.get("resources") or {}).get("limits") or {}).get(name)
    try:
        return parse_quantity(value) if value is not None else 0.0
    except ValueError:
        return 0.0


def _annotated(pod: Obj, key: str) -> float | None:
    value = (pod["metadata"].get("annotations") or {}).get(key)
    try:
        return parse_quantity(value) if value else None
    except ValueError:
        return None


def workload_pods(store: ObjectStore, workload: Obj) -> list[Obj]:
    """The pods a workload runs (through its ReplicaSets for a Deployment)."""
    if workload["kind"] != "Deployment":
        return owned_by(store, workload, "Pod")
    return [p for rs in owned_by(store, workload, "ReplicaSet")
            for p in owned_by(store, rs, "Pod")]


def _workloads_above(store: ObjectStore, obj: Obj) -> Iterator[Obj]:
    """The scalable workloads controlling `obj`, nearest first (ReplicaSet, Deployment)."""
    namespace = obj["metadata"].get("namespace", "")
    while (ref := controller_ref(obj)) is not None and ref.get("kind") in SCALABLE:
        owner = store.find(SCALABLE[ref["kind"]], namespace, ref.get("name", ""))
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return
        yield owner
        obj = owner


def _load_share(store: ObjectStore, pod: Obj, shares: dict[str, float]) -> float | None:
    """The pod's share (cores) of its workload's simulated load, if one carries it;
    `shares` caches a workload's share by uid for the length of one report."""
    for workload in _workloads_above(store, pod):
        load = _annotated(workload, LOAD_ANNOTATION)
        if load is None:
            continue
        uid = workload["metadata"]["uid"]
        if uid not in shares:
            ready = sum(1 for p in workload_pods(store, workload)
                        if is_active(p) and is_ready(p))
            shares[uid] = load / max(1, ready)
        return shares[uid]
    return None


def container_usage(pod: Obj, container: Obj, running: int, now: float,
                    load_share: float | None = None) -> tuple[float, float]:
    """(cores, bytes) a running container uses at `now`; `load_share` is the pod's share
    of its workload's load (see the module docstring)."""
    seed = f"{pod['metadata'].get('uid', '')}/{container['name']}"
    wobble = 1 + 0.2 * math.sin(now / 40 + 6.3 * _fraction(seed + "phase"))
    cpu_req, mem_req = container_requests(container)
    cpu_lim, mem_lim = _limit(container, "cpu"), _limit(container, "memory")
    image = (container.get("image") or "").lower()
    if (cpu := _annotated(pod, CPU_ANNOTATION)) is not None:
        cpu = cpu / running
    elif load_share is not None:
        cpu = load_share / running
    elif "cpu-hog" in image or "stress" in image:
        cpu = 0.95 * (cpu_lim or cpu_req or 1.0)
    else:
        level = 0.3 + 0.4 * _fraction(seed + "cpu")
        cpu = (cpu_req * level if cpu_req else 0.002 + 0.02 * _fraction(seed)) * wobble
    if (mem := _annotated(pod, MEMORY_ANNOTATION)) is not None:
        mem = mem / running
    else:
        level = 0.4 + 0.4 * _fraction(seed + "mem")
        mem = mem_req * level if mem_req else (8 + 88 * _fraction(seed + "m")) * MI
        mem *= 1 + (wobble - 1) / 4
    if cpu_lim:
        cpu = min(cpu, cpu_lim)
    if mem_lim:
        mem = min(mem, 0.95 * mem_lim)
    return cpu, mem


def _usage(cores: float, nbytes: float) -> dict[str, str]:
    return {"cpu": f"{_nanocores(cores)}n", "memory": f"{round(nbytes / 1024)}Ki"}


def _nanocores(cores: float) -> int:
    """CPU as metrics-server reports it: whole nanocores."""
    return round(cores * 1e9)


def _running_containers(pod: Obj) -> list[Obj]:
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return []
    running = {c["name"] for c in status.get("containerStatuses") or ()
               if "running" in (c.get("state") or {})}
    return [c for c in (pod.get("spec") or {}).get("containers") or ()
            if c["name"] in running]


def _pod_usage(store: ObjectStore, pod: Obj, now: float,
               shares: dict[str, float]) -> list[tuple[str, float, float]]:
    """(container, cores, bytes) of each running container of `pod`."""
    containers = _running_containers(pod)
    if not containers:
        return []
    share = _load_share(store, pod, shares)
    return [(c["name"], *container_usage(pod, c, len(containers), now, share))
            for c in containers]


def pod_cpu_millicores(store: ObjectStore, pod: Obj, now: float,
                       shares: dict[str, float]) -> float:
    """The pod's CPU use as its PodMetrics report it (the sum of its containers' whole
    nanocores), in millicores; `shares` as for `_load_share`."""
    return sum(_nanocores(cpu) for _, cpu, _ in _pod_usage(store, pod, now, shares)) / 1e6


def pod_metrics(sandbox: Sandbox, namespace: str | None) -> list[dict[str, Any]]:
    """PodMetrics of every running pod (in `namespace`, or everywhere)."""
    now, stamp = clock.time(), now_rfc3339()
    store, shares = sandbox.store, dict[str, float]()
    out = []
    for pod in store.list(("", "pods"), namespace or None)[0]:
        usage = _pod_usage(store, pod, now, shares)
        if not usage:
            continue
        meta = pod["metadata"]
        out.append({
            "kind": "PodMetrics", "apiVersion": API_VERSION,
            "metadata": {"name": meta["name"], "namespace": meta.get("namespace", ""),
                         "creationTimestamp": stamp, "labels": meta.get("labels") or {}},
            "timestamp": stamp, "window": WINDOW,
            "containers": [{"name": name, "usage": _usage(cpu, mem)}
                           for name, cpu, mem in usage],
        })
    return out


def node_metrics(sandbox: Sandbox) -> list[dict[str, Any]]:
    """NodeMetrics of every node: system overhead plus its running pods."""
    now, stamp = clock.time(), now_rfc3339()
    store, shares = sandbox.store, dict[str, float]()
    totals: dict[str, list[float]] = {}
    for pod in store.iter(("", "pods")):
        node = (pod.get("spec") or {}).get("nodeName")
        for _, cpu, mem in _pod_usage(store, pod, now, shares) if node else ():
            t = totals.setdefault(node, [0.0, 0.0])
            t[0] += cpu
            t[1] += mem
    out = []
    for node in sandbox.store.list(("", "nodes"))[0]:
        name = node["metadata"]["name"]
        cpu, mem = totals.get(name, [0.0, 0.0])
        cpu += 0.1 + 0.15 * _fraction(name + "cpu")
        mem += (600 + 300 * _fraction(name + "mem")) * MI
        out.append({
            "kind": "NodeMetrics", "apiVersion": API_VERSION,
            "metadata": {"name": name, "creationTimestamp": stamp,
                         "labels": node["metadata"].get("labels") or {}},
            "timestamp": stamp, "window": WINDOW, "usage": _usage(cpu, mem),
        })
    return out
