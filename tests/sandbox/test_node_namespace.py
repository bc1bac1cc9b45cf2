"""Deleting a namespace empties it (pods gracefully), then removes it."""

from __future__ import annotations

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from tests.waiting import wait_for

from tests.sandbox.node_helpers import add_node, create_pod, get_pod, is_ready, node_cluster, pod

pytestmark = pytest.mark.asyncio
NAMESPACES = ("", "namespaces")


def contents(sb, ns: str) -> list[tuple[str, str]]:
    return [(key[1], o["metadata"]["name"]) for key in sb.store.resources()
            if key != NAMESPACES for o in sb.store.list(key, ns)[0]]


async def test_deleting_a_namespace_empties_it_then_removes_it() -> None:
    async with node_cluster(workloads=True) as sb:
        add_node(sb, "n1")
        verbs.create(sb, builtin("Namespace"), "", {"metadata": {"name": "team"}}, "v1")
        create_pod(sb, pod("api", namespace="team",
                           image="example/ignore-sigterm",
                           terminationGracePeriodSeconds=10))  # 0.2 s at this pace
        verbs.create(sb, builtin("ConfigMap"), "team",
                     {"metadata": {"name": "settings"}, "data": {"a": "1"}}, "v1")
        verbs.create(sb, builtin("Deployment"), "team", {
            "metadata": {"name": "web"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
        }, "apps/v1")
        await wait_for(lambda: is_ready(sb, "api", "team") and sum(
            1 for p in sb.store.iter(("", "pods")) if p["metadata"]["namespace"] == "team"
        ) == 3)

        verbs.delete(sb, builtin("Namespace"), "", "team")
        ns = sb.store.get(NAMESPACES, "", "team")
        assert ns["status"]["phase"] == "Terminating"
        # The pod goes gracefully: it is marked, not removed at once.
        await wait_for(lambda: (get_pod(sb, "api", "team") or {}).get("metadata", {})
                       .get("deletionTimestamp"))
        await wait_for(lambda: "pods has" in next(
            (c["message"] for c in (sb.store.find(NAMESPACES, "", "team") or {}).get(
                "status", {}).get("conditions", ()) if c["type"] == "NamespaceContentRemaining"),
            ""))
        await wait_for(lambda: sb.store.find(NAMESPACES, "", "team") is None, timeout=20)
        assert contents(sb, "team") == []
