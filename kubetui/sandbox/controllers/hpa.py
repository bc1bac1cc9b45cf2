"""The HorizontalPodAutoscaler controller (autoscaling/v2, CPU utilisation).

Every `interval` seconds (15, as the real one; at once when an HPA changes) it reads the
scale target's pods (Deployment, StatefulSet or ReplicaSet), computes the average CPU
utilisation of the ready ones against their requests, and sets the target's
`spec.replicas` to ceil(ready pods * utilisation / target), unless the ratio is within
the 10% tolerance, clamped to [minReplicas, maxReplicas], with the default scale-down
stabilisation window (300 s, or `behavior.scaleDown.stabilizationWindowSeconds`: the
highest recommendation of the window wins). Status, conditions (AbleToScale,
ScalingActive, ScalingLimited) and SuccessfulRescale events as the real one writes them.
Only `Resource` cpu metrics of type Utilization are evaluated.

Usage is what the sandbox's metrics API serves (`kubetui.sandbox.metrics`, the numbers
`kubectl top` shows); a scale target annotated `kubetui.dev/simulated-cpu-load` sets the
total demand its ready pods share.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox import metrics, podinfo
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import base
from kubetui.sandbox.core import Sandbox

HPAS = builtin("HorizontalPodAutoscaler").key
TOLERANCE = 0.1
_METRIC = "cpu resource utilization (percentage of request)"


class HorizontalPodAutoscalerController(base.Reconciler):
    name = "horizontal-pod-autoscaler"
    watched = (HPAS,)

    def __init__(self, sandbox: Sandbox, interval: float = 15.0) -> None:
        super().__init__(sandbox)
        self.interval = interval
        self.record = base.EventRecorder(sandbox, self.name)
        self._recommendations: dict[tuple[str, str], list[tuple[float, int]]] = {}

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        if ev.type == "MODIFIED" and ev.old is not None and ev.old.get("spec") == \
                ev.obj.get("spec"):
            return []  # our own status write
        return [(ev.obj["metadata"]["namespace"], ev.obj["metadata"]["name"])]

    def sync(self, key: tuple[str, str]) -> float | None:
        hpa = self.store.find(HPAS, *key)
        if hpa is None:
            self._recommendations.pop(key, None)
            return None
        spec, now = hpa["spec"], base.now()
        status: dict[str, Any] = clone(hpa.get("status") or {})
        conds = status.setdefault("conditions", [])
        ref = spec.get("scaleTargetRef") or {}
        res = metrics.SCALABLE.get(ref.get("kind", ""))
        target = self.store.find(res, key[0], ref.get("name", "")) if res else None
        if target is None:
            base.set_condition(conds, "AbleToScale", "False", "FailedGetScale",
                               f"the HPA controller was unable to get the target's current "
                               f"scale: {ref.get('kind', '').lower()}s \"{ref.get('name')}\" "
                               "not found", probe=True)
            self._write(hpa, status)
            return self.interval
        current = target["spec"].get("replicas", 1)
        base.set_condition(conds, "AbleToScale", "True", "SucceededGetScale",
                           "the HPA controller was able to get the target's current scale",
                           probe=True)
        status["currentReplicas"] = current
        if current == 0:
            base.set_condition(conds, "ScalingActive", "False", "ScalingDisabled",
                               "scaling is disabled since the replica count of the target is "
                               "zero", probe=True)
            status["desiredReplicas"] = 0
            self._write(hpa, status)
            return self.interval
        metric = next((m for m in spec.get("metrics") or ()
                       if m.get("type") == "Resource" and
                       (m.get("resource") or {}).get("name") == "cpu"), None)
        goal = ((metric or {}).get("resource") or {}).get("target", {}).get(
            "averageUtilization") if metric else 80
        pods = [p for p in metrics.workload_pods(self.store, target)
                if podinfo.is_active(p) and podinfo.is_ready(p)]
        requested = sum(podinfo.pod_requests(p).cpu for p in pods) * 1000
        if goal is None or not pods or not requested:
            base.set_condition(conds, "ScalingActive", "False", "FailedGetResourceMetric",
                               "the HPA was unable to compute the replica count: failed to "
                               "get cpu utilization: missing request for cpu", probe=True)
            self._write(hpa, status)
            return self.interval
        shares: dict[str, float] = {}
        used = sum(metrics.pod_cpu_millicores(self.store, p, now, shares) for p in pods)
        utilization = int(100 * used / requested)
        ratio = utilization / goal
        desired = current if abs(ratio - 1) <= TOLERANCE else math.ceil(ratio * len(pods))
        base.set_condition(conds, "ScalingActive", "True", "ValidMetricFound",
                           f"the HPA was able to successfully calculate a replica count from "
                           f"{_METRIC}", probe=True)
        desired = self._stabilize(key, hpa, desired, current, now)
        low, high = spec.get("minReplicas", 1), spec["maxReplicas"]
        if desired > high:
            base.set_condition(conds, "ScalingLimited", "True", "TooManyReplicas",
                               "the desired replica count is more than the maximum replica "
                               "count", probe=True)
        elif desired < low:
            base.set_condition(conds, "ScalingLimited", "True", "TooFewReplicas",
                               "the desired replica count is less than the minimum replica "
                               "count", probe=True)
        else:
            base.set_condition(conds, "ScalingLimited", "False", "DesiredWithinRange",
                               "the desired count is within the acceptable range", probe=True)
        desired = min(high, max(low, desired))
        status["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": {
            "averageUtilization": utilization,
            "averageValue": f"{int(used / len(pods))}m"}}}]
        status["desiredReplicas"] = desired
        if desired != current:
            scaled = clone(target)
            scaled["spec"]["replicas"] = desired
            self.store.update(res, scaled, check_rv=False)
            why = f"{_METRIC} above target" if desired > current else "All metrics below target"
            self.record(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {why}")
            status["lastScaleTime"] = base.format_time(now)
            status["currentReplicas"] = current
            base.set_condition(conds, "AbleToScale", "True", "SucceededRescale",
                               f"the HPA controller was able to update the target scale to "
                               f"{desired}", probe=True)
        else:
            base.set_condition(conds, "AbleToScale", "True", "ReadyForNewScale",
                               "recommended size matches current size", probe=True)
        self._write(hpa, status)
        return self.interval

    def _stabilize(self, key: tuple[str, str], hpa: Obj, desired: int, current: int,
                   now: float) -> int:
        """The scale-down stabilisation window: the highest recent recommendation."""
        behavior = (hpa["spec"].get("behavior") or {}).get("scaleDown") or {}
        window = behavior.get("stabilizationWindowSeconds", 300)
        recent = [(t, d) for t, d in self._recommendations.get(key, []) if t > now - window]
        recent.append((now, desired))
        self._recommendations[key] = recent
        if desired >= current:
            return desired
        return min(current, max(d for _, d in recent))

    def _write(self, hpa: Obj, status: dict[str, Any]) -> None:
        status["observedGeneration"] = hpa["metadata"].get("generation", 1)
        if status != hpa.get("status"):
            self.store.write_status(HPAS, dict(hpa, status=status))
