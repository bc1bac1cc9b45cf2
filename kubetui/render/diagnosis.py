"""What is wrong with one object, from its own status: the `:problems` rules that need
nothing but the object. Pure, like the row printers beside it: the store keeps a
`Finding` on each entry (None when healthy), so triage costs no extra request or watch.

Rules that need other objects (events, a CronJob's Jobs, a Service's Endpoints) are in
`kubetui.model.problems`, which combines these findings. A Warning Event's finding
carries its reason and message, which is how that module reads events without the
objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui.render.age import parse_time
from kubetui.render.printers.base import condition, meta, spec, status
from kubetui.render.printers.event import as_core_event, last_seen_time
from kubetui.render.printers.pod import FAILURE_REASONS

__all__ = ["CRITICAL", "WARNING", "Finding", "diagnose", "has_rules"]

CRITICAL = 0
WARNING = 1


@dataclass(frozen=True, slots=True)
class Finding:
    """Why an object is unhealthy, in one line."""

    severity: int  # CRITICAL or WARNING
    reason: str  # short, as kubectl prints it: "CrashLoopBackOff", "BackoffLimitExceeded"
    detail: str  # the evidence: exit code, the scheduler's message, the pull error
    #: Epoch seconds the state began; set for states that are only a problem when they
    #: last (a pod not ready, a rollout in progress), else None.
    since: float | None = None
    #: Reasons of Warning events about the object that say more than its status does
    #: ("Unhealthy" for a failing probe); `kubetui.model.problems` swaps in their message.
    explained_by: tuple[str, ...] = ()
    count: int = 1  # how often (an Event's count)
    #: The container of a crash loop (CrashLoopBackOff): its previous instance's last log
    #: line says why it died, which `:problems` reads.
    crashed: str = ""


def _epoch(timestamp: str | None) -> float | None:
    when = parse_time(timestamp)
    return when.timestamp() if when else None


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


# ----- pods -----------------------------------------------------------------------------

def _exit(terminated: dict) -> str:
    code = terminated.get("exitCode")
    reason = terminated.get("reason") or ""
    text = f"exit code {code}" if code is not None else "terminated"
    return f"{text} ({reason})" if reason else text


def _container_finding(cs: dict, init: bool) -> Finding | None:
    state = cs.get("state") or {}
    if cs.get("ready") and "waiting" not in state and "terminated" not in state:
        return None  # ready and running: nearly every container
    waiting, terminated = state.get("waiting") or {}, state.get("terminated")
    name = cs.get("name", "")
    where = f"{'init container' if init else 'container'} {name}"
    restarts = cs.get("restartCount") or 0
    reason = waiting.get("reason") or ""
    if reason == "CrashLoopBackOff":
        last = (cs.get("lastState") or {}).get("terminated") or {}
        return Finding(CRITICAL, reason,
                       f"{where}: last {_exit(last)}, {restarts} restarts", crashed=name)
    if reason in FAILURE_REASONS:
        pull = "Image" in reason or reason == "InvalidImageName"
        message = _one_line(waiting.get("message", ""))
        return Finding(CRITICAL, reason, f"{where}: {message or reason}",
                       explained_by=("Failed",) if pull else ())
    if terminated is not None and terminated.get("exitCode", 0) != 0:
        return Finding(CRITICAL, terminated.get("reason") or "Error",
                       f"{where}: {_exit(terminated)}, {restarts} restarts")
    last = (cs.get("lastState") or {}).get("terminated") or {}
    if restarts and "running" in state and not cs.get("ready") and last.get("exitCode"):
        # Between two crashes of a crash loop: running again, not ready yet.
        return Finding(CRITICAL, "Restarting", f"{where}: last {_exit(last)}, "
                       f"{restarts} restarts")
    return None


def _pod(pod: dict) -> Finding | None:
    if meta(pod).get("deletionTimestamp"):
        return None  # going away; a stuck deletion shows as Terminating in the table
    pod_status = status(pod)
    phase = pod_status.get("phase", "")
    if phase == "Succeeded":
        return None
    if phase == "Failed":
        detail = _one_line(pod_status.get("message", ""))
        for cs in pod_status.get("containerStatuses") or ():
            terminated = (cs.get("state") or {}).get("terminated")
            if terminated and terminated.get("exitCode", 0) != 0:
                detail = detail or f"container {cs.get('name', '')}: {_exit(terminated)}"
        return Finding(CRITICAL, pod_status.get("reason") or "Failed", detail or "Failed")
    for init, key in ((True, "initContainerStatuses"), (False, "containerStatuses")):
        for cs in pod_status.get(key) or ():
            found = _container_finding(cs, init)
            if found is not None:
                return found
    scheduled = ready = None
    for c in pod_status.get("conditions") or ():  # the first of each, as `condition` finds
        kind = c.get("type")
        if kind == "PodScheduled" and scheduled is None:
            scheduled = c
        elif kind == "Ready" and ready is None:
            ready = c
    if scheduled is not None and scheduled.get("status") == "False":
        reason = scheduled.get("reason") or "Unschedulable"
        if reason == "SchedulingGated":
            return Finding(WARNING, reason, _one_line(scheduled.get("message", "")),
                           since=_epoch(scheduled.get("lastTransitionTime")))
        return Finding(CRITICAL, "FailedScheduling",
                       _one_line(scheduled.get("message", "")) or reason,
                       explained_by=("FailedScheduling",))
    if phase == "Running" and ready is not None and ready.get("status") != "True":
        return Finding(WARNING, "NotReady",
                       _one_line(ready.get("message", "")) or "not ready",
                       since=_epoch(ready.get("lastTransitionTime")),
                       explained_by=("Unhealthy",))
    if phase == "Pending":
        return Finding(WARNING, "Pending", _one_line(pod_status.get("message", ""))
                       or "waiting to start", since=_epoch(meta(pod).get("creationTimestamp")))
    return None


# ----- workloads ------------------------------------------------------------------------

def _deployment(d: dict) -> Finding | None:
    want = spec(d).get("replicas", 1)
    st = status(d)
    progressing = condition(d, "Progressing") or {}
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return Finding(CRITICAL, "ProgressDeadlineExceeded",
                       _one_line(progressing.get("message", "")))
    if spec(d).get("paused"):
        return None
    updated, available = st.get("updatedReplicas") or 0, st.get("availableReplicas") or 0
    total = st.get("replicas") or 0
    if updated < want or total > updated:  # kubectl rollout status would still wait
        return Finding(WARNING, "RolloutInProgress",
                       f"{updated}/{want} updated, {available} available (progress deadline "
                       f"{spec(d).get('progressDeadlineSeconds', 600)}s)",
                       since=_epoch(progressing.get("lastUpdateTime")))
    if available < want or st.get("unavailableReplicas"):
        return Finding(WARNING, "Unavailable", f"{available}/{want} available",
                       since=_epoch((condition(d, "Available") or {})
                                    .get("lastTransitionTime")))
    return None


def _statefulset(s: dict) -> Finding | None:
    want = spec(s).get("replicas", 1)
    ready = status(s).get("readyReplicas") or 0
    if ready < want:
        return Finding(WARNING, "NotReady", f"{ready}/{want} ready")
    return None


def _daemonset(d: dict) -> Finding | None:
    st = status(d)
    want, ready = st.get("desiredNumberScheduled") or 0, st.get("numberReady") or 0
    if ready < want:
        return Finding(WARNING, "NotReady", f"{ready}/{want} ready")
    if st.get("numberMisscheduled"):
        return Finding(WARNING, "Misscheduled",
                       f"{st['numberMisscheduled']} pods on nodes they should not run on")
    return None


def _job(j: dict) -> Finding | None:
    for kind in ("Failed", "FailureTarget"):
        c = condition(j, kind)
        if c is not None and c.get("status") == "True":
            return Finding(CRITICAL, c.get("reason") or "Failed",
                           _one_line(c.get("message", "")) or "the job failed")
    return None


# ----- cluster and the rest -------------------------------------------------------------

_PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


def _node(n: dict) -> Finding | None:
    ready = condition(n, "Ready")
    if ready is None or ready.get("status") != "True":
        why = (ready or {}).get("message") or "the kubelet stopped posting status"
        return Finding(CRITICAL, "NotReady", _one_line(why))
    for kind in _PRESSURE:
        c = condition(n, kind)
        if c is not None and c.get("status") == "True":
            return Finding(WARNING, kind, _one_line(c.get("message", "")) or kind)
    if spec(n).get("unschedulable"):
        return Finding(WARNING, "Cordoned", "scheduling disabled (cordoned)")
    return None


def _claim(pvc: dict) -> Finding | None:
    phase = status(pvc).get("phase", "")
    if phase == "Lost":
        return Finding(CRITICAL, "Lost", "its volume is gone")
    if phase == "Pending":
        return Finding(WARNING, "Pending", "not bound",
                       explained_by=("ProvisioningFailed", "FailedBinding"),
                       since=_epoch(meta(pvc).get("creationTimestamp")))
    return None


def _hpa(h: dict) -> Finding | None:
    st, hpa_spec = status(h), spec(h)
    for c in st.get("conditions") or ():
        if c.get("type") == "ScalingActive" and c.get("status") == "False":
            return Finding(WARNING, c.get("reason") or "ScalingInactive",
                           _one_line(c.get("message", "")))
    top = hpa_spec.get("maxReplicas")
    if top and (st.get("currentReplicas") or 0) >= top and \
            (st.get("desiredReplicas") or 0) >= top:
        return Finding(WARNING, "AtMaximum", f"{st.get('currentReplicas')}/{top} replicas, "
                       "wants as many or more")
    return None


def _endpoints(e: dict) -> Finding | None:
    """Endpoints exist for Services with a selector: none ready means nothing serves."""
    subsets = e.get("subsets") or ()
    if any(s.get("addresses") for s in subsets):
        return None
    waiting = sum(len(s.get("notReadyAddresses") or ()) for s in subsets)
    return Finding(WARNING, "NoReadyEndpoints",
                   f"{waiting} not ready" if waiting else "no pod matches its selector")


def _event(e: dict) -> Finding | None:
    if e.get("type") != "Warning":
        return None
    e = as_core_event(e)
    series = e.get("series") or {}
    count = series.get("count") or e.get("count") or 1
    return Finding(WARNING, e.get("reason", ""), _one_line(e.get("message") or ""),
                   since=_epoch(last_seen_time(e) or meta(e).get("creationTimestamp")),
                   count=count)


_RULES: dict[tuple[str, str], Callable[[dict], Finding | None]] = {
    ("", "Pod"): _pod,
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("batch", "Job"): _job,
    ("", "Node"): _node,
    ("", "PersistentVolumeClaim"): _claim,
    ("autoscaling", "HorizontalPodAutoscaler"): _hpa,
    ("", "Endpoints"): _endpoints,
    ("", "Event"): _event,
    ("events.k8s.io", "Event"): _event,
}


def has_rules(kind: str, group: str) -> bool:
    return (group, kind) in _RULES


def diagnose(kind: str, group: str, obj: dict[str, Any]) -> Finding | None:
    """What is wrong with `obj` (a `kind` of API group `group`), or None."""
    rule = _RULES.get((group, kind))
    return rule(obj) if rule is not None else None
