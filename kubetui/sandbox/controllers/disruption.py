"""The disruption controller: PodDisruptionBudget status, as kube-controller-manager keeps it.

For each budget it counts the pods its selector matches in its namespace (expectedPods),
the ready ones among them that no eviction has just taken (currentHealthy), resolves
minAvailable or maxUnavailable (an int or a percentage of expectedPods) into
desiredHealthy, and writes disruptionsAllowed = max(0, currentHealthy - desiredHealthy)
with the DisruptionAllowed condition. The API server's eviction handler
(`apiserver/eviction.py`) spends one allowed disruption at once and records the pod in
status.disruptedPods, so two evictions racing the controller cannot both take the last
one; an entry leaves that map when its pod is gone or after two minutes, as in the real
controller.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from datetime import datetime, timezone
from typing import Any

from kubetui.sandbox.apiserver.store import Event, Obj, now_rfc3339
from kubetui.sandbox.controllers.base import PODS, Reconciler
from kubetui.sandbox.podinfo import is_deleting, is_ready
from kubetui.sandbox.selectors import selector_matches

PDBS = ("policy", "poddisruptionbudgets")
DISRUPTED_POD_TIMEOUT = 120.0  # seconds an eviction keeps counting against a budget


def _desired_healthy(spec: dict[str, Any], expected: int) -> int:
    def resolve(value: int | str, round_up: bool) -> int:
        if isinstance(value, str) and value.endswith("%"):
            share = int(value[:-1]) * expected / 100
            return math.ceil(share) if round_up else math.floor(share)
        return int(value)

    if spec.get("maxUnavailable") is not None:
        return max(0, expected - resolve(spec["maxUnavailable"], round_up=True))
    return resolve(spec.get("minAvailable", 1), round_up=True)


def _age(stamp: str) -> float:
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - when).total_seconds()


def budget_status(pdb: Obj, pods: list[Obj]) -> dict[str, Any]:
    """The status the controller writes for `pdb` over the pods its selector matches."""
    live = {p["metadata"]["name"] for p in pods if not is_deleting(p)}
    disrupted = {name: when for name, when in
                 ((pdb.get("status") or {}).get("disruptedPods") or {}).items()
                 if name in live and _age(when) < DISRUPTED_POD_TIMEOUT}
    expected = len(pods)
    healthy = sum(1 for p in pods
                  if is_ready(p) and not is_deleting(p) and p["metadata"]["name"]
                  not in disrupted)
    desired = _desired_healthy(pdb.get("spec") or {}, expected)
    allowed = max(0, healthy - desired)
    old = pdb.get("status") or {}
    condition = next((c for c in old.get("conditions") or () if
                      c.get("type") == "DisruptionAllowed"), None)
    status_word = "True" if allowed > 0 else "False"
    if condition is None or condition.get("status") != status_word:
        condition = {"type": "DisruptionAllowed", "status": status_word,
                     "reason": "SufficientPods" if allowed > 0 else "InsufficientPods",
                     "message": "", "lastTransitionTime": now_rfc3339(),
                     "observedGeneration": pdb["metadata"].get("generation", 1)}
    return {"observedGeneration": pdb["metadata"].get("generation", 1),
            "disruptionsAllowed": allowed, "currentHealthy": healthy,
            "desiredHealthy": desired, "expectedPods": expected,
            **({"disruptedPods": disrupted} if disrupted else {}),
            "conditions": [condition]}


class DisruptionController(Reconciler):
    name = "disruption-controller"
    watched = (PDBS, PODS)
    keys_in_line = True
    min_interval = 0.05

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        ns = ev.obj["metadata"].get("namespace", "")
        if ev.key == PDBS:
            return [(ns, ev.obj["metadata"]["name"])] if ev.type != "DELETED" else []
        labels = [(o["metadata"].get("labels") or {}) for o in (ev.obj, ev.old) if o]
        return [(ns, pdb["metadata"]["name"]) for pdb in self.store.iter(PDBS)
                if pdb["metadata"].get("namespace") == ns and
                any(selector_matches((pdb.get("spec") or {}).get("selector"), lb)
                    for lb in labels)]

    def sync(self, key: Any) -> float | None:
        ns, name = key
        pdb = self.store.find(PDBS, ns, name)
        if pdb is None:
            return None
        selector = (pdb.get("spec") or {}).get("selector")
        pods = [p for p in self.store.iter(PODS) if p["metadata"].get("namespace") == ns
                and selector_matches(selector, p["metadata"].get("labels"))]
        status = budget_status(pdb, pods)
        if status != pdb.get("status"):
            self.store.write_status(PDBS, {"metadata": pdb["metadata"], "status": status})
        # Look again when the oldest recorded eviction stops counting.
        return DISRUPTED_POD_TIMEOUT if status.get("disruptedPods") else None
