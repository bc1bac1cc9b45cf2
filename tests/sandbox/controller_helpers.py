"""Shared pieces of the workload controller tests.

`FakeKubelet` stands in for the node side while testing controllers alone: it runs every
pod it sees (bound or not, its containers running, as the sandbox's metrics need), marks
it Ready unless told otherwise, ends pods whose `outcome` says so, and removes terminating
pods at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from kubetui.sandbox.apiserver.store import Obj, clone, now_rfc3339
from kubetui.sandbox.controllers import WORKLOAD_CONTROLLERS
from kubetui.sandbox.core import Controller, Sandbox

PODS = ("", "pods")
NODES = ("", "nodes")


def _ready(pod: Obj) -> bool:
    return True


def _no_outcome(pod: Obj) -> str | None:
    return None


@dataclass
class FakeKubelet:
    sandbox: Sandbox
    ready: Callable[[Obj], bool] = _ready
    outcome: Callable[[Obj], str | None] = _no_outcome  # "Succeeded" / "Failed" / None
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        store = self.sandbox.store
        async for ev in store.watch(PODS):
            if ev.type == "DELETED":
                continue
            pod = store.find(PODS, ev.obj["metadata"]["namespace"], ev.obj["metadata"]["name"])
            if pod is None:
                continue
            if pod["metadata"].get("deletionTimestamp"):
                store.delete(PODS, pod["metadata"]["namespace"], pod["metadata"]["name"])
                continue
            self._advance(pod)

    def _advance(self, pod: Obj) -> None:
        status = pod.get("status") or {}
        if status.get("phase") in ("Succeeded", "Failed"):
            return
        new = clone(pod)
        now = now_rfc3339()
        end = self.outcome(pod)
        if end is not None:
            new["status"].update(phase=end, conditions=[
                {"type": "Ready", "status": "False", "lastTransitionTime": now}])
        elif status.get("phase") != "Running":
            ready = self.ready(pod)
            new["status"].update(phase="Running", startTime=now, conditions=[
                {"type": "Ready", "status": "True" if ready else "False",
                 "lastTransitionTime": now}], containerStatuses=[
                {"name": c["name"], "ready": ready, "restartCount": 0,
                 "state": {"running": {"startedAt": now}}}
                for c in (pod.get("spec") or {}).get("containers") or ()])
        else:
            return
        self.sandbox.store.write_status(PODS, new)


@asynccontextmanager
async def cluster(controllers: list[Callable[[Sandbox], Controller]] | None = None,
                  **kubelet: Any) -> AsyncIterator[tuple[Sandbox, FakeKubelet]]:
    sb = Sandbox.create()
    fake = FakeKubelet(sb, **kubelet)
    fake.start()
    sb.start_controllers(WORKLOAD_CONTROLLERS if controllers is None else controllers)
    try:
        yield sb, fake
    finally:
        await sb.stop()
        await fake.stop()


def replace(factories: list[Callable[[Sandbox], Controller]], cls: type,
            make: Callable[[Sandbox], Controller]) -> list[Callable[[Sandbox], Controller]]:
    """The controller list with `cls` built by `make` instead (e.g. with a test clock)."""
    return [make if f is cls else f for f in factories]


def deployment(name: str = "web", replicas: int = 2, image: str = "nginx:1.25",
               **spec: Any) -> Obj:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "app", "image": image}]}},
                 **spec},
    }


def add_node(sb: Sandbox, name: str, labels: dict[str, str] | None = None,
             taints: list[Obj] | None = None, unschedulable: bool = False) -> Obj:
    return sb.store.create(NODES, {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name,
                                              **(labels or {})}},
        "spec": {"taints": taints or [], **({"unschedulable": True} if unschedulable else {})},
        "status": {"conditions": [{"type": "Ready", "status": "True"}],
                   "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"},
                   "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"}},
    }, namespaced=False)


def pods_of(sb: Sandbox, owner_uid: str) -> list[Obj]:
    return [p for p in sb.store.dependents(owner_uid) if p["kind"] == "Pod"]


def events(sb: Sandbox, reason: str) -> list[str]:
    return [e["message"] for e in sb.store.iter(("", "events")) if e["reason"] == reason]
