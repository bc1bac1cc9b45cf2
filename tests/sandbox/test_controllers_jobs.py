"""Job and CronJob controllers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import WORKLOAD_CONTROLLERS
from kubetui.sandbox.controllers.cronjob import CRONJOBS, SCHEDULED_AT, CronJobController
from kubetui.sandbox.controllers.job import JOBS, JobController
from kubetui.sandbox.core import Sandbox
from tests.waiting import wait_for

from tests.sandbox.controller_helpers import PODS, cluster, events, pods_of, replace

pytestmark = pytest.mark.asyncio


def job_spec(**spec) -> Obj:
    return {"template": {"spec": {"restartPolicy": "Never",
                                  "containers": [{"name": "work", "image": "busybox"}]}},
            **spec}


def create_job(sb: Sandbox, name: str, **spec) -> Obj:
    return verbs.create(sb, builtin("Job"), "default", {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "namespace": "default"}, "spec": job_spec(**spec)}, "v1")


def cond(obj: Obj, type_: str) -> Obj | None:
    return next((c for c in (obj.get("status") or {}).get("conditions", [])
                 if c["type"] == type_), None)


def job(sb: Sandbox, name: str) -> Obj:
    return sb.store.get(JOBS, "default", name)


async def test_job_runs_completions_with_parallelism() -> None:
    async with cluster(outcome=lambda p: "Succeeded" if p["status"].get("phase") == "Running"
                       else None) as (sb, _):
        most: list[int] = [0]

        def sample(ev: Event) -> None:
            if ev.key == PODS:
                running = [p for p in sb.store.iter(PODS)
                           if p["status"].get("phase") in ("Pending", "Running")]
                most[0] = max(most[0], len(running))
        sb.store.add_listener(sample)
        create_job(sb, "batch", completions=5, parallelism=2)
        done = await wait_for(lambda: cond(job(sb, "batch"), "Complete") and job(sb, "batch"))
        assert done["status"]["succeeded"] == 5
        assert "failed" not in done["status"]
        assert most[0] == 2
        assert len(pods_of(sb, done["metadata"]["uid"])) == 5
        assert cond(done, "SuccessCriteriaMet")["reason"] == "CompletionsReached"
        assert cond(done, "Complete")["message"] == "Reached expected number of succeeded pods"
        assert done["status"]["completionTime"] >= done["status"]["startTime"]
        pod = pods_of(sb, done["metadata"]["uid"])[0]
        assert pod["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "batch"


async def test_job_fails_after_backoff_limit() -> None:
    controllers = replace(WORKLOAD_CONTROLLERS, JobController,
                          lambda sb: JobController(sb, backoff_base=0.01))
    async with cluster(controllers, outcome=lambda p: "Failed") as (sb, _):
        create_job(sb, "flaky", backoffLimit=2)
        failed = await wait_for(lambda: cond(job(sb, "flaky"), "Failed") and job(sb, "flaky"))
        assert failed["status"]["failed"] == 3
        assert len(pods_of(sb, failed["metadata"]["uid"])) == 3
        assert cond(failed, "FailureTarget")["reason"] == "BackoffLimitExceeded"
        assert cond(failed, "Failed")["message"] == "Job has reached the specified backoff limit"
        assert cond(failed, "Complete") is None
        assert "Job has reached the specified backoff limit" in events(sb, "BackoffLimitExceeded")


async def test_job_ttl_after_finished_deletes_it() -> None:
    async with cluster(outcome=lambda p: "Succeeded") as (sb, _):
        create_job(sb, "once", ttlSecondsAfterFinished=0)
        await wait_for(lambda: sb.store.find(JOBS, "default", "once") is None)
        await wait_for(lambda: sb.store.count(PODS) == 0)


async def test_cronjob_schedules_with_an_injected_clock() -> None:
    clock = [datetime.now(timezone.utc)]
    made: list[CronJobController] = []

    def make(sb: Sandbox) -> CronJobController:
        made.append(CronJobController(sb, now=lambda: clock[0]))
        return made[0]

    async with cluster(replace(WORKLOAD_CONTROLLERS, CronJobController, make)) as (sb, _):
        cj = verbs.create(sb, builtin("CronJob"), "default", {
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "tick", "namespace": "default"},
            "spec": {"schedule": "* * * * *", "concurrencyPolicy": "Forbid",
                     "jobTemplate": {"spec": job_spec()}}}, "v1")
        created = datetime.fromisoformat(cj["metadata"]["creationTimestamp"])

        def jobs() -> list[Obj]:
            return [j for j in sb.store.iter(JOBS) if not j["metadata"].get("deletionTimestamp")]

        clock[0] = created + timedelta(seconds=61)
        made[0].tick()
        [first] = await wait_for(jobs)
        due = clock[0].replace(second=0)
        assert first["metadata"]["name"] == f"tick-{int(due.timestamp()) // 60}"
        assert first["metadata"]["annotations"][SCHEDULED_AT] == due.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert first["metadata"]["ownerReferences"][0]["uid"] == cj["metadata"]["uid"]
        await wait_for(lambda: sb.store.get(CRONJOBS, "default", "tick")["status"].get("active"))

        clock[0] += timedelta(minutes=1)  # Forbid: the first one still runs
        made[0].tick()
        await wait_for(lambda: events(sb, "JobAlreadyActive"))
        assert len(jobs()) == 1

        current = clone(sb.store.get(CRONJOBS, "default", "tick"))
        current["spec"]["concurrencyPolicy"] = "Replace"
        verbs.update(sb, builtin("CronJob"), "default", "tick", current, "v1")
        clock[0] += timedelta(minutes=1)
        made[0].tick()
        [second] = await wait_for(lambda: [j for j in jobs()
                                           if j["metadata"]["uid"] != first["metadata"]["uid"]])
        await wait_for(lambda: len(jobs()) == 1)
        due = clock[0].replace(second=0)
        assert second["metadata"]["name"] == f"tick-{int(due.timestamp()) // 60}"
        status = sb.store.get(CRONJOBS, "default", "tick")["status"]
        assert status["lastScheduleTime"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_suspended_cronjob_creates_nothing() -> None:
    clock = [datetime.now(timezone.utc)]
    made: list[CronJobController] = []

    def make(sb: Sandbox) -> CronJobController:
        made.append(CronJobController(sb, now=lambda: clock[0]))
        return made[0]

    async with cluster(replace(WORKLOAD_CONTROLLERS, CronJobController, make)) as (sb, _):
        verbs.create(sb, builtin("CronJob"), "default", {
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "off", "namespace": "default"},
            "spec": {"schedule": "@hourly", "suspend": True,
                     "jobTemplate": {"spec": job_spec()}}}, "v1")
        clock[0] += timedelta(hours=2)
        made[0].tick()
        await wait_for(lambda: len(made[0].queue) == 0)
        assert sb.store.count(JOBS) == 0
