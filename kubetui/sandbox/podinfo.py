"""Facts about pods and their owners that the controllers, the metrics API and the
scheduler all read: resource requests (as the scheduler counts them), phase, deletion,
readiness and availability, controller references. Nothing here imports a controller, so
`metrics` and the controllers can both use it without an import loop."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from kubetui.quantity import parse_quantity
from kubetui.sandbox.apiserver.store import Obj, ObjectStore

DEFAULT_CPU_REQUEST = 0.1
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024


@dataclass(frozen=True)
class Requests:
    """What a pod asks of a node: cores and bytes, as filtered and as scored."""

    cpu: float = 0.0
    memory: float = 0.0
    nz_cpu: float = 0.0
    nz_memory: float = 0.0


def resource_quantity(resources: dict[str, Any] | None, name: str) -> float:
    value = (resources or {}).get(name)
    try:
        return parse_quantity(value) if value is not None else 0.0
    except ValueError:
        return 0.0


def container_requests(container: Obj) -> tuple[float, float]:
    """A container's (cpu, memory) requests; limits stand in for missing requests as the
    API server's defaulting makes them."""
    res = container.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    return (resource_quantity(req, "cpu") or resource_quantity(lim, "cpu"),
            resource_quantity(req, "memory") or resource_quantity(lim, "memory"))


def pod_requests(pod: Obj) -> Requests:
    """The pod's effective request: containers summed, each init container's taken as a
    floor, plus the pod overhead (component-helpers' PodRequests)."""
    spec = pod.get("spec") or {}
    cpu = mem = nz_cpu = nz_mem = 0.0
    for c in spec.get("containers") or ():
        c_cpu, c_mem = container_requests(c)
        cpu, mem = cpu + c_cpu, mem + c_mem
        nz_cpu += c_cpu or DEFAULT_CPU_REQUEST
        nz_mem += c_mem or DEFAULT_MEMORY_REQUEST
    for c in spec.get("initContainers") or ():
        c_cpu, c_mem = container_requests(c)
        cpu, mem = max(cpu, c_cpu), max(mem, c_mem)
    overhead = spec.get("overhead") or {}
    cpu += resource_quantity(overhead, "cpu")
    mem += resource_quantity(overhead, "memory")
    return Requests(cpu, mem, nz_cpu, nz_mem)


# ----- phase, readiness, owners --------------------------------------------------------

def controller_ref(obj: Obj) -> dict[str, Any] | None:
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return ref
    return None


def owned_by(store: ObjectStore, owner: Obj, kind: str) -> list[Obj]:
    """Objects of `kind` whose controller reference is `owner` (indexed by owner uid)."""
    uid = owner["metadata"]["uid"]
    out = []
    for obj in store.dependents(uid):
        if obj.get("kind") == kind:
            ref = controller_ref(obj)
            if ref is not None and ref.get("uid") == uid:
                out.append(obj)
    return out


def is_deleting(obj: Obj) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp"))


def pod_phase(pod: Obj) -> str:
    return (pod.get("status") or {}).get("phase", "Pending")


def is_active(pod: Obj) -> bool:
    """Counted by its controller: not being deleted and not finished."""
    return not is_deleting(pod) and pod_phase(pod) not in ("Succeeded", "Failed")


def ready_since(pod: Obj) -> float | None:
    """When the pod's Ready condition last became True (epoch seconds), or None."""
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            if c.get("status") != "True":
                return None
            return parse_time(c.get("lastTransitionTime")) or 0.0
    return None


def is_ready(pod: Obj) -> bool:
    return ready_since(pod) is not None


def is_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    since = ready_since(pod)
    return since is not None and (min_ready_seconds <= 0 or since + min_ready_seconds <= now)


@functools.lru_cache(maxsize=4096)  # a few distinct seconds, parsed for every pod again
def parse_time(text: str | None) -> float | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc).timestamp()
