"""Describers of autoscaling/v2 kinds: HorizontalPodAutoscaler."""

from __future__ import annotations

from datetime import datetime

from kubetui.render.describe.common import rfc1123, write_events, write_header
from kubetui.render.describe.writer import Describer, Related, Writer
from kubetui.render.printers import base


def _describe_hpa(w: Writer, hpa: dict, events: list[dict], related: Related,
                  now: datetime) -> None:
    meta, spec, status = base.meta(hpa), base.spec(hpa), base.status(hpa)
    write_header(w, hpa)
    w.write(0, f"CreationTimestamp:\t{rfc1123(meta.get('creationTimestamp'), now)}\n")
    target = spec.get("scaleTargetRef") or {}
    w.write(0, f"Reference:\t{target.get('kind', '')}/{target.get('name', '')}\n")
    if hpa.get("apiVersion") == "autoscaling/v1":
        if (goal := spec.get("targetCPUUtilizationPercentage")) is not None:
            w.write(0, f"Target CPU utilization:\t{goal}%\n")
            current = status.get("currentCPUUtilizationPercentage")
            current_text = "<unknown>" if current is None else current
            w.write(0, f"Current CPU utilization:\t{current_text}%\n")
    else:
        w.write(0, "Metrics:\t( current / target )\n")
        currents = status.get("currentMetrics") or []
        for i, metric in enumerate(spec.get("metrics") or []):
            _hpa_metric(w, metric, currents[i] if i < len(currents) else {})
    min_replicas = spec.get("minReplicas")
    w.write(0, f"Min replicas:\t{'<unset>' if min_replicas is None else min_replicas}\n")
    w.write(0, f"Max replicas:\t{spec.get('maxReplicas', 0)}\n")
    if (behavior := spec.get("behavior")) is not None:
        w.write(0, "Behavior:\n")
        for title, key in (("Scale Up", "scaleUp"), ("Scale Down", "scaleDown")):
            if (rules := behavior.get(key)) is None:
                continue
            w.write(1, f"{title}:\n")
            if rules.get("stabilizationWindowSeconds") is not None:
                w.write(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} "
                           "seconds\n")
            if policies := rules.get("policies"):
                w.write(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
                w.write(2, "Policies:\n")
                for p in policies:
                    w.write(3, f"- Type: {p.get('type', '')}\tValue: {p.get('value', 0)}\t"
                               f"Period: {p.get('periodSeconds', 0)} seconds\n")
    w.write(0, f"{target.get('kind', '')} pods:\t{status.get('currentReplicas', 0)} current / "
               f"{status.get('desiredReplicas', 0)} desired\n")
    if hpa.get("apiVersion") != "autoscaling/v1" and (conditions := status.get("conditions")):
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tReason\tMessage\n")
        w.write(1, "----\t------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t"
                       f"{c.get('message', '')}\n")
    write_events(w, events, now)


def _hpa_metric(w: Writer, metric: dict, current: dict) -> None:
    """One line of an autoscaling/v2 HPA's Metrics: current / target."""
    kind = metric.get("type")
    key = {"External": "external", "Pods": "pods", "Object": "object", "Resource": "resource",
           "ContainerResource": "containerResource"}.get(kind or "")
    if key is None:
        w.write(1, f'<unknown metric type "{kind}">\n')
        return
    source, now_source = metric.get(key) or {}, current.get(key)
    goal, now_value = source.get("target") or {}, (now_source or {}).get("current") or {}

    def value(field: str) -> str:
        return "<unknown>" if now_source is None or now_value.get(field) is None \
            else str(now_value[field])

    metric_name = (source.get("metric") or {}).get("name", "")
    if kind == "External":
        if goal.get("averageValue") is not None:
            w.write(1, f'"{metric_name}" (target average value):\t{value("averageValue")} / '
                       f'{goal["averageValue"]}\n')
        else:
            w.write(1, f'"{metric_name}" (target value):\t{value("value")} / '
                       f'{goal.get("value")}\n')
    elif kind == "Pods":
        w.write(1, f'"{metric_name}" on pods:\t{value("averageValue")} / '
                   f'{goal.get("averageValue")}\n')
    elif kind == "Object":
        described = source.get("describedObject") or {}
        w.write(1, f'"{metric_name}" on {described.get("kind", "")}/{described.get("name", "")} ')
        if goal.get("type") == "AverageValue":
            w.write(0, f"(target average value):\t{value('averageValue')} / "
                       f"{goal.get('averageValue')}\n")
        else:
            w.write(0, f"(target value):\t{value('value')} / {goal.get('value')}\n")
    else:
        where = "" if kind == "Resource" else f' of container "{source.get("container", "")}"'
        w.write(1, f"resource {source.get('name', '')}{where} on pods")
        if goal.get("averageValue") is not None:
            w.write(0, f":\t{value('averageValue')} / {goal['averageValue']}\n")
        else:
            utilization = now_value.get("averageUtilization")
            current_text = "<unknown>" if now_source is None or utilization is None \
                else f"{utilization}% ({now_value.get('averageValue', '0')})"
            target_text = "<auto>" if goal.get("averageUtilization") is None \
                else f"{goal['averageUtilization']}%"
            w.write(1, f"(as a percentage of request):\t{current_text} / {target_text}\n")


DESCRIBERS: dict[str, Describer] = {
    "HorizontalPodAutoscaler": _describe_hpa,
}
