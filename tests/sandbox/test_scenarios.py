"""The scenarios: a demo cluster with something to find, and the scale generator with churn."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from kubetui.sandbox.apiserver.store import Event
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.run import SandboxOptions
from kubetui.sandbox.scenarios import load_scenario
from kubetui.sandbox.scenarios.scale import is_ready, plan
from tests.conftest import start_sandbox
from tests.shared_sandbox import Use
from tests.waiting import wait_for

PODS = ("", "pods")


def _pods(sb: Sandbox, ns: str, prefix: str) -> list[dict]:
    return [p for p in sb.store.list(PODS, ns)[0]
            if p["metadata"]["name"].startswith(prefix)]


def _restarts(pod: dict) -> int:
    return sum(c.get("restartCount", 0)
               for c in (pod.get("status") or {}).get("containerStatuses") or ())


def _events(sb: Sandbox, ns: str, reason: str) -> list[dict]:
    return [e for e in sb.store.list(("", "events"), ns)[0] if e["reason"] == reason]


async def test_demo_has_what_an_on_call_engineer_looks_for(shared_demo: Use) -> None:
    read = shared_demo.read  # the store is read in the sandbox's own thread
    assert read(lambda sb: len(sb.store.list(("", "nodes"))[0])) == 4
    namespaces = read(lambda sb: {n["metadata"]["name"]
                                  for n in sb.store.list(("", "namespaces"))[0]})
    assert namespaces >= {"shop", "payments", "data", "monitoring", "batch"}
    for key, at_least in ((("apps", "statefulsets"), 2), (("apps", "daemonsets"), 2),
                          (("batch", "cronjobs"), 2), (("batch", "jobs"), 2),
                          (("networking.k8s.io", "ingresses"), 1),
                          (("autoscaling", "horizontalpodautoscalers"), 1),
                          (("", "configmaps"), 3), (("", "secrets"), 3),
                          (("", "persistentvolumes"), 6)):
        assert read(lambda sb: sb.store.count(key)) >= at_least, key
    claims = read(lambda sb: sb.store.list(("", "persistentvolumeclaims"))[0])
    assert claims and all(c["status"]["phase"] == "Bound" for c in claims)
    lb = read(lambda sb: sb.store.get(("", "services"), "shop", "frontend"))
    assert lb["status"]["loadBalancer"]["ingress"][0]["ip"]

    def pods(ns: str, prefix: str) -> list[dict]:
        return read(lambda sb: _pods(sb, ns, prefix))

    def events(ns: str, reason: str) -> list[dict]:
        return read(lambda sb: _events(sb, ns, reason))

    # Everything ordinary comes up: frontends ready and behind their Service.
    await wait_for(lambda: len([p for p in pods("shop", "frontend-") if is_ready(p)]) == 3,
                   timeout=20)
    await wait_for(lambda: len((read(lambda sb: sb.store.find(("", "endpoints"), "shop",
                                                              "frontend")) or {})
                               .get("subsets", [{}])[0].get("addresses", [])) == 3)
    # One DaemonSet pod per node, and the data stores ready in order.
    await wait_for(lambda: len([p for p in pods("monitoring", "node-exporter-")
                                if is_ready(p)]) == 4, timeout=20)
    await wait_for(lambda: all(is_ready(p) for p in pods("data", "redis-"))
                   and len(pods("data", "redis-")) == 3, timeout=30)
    # What is wrong: a crash loop with climbing restarts, a pod nothing can hold, an
    # image that cannot be pulled, a rollout stuck on a version that never gets ready.
    await wait_for(lambda: _restarts(pods("shop", "recommendations-")[0]) >= 2, timeout=30)
    pending = pods("data", "ml-training-")[0]
    assert pending["status"]["phase"] == "Pending" and not pending["spec"].get("nodeName")
    await wait_for(lambda: events("data", "FailedScheduling"))
    assert "Insufficient cpu" in events("data", "FailedScheduling")[0]["message"]
    await wait_for(lambda: any(
        (c.get("state") or {}).get("waiting", {}).get("reason") == "ImagePullBackOff"
        for p in pods("shop", "admin-")
        for c in p["status"].get("containerStatuses") or ()), timeout=20)

    def checkout() -> dict:
        return read(lambda sb: sb.store.get(("apps", "deployments"), "payments", "checkout"))

    assert checkout()["spec"]["template"]["spec"]["containers"][0]["image"].endswith(
        "never-ready")
    await wait_for(lambda: (checkout().get("status") or {}).get("updatedReplicas") == 1)
    assert checkout()["status"].get("readyReplicas") == 3
    # Alive: logs keep coming, JSON lines from the API.
    api = next(p for p in pods("shop", "api-") if is_ready(p))
    key = ("shop", api["metadata"]["name"], "api")
    lines = read(lambda sb: [line.text for line in sb.logs.lines(key)])
    assert lines[0].startswith("{")
    await wait_for(lambda: read(lambda sb: len(sb.logs.lines(key))) > len(lines), timeout=20)
    assert shared_demo.unmatched() == []


def test_scale_plan_adds_up() -> None:
    p = plan(50_000, 10)
    assert p.pods == 50_000 and len(p.namespaces) == 10
    assert all(10 <= w.replicas <= 50 for w in p.workloads[:-1])
    assert len({(w.namespace, w.name) for w in p.workloads}) == len(p.workloads)
    assert p.nodes * 250 >= 50_000 * 1.2  # headroom under every node's pod limit
    assert plan(50_000, 10) == p  # deterministic: benchmarks see the same cluster
    assert plan(7, 3).pods == 7


async def test_scale_is_ready_when_serving(tmp_path: Path, kubectl,  # noqa: ANN001
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    started = time.monotonic()
    running = await start_sandbox(tmp_path / "kubeconfig", scenario="scale", pods=300,
                                  namespaces=3, pace=0.05)
    try:
        pods = running.sandbox.store.list(PODS)[0]
        assert len(pods) == 300 and all(is_ready(p) for p in pods)
        assert time.monotonic() - started < 30
        assert {p["metadata"]["namespace"] for p in pods} == {"storefront", "payments",
                                                                "identity"}
        deployments = running.sandbox.store.list(("apps", "deployments"))[0]
        assert sum(d["spec"]["replicas"] for d in deployments) == 300
        monkeypatch.setenv("KUBECONFIG", str(running.kubeconfig))
        out = await kubectl("get", "pods", "-A", "--no-headers")
        lines = out.stdout.splitlines()
        assert len(lines) == 300 and all(" 1/1 " in ln and "Running" in ln for ln in lines)
    finally:
        await running.stop()


async def test_churn_keeps_pods_changing(tmp_path: Path) -> None:
    running = await start_sandbox(tmp_path / "kubeconfig", scenario="scale", pods=60,
                                  namespaces=2, churn=40, pace=0.05)
    store = running.sandbox.store
    created: list[str] = []
    unready: set[str] = set()

    def watch(ev: Event) -> None:
        if ev.key != PODS:
            return
        if ev.type == "ADDED":
            created.append(ev.obj["metadata"]["name"])
        elif ev.type == "MODIFIED" and ev.old is not None and is_ready(ev.old) and \
                not is_ready(ev.obj) and not ev.obj["metadata"].get("deletionTimestamp"):
            unready.add(ev.obj["metadata"]["name"])

    store.add_listener(watch)
    try:
        await wait_for(lambda: len(created) >= 5, timeout=20)  # deleted, then replaced
        await wait_for(lambda: any(_restarts(p) for p in store.list(PODS)[0]), timeout=20)
        await wait_for(lambda: len(unready) >= 5, timeout=20)
        # Flapping pods come back: some pod that went unready is ready again.
        await wait_for(lambda: any(is_ready(p) for p in store.list(PODS)[0]
                                   if p["metadata"]["name"] in unready), timeout=20)
        restarted = next(p for p in store.list(PODS)[0] if _restarts(p))
        last = restarted["status"]["containerStatuses"][0]["lastState"]["terminated"]
        assert last["reason"] == "OOMKilled" and last["exitCode"] == 137
    finally:
        await running.stop()


async def test_unknown_scenario_is_refused() -> None:
    from kubetui.sandbox.core import Sandbox

    with pytest.raises(ValueError, match="unknown scenario"):
        await load_scenario(Sandbox.create(), SandboxOptions(scenario="nope"))


async def test_a_long_watch_history_keeps_nothing_from_before_serving(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading keeps only the default history (no client could watch it); the history asked
    for applies from serving on, and a watch from before then is told 410."""
    import kubetui.sandbox.run as run

    monkeypatch.setattr(run, "LOADING_HISTORY", 50)
    running = await start_sandbox(tmp_path / "kubeconfig", scenario="scale", pods=20,
                                  namespaces=1, pace=0.05, watch_history=100_000)
    store = running.sandbox.store
    try:
        assert store.history_limit == 100_000
        assert len(store._history) <= 50 < store.rv  # the load wrote far more than that
        with pytest.raises(ApiError) as gone:
            store.watch(PODS, since=2)
        assert gone.value.code == 410
        before = len(store._history)
        store.create(("", "configmaps"), {"metadata": {"namespace": "default", "name": "x"}})
        assert len(store._history) == before + 1  # grows again from now on
    finally:
        await running.stop()


async def test_a_sandbox_process_keeps_its_heap_out_of_the_collectors_sight(
        tmp_path: Path) -> None:
    """`freeze_heap_every` (what `kubetui sandbox` sets) freezes what is alive from time to
    time while serving, and stops doing so when the sandbox stops."""
    import gc

    running = await start_sandbox(tmp_path / "kubeconfig", freeze_heap_every=0.05)
    try:
        gc.unfreeze()  # what the start froze
        kept = [{"n": i} for i in range(1000)]  # something alive and tracked
        await wait_for(lambda: gc.get_freeze_count() >= len(kept), timeout=10)
    finally:
        await running.stop()
    gc.unfreeze()
    await asyncio.sleep(0.2)
    assert gc.get_freeze_count() == 0  # no freezing once stopped
