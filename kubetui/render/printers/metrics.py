"""metrics.k8s.io's PodMetrics and NodeMetrics as metrics-server prints them: NAME, then one
column per resource (CPU, MEMORY: the usage, a pod's summed over its containers), WINDOW.
kubectl shows these columns for `get podmetrics`; without them a view had NAME and AGE."""

from __future__ import annotations

from datetime import datetime

from kubetui.quantity import parse_quantity
from kubetui.render.model import OK, Cell, RowHealth
from kubetui.render.printers.base import NAME, Printer, column, name

COLUMNS = (
    NAME,
    column("cpu", sort="quantity", description="CPU used, in cores (n: nanocores)."),
    column("memory", sort="quantity", description="Memory used (working set)."),
    column("Window", description="The interval the usage was measured over (a Go "
           "duration, as the server's Table carries it)."),
)
_DECIMAL = (("E", 27), ("P", 24), ("T", 21), ("G", 18), ("M", 15), ("k", 12), ("", 9),
            ("m", 6), ("u", 3), ("n", 0))  # suffix, power of ten in nano-units
_BINARY = (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10))


def total(quantities: list[str]) -> str:
    """The sum of quantities in the canonical form a Kubernetes Quantity prints: the
    largest suffix that keeps an integer, binary when the first one is binary."""
    if len(quantities) == 1:
        return quantities[0]
    if not quantities:
        return "0"
    if quantities[0].endswith("i"):
        nbytes = round(sum(parse_quantity(q) for q in quantities))
        for suffix, power in _BINARY:
            if nbytes and nbytes % 2**power == 0:
                return f"{nbytes >> power}{suffix}"
        return str(nbytes)
    nano = round(sum(parse_quantity(q) for q in quantities) * 10**9)
    for suffix, power in _DECIMAL:
        if nano % 10**power == 0:
            return f"{nano // 10**power}{suffix}"
    return f"{nano}n"


def render_pod(metrics: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    usage = [c.get("usage") or {} for c in metrics.get("containers") or []]
    return [name(metrics), total([u["cpu"] for u in usage if "cpu" in u]),
            total([u["memory"] for u in usage if "memory" in u]),
            str(metrics.get("window", ""))], OK


def render_node(metrics: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    usage = metrics.get("usage") or {}
    return [name(metrics), usage.get("cpu", "0"), usage.get("memory", "0"),
            str(metrics.get("window", ""))], OK


PRINTERS = (
    Printer("PodMetrics", "metrics.k8s.io", COLUMNS, render_pod),
    Printer("NodeMetrics", "metrics.k8s.io", COLUMNS, render_node),
)
