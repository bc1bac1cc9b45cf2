"""Simulated resource usage, in the shapes metrics-server serves (metrics.k8s.io/v1beta1).

Usage is a pure function of the pod and the clock, so nothing has to be kept or ticked:
each running container settles at a level drawn from its pod's uid (30-70% of its CPU
request, 40-80% of its memory request, small amounts without requests), wobbling slowly
over time and never above its limits. Knobs for scenarios and autoscaling tests:

- an image named ``cpu-hog`` or ``stress`` burns ~95% of its CPU limit (or request, or a
  core);
- pod annotations ``kubetui.dev/simulated-cpu`` and ``kubetui.dev/simulated-memory``
  (quantities, e.g. ``450m``, ``300Mi``) set the whole pod's usage, split evenly over its
  running containers.

Only Running pods with running containers appear, as with metrics-server. Nodes report a
system overhead plus their pods.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from kubetui.sandbox.controllers.scheduler import container_requests
from kubetui.sandbox.core import Sandbox
from kubetui.quantity import parse_quantity
from kubetui.sandbox.store import Obj, now_rfc3339

GROUP = "metrics.k8s.io"
API_VERSION = f"{GROUP}/v1beta1"
CPU_ANNOTATION = "kubetui.dev/simulated-cpu"
MEMORY_ANNOTATION = "kubetui.dev/simulated-memory"
WINDOW = "15s"
MI = 1024 * 1024


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


def container_usage(pod: Obj, container: Obj, running: int, now: float) -> tuple[float, float]:
    """(cores, bytes) a running container uses at `now`."""
    seed = f"{pod['metadata'].get('uid', '')}/{container['name']}"
    wobble = 1 + 0.2 * math.sin(now / 40 + 6.3 * _fraction(seed + "phase"))
    cpu_req, mem_req = container_requests(container)
    cpu_lim, mem_lim = _limit(container, "cpu"), _limit(container, "memory")
    image = (container.get("image") or "").lower()
    if (cpu := _annotated(pod, CPU_ANNOTATION)) is not None:
        cpu = cpu / running
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
    return {"cpu": f"{round(cores * 1e9)}n", "memory": f"{round(nbytes / 1024)}Ki"}


def _running_containers(pod: Obj) -> list[Obj]:
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return []
    running = {c["name"] for c in status.get("containerStatuses") or ()
               if "running" in (c.get("state") or {})}
    return [c for c in (pod.get("spec") or {}).get("containers") or ()
            if c["name"] in running]


def pod_metrics(sandbox: Sandbox, namespace: str | None) -> list[dict[str, Any]]:
    """PodMetrics of every running pod (in `namespace`, or everywhere)."""
    now, stamp = time.time(), now_rfc3339()
    out = []
    for pod in sandbox.store.list(("", "pods"), namespace or None)[0]:
        containers = _running_containers(pod)
        if not containers:
            continue
        meta = pod["metadata"]
        out.append({
            "kind": "PodMetrics", "apiVersion": API_VERSION,
            "metadata": {"name": meta["name"], "namespace": meta.get("namespace", ""),
                         "creationTimestamp": stamp, "labels": meta.get("labels") or {}},
            "timestamp": stamp, "window": WINDOW,
            "containers": [{"name": c["name"], "usage": _usage(
                *container_usage(pod, c, len(containers), now))} for c in containers],
        })
    return out


def node_metrics(sandbox: Sandbox) -> list[dict[str, Any]]:
    """NodeMetrics of every node: system overhead plus its running pods."""
    now, stamp = time.time(), now_rfc3339()
    totals: dict[str, list[float]] = {}
    for pod in sandbox.store.iter(("", "pods")):
        node = (pod.get("spec") or {}).get("nodeName")
        containers = _running_containers(pod) if node else []
        for c in containers:
            cpu, mem = container_usage(pod, c, len(containers), now)
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
