"""Simulated metrics in metrics-server's shapes."""

from __future__ import annotations

import pytest

from kubetui.sandbox.metrics import CPU_ANNOTATION, node_metrics, pod_metrics
from kubetui.quantity import parse_quantity
from tests.waiting import wait_for

from tests.sandbox.node_helpers import add_node, create_pod, is_ready, node_cluster, pod

pytestmark = pytest.mark.asyncio


async def test_pod_and_node_metrics() -> None:
    async with node_cluster() as sb:
        add_node(sb, "n1")
        create_pod(sb, pod("steady", cpu="200m", memory="128Mi"))
        hog = pod("hog", image="example/cpu-hog")
        hog["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "500m",
                                                                "memory": "64Mi"}}
        create_pod(sb, hog)
        told = pod("told")
        told["metadata"]["annotations"] = {CPU_ANNOTATION: "450m"}
        create_pod(sb, told)
        create_pod(sb, pod("crash", image="crashloop", restartPolicy="Never"))
        await wait_for(lambda: all(is_ready(sb, n) for n in ("steady", "hog", "told")))
        pods = {m["metadata"]["name"]: m for m in pod_metrics(sb, "default")}
        assert set(pods) >= {"steady", "hog", "told"}
        steady = pods["steady"]
        assert (steady["kind"], steady["apiVersion"]) == ("PodMetrics",
                                                          "metrics.k8s.io/v1beta1")
        usage = steady["containers"][0]["usage"]
        assert usage["cpu"].endswith("n") and usage["memory"].endswith("Ki")
        assert 0.05 <= parse_quantity(usage["cpu"]) <= 0.2
        assert parse_quantity(usage["memory"]) <= 128 * 2**20
        hog_cpu = parse_quantity(pods["hog"]["containers"][0]["usage"]["cpu"])
        assert 0.45 <= hog_cpu <= 0.5
        assert parse_quantity(pods["told"]["containers"][0]["usage"]["cpu"]) == \
            pytest.approx(0.45)
        assert pod_metrics(sb, "kube-system") == []
        await wait_for(lambda: (sb.store.find(("", "pods"), "default", "crash") or {})
                       .get("status", {}).get("phase") == "Failed")
        assert "crash" not in {m["metadata"]["name"] for m in pod_metrics(sb, None)}
        nodes = node_metrics(sb)
        assert [n["metadata"]["name"] for n in nodes] == ["n1"]
        total = sum(parse_quantity(c["usage"]["cpu"]) for m in pod_metrics(sb, None)
                    for c in m["containers"])
        assert parse_quantity(nodes[0]["usage"]["cpu"]) > total
