"""Node actions through their keys: cordon `c`, uncordon `u`, drain `r` (as k9s), the drain
respecting a PodDisruptionBudget as kubectl drain does."""

from __future__ import annotations

from kubetui.ui.screens.dialogs import ConfirmDialog
from tests.ui.app_helpers import names
from tests.fast_cluster import NODE, NODES, PODS, Cluster
from tests.ui.action_host import action_app, noted
from tests.waiting import wait_for

PDBS = ("policy", "poddisruptionbudgets")
FAST_DRAIN = {"timeout": 10.0, "retry_interval": 0.1, "poll_interval": 0.05}


def _unschedulable(cluster: Cluster) -> bool:
    return bool(cluster.store.get(NODES, "", "node-1")["spec"].get("unschedulable"))


async def test_cordon_and_uncordon(cluster: Cluster) -> None:
    app = action_app(NODE, namespace="")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.action_runner is not None and names(app) == ["node-1"])
        await pilot.press("c")
        await wait_for(lambda: _unschedulable(cluster))
        await wait_for(lambda: noted(app, "node/node-1 cordoned"))
        await wait_for(lambda: "SchedulingDisabled" in app.main_table.entry_at(0).cells[1])
        await pilot.press("u")
        await wait_for(lambda: not _unschedulable(cluster))
        assert "PATCH /api/v1/nodes/node-1 (strategic-merge-patch) " \
               '{"spec":{"unschedulable":null}}' in noted(app, "uncordoned")


async def test_drain_waits_for_the_budget_then_evicts(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=2)
    await wait_for(cluster.rolled_out)
    await cluster.client.request(
        "POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", {
            "metadata": {"name": "web"},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}})
    await wait_for(lambda: cluster.store.get(PDBS, "default", "web").get("status", {})
                   .get("currentHealthy") == 2)  # the disruption controller: none allowed
    old = {p["metadata"]["uid"] for p in cluster.live_pods()}
    app = action_app(NODE, namespace="")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.action_runner is not None and names(app) == ["node-1"])
        app.action_runner.drain_options = FAST_DRAIN  # the runner of the session opened
        await pilot.press("r")
        confirm = await wait_for(lambda: isinstance(app.screen, ConfirmDialog)
                                 and app.screen)
        assert "node/node-1" in str(confirm.query_one("#body").render())
        await pilot.press("right", "enter")
        await wait_for(lambda: noted(app, "will retry after 0.1s"))
        assert _unschedulable(cluster)
        assert {p["metadata"]["uid"] for p in cluster.live_pods()} == old  # budget held
        await cluster.client.request(  # the budget is loosened: evictions go through
            "PATCH", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/web",
            {"spec": {"minAvailable": 0}}, content_type="application/merge-patch+json")
        await wait_for(lambda: noted(app, "node/node-1 drained: 2 pods evicted"))
    assert not old & {p["metadata"]["uid"] for p in cluster.store.iter(PODS)}
    evictions = [r for r in cluster.running.server.mutating_requests()
                 if r.path.endswith("/eviction")]
    assert len(evictions) > 2  # refused while the budget said no, then accepted
