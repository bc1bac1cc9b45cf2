"""The scheduler: free resources, cordons, taints, selectors, and why a pod stays Pending."""

from __future__ import annotations

import pytest

from kubetui.sandbox.apiserver.store import clone
from tests.waiting import wait_for

from tests.sandbox.node_helpers import (
    NODES, add_node, condition, create_pod, get_pod, node_cluster, pod, pod_events, status,
)

pytestmark = pytest.mark.asyncio


def node_of(sb, name: str) -> str | None:
    p = get_pod(sb, name)
    return p and p["spec"].get("nodeName")


async def test_pods_go_where_resources_are_free_and_never_to_a_cordoned_node() -> None:
    async with node_cluster() as sb:
        add_node(sb, "small", cpu="1")
        add_node(sb, "big", cpu="4")
        add_node(sb, "cordoned", cpu="64", unschedulable=True)
        create_pod(sb, pod("wide", cpu="2"))
        assert await wait_for(lambda: node_of(sb, "wide")) == "big"
        for i in range(6):
            create_pod(sb, pod(f"p{i}", cpu="100m"))
        await wait_for(lambda: all(node_of(sb, f"p{i}") for i in range(6)))
        placed = [node_of(sb, f"p{i}") for i in range(6)]
        assert "cordoned" not in placed
        # Least-allocated spreading puts some on the small node too.
        assert {"small", "big"} <= set(placed)
        assert condition(sb, "wide", "PodScheduled")["status"] == "True"
        scheduled = [e for e in pod_events(sb, "wide") if e.reason == "Scheduled"]
        assert scheduled[0].message == "Successfully assigned default/wide to big"


async def test_best_effort_pods_spread_evenly() -> None:
    async with node_cluster() as sb:
        add_node(sb, "a")
        add_node(sb, "b")
        for i in range(8):
            create_pod(sb, pod(f"be{i}"))
        await wait_for(lambda: all(node_of(sb, f"be{i}") for i in range(8)))
        placed = [node_of(sb, f"be{i}") for i in range(8)]
        assert placed.count("a") == placed.count("b") == 4


async def test_equal_nodes_fill_least_allocated_first_then_say_why_not() -> None:
    """Nodes of one size take the scheduler's column fast path until one is full."""
    async with node_cluster() as sb:
        for name in ("a", "b", "c"):
            add_node(sb, name, cpu="1", pods="3")
        create_pod(sb, pod("first", cpu="600m"))
        home = await wait_for(lambda: node_of(sb, "first"))
        for i in range(2):  # the two empty nodes score best
            create_pod(sb, pod(f"next{i}", cpu="600m"))
            await wait_for(lambda: node_of(sb, f"next{i}"))
        assert {node_of(sb, "next0"), node_of(sb, "next1")} == {"a", "b", "c"} - {home}
        for i in range(6):  # room for three more small pods per node, by pod count
            create_pod(sb, pod(f"small{i}", cpu="100m"))
        await wait_for(lambda: all(node_of(sb, f"small{i}") for i in range(6)))
        placed = [node_of(sb, f"small{i}") for i in range(6)]
        assert sorted(placed) == ["a", "a", "b", "b", "c", "c"]
        create_pod(sb, pod("late", cpu="100m"))
        await wait_for(lambda: condition(sb, "late", "PodScheduled").get("reason"))
        assert condition(sb, "late", "PodScheduled")["message"].startswith(
            "0/3 nodes are available: 3 Too many pods.")


async def test_a_pod_that_fits_nowhere_stays_pending_until_a_node_frees_up() -> None:
    async with node_cluster() as sb:
        add_node(sb, "small", cpu="1")
        add_node(sb, "cordoned", cpu="8", unschedulable=True)
        create_pod(sb, pod("huge", cpu="3"))
        await wait_for(lambda: condition(sb, "huge", "PodScheduled").get("reason"))
        cond = condition(sb, "huge", "PodScheduled")
        expected = ("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were "
                    "unschedulable. preemption: 0/2 nodes are available: 1 No preemption "
                    "victims found for incoming pod, 1 Preemption is not helpful for "
                    "scheduling.")
        assert (cond["status"], cond["reason"], cond["message"]) == \
            ("False", "Unschedulable", expected)
        assert status(sb, "huge")["phase"] == "Pending"
        failed = [e for e in pod_events(sb, "huge") if e.reason == "FailedScheduling"]
        assert failed and failed[0].type == "Warning" and failed[0].message == expected
        # Uncordoning the big node lets it through.
        node = clone(sb.store.get(NODES, "", "cordoned"))
        node["spec"]["unschedulable"] = False
        sb.store.update(NODES, node)
        assert await wait_for(lambda: node_of(sb, "huge")) == "cordoned"
        await wait_for(lambda: condition(sb, "huge", "PodScheduled").get("status") == "True")


async def test_node_selector_affinity_and_taints() -> None:
    async with node_cluster() as sb:
        add_node(sb, "hdd", labels={"disk": "hdd"})
        add_node(sb, "ssd", labels={"disk": "ssd"})
        add_node(sb, "gpu", labels={"disk": "ssd"},
                 taints=[{"key": "gpu", "value": "true", "effect": "NoSchedule"}])
        create_pod(sb, pod("fast", nodeSelector={"disk": "ssd"}))
        assert await wait_for(lambda: node_of(sb, "fast")) == "ssd"
        create_pod(sb, pod("pinned", affinity={"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In",
                                  "values": ["gpu"]}]}]}}},
            tolerations=[{"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]))
        assert await wait_for(lambda: node_of(sb, "pinned")) == "gpu"
        create_pod(sb, pod("untolerated", affinity={"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In",
                                       "values": ["gpu"]}]}]}}}))
        await wait_for(lambda: condition(sb, "untolerated", "PodScheduled").get("message"))
        assert condition(sb, "untolerated", "PodScheduled")["message"].startswith(
            "0/3 nodes are available: 1 node(s) had untolerated taint {gpu: true}, 2 node(s) "
            "didn't match Pod's node affinity/selector.")
        assert node_of(sb, "untolerated") is None
