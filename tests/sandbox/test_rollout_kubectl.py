"""`kubectl rollout status` and `kubectl wait` against the sandbox, as against a cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from kubetui.sandbox.run import RunningSandbox
from kubetui.sandbox.scenarios.objects import add_node
from tests.conftest import start_sandbox

STUCK = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 2
  progressDeadlineSeconds: 2
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec:
      containers:
      - name: app
        image: example/never-ready:1.0
        readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1}
"""


@pytest_asyncio.fixture
async def cluster(isolated_home: Path, monkeypatch: pytest.MonkeyPatch
                  ) -> AsyncIterator[RunningSandbox]:
    """A sandbox with two nodes and a fast kubelet; KUBECONFIG points at it."""
    path = isolated_home / ".kube" / "config"
    running = await start_sandbox(path, pace=0.05)
    for i in (1, 2):
        add_node(running.sandbox, f"node-{i}", cpu=4, memory_gi=16, pods=110,
                 pod_cidr=f"10.244.{i}.0/24")
    monkeypatch.setenv("KUBECONFIG", str(path))
    try:
        yield running
    finally:
        await running.stop()


async def test_rollout_status_after_restart(cluster: RunningSandbox,
                                            kubectl) -> None:  # noqa: ANN001
    await kubectl("create", "deployment", "web", "--image=nginx:1.27.2", "--replicas=3")
    first = await kubectl("rollout", "status", "deploy/web", "--timeout=60s")
    assert 'deployment "web" successfully rolled out' in first.stdout
    await kubectl("rollout", "restart", "deploy/web")
    again = await kubectl("rollout", "status", "deploy/web", "--timeout=60s")
    assert 'deployment "web" successfully rolled out' in again.stdout
    rs = cluster.sandbox.store.list(("apps", "replicasets"), "default")[0]
    assert len(rs) == 2
    new = max(rs, key=lambda r: int(r["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"]))
    assert "kubectl.kubernetes.io/restartedAt" in \
        new["spec"]["template"]["metadata"]["annotations"]
    assert new["status"].get("readyReplicas") == 3
    history = await kubectl("rollout", "history", "deploy/web")
    assert "2 " in history.stdout
    assert cluster.server.unmatched == []


async def test_wait_for_available(cluster: RunningSandbox, kubectl) -> None:  # noqa: ANN001
    await kubectl("create", "deployment", "api", "--image=example/api:2.0", "--replicas=2")
    res = await kubectl("wait", "--for=condition=Available", "deploy/api", "--timeout=60s")
    assert "deployment.apps/api condition met" in res.stdout
    pods = await kubectl("wait", "--for=condition=Ready", "pod", "-l", "app=api",
                         "--timeout=60s")
    assert pods.stdout.count("condition met") == 2


async def test_rollout_status_reports_progress_deadline(cluster: RunningSandbox,  # noqa: ARG001
                                                        kubectl) -> None:  # noqa: ANN001
    await kubectl("apply", "-f", "-", input=STUCK)
    res = await kubectl("rollout", "status", "deploy/stuck", "--timeout=60s", check=False)
    assert res.returncode == 1
    assert 'deployment "stuck" exceeded its progress deadline' in res.stderr
    wait = await kubectl("wait", "--for=condition=Available", "deploy/stuck",
                         "--timeout=1s", check=False)
    assert wait.returncode == 1 and "timed out" in wait.stderr
