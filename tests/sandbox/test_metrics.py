"""metrics.k8s.io/v1beta1 as metrics-server serves it: discovery, lists, gets, and
`kubectl top` reading it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.sandbox.conftest import Api, raw_api
from tests.shared_sandbox import Use
from tests.waiting import wait_for

METRICS = "/apis/metrics.k8s.io/v1beta1"


@pytest_asyncio.fixture
async def demo_api(shared_demo: Use) -> AsyncIterator[Api]:
    async with raw_api(shared_demo.running) as client:
        yield client


async def _running_frontends(api: Api) -> list[dict]:
    status, doc = await api.call("GET", f"{METRICS}/namespaces/shop/pods?labelSelector="
                                        "app.kubernetes.io/name%3Dfrontend")
    assert status == 200
    return doc["items"] if len(doc["items"]) == 3 else []


async def test_discovery_lists_metrics_read_only(shared_api: Api) -> None:
    status, doc = await shared_api.call("GET", METRICS)
    assert status == 200
    kinds = {r["name"]: r for r in doc["resources"]}
    assert kinds["pods"]["kind"] == "PodMetrics" and kinds["pods"]["namespaced"]
    assert kinds["nodes"]["kind"] == "NodeMetrics" and not kinds["nodes"]["namespaced"]
    assert kinds["pods"]["verbs"] == ["get", "list"]
    status, _ = await shared_api.call("GET", f"{METRICS}/pods?watch=true")
    assert status == 405


async def test_pod_and_node_metrics_over_http(shared_demo: Use, demo_api: Api) -> None:
    frontends = await wait_for(lambda: _running_frontends(demo_api), timeout=20)
    usage = frontends[0]["containers"][0]["usage"]
    assert usage["cpu"].endswith("n") and usage["memory"].endswith("Ki")
    name = frontends[0]["metadata"]["name"]
    status, one = await demo_api.call("GET", f"{METRICS}/namespaces/shop/pods/{name}")
    assert (status, one["kind"], one["metadata"]["namespace"]) == (200, "PodMetrics", "shop")
    status, missing = await demo_api.call("GET", f"{METRICS}/namespaces/shop/pods/nope")
    assert status == 404 and missing["reason"] == "NotFound"
    status, every = await demo_api.call("GET", f"{METRICS}/pods")
    assert {m["metadata"]["namespace"] for m in every["items"]} >= {"shop", "data"}
    assert every["kind"] == "PodMetricsList"
    status, nodes = await demo_api.call("GET", f"{METRICS}/nodes")
    assert status == 200 and nodes["kind"] == "NodeMetricsList"
    assert {n["metadata"]["name"] for n in nodes["items"]} >= {"demo-worker-1",
                                                                 "demo-worker-small"}
    status, node = await demo_api.call("GET", f"{METRICS}/nodes/demo-worker-1")
    assert status == 200 and node["kind"] == "NodeMetrics"
    assert shared_demo.unmatched() == []


async def test_kubectl_top(shared_demo: Use, demo_api: Api, kubectl) -> None:  # noqa: ANN001
    await wait_for(lambda: _running_frontends(demo_api), timeout=20)
    pods = await kubectl("top", "pods", "-A")
    lines = pods.stdout.splitlines()
    assert lines[0].split()[:4] == ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    frontend = next(ln.split() for ln in lines if ln.split()[1].startswith("frontend-"))
    assert frontend[0] == "shop" and frontend[2].endswith("m") and frontend[3].endswith("Mi")
    nodes = await kubectl("top", "nodes")
    rows = {ln.split()[0]: ln.split() for ln in nodes.stdout.splitlines()[1:]}
    assert set(rows) == {"demo-worker-1", "demo-worker-2", "demo-worker-3",
                         "demo-worker-small"}
    assert all(r[2].endswith("%") for r in rows.values())
    shop = await kubectl("top", "pod", "-n", "shop", "--no-headers")
    assert all(not ln.startswith("shop ") for ln in shop.stdout.splitlines())
    assert shared_demo.unmatched() == []
