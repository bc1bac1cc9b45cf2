"""Pods: READY, STATUS and RESTARTS by kubectl's printPod rules (kubernetes 1.32)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kubetui.render.age import format_age, parse_time
from kubetui.render.model import DONE, FAILED, OK, PENDING, TERMINATING, Cell, RowHealth
from kubetui.render.printers.base import (AGE, NAME, Printer, age, column, condition_true,
                                          meta, name, spec, status, wide)
from kubetui.render.text import dig

COLUMNS = (
    NAME,
    column("Ready", sort="ratio",
           description="The aggregate readiness state of this pod for accepting traffic."),
    column("Status", description="The aggregate status of the containers in this pod."),
    column("Restarts", sort="number", age=True,
           description="The number of times the containers in this pod have been restarted "
                       "and when the last container in this pod has restarted."),
    AGE,
    wide("IP"),
    wide("Node"),
    wide("Nominated Node"),
    wide("Readiness Gates", sort="ratio"),
)

#: STATUS values (after any "Init:" prefix) that mean the pod is broken, not just busy.
FAILURE_REASONS = frozenset({
    "CrashLoopBackOff", "Error", "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull",
    "InvalidImageName", "ImageInspectError", "RegistryUnavailable", "CreateContainerError",
    "CreateContainerConfigError", "RunContainerError", "StartError", "PreStartHookError",
    "PostStartHookError", "ContainerStatusUnknown", "OOMKilled", "DeadlineExceeded",
    "Evicted", "Failed", "Unknown", "NodeLost", "UnexpectedAdmissionError",
})
TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass(slots=True)
class _Restarts:
    """Restarts and the time of the latest one, for one group of containers."""
    count: int = 0
    last: datetime | None = None

    def add(self, container_status: dict) -> None:
        self.count += container_status.get("restartCount") or 0
        if not container_status.get("lastState"):  # never terminated: nearly every one
            return
        finished = parse_time(dig(container_status, "lastState", "terminated", "finishedAt"))
        if finished and (self.last is None or finished > self.last):
            self.last = finished


def _terminated_reason(terminated: dict) -> str:
    if terminated.get("reason"):
        return terminated["reason"]
    if terminated.get("signal"):
        return f"Signal:{terminated['signal']}"
    return f"ExitCode:{terminated.get('exitCode', 0)}"


def render(pod: dict, now: datetime) -> tuple[list[Cell], RowHealth]:
    pod_spec, pod_status = spec(pod), status(pod)
    phase = pod_status.get("phase", "")
    reason = pod_status.get("reason") or phase
    conditions = pod_status.get("conditions") or ()
    for c in conditions:  # the first PodScheduled condition, as `condition` finds it
        if c.get("type") == "PodScheduled":
            if c.get("reason") == "SchedulingGated":
                reason = "SchedulingGated"
            break

    init_specs = pod_spec.get("initContainers") or ()
    sidecars = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"} \
        if init_specs else set()
    total = len(pod_spec.get("containers") or ()) + len(sidecars)
    ready = 0
    restarts = sidecar_restarts = _Restarts()

    initializing = False
    init_statuses = pod_status.get("initContainerStatuses")
    if init_statuses:
        restarts = _Restarts()
    for index, cs in enumerate(init_statuses or ()):
        restarts.add(cs)
        is_sidecar = cs.get("name") in sidecars
        if is_sidecar:
            sidecar_restarts.add(cs)
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting") or {}
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if is_sidecar and cs.get("started"):
            ready += bool(cs.get("ready"))
            continue
        if terminated is not None:
            reason = "Init:" + _terminated_reason(terminated)
        elif waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or condition_true(pod, "Initialized"):
        restarts = sidecar_restarts
        running = False
        for cs in reversed(pod_status.get("containerStatuses") or ()):
            restarts.add(cs)
            state = cs.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif cs.get("ready") and state.get("running") is not None:
                running = True
                ready += 1
        if reason == "Completed" and running:
            reason = "Running" if condition_true(pod, "Ready") else "NotReady"

    if meta(pod).get("deletionTimestamp"):
        if pod_status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in TERMINAL_PHASES:
            reason = "Terminating"

    count = restarts.count
    restarts_cell = str(count)
    if count and restarts.last is not None:
        ago = format_age((now - restarts.last).total_seconds())
        restarts_cell = f"{count} ({ago} ago)"

    cells: list[Cell] = [name(pod), f"{ready}/{total}", reason, restarts_cell, age(pod, now),
                         _pod_ip(pod_status), pod_spec.get("nodeName") or "<none>",
                         pod_status.get("nominatedNodeName") or "<none>",
                         _gates(pod) if pod_spec.get("readinessGates") else "<none>"]
    return cells, _health(reason, phase, ready, total)


def _pod_ip(pod_status: dict) -> str:
    ips = pod_status.get("podIPs") or []
    # status.podIP is the same address; read it too for objects that carry only that.
    return (ips[0].get("ip") if ips else pod_status.get("podIP")) or "<none>"


def _gates(pod: dict) -> str:
    gates = spec(pod).get("readinessGates") or []
    if not gates:
        return "<none>"
    passed = sum(condition_true(pod, g.get("conditionType", "")) for g in gates)
    return f"{passed}/{len(gates)}"


def _health(reason: str, phase: str, ready: int, total: int) -> RowHealth:
    if reason == "Terminating":
        return TERMINATING
    if phase == "Succeeded" or reason == "Completed":
        return DONE
    bare = reason.removeprefix("Init:")
    if (phase == "Failed" or bare in FAILURE_REASONS
            or bare.startswith(("ExitCode:", "Signal:"))):
        return FAILED
    if reason == "Running" and ready == total:
        return OK
    return PENDING


PRINTERS = (Printer("Pod", "", COLUMNS, render),)
