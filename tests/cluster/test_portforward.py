"""kubetui's port-forwards against the sandbox's pods/portforward: HTTP through a forward to
a pod and to a Service, a Service forward following its pod when that pod is deleted, a pod
forward waiting for its pod to come back, a stream cut by the fault switch, the ports a
dialog offers."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from kubetui.cluster.portforward import (ACTIVE, FAILED, RECONNECTING, Forward,
                                         ForwardManager, PortChoice, Target, port_choices)
from kubetui.kinds import builtin
from tests.fast_cluster import Cluster
from tests.sandbox.streaming import read_until_closed
from tests.waiting import wait_for

POD = builtin("Pod")
SERVICE = builtin("Service")
DEPLOY = builtin("Deployment")
PODS = ("", "pods")
WEB_PORTS = [{"name": "http", "containerPort": 8080}]


async def get(forward_port: int, path: str = "/") -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{forward_port}{path}",
                            timeout=aiohttp.ClientTimeout(total=10)) as resp:
            return resp.status, await resp.text()


def running(cluster: Cluster, name: str) -> bool:
    """Running and Ready (what a Service's forward waits for)."""
    pod = next((p for p in cluster.store.iter(PODS) if p["metadata"]["name"] == name), {})
    return (pod.get("status") or {}).get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or ())


def pod_names(cluster: Cluster, app: str | None = None) -> list[str]:
    return [p["metadata"]["name"] for p in cluster.store.iter(PODS)
            if (app is None or p["metadata"].get("labels", {}).get("app") == app)
            and not p["metadata"].get("deletionTimestamp")]


def web_pod(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.25",
                                     "ports": WEB_PORTS}]}}


def web_deployment_and_service(cluster: Cluster) -> None:
    labels = {"app": "web"}
    cluster.create({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": labels},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                     {"name": "app", "image": "nginx:1.25", "ports": WEB_PORTS}]}}}})
    cluster.create({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "web", "namespace": "default"},
                    "spec": {"selector": labels,
                             "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})


async def solo_forward(cluster: Cluster) -> tuple[ForwardManager, Forward]:
    """Pod `solo` (HTTP on 8080) running, and a forward to it."""
    cluster.create(web_pod("solo"))
    await wait_for(lambda: running(cluster, "solo"), timeout=30)
    manager = ForwardManager(cluster.client, check_interval=0.1)
    return manager, await manager.start(Target(POD, "default", "solo"), 8080)


async def test_forward_to_a_pod_carries_http(cluster: Cluster) -> None:
    manager, forward = await solo_forward(cluster)
    assert forward.state == ACTIVE and forward.pod == "solo"
    status, body = await get(forward.local_port)
    assert status == 200 and "default/solo" in body
    await wait_for(lambda: forward.open_connections == 0)
    assert forward.connections == 1 and forward.bytes_in > len(body) and forward.bytes_out > 0
    await manager.stop_all()
    assert manager.forwards == []


async def test_service_forward_follows_to_another_pod_when_its_pod_is_deleted(
        cluster: Cluster) -> None:
    web_deployment_and_service(cluster)
    await wait_for(lambda: cluster.rolled_out() and len(
        [n for n in pod_names(cluster, "web") if running(cluster, n)]) == 2, timeout=30)
    manager = ForwardManager(cluster.client, check_interval=0.1)
    forward = await manager.start(Target(SERVICE, "default", "web"), 80)
    assert forward.state == ACTIVE and forward.pod_port == 8080
    first = forward.pod
    status, body = await get(forward.local_port)
    assert status == 200 and f"default/{first}," in body

    await cluster.client.request("DELETE", f"/api/v1/namespaces/default/pods/{first}",
                                 {"gracePeriodSeconds": 0})
    await wait_for(lambda: forward.pod != first and forward.state == ACTIVE, timeout=30)
    assert forward.moves and forward.moves[-1].startswith(f"{first} -> ")
    status, body = await get(forward.local_port)
    assert status == 200 and f"default/{forward.pod}," in body and first not in body
    await manager.stop_all()


async def test_deployment_forward_goes_to_one_of_its_ready_pods(cluster: Cluster) -> None:
    web_deployment_and_service(cluster)
    await wait_for(lambda: len([n for n in pod_names(cluster, "web")
                                if running(cluster, n)]) == 2, timeout=30)
    manager = ForwardManager(cluster.client, check_interval=0.1)
    forward = await manager.start(Target(DEPLOY, "default", "web"), 8080)
    assert forward.state == ACTIVE and forward.pod in pod_names(cluster, "web")
    status, body = await get(forward.local_port)
    assert status == 200 and f"default/{forward.pod}," in body
    await manager.stop_all()


async def test_pod_forward_reconnects_when_its_pod_comes_back(cluster: Cluster) -> None:
    manager, forward = await solo_forward(cluster)
    await cluster.client.request("DELETE", "/api/v1/namespaces/default/pods/solo",
                                 {"gracePeriodSeconds": 0})
    await wait_for(lambda: forward.state == RECONNECTING, timeout=30)
    assert "solo" in forward.reason
    await wait_for(lambda: "solo" not in pod_names(cluster), timeout=30)
    cluster.create(web_pod("solo"))
    await wait_for(lambda: forward.state == ACTIVE, timeout=30)
    status, body = await get(forward.local_port)
    assert status == 200 and "default/solo" in body
    await manager.stop_all()


async def test_the_pods_side_closing_ends_the_local_connection(cluster: Cluster) -> None:
    manager, forward = await solo_forward(cluster)
    answer = await read_until_closed(forward.local_port, b"GET / HTTP/1.0\r\nHost: solo\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 ") and body.startswith(b"Hello from default/solo")
    answer = await read_until_closed(forward.local_port, b"GET /healthz HTTP/1.1\r\nHost: solo\r\n"
                                                   b"Connection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nok\n")
    await wait_for(lambda: forward.open_connections == 0)
    assert forward.connections == 2 and forward.cuts == 0  # an end, not a cut
    await manager.stop_all()


async def test_a_client_that_stops_sending_still_gets_the_whole_answer(
        cluster: Cluster) -> None:
    """The local side's end of sending is not the end of the connection (kubectl only
    half-closes its stream there): the answer still comes, then the close."""
    web_deployment_and_service(cluster)
    await wait_for(lambda: len([n for n in pod_names(cluster, "web")
                                if running(cluster, n)]) == 2, timeout=30)
    manager = ForwardManager(cluster.client, check_interval=0.1)
    forward = await manager.start(Target(SERVICE, "default", "web"), 80)
    answer = await read_until_closed(forward.local_port, b"GET /bytes/300000 HTTP/1.0\r\n\r\n",
                               half_close=True)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 ") and len(body) == 300000
    # a keep-alive server does not close: the connection ends a grace period later
    answer = await read_until_closed(
        forward.local_port, b"GET /healthz HTTP/1.1\r\nHost: web\r\n\r\n", half_close=True)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b"\r\n\r\nok\n")
    await wait_for(lambda: forward.open_connections == 0)
    assert forward.cuts == 0 and forward.connections == 2
    await manager.stop_all()


async def test_a_cut_stream_closes_its_connection_and_the_forward_goes_on(
        cluster: Cluster) -> None:
    manager, forward = await solo_forward(cluster)
    reader, writer = await asyncio.open_connection("127.0.0.1", forward.local_port)
    await wait_for(lambda: forward.open_connections == 1)
    cluster.running.sandbox.faults.drop_streams_every = 0.2
    assert await asyncio.wait_for(reader.read(), 10) == b""  # the cut reaches the client
    writer.close()
    cluster.running.sandbox.faults.drop_streams_every = 0
    await wait_for(lambda: forward.cuts == 1 and forward.open_connections == 0)
    assert forward.state == ACTIVE
    status, _ = await get(forward.local_port)
    assert status == 200
    await manager.stop_all()


def test_port_choices_of_a_pod_a_service_and_a_deployment() -> None:
    pod = web_pod("p")
    assert port_choices(Target(POD, "d", "p"), pod) == [PortChoice(8080, "http",
                                                                    container="app")]
    service = {"spec": {"ports": [{"name": "http", "port": 80, "targetPort": "http"},
                                  {"port": 53, "protocol": "UDP"}]}}
    assert port_choices(Target(SERVICE, "d", "s"), service) == [PortChoice(80, "http",
                                                                            "http")]
    deploy = {"spec": {"template": pod}}
    assert [c.describe() for c in port_choices(Target(DEPLOY, "d", "w"), deploy)] == \
        ["8080 (app/http)"]


async def test_rbac_forbidding_port_forward_fails_the_forward_in_words(
        cluster: Cluster) -> None:
    manager, forward = await solo_forward(cluster)
    cluster.running.sandbox.faults.rbac = "readonly"
    reader, writer = await asyncio.open_connection("127.0.0.1", forward.local_port)
    assert await asyncio.wait_for(reader.read(), 10) == b""  # refused: closed at once
    writer.close()
    assert forward.state == FAILED
    assert forward.reason.startswith('Forbidden: you may not create portforward of pods '
                                     '"solo"')
    cluster.running.sandbox.faults.rbac = "full"  # failed stays failed: it says why
    reader, writer = await asyncio.open_connection("127.0.0.1", forward.local_port)
    assert await asyncio.wait_for(reader.read(), 10) == b""
    writer.close()
    assert forward.state == FAILED and forward.connections == 2
    await manager.stop_all()
