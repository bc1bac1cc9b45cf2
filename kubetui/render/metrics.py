"""CPU and memory columns: what `kubectl top` prints, and k9s's percentages.

Pods: CPU, MEM, then use as a percentage of the containers' requests and limits (%CPU/R,
%CPU/L, %MEM/R, %MEM/L, as k9s shows them). Workloads: CPU and MEM summed over their pods.
Nodes: CPU, %CPU, MEM, %MEM of allocatable,
as `kubectl top node`. Figures follow kubectl's printer (metricsutil): CPU in millicores
rounded up, memory in whole MiB rounded down, percentages truncated. "-" where there is
nothing to show (a pod not running, no request set), "n/a" when the metrics API is not
available. Pure: usage comes in as numbers.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, NamedTuple

from kubetui.quantity import parse_quantity
from kubetui.render.model import Column

__all__ = ["NOT_AVAILABLE", "WORKLOAD_KINDS", "Resources", "metric_cells", "metric_columns",
           "resources_of"]

NOT_AVAILABLE = "n/a"
_MI = 1024 * 1024


def _column(name: str, sort: str, description: str, priority: int = 0) -> Column:
    return Column(name=name, type="string", sort=sort, description=description,
                  priority=priority)


#: A pod's percentages go first when the terminal is narrow (before kubectl's wide
#: columns, long before NAME is cut).
_PERCENT = 2


_POD = (
    _column("CPU", "quantity", "CPU used, in millicores (metrics.k8s.io)."),
    _column("MEM", "quantity", "Memory used (working set), in MiB (metrics.k8s.io)."),
    _column("%CPU/R", "number", "CPU used, as a percentage of the containers' requests.",
            _PERCENT),
    _column("%CPU/L", "number", "CPU used, as a percentage of the containers' limits.",
            _PERCENT),
    _column("%MEM/R", "number", "Memory used, as a percentage of the containers' requests.",
            _PERCENT),
    _column("%MEM/L", "number", "Memory used, as a percentage of the containers' limits.",
            _PERCENT),
)
_NODE = (
    _column("CPU", "quantity", "CPU used, in millicores (metrics.k8s.io)."),
    _column("%CPU", "number", "CPU used, as a percentage of the node's allocatable CPU."),
    _column("MEM", "quantity", "Memory used (working set), in MiB (metrics.k8s.io)."),
    _column("%MEM", "number", "Memory used, as a percentage of its allocatable memory."),
)


#: Workloads show the sum over their pods.
_WORKLOAD = _POD[:2]
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")


class Resources(NamedTuple):
    """What usage is measured against: a pod's summed container requests and limits, or
    a node's allocatable (in `cpu` and `memory`, the limits 0). Cores and bytes; 0 = unset."""

    cpu: float
    cpu_limit: float
    memory: float
    memory_limit: float


def metric_columns(kind: str) -> tuple[Column, ...]:
    """The metrics columns of `kind` ("Pod", "Node", a workload); () for other kinds."""
    if kind in WORKLOAD_KINDS:
        return _WORKLOAD
    return {"Pod": _POD, "Node": _NODE}.get(kind, ())


def _quantity(value: Any) -> float:
    try:
        return parse_quantity(value) if value is not None else 0.0
    except ValueError:
        return 0.0


def resources_of(kind: str, obj: dict[str, Any]) -> Resources | None:
    """A pod's summed container requests and limits, or a node's allocatable. Equal
    inputs give the same `Resources` (a cluster's pods repeat a few dozen)."""
    if kind == "Node":
        alloc = (obj.get("status") or {}).get("allocatable") or {}
        return Resources(_quantity(alloc.get("cpu")), 0.0, _quantity(alloc.get("memory")), 0.0)
    if kind != "Pod":
        return None
    written = []
    for c in (obj.get("spec") or {}).get("containers") or ():
        res = c.get("resources") or {}
        requests, limits = res.get("requests") or {}, res.get("limits") or {}
        written.append((requests.get("cpu"), limits.get("cpu"), requests.get("memory"),
                        limits.get("memory")))
    key = tuple(written)
    try:
        return _summed(key)
    except TypeError:  # a value that is not a quantity (a list, a map)
        return _summed.__wrapped__(key)


@lru_cache(maxsize=4096)
def _summed(containers: tuple[tuple[Any, Any, Any, Any], ...]) -> Resources:
    """Requests and limits (CPU, then memory) as written, summed over the containers."""
    totals = [0.0, 0.0, 0.0, 0.0]
    for cpu, cpu_limit, memory, memory_limit in containers:
        totals[0] += _quantity(cpu)
        totals[1] += _quantity(cpu_limit)
        totals[2] += _quantity(memory)
        totals[3] += _quantity(memory_limit)
    return Resources(*totals)


def millicores(cores: float) -> int:
    """kubectl's Quantity.MilliValue(): rounded up."""
    return math.ceil(round(cores * 1000, 6))


def cpu_text(cores: float) -> str:
    return f"{millicores(cores)}m"


def memory_text(nbytes: float) -> str:
    return f"{int(nbytes) // _MI}Mi"


def _percent(used: float, base: float) -> str:
    return str(int(used / base * 100)) if base > 0 else "-"


def metric_cells(kind: str, cpu: float | None, memory: float | None,
                 resources: Resources | None, error: str = "") -> tuple[str, ...]:
    """The metrics cells of one pod or node: `cpu` (cores) and `memory` (bytes) as read,
    None when it has no metrics; `error` when the API is not available."""
    width = len(metric_columns(kind))
    if error:
        return (NOT_AVAILABLE,) * width
    if cpu is None or memory is None:
        return ("-",) * width
    res = resources or Resources(0.0, 0.0, 0.0, 0.0)
    if kind in WORKLOAD_KINDS:
        return (cpu_text(cpu), memory_text(memory))
    if kind == "Node":
        # kubectl top node: MilliValue over MilliValue, truncated.
        return (cpu_text(cpu), _percent(millicores(cpu), millicores(res.cpu)),
                memory_text(memory), _percent(memory, res.memory))
    return (cpu_text(cpu), memory_text(memory), _percent(cpu, res.cpu),
            _percent(cpu, res.cpu_limit), _percent(memory, res.memory),
            _percent(memory, res.memory_limit))
