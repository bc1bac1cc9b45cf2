"""A sandbox whose kubelet runs at a fast pace, a client and `Actions` on it, object
factories and state readers: what the action tests of the cluster layer and of the UI share
(their `cluster` fixture is in tests/conftest.py).

The sandbox is the real one over HTTPS; only the kubelet's simulated durations are short,
so a rollout takes a fraction of a second instead of several seconds.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import kubeconfig
from kubetui.cluster.actions import Actions, Ref
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.rollout import rollout_status
from kubetui.kinds import builtin
from kubetui.sandbox.controllers import WORKLOAD_CONTROLLERS
from kubetui.sandbox.controllers.endpoints import EndpointsController
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from kubetui.sandbox.controllers.namespace import NamespaceController
from kubetui.sandbox.controllers.scheduler import Scheduler
from kubetui.sandbox.run import RunningSandbox
from kubetui.sandbox.scenarios.objects import add_node, create
from tests.conftest import start_sandbox

DEPLOY = builtin("Deployment")


def web_and_settings(replicas: int) -> str:
    """A two-document manifest to apply: the `web` Deployment and a ConfigMap."""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec: {{containers: [{{name: app, image: "nginx:1.25"}}]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings}}
data: {{level: debug}}
"""


NODE = builtin("Node")
POD = builtin("Pod")
PODS = ("", "pods")
DEPLOYMENTS = ("apps", "deployments")
REPLICASETS = ("apps", "replicasets")
NODES = ("", "nodes")

FAST_CONTROL_PLANE = [functools.partial(Scheduler, backoff=0.05),
                      functools.partial(Kubelet, timing=KubeletTiming(pace=0.02)),
                      EndpointsController, functools.partial(NamespaceController, retry=0.05),
                      *WORKLOAD_CONTROLLERS]


@dataclass
class Cluster:
    """The sandbox, a client on it and the actions under test."""

    running: RunningSandbox
    client: ClusterClient
    actions: Actions

    @property
    def store(self) -> Any:
        return self.running.sandbox.store

    def deployment(self, name: str = "web", namespace: str = "default") -> dict[str, Any]:
        return self.store.get(DEPLOYMENTS, namespace, name)

    def replica_sets(self, name: str = "web", namespace: str = "default"
                     ) -> list[dict[str, Any]]:
        uid = self.deployment(name, namespace)["metadata"]["uid"]
        return [o for o in self.store.dependents(uid) if o["kind"] == "ReplicaSet"]

    def live_pods(self, app: str = "web") -> list[dict[str, Any]]:
        return [p for p in self.store.iter(PODS)
                if (p["metadata"].get("labels") or {}).get("app") == app
                and not p["metadata"].get("deletionTimestamp")]

    def rolled_out(self, name: str = "web", namespace: str = "default") -> bool:
        """`kubectl rollout status` would say "successfully rolled out"."""
        return rollout_status(self.deployment(name, namespace)).done

    def node(self, name: str = "node-1") -> dict[str, Any]:
        """A node registered as its kubelet would (inside the sandbox: no request)."""
        return add_node(self.running.sandbox, name, cpu=8, memory_gi=32, pods=110,
                        pod_cidr="10.244.1.0/24")

    def create(self, doc: dict[str, Any]) -> dict[str, Any]:
        """An object created inside the sandbox (no request: `mutating_requests` stays
        empty for the read-only tests)."""
        return create(self.running.sandbox, doc)

    def create_deployment(self, name: str = "web", replicas: int = 2,
                          image: str = "nginx:1.25", namespace: str = "default",
                          **spec: Any) -> dict[str, Any]:
        labels = {"app": name}
        return self.create({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "app", "image": image}]}},
                     **spec}})

    async def set_image_directly(self, image: str, name: str = "web",
                                 cause: str = "") -> None:
        """Change the image as another client would (kubectl set image)."""
        patch: dict[str, Any] = {"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": image}]}}}}
        if cause:
            patch["metadata"] = {"annotations": {"kubernetes.io/change-cause": cause}}
        await self.client.request("PATCH", f"/apis/apps/v1/namespaces/default/deployments/"
                                  f"{name}", patch,
                                  content_type="application/strategic-merge-patch+json")


def deploy_ref(name: str = "web", namespace: str = "default") -> Ref:
    return Ref(DEPLOY, namespace, name)


async def open_cluster(home: Path, monkeypatch: pytest.MonkeyPatch,
                       **options: Any) -> tuple[RunningSandbox, ClusterClient]:
    path = home / ".kube" / "config"
    running = await start_sandbox(path, controllers=False, **options)
    running.sandbox.start_controllers(FAST_CONTROL_PLANE)
    monkeypatch.setenv("KUBECONFIG", str(path))
    config = kubeconfig.load(str(path))
    return running, await ClusterClient.connect(config, config.current)
