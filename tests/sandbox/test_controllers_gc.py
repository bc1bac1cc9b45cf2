"""The garbage collector: background, orphan and foreground propagation."""

from __future__ import annotations

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Event
from kubetui.sandbox.controllers.deployment import DEPLOYMENTS
from kubetui.sandbox.controllers.replicaset import REPLICASETS
from kubetui.sandbox.core import Sandbox
from tests.waiting import wait_for

from tests.sandbox.controller_helpers import PODS, cluster, deployment

pytestmark = pytest.mark.asyncio
DEPLOY = builtin("Deployment")


async def running(sb: Sandbox, replicas: int = 3) -> None:
    verbs.create(sb, DEPLOY, "default", deployment(replicas=replicas), "v1")
    await wait_for(lambda: sb.store.count(PODS) == replicas and sb.store.count(REPLICASETS) == 1)


def delete(sb: Sandbox, policy: str) -> None:
    verbs.delete(sb, DEPLOY, "default", "web", verbs.DeleteOptions(propagation=policy))


async def test_background_deletion_removes_replica_sets_and_pods() -> None:
    async with cluster() as (sb, _):
        await running(sb)
        delete(sb, "Background")
        assert sb.store.find(DEPLOYMENTS, "default", "web") is None
        await wait_for(lambda: sb.store.count(REPLICASETS) == 0 and sb.store.count(PODS) == 0)


async def test_orphan_deletion_keeps_dependents_without_the_reference() -> None:
    async with cluster() as (sb, _):
        await running(sb)
        uid = sb.store.get(DEPLOYMENTS, "default", "web")["metadata"]["uid"]
        delete(sb, "Orphan")
        await wait_for(lambda: sb.store.find(DEPLOYMENTS, "default", "web") is None)
        [rs] = sb.store.list(REPLICASETS)[0]
        assert rs["metadata"].get("ownerReferences", []) == []
        assert sb.store.dependents(uid) == []
        assert sb.store.count(PODS) == 3


async def test_foreground_deletion_removes_dependents_before_the_owner() -> None:
    async with cluster() as (sb, _):
        await running(sb)
        order: list[str] = []

        def deleted(ev: Event) -> None:
            if ev.type == "DELETED" and ev.key in (PODS, REPLICASETS, DEPLOYMENTS):
                order.append(ev.obj["kind"])
        sb.store.add_listener(deleted)
        delete(sb, "Foreground")
        assert sb.store.get(DEPLOYMENTS, "default", "web")["metadata"]["deletionTimestamp"]
        await wait_for(lambda: sb.store.find(DEPLOYMENTS, "default", "web") is None)
        assert order == ["Pod", "Pod", "Pod", "ReplicaSet", "Deployment"]
