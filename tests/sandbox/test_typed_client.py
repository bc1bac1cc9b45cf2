"""kubernetes-asyncio's typed APIs against the sandbox: its models reject objects missing
required fields, so these prove the sandbox serves complete objects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from kubernetes_asyncio import client, config, watch

from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "api", "namespace": "default"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
             "template": {"metadata": {"labels": {"app": "api"}},
                          "spec": {"containers": [{"name": "api", "image": "api:1"}]}}},
}


@pytest.fixture
async def api_client(sandbox) -> AsyncIterator[client.ApiClient]:
    cfg = client.Configuration()
    await config.load_kube_config(config_file=str(sandbox.kubeconfig),
                                  client_configuration=cfg)
    async with client.ApiClient(cfg) as api:
        yield api


async def test_list_and_scale(sandbox, api_client: client.ApiClient) -> None:
    apps = client.AppsV1Api(api_client)
    await apps.create_namespaced_deployment("default", DEPLOYMENT)
    deps = await apps.list_deployment_for_all_namespaces()
    assert [d.metadata.name for d in deps.items] == ["api"]
    assert deps.metadata.resource_version
    scale = await apps.patch_namespaced_deployment_scale("api", "default",
                                                         {"spec": {"replicas": 4}})
    assert scale.spec.replicas == 4
    stored = sandbox.sandbox.store.get(("apps", "deployments"), "default", "api")
    assert stored["spec"]["replicas"] == 4
    read = await apps.read_namespaced_deployment_scale("api", "default")
    assert read.spec.replicas == 4 and read.status.selector == "app=api"


async def test_every_kind_deserializes(sandbox, api_client: client.ApiClient) -> None:
    """Objects the controllers made (ReplicaSets, pods, events...) and the bootstrap ones
    all come back through the typed list calls without a model error."""
    apps, core = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    await apps.create_namespaced_deployment("default", DEPLOYMENT)
    await core.create_namespaced_service("default", {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
        "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]}})
    await wait_for(lambda: sandbox.sandbox.store.count(("", "pods")) >= 1)
    assert (await core.list_namespace()).items
    assert (await core.list_pod_for_all_namespaces()).items
    assert (await core.list_service_for_all_namespaces()).items
    assert (await apps.list_replica_set_for_all_namespaces()).items
    await core.list_event_for_all_namespaces()
    await core.list_node()
    await client.BatchV1Api(api_client).list_job_for_all_namespaces()
    svc = await core.read_namespaced_service("api", "default")
    assert svc.spec.cluster_ip.startswith("10.")


async def test_watch_stream(sandbox, api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    pods = await core.list_namespaced_pod("default")
    rv = pods.metadata.resource_version
    seen: list[tuple[str, str]] = []

    async def consume() -> None:
        w = watch.Watch()
        async with w.stream(core.list_namespaced_pod, "default", resource_version=rv,
                            timeout_seconds=5) as stream:
            async for event in stream:
                seen.append((event["type"], event["object"].metadata.name))
                if event["type"] == "DELETED":
                    return

    task = asyncio.create_task(consume())
    await wait_for(lambda: sandbox.sandbox.store.watchers())
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    await core.create_namespaced_pod("default", body)
    await core.delete_namespaced_pod("w", "default")
    await asyncio.wait_for(task, 10)
    assert seen[0] == ("ADDED", "w")
    assert seen[-1] == ("DELETED", "w")


async def test_read_pod_log(sandbox, api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    await core.create_namespaced_pod("default", {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "logger"},
        "spec": {"containers": [{"name": "app", "image": "busybox"}]}})
    key = ("default", "logger", "app")
    logs = sandbox.sandbox.logs
    logs.start(key)
    logs.append(key, "hello")
    logs.append(key, "world")
    text = await core.read_namespaced_pod_log("logger", "default")
    assert text == "hello\nworld\n"
    text = await core.read_namespaced_pod_log("logger", "default", tail_lines=1,
                                              timestamps=True)
    stamp, line = text.rstrip("\n").split(" ", 1)
    assert line == "world" and stamp.endswith("Z") and "T" in stamp
