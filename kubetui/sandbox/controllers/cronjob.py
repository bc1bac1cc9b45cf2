"""The CronJob controller: a Job per scheduled time, as kube-controller-manager's v2 one.

Schedules are read in UTC with `kubetui.sandbox.cron`. At each due time the controller
creates Job `<cronjob>-<scheduled time in minutes since the epoch>` from the jobTemplate
(owned by the CronJob, annotated with `batch.kubernetes.io/cronjob-scheduled-timestamp`),
honouring `suspend`, `startingDeadlineSeconds` and `concurrencyPolicy` (Allow, Forbid:
skip while one runs, Replace: delete the running ones first). Only the most recent missed
time is run, as the real one does. Finished Jobs beyond `successfulJobsHistoryLimit` /
`failedJobsHistoryLimit` are deleted, oldest first. Status: active, lastScheduleTime,
lastSuccessfulTime.

`now` is the controller's clock: tests replace it and call `tick()` instead of waiting
for a minute to pass.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox import podinfo
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import base
from kubetui.sandbox.controllers.job import JOB_KIND, JOBS, finished
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.cron import parse_schedule
from kubetui.sandbox.errors import ApiError

CRONJOBS = builtin("CronJob").key
SCHEDULED_AT = "batch.kubernetes.io/cronjob-scheduled-timestamp"
_MAX_MISSED = 100  # the real controller gives up counting (and warns) past this many


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _rfc3339(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str | None) -> datetime | None:
    epoch = podinfo.parse_time(text)
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


class CronJobController(base.Reconciler):
    name = "cronjob-controller"
    watched = (CRONJOBS, JOBS)

    def __init__(self, sandbox: Sandbox, now: Callable[[], datetime] = _utc_now) -> None:
        super().__init__(sandbox)
        self.now = now
        self.record = base.EventRecorder(sandbox, self.name)

    def tick(self) -> None:
        """Look at every CronJob now (after the clock was moved)."""
        for cj in self.store.iter(CRONJOBS):
            self.queue.add_now((cj["metadata"]["namespace"], cj["metadata"]["name"]))

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        return base.own_key(ev, CRONJOBS, "CronJob")

    def sync(self, key: tuple[str, str]) -> float | None:
        cj = self.store.find(CRONJOBS, *key)
        if cj is None or podinfo.is_deleting(cj):
            return None
        now = self.now()
        jobs = podinfo.owned_by(self.store, cj, "Job")
        status: dict[str, Any] = clone(cj.get("status") or {})
        self._track(cj, jobs, status)
        jobs = self._clean_history(cj, jobs)
        again = self._schedule(cj, jobs, status, now)
        if status != (cj.get("status") or {}):
            self.store.write_status(CRONJOBS, dict(cj, status=status))
        return again

    def _track(self, cj: Obj, jobs: list[Obj], status: dict[str, Any]) -> None:
        """status.active and lastSuccessfulTime from the Jobs as they are now."""
        was_active = {r.get("uid") for r in status.get("active") or ()}
        active = []
        for job in sorted(jobs, key=lambda j: j["metadata"]["name"]):
            end = finished(job)
            if end is None:
                active.append({"apiVersion": "batch/v1", "kind": "Job",
                               "name": job["metadata"]["name"],
                               "namespace": job["metadata"]["namespace"],
                               "uid": job["metadata"]["uid"],
                               "resourceVersion": job["metadata"]["resourceVersion"]})
                continue
            if job["metadata"]["uid"] in was_active:
                self.record(cj, "Normal", "SawCompletedJob",
                            f"Saw completed job: {job['metadata']['name']}, status: {end}")
            done = (job.get("status") or {}).get("completionTime")
            if end == "Complete" and done and done > status.get("lastSuccessfulTime", ""):
                status["lastSuccessfulTime"] = done
        if active:
            status["active"] = active
        else:
            status.pop("active", None)

    def _clean_history(self, cj: Obj, jobs: list[Obj]) -> list[Obj]:
        kept = list(jobs)
        for end, limit_field, default in (("Complete", "successfulJobsHistoryLimit", 3),
                                          ("Failed", "failedJobsHistoryLimit", 1)):
            limit = cj["spec"].get(limit_field, default)
            done = sorted((j for j in jobs if finished(j) == end and not podinfo.is_deleting(j)),
                          key=lambda j: ((j.get("status") or {}).get("startTime", ""),
                                         j["metadata"]["name"]))
            for job in done[:max(0, len(done) - limit)]:
                self._delete(cj, job)
                kept.remove(job)
        return kept

    def _schedule(self, cj: Obj, jobs: list[Obj], status: dict[str, Any],
                  now: datetime) -> float | None:
        spec = cj["spec"]
        try:
            schedule = parse_schedule(spec.get("schedule", ""))
        except ValueError as e:
            self.record(cj, "Warning", "InvalidSchedule",
                        f"invalid schedule: {spec.get('schedule')} : {e}")
            return None
        if spec.get("suspend"):
            return None
        since = _parse(status.get("lastScheduleTime")) or \
            _parse(cj["metadata"].get("creationTimestamp")) or now
        due, missed, t = None, 0, schedule.next_after(since)
        while t <= now:
            due, missed = t, missed + 1
            if missed > _MAX_MISSED:
                self.record(cj, "Warning", "TooManyMissedTimes",
                            "too many missed start times. Set or decrease "
                            ".spec.startingDeadlineSeconds or check clock skew")
                break
            t = schedule.next_after(t)
        wait = max(0.05, (schedule.next_after(now) - now).total_seconds())
        if due is None:
            return wait
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and due + timedelta(seconds=deadline) < now:
            self.record(cj, "Warning", "MissSchedule",
                        f"Missed scheduled time to start a job: {_rfc3339(due)}")
            status["lastScheduleTime"] = _rfc3339(due)
            return wait
        running = [j for j in jobs if finished(j) is None]
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Forbid" and running:
            self.record(cj, "Normal", "JobAlreadyActive",
                        "Not starting job because prior execution is running and concurrency "
                        "policy is Forbid")
            return wait
        if policy == "Replace":
            for job in running:
                self._delete(cj, job)
        name = f"{cj['metadata']['name']}-{int(due.timestamp()) // 60}"
        try:
            job = base.create(self.sandbox, JOB_KIND, self._job(cj, name, due))
        except ApiError as e:
            if e.reason != "AlreadyExists":
                self.record(cj, "Warning", "FailedCreate", f"Error creating job: {e.message}")
                return wait
        else:
            self.record(cj, "Normal", "SuccessfulCreate", f"Created job {name}")
            status.setdefault("active", []).append({
                "apiVersion": "batch/v1", "kind": "Job", "name": name,
                "namespace": job["metadata"]["namespace"], "uid": job["metadata"]["uid"],
                "resourceVersion": job["metadata"]["resourceVersion"]})
        status["lastScheduleTime"] = _rfc3339(due)
        return wait

    @staticmethod
    def _job(cj: Obj, name: str, due: datetime) -> Obj:
        template = cj["spec"].get("jobTemplate") or {}
        tmeta = template.get("metadata") or {}
        return {"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": name, "namespace": cj["metadata"]["namespace"],
                             "labels": dict(tmeta.get("labels") or {}),
                             "annotations": {**(tmeta.get("annotations") or {}),
                                             SCHEDULED_AT: _rfc3339(due)},
                             "ownerReferences": [base.owner_reference(cj)]},
                "spec": template.get("spec") or {}}

    def _delete(self, cj: Obj, job: Obj) -> None:
        try:
            base.delete(self.sandbox, JOB_KIND, job, "Background")
        except ApiError:
            return
        self.record(cj, "Normal", "SuccessfulDelete", f"Deleted job {job['metadata']['name']}")
