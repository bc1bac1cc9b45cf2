"""Workload controllers with the real node side (scheduler and kubelet at a fast pace)."""

from __future__ import annotations

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import WORKLOAD_CONTROLLERS
from kubetui.sandbox.controllers.deployment import DEPLOYMENTS
from kubetui.sandbox.controllers.job import JOBS, JobController
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from kubetui.sandbox.controllers.scheduler import Scheduler
from kubetui.sandbox.core import Sandbox
from tests.waiting import wait_for

from tests.sandbox.controller_helpers import PODS, add_node, deployment, replace

pytestmark = pytest.mark.asyncio


async def start() -> Sandbox:
    sb = Sandbox.create()
    for n in ("node-1", "node-2"):
        add_node(sb, n)
    controllers = replace(WORKLOAD_CONTROLLERS, JobController,
                          lambda s: JobController(s, backoff_base=0.02))
    sb.start_controllers([Scheduler, lambda s: Kubelet(s, KubeletTiming(pace=0.02)),
                          *controllers])
    return sb


def live(sb: Sandbox) -> list[Obj]:
    return [p for p in sb.store.iter(PODS) if not p["metadata"].get("deletionTimestamp")]


def ready(pod: Obj) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


def done(sb: Sandbox) -> bool:
    d = sb.store.get(DEPLOYMENTS, "default", "web")
    s, n = d.get("status", {}), d["spec"]["replicas"]
    return s.get("observedGeneration") == d["metadata"]["generation"] and \
        s.get("updatedReplicas") == s.get("replicas") == s.get("availableReplicas") == n


async def test_rollout_with_real_pods_respects_bounds() -> None:
    sb = await start()
    try:
        verbs.create(sb, builtin("Deployment"), "default", deployment(replicas=4), "v1")
        await wait_for(lambda: done(sb))
        assert all(p["spec"]["nodeName"] in ("node-1", "node-2") for p in live(sb))
        totals, availables = [], []

        def sample(ev: Event) -> None:
            if ev.key == PODS:
                pods = live(sb)
                totals.append(len(pods))
                availables.append(sum(1 for p in pods if ready(p)))
        sb.store.add_listener(sample)
        d = clone(sb.store.get(DEPLOYMENTS, "default", "web"))
        d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.26"
        verbs.update(sb, builtin("Deployment"), "default", "web", d, "v1")
        await wait_for(lambda: done(sb) and sb.store.count(PODS) == 4)
        assert max(totals) == 5  # 25% of 4: one surge pod
        assert min(availables) == 3  # and one unavailable
    finally:
        await sb.stop()


async def test_failing_job_pods_hit_the_backoff_limit() -> None:
    sb = await start()
    try:
        verbs.create(sb, builtin("Job"), "default", {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "fail", "namespace": "default"},
            "spec": {"backoffLimit": 1, "template": {"spec": {
                "restartPolicy": "Never",
                "containers": [{"name": "c", "image": "busybox-exit-1"}]}}}}, "v1")
        job = await wait_for(lambda: (j := sb.store.get(JOBS, "default", "fail")).get(
            "status", {}).get("conditions") and any(
            c["type"] == "Failed" for c in j["status"]["conditions"]) and j)
        assert job["status"]["failed"] == 2
        assert [c["type"] for c in job["status"]["conditions"]] == ["FailureTarget", "Failed"]
    finally:
        await sb.stop()
