"""MetricsFeed against the sandbox: a poll of every namespace read one namespace at a time
(the view counts many pods) gives the same reading as the one list, and `kubectl top`'s
figures."""

from __future__ import annotations

import asyncio

import orjson

from kubetui.cluster import metrics
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.metrics import GROUP_VERSION, MetricsFeed, Reading
from kubetui.quantity import parse_quantity
from kubetui.sandbox.metrics import CPU_ANNOTATION, MEMORY_ANNOTATION
from tests.waiting import wait_for

PODS = {("default", "web-1"): ("250m", "100Mi"), ("shop", "cart-1"): ("1500m", "700Mi"),
        ("shop", "cart-2"): ("20m", "64Mi")}


async def pinned_pods(client: ClusterClient) -> None:
    """Running pods whose simulated use is fixed, in two namespaces."""
    await client.request("POST", "/api/v1/nodes", {"metadata": {"name": "node-1"}, "spec": {}})
    await client.request("POST", "/api/v1/namespaces", {"metadata": {"name": "shop"}})
    for (namespace, name), (cpu, memory) in PODS.items():
        await client.request("POST", f"/api/v1/namespaces/{namespace}/pods", {
            "metadata": {"name": name, "annotations": {CPU_ANNOTATION: cpu,
                                                       MEMORY_ANNOTATION: memory}},
            "spec": {"nodeName": "node-1", "containers": [
                {"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx"}]}})


def ignore(_: Reading) -> None:
    pass


async def test_a_large_view_reads_one_namespace_at_a_time(client: ClusterClient,
                                                          kubectl) -> None:
    await pinned_pods(client)
    whole = MetricsFeed(client, False, None, ignore)

    async def all_running() -> Reading | None:
        reading = (await whole.read())[0]
        return reading if set(reading.usage) >= set(PODS) else None

    reading = await wait_for(all_running, message="every pod in the metrics")
    assert whole.paths() == [f"{GROUP_VERSION}/pods"]

    counts = {"default": 1, "shop": 2}
    small = MetricsFeed(client, False, None, ignore, namespaces=lambda: counts)
    assert small.paths() == [f"{GROUP_VERSION}/pods"]  # 3 pods: one list
    split = MetricsFeed(client, False, None, ignore, namespaces=lambda: counts,
                        containers=False, split_above=2)
    assert split.paths() == [f"{GROUP_VERSION}/namespaces/default/pods",
                             f"{GROUP_VERSION}/namespaces/shop/pods"]
    parts, window = await split.read()
    assert window == 15.0
    assert parts.error == "" and parts.containers == {}  # only the sums were kept
    for key, (cpu, memory) in PODS.items():
        assert parts.usage[key] == reading.usage[key], key
        assert parts.usage[key] == (
            parse_quantity(cpu), parse_quantity(memory)), key
    assert set(reading.containers[("shop", "cart-1")]) == {"a", "b"}

    top = (await kubectl("top", "pod", "-A", "--no-headers")).stdout.splitlines()
    said = {(f[0], f[1]): (f[2], f[3]) for f in (line.split() for line in top)}
    assert said[("shop", "cart-1")] == ("1500m", "700Mi")
    assert said[("default", "web-1")] == ("250m", "100Mi")



async def test_a_list_is_folded_in_turns_of_the_event_loop(monkeypatch) -> None:
    """A namespace's list (thousands of pods) is folded into the reading a slice at a
    time on the event loop, which runs other work in between, to the same reading."""
    monkeypatch.setattr(metrics, "YIELD_AFTER", 0.0)
    body = {"kind": "PodMetricsList", "items": [
        {"metadata": {"name": f"p-{i}", "namespace": "shop"}, "window": "15s",
         "containers": [{"name": "a", "usage": {"cpu": f"{i}n", "memory": f"{i}Ki"}}]}
        for i in range(1000)]}
    usage: dict[tuple[str, str], metrics.Usage] = {}
    seen: set[int] = set()  # how many pods the reading held at each turn of the loop

    async def look() -> None:
        while True:
            seen.add(len(usage))
            await asyncio.sleep(0)

    looking = asyncio.create_task(look())
    await asyncio.sleep(0)
    try:
        error, window = await metrics._decode_into(orjson.dumps(body), usage, None)
    finally:
        looking.cancel()
    assert (error, window) == ("", 15.0)
    assert usage == metrics.parse_reading(body, 0.0)[0].usage
    assert usage[("shop", "p-7")] == (7e-9, 7 * 1024.0)
    assert len(seen & set(range(100, 1000, 100))) >= 5, sorted(seen)
