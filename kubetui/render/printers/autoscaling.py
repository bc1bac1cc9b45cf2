"""HorizontalPodAutoscaler: REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.model import FAILED, OK, PENDING, Cell, RowHealth
from kubetui.render.printers.base import (AGE, NAME, Printer, age, column, condition, name,
                                          spec, status)

COLUMNS = (
    NAME,
    column("Reference"),
    column("Targets"),
    column("MinPods", sort="number"),
    column("MaxPods", sort="number"),
    column("Replicas", sort="number"),
    AGE,
)
#: Metrics shown before " + N more...".
SHOWN_METRICS = 2


def render(hpa: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    hpa_spec, hpa_status = spec(hpa), status(hpa)
    ref = hpa_spec.get("scaleTargetRef") or {}
    metrics, current = _metrics(hpa)
    targets = format_metrics(metrics, current)
    min_replicas = hpa_spec.get("minReplicas")
    cells: list[Cell] = [name(hpa), f"{ref.get('kind', '')}/{ref.get('name', '')}", targets,
                         "<unset>" if min_replicas is None else str(min_replicas),
                         hpa_spec.get("maxReplicas", 0), hpa_status.get("currentReplicas", 0),
                         age(hpa, now)]
    for kind in ("AbleToScale", "ScalingActive"):
        if (condition(hpa, kind) or {}).get("status") == "False":
            return cells, FAILED
    return cells, PENDING if "<unknown>" in targets else OK


def _metrics(hpa: dict) -> tuple[list[dict], list[dict]]:
    """spec.metrics and status.currentMetrics in autoscaling/v2 form; an autoscaling/v1
    object's CPU target becomes the one Resource metric the server converts it to."""
    hpa_spec, hpa_status = spec(hpa), status(hpa)
    if hpa.get("apiVersion") != "autoscaling/v1":
        return hpa_spec.get("metrics") or [], hpa_status.get("currentMetrics") or []
    target = hpa_spec.get("targetCPUUtilizationPercentage")
    if target is None:
        return [], []
    metric = {"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}
    current = hpa_status.get("currentCPUUtilizationPercentage")
    statuses = [] if current is None else [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": current}}}]
    return [metric], statuses


def format_metrics(specs: list[dict], statuses: list[dict]) -> str:
    """formatHPAMetrics: "cpu: 45%/80%", "<unknown>/100 (avg)"..., at most two then a count."""
    if not specs:
        return "<none>"
    shown = [_metric(m, statuses[i] if i < len(statuses) else {}) for i, m in enumerate(specs)]
    text = ", ".join(shown[:SHOWN_METRICS])
    if len(specs) > SHOWN_METRICS:
        return f"{text} + {len(specs) - SHOWN_METRICS} more..."
    return text


def _quantity(value: str | None) -> str:
    return "<nil>" if value is None else str(value)  # Go's String() of a nil *Quantity


def _metric(metric: dict, metric_status: dict) -> str:
    kind = metric.get("type")
    source_key = {"External": "external", "Pods": "pods", "Object": "object",
                  "Resource": "resource", "ContainerResource": "containerResource"}.get(kind)
    if source_key is None:
        return "<unknown type>"
    source = metric.get(source_key) or {}
    target = source.get("target") or {}
    current_source = metric_status.get(source_key)
    current = (current_source or {}).get("current") or {}
    prefix = f"{source.get('name', '')}: " if kind in ("Resource", "ContainerResource") else ""

    if kind == "Pods" or target.get("averageValue") is not None:
        averaged = kind in ("External", "Object")  # these say "(avg)" and need one reported
        known = current_source is not None and (
            not averaged or current.get("averageValue") is not None)
        now_value = _quantity(current.get("averageValue")) if known else "<unknown>"
        suffix = " (avg)" if averaged else ""
        return f"{prefix}{now_value}/{_quantity(target.get('averageValue'))}{suffix}"
    if kind in ("External", "Object"):
        now_value = "<unknown>" if current_source is None else _quantity(current.get("value"))
        return f"{now_value}/{_quantity(target.get('value'))}"
    now_value = "<unknown>"
    if current_source is not None and current.get("averageUtilization") is not None:
        now_value = f"{current['averageUtilization']}%"
    goal = target.get("averageUtilization")
    return f"{prefix}{now_value}/{'<auto>' if goal is None else f'{goal}%'}"


PRINTERS = (Printer("HorizontalPodAutoscaler", "autoscaling", COLUMNS, render),)
