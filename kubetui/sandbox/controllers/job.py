"""The Job controller: runs pods until `completions` succeed, or gives up.

Non-indexed Jobs, as kube-controller-manager 1.32 runs them: up to `parallelism` pods at
once (never more than the completions still missing); a failed pod (or, with
`restartPolicy: OnFailure`, a container restart) counts against `backoffLimit`, and
replacements wait an exponential back-off (10 s doubling, capped at 6 min, as the real
one); `activeDeadlineSeconds`; `suspend`. Success sets SuccessCriteriaMet then, once no
pod is left running, Complete (reason CompletionsReached); failure sets FailureTarget then
Failed (BackoffLimitExceeded or DeadlineExceeded). `ttlSecondsAfterFinished` deletes the
finished Job (the real TTL-after-finished controller's work). Counts come from the pods
that exist: finished pods are kept until the Job goes, so nothing needs the real one's
tracking finalizer. Indexed completion mode and pod failure policies are not modelled.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox import podinfo
from kubetui.sandbox.apiserver.store import Event, Obj, clone
from kubetui.sandbox.controllers import base
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError

JOB_KIND = builtin("Job")
JOBS = JOB_KIND.key
COMPLETED_MSG = "Reached expected number of succeeded pods"
BACKOFF_MSG = "Job has reached the specified backoff limit"
DEADLINE_MSG = "Job was active longer than specified deadline"
_MAX_BACKOFF = 360.0


def finished(job: Obj) -> str | None:
    """The type of the Job's final condition ("Complete" or "Failed"), else None."""
    for c in (job.get("status") or {}).get("conditions") or ():
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


class JobController(base.Reconciler):
    name = "job-controller"
    watched = (JOBS, base.PODS)
    keys_in_line = True
    min_interval = 0.05

    def __init__(self, sandbox: Sandbox, backoff_base: float = 10.0) -> None:
        super().__init__(sandbox)
        self.backoff_base = backoff_base
        self.record = base.EventRecorder(sandbox, self.name)
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # failed, seen at

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        return base.own_key(ev, JOBS, "Job")

    def sync(self, key: tuple[str, str]) -> float | None:
        job = self.store.find(JOBS, *key)
        if job is None:
            self.queue.forget(key)
            self._failures.pop(key, None)
            return None
        if finished(job):
            return self._expire(job)
        spec, now = job["spec"], base.now()
        pods = podinfo.owned_by(self.store, job, "Pod")
        active = [p for p in pods if podinfo.is_active(p)]
        succeeded = sum(1 for p in pods if podinfo.pod_phase(p) == "Succeeded")
        failed = sum(1 for p in pods if podinfo.pod_phase(p) == "Failed")
        if (spec["template"].get("spec") or {}).get("restartPolicy") == "OnFailure":
            failed += sum(c.get("restartCount", 0) for p in pods
                          for c in (p.get("status") or {}).get("containerStatuses") or ())
        status: dict[str, Any] = clone(job.get("status") or {})
        # Failures counted once stay counted, though the pods (and restarts) that showed
        # them are deleted: the real controller keeps them in status.failed.
        failed = max(failed, status.get("failed", 0))
        conds: list[dict[str, Any]] = status.setdefault("conditions", [])
        if not spec.get("suspend") and "startTime" not in status:
            status["startTime"] = base.format_time(now)
        started = podinfo.parse_time(status.get("startTime")) or now
        completions = spec.get("completions")
        again: float | None = None

        failure = None
        target = base.condition(job, "FailureTarget")
        if target is not None and target.get("status") == "True":
            # Decided: the Job only waits for its pods to go, then fails; it never
            # starts new ones (pkg/controller/job: a Job with FailureTarget is finishing).
            failure = (target.get("reason", ""), target.get("message", ""))
        elif failed > spec.get("backoffLimit", 6):
            failure = ("BackoffLimitExceeded", BACKOFF_MSG)
        elif spec.get("activeDeadlineSeconds") is not None and not spec.get("suspend"):
            left = started + spec["activeDeadlineSeconds"] - now
            if left <= 0:
                failure = ("DeadlineExceeded", DEADLINE_MSG)
            else:
                again = left
        done = succeeded >= completions if completions is not None else \
            succeeded > 0 and not active
        if failure is not None or done:
            target, end, (reason, msg) = ("FailureTarget", "Failed", failure) if failure \
                else ("SuccessCriteriaMet", "Complete", ("CompletionsReached", COMPLETED_MSG))
            if base.set_condition(conds, target, "True", reason, msg, probe=True) and failure:
                self.record(job, "Warning", reason, msg)
            for pod in active:
                self._delete(job, pod)
            active = []
            if not any(podinfo.is_deleting(p) and
                       podinfo.pod_phase(p) not in ("Succeeded", "Failed")
                       for p in self.store.dependents(job["metadata"]["uid"])):
                base.set_condition(conds, end, "True", reason, msg, probe=True)
                if end == "Complete":
                    status["completionTime"] = base.format_time(now)
                    self.record(job, "Normal", "Completed", "Job completed")
            else:
                again = 0.5
        elif spec.get("suspend"):
            for pod in active:
                self._delete(job, pod)
            active = []
            if base.set_condition(conds, "Suspended", "True", "JobSuspended", "Job suspended",
                                  probe=True):
                self.record(job, "Normal", "Suspended", "Job suspended")
        else:
            if base.condition(job, "Suspended") is not None and base.set_condition(
                    conds, "Suspended", "False", "JobResumed", "Job resumed", probe=True):
                self.record(job, "Normal", "Resumed", "Job resumed")
            want = spec.get("parallelism", 1)
            if completions is not None:
                want = min(want, completions - succeeded)
            wait = self._backoff(key, failed, now)
            if len(active) < want and wait > 0:
                again = wait if again is None else min(again, wait)
            elif len(active) < want:
                active += self._create(job, min(want - len(active), 500))
            elif len(active) > want:
                for pod in sorted(active, key=lambda p: p["metadata"]["creationTimestamp"],
                                  reverse=True)[:len(active) - want]:
                    self._delete(job, pod)
                    active.remove(pod)
        self._write(job, status, active, pods, succeeded, failed)
        return again

    def _backoff(self, key: tuple[str, str], failed: int, now: float) -> float:
        """Seconds still to wait before replacing failed pods."""
        if failed == 0:
            return 0.0
        count, seen = self._failures.get(key, (0, now))
        if failed != count:
            self._failures[key] = (failed, now)
            seen = now
        delay = min(_MAX_BACKOFF, self.backoff_base * 2 ** (failed - 1))
        return max(0.0, seen + delay - now)

    def _create(self, job: Obj, n: int) -> list[Obj]:
        created = []
        for _ in range(n):
            body = base.pod_from_template(job["spec"]["template"], job,
                                          generate_name=f"{job['metadata']['name']}-")
            try:
                pod = base.create(self.sandbox, base.POD_KIND, body)
            except ApiError as e:
                self.record(job, "Warning", "FailedCreate", f"Error creating: {e.message}")
                break
            created.append(pod)
            self.record(job, "Normal", "SuccessfulCreate",
                        f"Created pod: {pod['metadata']['name']}")
        return created

    def _delete(self, job: Obj, pod: Obj) -> None:
        try:
            base.delete(self.sandbox, base.POD_KIND, pod)
        except ApiError:
            return
        self.record(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    def _write(self, job: Obj, status: dict[str, Any], active: list[Obj], pods: list[Obj],
               succeeded: int, failed: int) -> None:
        for k in ("active", "succeeded", "failed"):
            status.pop(k, None)
        counts = {"active": len(active), "succeeded": succeeded, "failed": failed}
        status.update({k: v for k, v in counts.items() if v})
        status["ready"] = sum(1 for p in active if podinfo.is_ready(p))
        status["terminating"] = sum(1 for p in pods if podinfo.is_deleting(p) and
                                    podinfo.pod_phase(p) not in ("Succeeded", "Failed"))
        status["uncountedTerminatedPods"] = {}
        if not status.get("conditions"):
            status.pop("conditions", None)
        if status != job.get("status"):
            self.store.write_status(JOBS, dict(job, status=status))

    def _expire(self, job: Obj) -> float | None:
        """ttlSecondsAfterFinished: delete the Job (and, in the background, its pods)."""
        ttl = job["spec"].get("ttlSecondsAfterFinished")
        if ttl is None:
            return None
        status = job.get("status") or {}
        ended = podinfo.parse_time(status.get("completionTime")) or max(
            (podinfo.parse_time(c.get("lastTransitionTime")) or 0.0
             for c in status.get("conditions") or () if c.get("type") == "Failed"), default=0.0)
        left = ended + ttl - base.now()
        if left > 0:
            return left
        try:
            base.delete(self.sandbox, JOB_KIND, job, "Background")
        except ApiError:
            pass
        return None
