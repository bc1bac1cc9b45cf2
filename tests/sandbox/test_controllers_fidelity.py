"""Control-plane behaviour other clients rely on, judged by kubectl and the clients:
ReplicationControllers, the per-namespace ServiceAccount and CA bundle, Jobs that give up,
Secrets written with stringData."""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.controllers.job import JOBS, JobController
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from kubetui.sandbox.controllers.scheduler import Scheduler
from kubetui.sandbox.core import Sandbox
from tests.conftest import ROOT_CA
from tests.waiting import wait_for

from tests.sandbox.node_helpers import PODS, add_node

pytestmark = pytest.mark.asyncio


async def test_replication_controller_keeps_its_pods(sandbox, kubectl: Callable) -> None:
    add_node(sandbox.sandbox, "node-1")
    rc = {"apiVersion": "v1", "kind": "ReplicationController",
          "metadata": {"name": "legacy"},
          "spec": {"replicas": 2, "template": {
              "metadata": {"labels": {"app": "legacy"}},
              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    await kubectl("create", "-f", "-", input=json.dumps(rc))
    store = sandbox.sandbox.store
    stored = store.get(("", "replicationcontrollers"), "default", "legacy")
    assert stored["spec"]["selector"] == {"app": "legacy"}  # defaulted from the template
    await wait_for(lambda: len(store.list(PODS, "default")[0]) == 2)
    await kubectl("scale", "rc", "legacy", "--replicas=3")
    await wait_for(lambda: len(store.list(PODS, "default")[0]) == 3)
    pod = store.list(PODS, "default")[0][0]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicationController"
    await wait_for(lambda: (store.get(("", "replicationcontrollers"), "default", "legacy")
                            .get("status") or {}).get("replicas") == 3)
    out = (await kubectl("get", "rc", "legacy", "-o", "jsonpath={.status.replicas}")).stdout
    assert out == "3"


async def test_every_namespace_gets_default_sa_and_root_ca(sandbox, kubectl: Callable) -> None:
    await kubectl("create", "namespace", "team")
    store = sandbox.sandbox.store
    await wait_for(lambda: store.find(("", "serviceaccounts"), "team", "default"))
    cm = await wait_for(lambda: store.find(("", "configmaps"), "team", ROOT_CA))
    assert cm["data"]["ca.crt"] == sandbox.ca_pem.decode()
    # Both come back when deleted or changed, as the real controllers restore them.
    await kubectl("delete", "serviceaccount", "default", "-n", "team")
    await kubectl("patch", "configmap", ROOT_CA, "-n", "team", "--type=merge",
                  "-p", '{"data":{"ca.crt":"tampered"}}')
    await wait_for(lambda: store.find(("", "serviceaccounts"), "team", "default"))
    await wait_for(lambda: store.get(("", "configmaps"), "team", ROOT_CA)["data"]["ca.crt"]
                   == sandbox.ca_pem.decode())
    out = (await kubectl("get", "sa", "-n", "team", "-o", "name")).stdout
    assert out.split() == ["serviceaccount/default"]


async def test_secret_string_data_is_stored_as_data(sandbox, kubectl: Callable) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"},
              "data": {"user": base64.b64encode(b"old").decode()},
              "stringData": {"user": "admin", "password": "s3cret"}}
    await kubectl("apply", "-f", "-", input=json.dumps(secret))
    stored = sandbox.sandbox.store.get(("", "secrets"), "default", "creds")
    assert "stringData" not in stored
    assert {k: base64.b64decode(v).decode() for k, v in stored["data"].items()} == \
        {"user": "admin", "password": "s3cret"}
    table = (await kubectl("get", "secret", "creds")).stdout.splitlines()
    assert table[1].split()[:3] == ["creds", "Opaque", "2"]


async def test_job_at_backoff_limit_fails_and_stops_making_pods() -> None:
    """restartPolicy OnFailure counts container restarts; once the limit is passed the
    Job deletes its pod and fails, and starts no other (the issue: one every ~40 s)."""
    sb = Sandbox.create()
    sb.start_controllers([
        functools.partial(Scheduler, backoff=0.05),
        functools.partial(Kubelet, timing=KubeletTiming(pace=0.02, backoff_base=5)),
        functools.partial(JobController, backoff_base=0.05),
    ])
    created: list[str] = []
    sb.store.add_listener(lambda ev: created.append(ev.obj["metadata"]["name"])
                          if ev.key == PODS and ev.type == "ADDED" else None)
    try:
        add_node(sb, "node-1")
        verbs.create(sb, builtin("Job"), "default", {
            "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "doomed"},
            "spec": {"backoffLimit": 1, "template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "c", "image": "crashloop"}]}}}}, "v1")

        def failed() -> bool:
            conds = (sb.store.get(JOBS, "default", "doomed").get("status") or {}).get(
                "conditions") or []
            return any(c["type"] == "Failed" and c["status"] == "True" for c in conds)
        await wait_for(failed, timeout=30)
        await wait_for(lambda: sb.store.count(PODS) == 0, timeout=30)
        job = sb.store.get(JOBS, "default", "doomed")
        assert job["status"]["failed"] >= 2
        # However often it is synced now, the Job makes no pod (a sync run directly, so
        # nothing depends on timing).
        for _ in range(3):
            assert JobController(sb).sync(("default", "doomed")) is None
        assert sb.store.count(PODS) == 0 and len(created) == 1
    finally:
        await sb.stop()


async def test_probe_failure_events_name_the_probes_kind(isolated_home, monkeypatch,
                                                         kubectl: Callable) -> None:  # noqa: ANN001
    """A failing TCP readiness probe reports a dial error, an HTTP one a status code (the
    issue: a TCP probe said "HTTP probe failed with statuscode: 503")."""
    from tests.conftest import serving_sandbox

    async with serving_sandbox(isolated_home, monkeypatch, pace=0.02) as running:
        add_node(running.sandbox, "node-1")
        probes = {"tcp": {"tcpSocket": {"port": "web"}}, "http": {"httpGet": {"port": 80}}}
        for name, probe in probes.items():
            await kubectl("create", "-f", "-", input=json.dumps({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                "spec": {"containers": [{
                    "name": "c", "image": "example/never-ready",
                    "ports": [{"name": "web", "containerPort": 8080}],
                    "readinessProbe": {**probe, "periodSeconds": 5}}]}}))

        async def messages() -> dict[str, str]:
            out = await kubectl("get", "events", "--field-selector", "reason=Unhealthy",
                                "-o", "json")
            return {e["involvedObject"]["name"]: e["message"]
                    for e in json.loads(out.stdout)["items"]}
        found = await wait_for(lambda: _both(messages), timeout=30)
        ip = running.sandbox.store.get(PODS, "default", "tcp")["status"]["podIP"]
        assert found["tcp"] == (f"Readiness probe failed: dial tcp {ip}:8080: connect: "
                                "connection refused")
        assert found["http"] == "Readiness probe failed: HTTP probe failed with statuscode: 503"


async def _both(messages: Callable) -> dict[str, str] | None:
    got = await messages()
    return got if {"tcp", "http"} <= set(got) else None


async def test_statefulset_status_writes_available_replicas_zero(sandbox,
                                                                 kubectl: Callable) -> None:
    """StatefulSetStatus.availableReplicas has no omitempty: a set with no pod available
    still shows `availableReplicas: 0` (clients read it without a default)."""
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"replicas": 1, "serviceName": "db",
                    "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}},
                                 "spec": {"containers": [{"name": "c", "image": "db"}]}}}}
    await kubectl("create", "-f", "-", input=json.dumps(sts))  # no node: nothing runs
    store = sandbox.sandbox.store
    status = await wait_for(lambda: store.get(("apps", "statefulsets"), "default",
                                              "db").get("status", {}).get("replicas"))
    out = json.loads((await kubectl("get", "sts", "db", "-o", "json")).stdout)
    assert status and out["status"]["availableReplicas"] == 0


async def test_every_node_heartbeats_a_lease(sandbox, kubectl: Callable) -> None:
    """kube-node-lease holds one Lease per node, held by the node and owned by it."""
    add_node(sandbox.sandbox, "node-1")
    lease = await wait_for(lambda: sandbox.sandbox.store.find(
        ("coordination.k8s.io", "leases"), "kube-node-lease", "node-1"))
    out = json.loads((await kubectl("get", "lease", "node-1", "-n", "kube-node-lease",
                                    "-o", "json")).stdout)
    assert out["spec"]["holderIdentity"] == "node-1"
    assert out["spec"]["leaseDurationSeconds"] == 40 and out["spec"]["renewTime"]
    assert out["metadata"]["ownerReferences"][0]["kind"] == "Node"
    assert lease["metadata"]["uid"] == out["metadata"]["uid"]
