"""The scale scenario loads a cluster in its steady state (scenarios/scale.py): pods ready
when serving, adopted by the control plane without a write, and changes from then on go
through the full life cycle."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Event
from kubetui.sandbox.controllers.kubelet.ipam import Ipam
from kubetui.sandbox.run import RunningSandbox
from kubetui.sandbox.scenarios.scale import is_ready
from tests.conftest import start_sandbox
from tests.waiting import wait_for

PODS = ("", "pods")
EVENTS = ("", "events")
DEPLOYMENTS = ("apps", "deployments")
REPLICASETS = ("apps", "replicasets")
REVISION = "deployment.kubernetes.io/revision"


def _settled(running: RunningSandbox) -> bool:
    """Every Deployment and ReplicaSet reports all its replicas available, and the
    kubelet has taken over every pod (its containers log)."""
    store = running.sandbox.store
    for d in store.iter(DEPLOYMENTS):
        n, status = d["spec"]["replicas"], d.get("status") or {}
        if status.get("observedGeneration") != d["metadata"]["generation"] or any(
                status.get(k) != n for k in ("replicas", "updatedReplicas", "readyReplicas",
                                             "availableReplicas")):
            return False
    for rs in store.iter(REPLICASETS):
        status = rs.get("status") or {}
        if any(status.get(k) != rs["spec"]["replicas"] for k in
               ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")):
            return False
    return all(running.sandbox.logs.has((p["metadata"]["namespace"], p["metadata"]["name"],
                                         c["name"]))
               for p in store.iter(PODS) for c in p["spec"]["containers"])


def _official_pods(running: RunningSandbox) -> list:
    """Every pod as the official client's typed models read it (they refuse a status
    missing a required field)."""
    kubernetes = pytest.importorskip("kubernetes")
    with kubernetes.config.new_client_from_config(str(running.kubeconfig)) as api:
        return kubernetes.client.CoreV1Api(api).list_pod_for_all_namespaces().items


def _ips_unique_per_node(pods: list[dict]) -> bool:
    seen = Counter((p["spec"]["nodeName"], p["status"]["podIP"]) for p in pods)
    return max(seen.values()) == 1


async def test_scale_loads_settled_and_the_control_plane_adopts_it(
        tmp_path: Path, kubectl, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    running = await start_sandbox(tmp_path / "kubeconfig", scenario="scale", pods=120,
                                  namespaces=2, pace=0.05)
    store = running.sandbox.store
    writes: list[Event] = []
    store.add_listener(lambda ev: writes.append(ev) if ev.key == PODS else None)
    try:
        pods = store.list(PODS)[0]
        assert len(pods) == 120 and all(is_ready(p) for p in pods)
        # Start-up events expired long ago: none about the pods, none of creating them.
        assert not [e for e in store.iter(EVENTS) if e["involvedObject"]["kind"] == "Pod"]
        assert not [e for e in store.iter(EVENTS) if e["reason"] == "SuccessfulCreate"]
        for p in pods:
            cs = p["status"]["containerStatuses"][0]
            assert cs["ready"] and cs["started"] and "running" in cs["state"]
            assert cs["containerID"].startswith("containerd://") and cs["imageID"]
            assert {c["type"] for c in p["status"]["conditions"] if c["status"] == "True"} \
                == {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                    "PodScheduled"}
            assert p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
        # Spread as the scheduler spreads equal pods; IPs from each node's podCIDR.
        per_node = Counter(p["spec"]["nodeName"] for p in pods)
        assert len(per_node) == 3 and max(per_node.values()) - min(per_node.values()) <= 1
        assert _ips_unique_per_node(pods)

        await wait_for(lambda: _settled(running), timeout=20)
        # Adopted as they were: no pod created, rewritten or restarted, one ReplicaSet of
        # revision 1 per Deployment.
        assert writes == []
        deployments = list(store.iter(DEPLOYMENTS))
        replicasets = list(store.iter(REPLICASETS))
        assert len(replicasets) == len(deployments)
        assert {rs["metadata"]["annotations"][REVISION] for rs in replicasets} == {"1"}
        assert {d["metadata"]["annotations"][REVISION] for d in deployments} == {"1"}

        monkeypatch.setenv("KUBECONFIG", str(running.kubeconfig))
        d = deployments[0]
        ns, name = d["metadata"]["namespace"], d["metadata"]["name"]
        out = await kubectl("rollout", "status", f"deployment/{name}", "-n", ns,
                            "--timeout=20s")
        assert "successfully rolled out" in out.stdout
        pod = next(p for p in pods if p["metadata"]["namespace"] == ns)
        logs = await kubectl("logs", "-n", ns, pod["metadata"]["name"])
        assert logs.stdout.strip()
        typed = await asyncio.to_thread(_official_pods, running)
        assert len(typed) == 120 and all(
            p.status.phase == "Running" and p.status.container_statuses[0].ready and
            p.status.container_statuses[0].state.running.started_at for p in typed)
    finally:
        await running.stop()


async def test_changes_to_a_settled_cluster_take_the_full_life_cycle(tmp_path: Path) -> None:
    running = await start_sandbox(tmp_path / "kubeconfig", scenario="scale", pods=60,
                                  namespaces=1, pace=0.05)
    store = running.sandbox.store
    try:
        await wait_for(lambda: _settled(running), timeout=20)
        victim = store.list(PODS)[0][0]
        ns, rs_name = victim["metadata"]["namespace"], \
            victim["metadata"]["ownerReferences"][0]["name"]
        phases: dict[str, list[str]] = {}

        def watch(ev: Event) -> None:
            if ev.key == PODS and ev.obj["metadata"]["name"] != victim["metadata"]["name"]:
                phases.setdefault(ev.obj["metadata"]["name"], []).append(
                    (ev.obj.get("status") or {}).get("phase", ""))

        store.add_listener(watch)
        verbs.delete(running.sandbox, builtin("Pod"), ns, victim["metadata"]["name"])
        await wait_for(lambda: store.find(PODS, ns, victim["metadata"]["name"]) is None)
        await wait_for(lambda: _settled(running), timeout=20)
        (new,) = phases
        assert new.startswith(rs_name + "-")
        assert phases[new][0] in ("", "Pending") and phases[new][-1] == "Running"
        reasons = {e["reason"] for e in store.iter(EVENTS)
                   if e["involvedObject"]["name"] == new}
        assert {"Scheduled", "Pulled", "Created", "Started"} <= reasons
        killed = {e["reason"] for e in store.iter(EVENTS)
                  if e["involvedObject"]["name"] == victim["metadata"]["name"]}
        assert "Killing" in killed
        pods = store.list(PODS)[0]
        assert len(pods) == 60 and all(is_ready(p) for p in pods)
        # The replacement got an IP no adopted pod of its node holds.
        assert _ips_unique_per_node(pods)
    finally:
        await running.stop()


def test_ipam_reserves_addresses_kept_from_before() -> None:
    import ipaddress

    ipam = Ipam(ipaddress.ip_network("10.1.0.0/24"))
    for ip in ("10.1.0.2", "10.1.0.5", "10.9.9.9"):
        ipam.reserve(ip)
    handed = {ipam.allocate() for _ in range(4)}
    assert handed == {"10.1.0.3", "10.1.0.4", "10.1.0.6", "10.1.0.7"}
