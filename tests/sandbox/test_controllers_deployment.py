"""Deployment and ReplicaSet controllers against an in-process sandbox."""

from __future__ import annotations

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers.deployment import (
    DEPLOYMENTS, HASH_LABEL, REVISION, REVISION_HISTORY,
)
from kubetui.sandbox.core import Sandbox
from tests.waiting import wait_for

from tests.sandbox.controller_helpers import PODS, cluster, deployment, events, pods_of

pytestmark = pytest.mark.asyncio
DEPLOY = builtin("Deployment")


def create(sb: Sandbox, obj: Obj) -> Obj:
    return verbs.create(sb, DEPLOY, "default", obj, "v1")


def get(sb: Sandbox, name: str = "web") -> Obj:
    return sb.store.get(DEPLOYMENTS, "default", name)


def change(sb: Sandbox, name: str = "web", **spec) -> Obj:
    d = clone(get(sb, name))
    d["spec"].update(spec)
    return verbs.update(sb, DEPLOY, "default", name, d, "v1")


def set_image(sb: Sandbox, image: str, name: str = "web") -> Obj:
    d = clone(get(sb, name))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    return verbs.update(sb, DEPLOY, "default", name, d, "v1")


def replica_sets(sb: Sandbox, name: str = "web") -> list[Obj]:
    uid = get(sb, name)["metadata"]["uid"]
    return [o for o in sb.store.dependents(uid) if o["kind"] == "ReplicaSet"]


def rollout_done(sb: Sandbox, name: str = "web") -> bool:
    """`kubectl rollout status`'s test."""
    d = get(sb, name)
    s, want = d.get("status") or {}, d["spec"]["replicas"]
    return s.get("observedGeneration", 0) >= d["metadata"]["generation"] and \
        s.get("updatedReplicas", 0) == want and s.get("replicas", 0) == want and \
        s.get("availableReplicas", 0) == want


def condition(d: Obj, type_: str) -> Obj | None:
    return next((c for c in d.get("status", {}).get("conditions", []) if c["type"] == type_),
                None)


def live_pods(sb: Sandbox, app: str = "web") -> list[Obj]:
    return [p for p in sb.store.iter(PODS) if p["metadata"]["labels"].get("app") == app
            and not p["metadata"].get("deletionTimestamp")]


def is_available(pod: Obj) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


async def test_scale_up_creates_pods_and_events() -> None:
    async with cluster() as (sb, _):
        create(sb, deployment(replicas=2))
        await wait_for(lambda: rollout_done(sb))
        change(sb, replicas=6)
        await wait_for(lambda: rollout_done(sb) and len(live_pods(sb)) == 6)
        [rs] = replica_sets(sb)
        assert len(pods_of(sb, rs["metadata"]["uid"])) == 6
        name = rs["metadata"]["name"]
        assert name == f"web-{rs['metadata']['labels'][HASH_LABEL]}"
        assert rs["spec"]["selector"]["matchLabels"][HASH_LABEL] == \
            rs["metadata"]["labels"][HASH_LABEL]
        scaled = events(sb, "ScalingReplicaSet")
        assert f"Scaled up replica set {name} from 0 to 2" in scaled
        assert f"Scaled up replica set {name} from 2 to 6" in scaled
        pod = pods_of(sb, rs["metadata"]["uid"])[0]
        [ref] = pod["metadata"]["ownerReferences"]
        assert ref["controller"] and ref["blockOwnerDeletion"] and ref["name"] == name
        assert pod["metadata"]["name"].startswith(f"{name}-")
        assert len(pod["metadata"]["name"]) == len(name) + 6
        d = get(sb)
        assert condition(d, "Available")["reason"] == "MinimumReplicasAvailable"
        assert condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable"
        assert condition(d, "Progressing")["message"] == \
            f'ReplicaSet "{name}" has successfully progressed.'
        assert len(events(sb, "SuccessfulCreate")) == 6


async def test_scale_down_prefers_pods_that_are_not_ready() -> None:
    async with cluster(ready=lambda p: not p["metadata"]["name"].endswith(("b", "c", "d"))) \
            as (sb, _):
        create(sb, deployment(replicas=12))
        await wait_for(lambda: len([p for p in live_pods(sb)
                                    if p["status"].get("phase") == "Running"]) == 12)
        unready = {p["metadata"]["name"] for p in live_pods(sb) if not is_available(p)}
        change(sb, replicas=12 - len(unready))
        await wait_for(lambda: len(live_pods(sb)) == 12 - len(unready))
        assert all(is_available(p) for p in live_pods(sb))


async def test_rolling_update_stays_within_surge_and_unavailability() -> None:
    async with cluster() as (sb, _):
        create(sb, deployment(replicas=8, strategy={
            "type": "RollingUpdate", "rollingUpdate": {"maxSurge": "30%",
                                                       "maxUnavailable": "30%"}}))
        await wait_for(lambda: rollout_done(sb))
        totals: list[int] = []
        availables: list[int] = []

        def sample(ev: Event) -> None:
            if ev.key == PODS:
                pods = live_pods(sb)
                totals.append(len(pods))
                availables.append(sum(1 for p in pods if is_available(p)))
        sb.store.add_listener(sample)
        set_image(sb, "nginx:1.26")
        await wait_for(lambda: rollout_done(sb) and len(live_pods(sb)) == 8)
        # 30% of 8: surge rounds up to 3, unavailability down to 2.
        assert max(totals) == 11
        assert min(availables) == 6
        new, old = sorted(replica_sets(sb), key=lambda rs: rs["metadata"]["annotations"][REVISION],
                          reverse=True)
        assert new["metadata"]["annotations"][REVISION] == "2"
        assert old["metadata"]["annotations"][REVISION] == "1"
        assert old["spec"]["replicas"] == 0
        assert {p["spec"]["containers"][0]["image"] for p in live_pods(sb)} == {"nginx:1.26"}
        assert get(sb)["metadata"]["annotations"][REVISION] == "2"


async def test_rollback_reuses_the_old_replica_set_with_a_new_revision() -> None:
    async with cluster() as (sb, _):
        create(sb, deployment(replicas=3))
        await wait_for(lambda: rollout_done(sb))
        [first] = replica_sets(sb)
        set_image(sb, "nginx:1.26")
        await wait_for(lambda: rollout_done(sb) and len(replica_sets(sb)) == 2)
        # What `kubectl rollout undo` sends: the old template without the hash label.
        template = clone(first["spec"]["template"])
        del template["metadata"]["labels"][HASH_LABEL]
        change(sb, template=template)
        await wait_for(lambda: rollout_done(sb) and all(
            p["spec"]["containers"][0]["image"] == "nginx:1.25" for p in live_pods(sb)))
        rss = replica_sets(sb)
        assert len(rss) == 2
        again = next(rs for rs in rss if rs["metadata"]["uid"] == first["metadata"]["uid"])
        assert again["spec"]["replicas"] == 3
        assert again["metadata"]["annotations"][REVISION] == "3"
        assert again["metadata"]["annotations"][REVISION_HISTORY] == "1"


async def test_revision_history_limit_deletes_old_replica_sets() -> None:
    async with cluster() as (sb, _):
        create(sb, deployment(replicas=1, revisionHistoryLimit=1))
        await wait_for(lambda: rollout_done(sb))
        for image in ("a:1", "a:2", "a:3"):
            set_image(sb, image)
            await wait_for(lambda: rollout_done(sb) and len(live_pods(sb)) == 1)
        await wait_for(lambda: len(replica_sets(sb)) == 2)
        revisions = sorted(rs["metadata"]["annotations"][REVISION] for rs in replica_sets(sb))
        assert revisions == ["3", "4"]


async def test_recreate_never_mixes_old_and_new_pods() -> None:
    async with cluster() as (sb, _):
        create(sb, deployment(replicas=3, strategy={"type": "Recreate"}))
        await wait_for(lambda: rollout_done(sb))
        mixed: list[set[str]] = []

        def sample(ev: Event) -> None:
            if ev.key == PODS:
                images = {p["spec"]["containers"][0]["image"] for p in sb.store.iter(PODS)}
                if len(images) > 1:
                    mixed.append(images)
        sb.store.add_listener(sample)
        set_image(sb, "nginx:1.26")
        await wait_for(lambda: rollout_done(sb) and len(live_pods(sb)) == 3 and all(
            p["spec"]["containers"][0]["image"] == "nginx:1.26" for p in live_pods(sb)))
        assert mixed == []
        assert len(replica_sets(sb)) == 2


async def test_paused_deployment_does_not_roll_out_until_resumed() -> None:
    async with cluster() as (sb, _):
        create(sb, deployment(replicas=2))
        await wait_for(lambda: rollout_done(sb))
        change(sb, paused=True)
        set_image(sb, "nginx:1.26")
        await wait_for(lambda: get(sb)["status"]["observedGeneration"] ==
                       get(sb)["metadata"]["generation"])
        cond = condition(get(sb), "Progressing")
        assert (cond["status"], cond["reason"], cond["message"]) == \
            ("Unknown", "DeploymentPaused", "Deployment is paused")
        assert len(replica_sets(sb)) == 1
        change(sb, paused=False)
        await wait_for(lambda: rollout_done(sb) and len(replica_sets(sb)) == 2)
        assert {p["spec"]["containers"][0]["image"] for p in live_pods(sb)} == {"nginx:1.26"}


async def test_progress_deadline_exceeded_when_new_pods_never_become_ready() -> None:
    def ready(pod: Obj) -> bool:
        return pod["spec"]["containers"][0]["image"] != "broken:1"

    async with cluster(ready=ready) as (sb, _):
        create(sb, deployment(replicas=2, progressDeadlineSeconds=1))
        await wait_for(lambda: rollout_done(sb))
        set_image(sb, "broken:1")
        cond = await wait_for(lambda: (c := condition(get(sb), "Progressing")) and
                              c["reason"] == "ProgressDeadlineExceeded" and c, timeout=8)
        new = max(replica_sets(sb), key=lambda rs: rs["metadata"]["annotations"][REVISION])
        assert cond["status"] == "False"
        assert cond["message"] == \
            f'ReplicaSet "{new["metadata"]["name"]}" has timed out progressing.'
        # maxUnavailable 25% of 2 rounds down to 0: the old pods stay available.
        assert condition(get(sb), "Available")["status"] == "True"
        assert sum(1 for p in live_pods(sb) if is_available(p)) == 2
