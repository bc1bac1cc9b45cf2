"""The real kubectl against the sandbox: the independent judge of the API server's fidelity.

Each test runs kubectl (a fresh --cache-dir each) and checks the effect in the sandbox's
store, not just the exit code. At the end of each, no request may have missed a route.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from tests.waiting import wait_for

pytestmark = pytest.mark.asyncio

DEPLOY = textwrap.dedent("""\
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: {ns}
      labels: {{app: web}}
    spec:
      replicas: {replicas}
      selector:
        matchLabels: {{app: web}}
      template:
        metadata:
          labels: {{app: web}}
        spec:
          containers:
          - name: nginx
            image: {image}
            ports:
            - containerPort: 80
    """)


def _pod(name: str, ns: str = "default", node: str = "") -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "main", "image": "busybox:1.36"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}}, "spec": spec}


def _store(sandbox):  # noqa: ANN001, ANN202
    return sandbox.sandbox.store


async def _create_ns(kc: Callable, name: str) -> None:
    await kc("create", "namespace", name)


async def test_version_picks_kubectl_1_32(shared_sandbox, kc: Callable) -> None:
    res = await kc("version", "-o", "json")
    doc = json.loads(res.stdout)
    assert doc["serverVersion"]["minor"] == "32"
    assert doc["clientVersion"]["minor"].rstrip("+") == "32"  # the dispatcher chose 1.32


async def test_get_pods_all_namespaces(sandbox, kc: Callable) -> None:
    await _create_ns(kc, "team-a")
    store = _store(sandbox)
    store.create(("", "pods"), _pod("alpha", "default"))
    store.create(("", "pods"), _pod("beta", "team-a"))
    res = await kc("get", "pods", "-A")
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = {tuple(line.split()[:4]) for line in lines[1:]}
    assert ("default", "alpha", "0/1", "Pending") in rows
    assert ("team-a", "beta", "0/1", "Pending") in rows
    wide = await kc("get", "pods", "-n", "team-a", "-o", "wide")
    assert wide.stdout.split("\n")[0].split()[:8] == [
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED"]


async def test_get_deploy_json(sandbox, kc: Callable) -> None:
    await _create_ns(kc, "shop")
    await kc("apply", "-f", "-", input=DEPLOY.format(ns="shop", replicas=2, image="nginx:1.27"))
    res = await kc("get", "deploy", "-n", "shop", "-o", "json")
    doc = json.loads(res.stdout)
    assert doc["kind"] == "List"
    [item] = doc["items"]
    assert item["metadata"]["name"] == "web"
    assert item["spec"]["replicas"] == 2
    assert item["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "25%"  # server defaults
    assert item["metadata"]["uid"] == _store(sandbox).get(
        ("apps", "deployments"), "shop", "web")["metadata"]["uid"]


async def test_get_pods_watch(sandbox, kubectl: Callable, kc: Callable) -> None:
    store = _store(sandbox)
    store.create(("", "pods"), _pod("first"))
    watcher = asyncio.create_task(kc("get", "pods", "-w", "--request-timeout=4s",
                                     check=False))
    await wait_for(lambda: sandbox.server.open_watches())
    store.create(("", "pods"), _pod("second"))
    res = await watcher
    names = [line.split()[0] for line in res.stdout.splitlines() if line.strip()]
    assert names[0] == "NAME"
    assert "first" in names and "second" in names, res.stdout + res.stderr


async def test_scale(sandbox, kc: Callable) -> None:
    await kc("apply", "-f", "-", input=DEPLOY.format(ns="default", replicas=1, image="nginx"))
    await kc("scale", "deploy/web", "--replicas=3")
    dep = _store(sandbox).get(("apps", "deployments"), "default", "web")
    assert dep["spec"]["replicas"] == 3
    patches = [r for r in sandbox.server.requests if r.method == "PATCH"]
    assert patches and patches[-1].path.endswith("/deployments/web/scale")


async def test_rollout_restart(sandbox, kc: Callable) -> None:
    await kc("apply", "-f", "-", input=DEPLOY.format(ns="default", replicas=1, image="nginx"))
    before = _store(sandbox).get(("apps", "deployments"), "default", "web")
    await kc("rollout", "restart", "deploy/web")
    dep = _store(sandbox).get(("apps", "deployments"), "default", "web")
    annotations = dep["spec"]["template"]["metadata"].get("annotations", {})
    assert "kubectl.kubernetes.io/restartedAt" in annotations
    assert dep["metadata"]["generation"] == before["metadata"]["generation"] + 1


async def test_rollout_undo(sandbox, kc: Callable) -> None:
    store = _store(sandbox)
    await kc("apply", "-f", "-", input=DEPLOY.format(ns="default", replicas=1,
                                                     image="nginx:1.26"))
    await wait_for(lambda: len(store.list(("apps", "replicasets"), "default")[0]) == 1)
    await kc("set", "image", "deploy/web", "nginx=nginx:1.27")
    await wait_for(lambda: len(store.list(("apps", "replicasets"), "default")[0]) == 2)
    await kc("rollout", "undo", "deploy/web")
    dep = store.get(("apps", "deployments"), "default", "web")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    await wait_for(lambda: {rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                            for rs in store.list(("apps", "replicasets"), "default")[0]}
                   == {"2", "3"})


async def test_logs_and_follow(sandbox, kc: Callable) -> None:
    store, logs = _store(sandbox), sandbox.sandbox.logs
    store.create(("", "pods"), _pod("talker"))
    key = ("default", "talker", "main")
    logs.start(key)
    for i in range(3):
        logs.append(key, f"line {i}")
    res = await kc("logs", "talker")
    assert res.stdout.splitlines() == ["line 0", "line 1", "line 2"]
    tail = await kc("logs", "talker", "--tail=1")
    assert tail.stdout.splitlines() == ["line 2"]
    follower = asyncio.create_task(kc("logs", "-f", "talker"))
    await wait_for(lambda: logs.followers(key))
    logs.append(key, "line 3")
    logs.stop(key)  # the container ends: kubectl's follow ends with it
    res = await asyncio.wait_for(follower, 20)
    assert res.stdout.splitlines() == ["line 0", "line 1", "line 2", "line 3"]


async def test_delete_pod(sandbox, kc: Callable) -> None:
    store = _store(sandbox)
    store.create(("", "pods"), _pod("doomed"))
    res = await kc("delete", "pod", "doomed")
    assert 'pod "doomed" deleted' in res.stdout
    assert store.find(("", "pods"), "default", "doomed") is None


async def test_apply_create_then_update(sandbox, kc: Callable) -> None:
    store = _store(sandbox)
    first = await kc("apply", "-f", "-", input=DEPLOY.format(ns="default", replicas=1,
                                                             image="nginx:1.26"))
    assert "deployment.apps/web created" in first.stdout
    created = store.get(("apps", "deployments"), "default", "web")
    second = await kc("apply", "-f", "-", input=DEPLOY.format(ns="default", replicas=4,
                                                              image="nginx:1.27"))
    assert "deployment.apps/web configured" in second.stdout
    dep = store.get(("apps", "deployments"), "default", "web")
    assert dep["metadata"]["uid"] == created["metadata"]["uid"]
    assert dep["spec"]["replicas"] == 4
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert "kubectl.kubernetes.io/last-applied-configuration" in dep["metadata"]["annotations"]
    third = await kc("apply", "-f", "-", input=DEPLOY.format(ns="default", replicas=4,
                                                             image="nginx:1.27"))
    assert "deployment.apps/web unchanged" in third.stdout


async def test_apply_server_side(sandbox, kc: Callable) -> None:
    store = _store(sandbox)
    res = await kc("apply", "--server-side", "-f", "-",
                   input=DEPLOY.format(ns="default", replicas=2, image="nginx:1.27"))
    assert "serverside-applied" in res.stdout
    dep = store.get(("apps", "deployments"), "default", "web")
    assert dep["spec"]["replicas"] == 2
    assert any(m["manager"] == "kubectl" and m["operation"] == "Apply"
               for m in dep["metadata"]["managedFields"])
    await kc("apply", "--server-side", "-f", "-",
             input=DEPLOY.format(ns="default", replicas=5, image="nginx:1.27"))
    assert store.get(("apps", "deployments"), "default", "web")["spec"]["replicas"] == 5


async def test_create_configmap_label_annotate(sandbox, kc: Callable) -> None:
    store = _store(sandbox)
    await kc("create", "configmap", "settings", "--from-literal=mode=fast")
    cm = store.get(("", "configmaps"), "default", "settings")
    assert cm["data"] == {"mode": "fast"}
    await kc("label", "configmap", "settings", "tier=backend")
    await kc("annotate", "configmap", "settings", "owner=oncall")
    cm = store.get(("", "configmaps"), "default", "settings")
    assert cm["metadata"]["labels"] == {"tier": "backend"}
    assert cm["metadata"]["annotations"]["owner"] == "oncall"
    await kc("label", "configmap", "settings", "tier-")
    assert not store.get(("", "configmaps"), "default", "settings")["metadata"].get("labels")
    res = await kc("get", "cm", "-l", "tier=backend", check=False)
    assert "settings" not in res.stdout


async def test_describe_deploy(sandbox, kc: Callable) -> None:
    await kc("apply", "-f", "-", input=DEPLOY.format(ns="default", replicas=2, image="nginx"))
    res = await kc("describe", "deploy", "web")
    text = res.stdout
    assert "Name:                   web" in text
    assert "Replicas:" in text and "2 desired" in text
    assert "StrategyType:           RollingUpdate" in text
    assert "Image:         nginx" in text or "Image:      nginx" in text or "nginx" in text


CRD = textwrap.dedent("""\
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: certificates.cert-manager.io
    spec:
      group: cert-manager.io
      scope: Namespaced
      names: {plural: certificates, singular: certificate, kind: Certificate,
              shortNames: [cert, certs], categories: [cert-manager]}
      versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
        additionalPrinterColumns:
        - {name: Secret, type: string, jsonPath: .spec.secretName}
    """)

CERT = textwrap.dedent("""\
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata: {name: site, namespace: default}
    spec: {secretName: site-tls, dnsNames: [example.com]}
    """)


async def test_crd_and_custom_resource(sandbox, kc: Callable) -> None:
    await kc("apply", "-f", "-", input=CRD)
    crds = await kc("get", "crd")
    assert "certificates.cert-manager.io" in crds.stdout
    assert crds.stdout.splitlines()[0].split() == ["NAME", "CREATED", "AT"]
    await kc("apply", "-f", "-", input=CERT)
    res = await kc("get", "certs")
    header, row = res.stdout.splitlines()[:2]
    # printer columns replace the default ones, as on a real server (no implicit AGE)
    assert header.split() == ["NAME", "SECRET"]
    assert row.split()[:2] == ["site", "site-tls"]
    obj = _store(sandbox).get(("cert-manager.io", "certificates"), "default", "site")
    assert obj["spec"]["dnsNames"] == ["example.com"]


async def test_auth_can_i(sandbox, kc: Callable) -> None:
    res = await kc("auth", "can-i", "create", "deployments")
    assert res.stdout.strip() == "yes"
    sandbox.sandbox.faults.rbac = "readonly"
    res = await kc("auth", "can-i", "create", "deployments", check=False)
    assert res.returncode == 1
    assert res.stdout.strip().startswith("no")
    res = await kc("auth", "can-i", "list", "pods")
    assert res.stdout.strip() == "yes"


async def test_api_resources(shared_sandbox, kc: Callable) -> None:
    res = await kc("api-resources")
    rows: dict[str, list[str]] = {}
    for line in res.stdout.splitlines()[1:]:  # core pods before metrics.k8s.io's
        rows.setdefault(line.split()[0], line.split())
    assert rows["deployments"][1:4] == ["deploy", "apps/v1", "true"]
    assert rows["pods"][1:4] == ["po", "v1", "true"]
    assert rows["nodes"][1:4] == ["no", "v1", "false"]
    assert "customresourcedefinitions" in rows
    assert "horizontalpodautoscalers" in rows
