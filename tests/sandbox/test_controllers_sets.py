"""StatefulSet, DaemonSet and HorizontalPodAutoscaler controllers."""

from __future__ import annotations

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import WORKLOAD_CONTROLLERS
from kubetui.sandbox.controllers.daemonset import DAEMONSETS, pod_node
from kubetui.sandbox.controllers.deployment import DEPLOYMENTS
from kubetui.sandbox.controllers.hpa import HPAS, HorizontalPodAutoscalerController
from kubetui.sandbox.controllers.scheduler import Scheduler
from kubetui.sandbox.controllers.statefulset import REVISION_LABEL, STATEFULSETS
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.metrics import LOAD_ANNOTATION
from tests.waiting import wait_for

from tests.sandbox.controller_helpers import PODS, add_node, cluster, deployment, replace

pytestmark = pytest.mark.asyncio
STS = builtin("StatefulSet")


def statefulset(replicas: int = 3, **spec) -> Obj:
    labels = {"app": "db"}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "namespace": "default"},
            "spec": {"replicas": replicas, "serviceName": "db",
                     "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {
                         "containers": [{"name": "db", "image": "postgres:16"}]}},
                     **spec}}


def live(sb: Sandbox) -> dict[str, Obj]:
    return {p["metadata"]["name"]: p for p in sb.store.iter(PODS)
            if not p["metadata"].get("deletionTimestamp")}


def ready(pod: Obj) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


async def test_statefulset_creates_in_order_only_after_the_previous_is_ready() -> None:
    async with cluster() as (sb, _):
        seen: list[tuple[str, set[str]]] = []

        def sample(ev: Event) -> None:
            if ev.key == PODS and ev.type == "ADDED":
                ready_ones = {n for n, p in live(sb).items() if ready(p)}
                seen.append((ev.obj["metadata"]["name"], ready_ones))
        sb.store.add_listener(sample)
        verbs.create(sb, STS, "default", statefulset(volumeClaimTemplates=[{
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": "1Gi"}}}}]), "v1")
        await wait_for(lambda: sb.store.get(STATEFULSETS, "default", "db")
                       .get("status", {}).get("readyReplicas") == 3)
        assert seen == [("db-0", set()), ("db-1", {"db-0"}), ("db-2", {"db-0", "db-1"})]
        pod = live(sb)["db-1"]
        assert pod["spec"]["hostname"] == "db-1" and pod["spec"]["subdomain"] == "db"
        assert pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
        claims = {c["metadata"]["name"] for c in sb.store.iter(("", "persistentvolumeclaims"))}
        assert claims == {"data-db-0", "data-db-1", "data-db-2"}
        assert {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-1"}} in \
            pod["spec"]["volumes"]
        # Scale down goes from the highest ordinal.
        current = clone(sb.store.get(STATEFULSETS, "default", "db"))
        current["spec"]["replicas"] = 1
        verbs.update(sb, STS, "default", "db", current, "v1")
        await wait_for(lambda: set(live(sb)) == {"db-0"})


async def test_statefulset_rolling_update_honours_partition() -> None:
    async with cluster() as (sb, _):
        verbs.create(sb, STS, "default", statefulset(updateStrategy={
            "type": "RollingUpdate", "rollingUpdate": {"partition": 1}}), "v1")
        await wait_for(lambda: sb.store.get(STATEFULSETS, "default", "db")
                       .get("status", {}).get("readyReplicas") == 3)
        first = sb.store.get(STATEFULSETS, "default", "db")["status"]["updateRevision"]
        deleted: list[str] = []
        sb.store.add_listener(lambda ev: deleted.append(ev.obj["metadata"]["name"])
                              if ev.key == PODS and ev.type == "DELETED" else None)
        current = clone(sb.store.get(STATEFULSETS, "default", "db"))
        current["spec"]["template"]["spec"]["containers"][0]["image"] = "postgres:17"
        verbs.update(sb, STS, "default", "db", current, "v1")
        await wait_for(lambda: (s := sb.store.get(STATEFULSETS, "default", "db")["status"])
                       .get("updatedReplicas") == 2 and s.get("readyReplicas") == 3)
        status = sb.store.get(STATEFULSETS, "default", "db")["status"]
        assert status["currentRevision"] == first != status["updateRevision"]
        assert deleted == ["db-2", "db-1"]
        pods = live(sb)
        assert pods["db-0"]["metadata"]["labels"][REVISION_LABEL] == first
        assert pods["db-0"]["spec"]["containers"][0]["image"] == "postgres:16"
        assert pods["db-2"]["spec"]["containers"][0]["image"] == "postgres:17"
        revisions = sorted(r["revision"] for r in sb.store.iter(("apps", "controllerrevisions")))
        assert revisions == [1, 2]


async def test_daemonset_runs_one_pod_per_eligible_node() -> None:
    async with cluster([Scheduler, *WORKLOAD_CONTROLLERS]) as (sb, _):
        add_node(sb, "n1")
        add_node(sb, "n2", unschedulable=True, taints=[
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}])
        add_node(sb, "n3", taints=[{"key": "gpu", "value": "yes", "effect": "NoSchedule"}])
        add_node(sb, "n4", labels={"disk": "hdd"})
        labels = {"app": "agent"}
        verbs.create(sb, builtin("DaemonSet"), "default", {
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels}, "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "a", "image": "agent:1"}]}}}}, "v1")
        status = await wait_for(lambda: (s := sb.store.get(DAEMONSETS, "default", "agent")
                                         .get("status", {})).get("numberReady") == 3 and s)
        on = sorted(p["spec"].get("nodeName") for p in live(sb).values())
        # The cordoned node still runs it (daemon pods tolerate unschedulable); the tainted
        # one does not.
        assert on == ["n1", "n2", "n4"]
        assert sorted(pod_node(p) for p in live(sb).values()) == ["n1", "n2", "n4"]
        assert status["desiredNumberScheduled"] == 3
        assert status["currentNumberScheduled"] == 3
        assert status["updatedNumberScheduled"] == 3
        # A new node gets one; a nodeSelector that excludes n4 removes its pod.
        add_node(sb, "n5")
        await wait_for(lambda: len(live(sb)) == 4)
        ds = clone(sb.store.get(DAEMONSETS, "default", "agent"))
        ds["spec"]["template"]["spec"]["affinity"] = {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "disk", "operator": "DoesNotExist"}]}]}}}
        verbs.update(sb, builtin("DaemonSet"), "default", "agent", ds, "v1")
        # (The fake kubelet makes a pod ready before the scheduler has bound it: an
        # unbound one counts as "".)
        await wait_for(lambda: sorted(p["spec"].get("nodeName") or "" for p in
                                      live(sb).values() if ready(p)) == ["n1", "n2", "n5"])
        status = await wait_for(lambda: (s := sb.store.get(DAEMONSETS, "default", "agent")
                                         ["status"]).get("updatedNumberScheduled") == 3 and s)
        assert status["desiredNumberScheduled"] == 3
        assert status.get("numberMisscheduled", 0) == 0


async def test_hpa_scales_within_bounds() -> None:
    controllers = replace(WORKLOAD_CONTROLLERS, HorizontalPodAutoscalerController,
                          lambda sb: HorizontalPodAutoscalerController(sb, interval=0.1))
    async with cluster(controllers) as (sb, _):
        d = deployment(replicas=2)
        d["metadata"]["annotations"] = {LOAD_ANNOTATION: "1500m"}
        d["spec"]["template"]["spec"]["containers"][0]["resources"] = {
            "requests": {"cpu": "250m"}}
        verbs.create(sb, builtin("Deployment"), "default", d, "v1")
        verbs.create(sb, builtin("HorizontalPodAutoscaler"), "default", {
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": "web"},
                     "minReplicas": 2, "maxReplicas": 5,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization",
                                                   "averageUtilization": 50}}}],
                     "behavior": {"scaleDown": {"stabilizationWindowSeconds": 0}}}}, "v2")
        # 1.5 cores over 250m pods at 50%: 12 wanted, 5 allowed.
        await wait_for(lambda: sb.store.get(DEPLOYMENTS, "default", "web")["spec"]["replicas"]
                       == 5)
        status = await wait_for(lambda: (s := sb.store.get(HPAS, "default", "web")["status"])
                                .get("desiredReplicas") == 5 and s)
        limited = next(c for c in status["conditions"] if c["type"] == "ScalingLimited")
        assert limited["reason"] == "TooManyReplicas"
        assert "lastScaleTime" in status
        # Load drops to 0.3 cores: 0.3 / 0.125 = 3 pods.
        d = clone(sb.store.get(DEPLOYMENTS, "default", "web"))
        d["metadata"]["annotations"][LOAD_ANNOTATION] = "300m"
        verbs.update(sb, builtin("Deployment"), "default", "web", d, "v1")
        await wait_for(lambda: sb.store.get(DEPLOYMENTS, "default", "web")["spec"]["replicas"]
                       == 3)
        status = await wait_for(lambda: (s := sb.store.get(HPAS, "default", "web")["status"])
                                .get("currentReplicas") == 3 and s)
        assert status["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 40
        limited = next(c for c in status["conditions"] if c["type"] == "ScalingLimited")
        assert limited["reason"] == "DesiredWithinRange"


async def test_replicaset_pods_follow_its_template_as_it_changes() -> None:
    """Its pods are prepared once per template (defaults, validation), each with its own
    name and uid; an edited template makes the next pods from the new one."""
    rs_kind = builtin("ReplicaSet")
    async with cluster() as (sb, _):
        add_node(sb, "n1")
        labels = {"app": "tpl"}
        rs = verbs.create(sb, rs_kind, "default", {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": "tpl", "namespace": "default"},
            "spec": {"replicas": 3, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "app", "image": "nginx:1.25",
                          "resources": {"limits": {"memory": "64Mi"}}}]}}}}, "v1")

        def pods() -> list[Obj]:
            return [p for p in sb.store.list(PODS, "default")[0]
                    if p["metadata"]["name"].startswith("tpl-")]

        await wait_for(lambda: len(pods()) == 3)
        first = pods()
        assert len({p["metadata"]["uid"] for p in first}) == 3
        for p in first:
            c = p["spec"]["containers"][0]
            assert p["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]
            assert c["resources"]["requests"] == {"memory": "64Mi"}  # the API's defaults
            assert p["spec"]["terminationGracePeriodSeconds"] == 30
        edited = clone(sb.store.get(rs_kind.key, "default", "tpl"))
        edited["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
        edited["spec"]["replicas"] = 5
        verbs.update(sb, rs_kind, "default", "tpl", edited, "v1")
        await wait_for(lambda: len(pods()) == 5)
        images = sorted(p["spec"]["containers"][0]["image"] for p in pods())
        assert images == ["nginx:1.25"] * 3 + ["nginx:1.27"] * 2
