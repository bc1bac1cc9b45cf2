"""PodDisruptionBudget status as the disruption controller keeps it, and evictions that
spend it."""

from __future__ import annotations

from typing import Any

import pytest

from kubetui.sandbox.controllers.disruption import PDBS, budget_status
from tests.sandbox.conftest import Api
from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio


def _pod(name: str, ready: bool = True, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A pod bound to a node no kubelet runs, so its status stays as written here."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default",
                         "labels": labels or {"app": "web"}},
            "spec": {"nodeName": "elsewhere", "terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "c", "image": "i"}]},
            "status": {"phase": "Running",
                       "conditions": [{"type": "Ready", "status": str(ready)}]}}


def _budget(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "web", "namespace": "default", "generation": 1},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec}}


@pytest.mark.parametrize(("spec", "allowed", "desired"), [
    ({"minAvailable": 1}, 1, 1),
    ({"minAvailable": "50%"}, 0, 2),  # 50% of 3 rounds up to 2, and 2 are healthy
    ({"maxUnavailable": 1}, 0, 2),  # of 3 expected only 2 are healthy: no room
    ({"maxUnavailable": "100%"}, 2, 0),
])
async def test_budget_arithmetic(spec: dict[str, Any], allowed: int, desired: int) -> None:
    pods = [_pod("a"), _pod("b"), _pod("c", ready=False)]
    status = budget_status(_budget(**spec), pods)
    assert (status["disruptionsAllowed"], status["desiredHealthy"],
            status["currentHealthy"], status["expectedPods"]) == (allowed, desired, 2, 3)
    assert status["conditions"][0]["status"] == ("True" if allowed else "False")


async def test_evictions_spend_the_budget_at_once(api: Api, sandbox) -> None:
    store = sandbox.sandbox.store
    for name in ("a", "b", "c"):
        store.create(("", "pods"), _pod(name))
    code, _ = await api.call("POST", "/apis/policy/v1/namespaces/default/"
                                     "poddisruptionbudgets",
                             {"metadata": {"name": "web"},
                              "spec": {"minAvailable": 2,
                                       "selector": {"matchLabels": {"app": "web"}}}})
    assert code == 201
    await wait_for(lambda: store.get(PDBS, "default", "web").get("status", {})
                   .get("disruptionsAllowed") == 1)
    evict = {"apiVersion": "policy/v1", "kind": "Eviction"}
    code, _ = await api.call("POST", "/api/v1/namespaces/default/pods/a/eviction",
                             {**evict, "metadata": {"name": "a"}})
    assert code == 201
    # Spent before the controller looks again: a second eviction right away is refused.
    code, doc = await api.call("POST", "/api/v1/namespaces/default/pods/b/eviction",
                               {**evict, "metadata": {"name": "b"}})
    assert code == 429 and "disruption budget" in doc["message"]
    assert store.find(("", "pods"), "default", "b") is not None
    await wait_for(lambda: store.find(("", "pods"), "default", "a") is None)
    status = await wait_for(lambda: (s := store.get(PDBS, "default", "web")["status"])
                            ["expectedPods"] == 2 and s)
    assert status["disruptionsAllowed"] == 0 and status["currentHealthy"] == 2
