"""POST pods/<name>/eviction, as the API server's eviction subresource does it: refused
(429) while a PodDisruptionBudget's status allows no disruption; allowed, the pod is
deleted and each matching budget spends one disruption at once, noting the pod (the
disruption controller recomputes the status later)."""

from __future__ import annotations

from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.apiserver.store import Obj, clone, now_rfc3339
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.selectors import selector_matches

PDBS = builtin("PodDisruptionBudget").key


def evict(sandbox: Sandbox, r: Route, body: Any) -> dict:
    """Evict the pod `r` names; the Status to answer with."""
    store = sandbox.store
    pod = store.get(("", "pods"), r.namespace, r.name)
    labels = pod["metadata"].get("labels") or {}
    budgets = [pdb for pdb in store.iter(PDBS)
               if pdb["metadata"].get("namespace") == r.namespace and
               selector_matches(pdb.get("spec", {}).get("selector"), labels)]
    for pdb in budgets:
        status = pdb.get("status") or {}
        if status.get("disruptionsAllowed", 0) < 1:
            raise ApiError(429, "Cannot evict pod as it would violate the pod's disruption "
                                "budget.", reason="TooManyRequests",
                           details={"causes": [{
                               "reason": "DisruptionBudget",
                               "message": f"The disruption budget {pdb['metadata']['name']}"
                                          f" needs {status.get('desiredHealthy', 0)} healthy"
                                          f" pods and has {status.get('currentHealthy', 0)}"
                                          " currently"}]})
    opts = verbs.DeleteOptions.parse((body or {}).get("deleteOptions"), {}, False)
    verbs.delete(sandbox, r.kind, r.namespace, r.name, opts)
    for pdb in budgets:
        store.write_status(PDBS, spend_disruption(pdb, r.name))
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "code": 201}


def spend_disruption(pdb: Obj, pod_name: str) -> Obj:
    """The budget after an eviction of `pod_name`: one disruption fewer, the pod noted."""
    out = clone(pdb)
    status = out.setdefault("status", {})
    status["disruptionsAllowed"] = max(0, status.get("disruptionsAllowed", 0) - 1)
    status.setdefault("disruptedPods", {})[pod_name] = now_rfc3339()
    return out
