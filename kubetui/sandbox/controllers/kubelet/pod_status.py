"""The pod status a kubelet writes, from its runtime state: phase (kubelet's getPhase), the
conditions with their transition times, IPs, and container statuses with every field the
typed clients require."""

from __future__ import annotations

from kubetui.sandbox.apiserver.store import Obj, now_rfc3339
from kubetui.sandbox.controllers.kubelet.containers import image_id, image_ref
from kubetui.sandbox.controllers.kubelet.runtime import ContainerRun, PodRun


def runtime_phase(rt: PodRun) -> str:
    """kubelet's getPhase."""
    if rt.final_phase:
        return rt.final_phase
    if rt.stage in ("new", "sandbox"):
        return "Pending"
    if rt.stage == "init":
        if rt.restart_policy == "Never" and any(
                c.kind == "init" and c.state == "terminated" and c.exit_code
                for c in rt.inits):
            return "Failed"
        return "Pending"
    waiting = running = stopped = succeeded = 0
    for c in rt.mains:
        if c.state == "running":
            running += 1
        elif c.state == "terminated":
            stopped += 1
            succeeded += c.exit_code == 0
        elif c.last is not None:
            stopped += 1
            succeeded += c.last["exitCode"] == 0
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running or rt.restart_policy == "Always":
        return "Running"
    if stopped == succeeded:
        return "Succeeded"
    return "Running" if rt.restart_policy == "OnFailure" else "Failed"


def _condition(rt: PodRun, type_: str, ok: bool, reason: str = "",
          message: str = "") -> Obj:
    status = "True" if ok else "False"
    prev = rt.conds.get(type_)
    when = prev[1] if prev and prev[0] == status else now_rfc3339()
    rt.conds[type_] = (status, when)
    out: Obj = {"type": type_, "status": status, "lastProbeTime": None,
                "lastTransitionTime": when}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def pod_status(rt: PodRun, old: Obj) -> Obj:
    """The pod's status now; `old` is the stored one (its PodScheduled condition is
    the scheduler's)."""
    phase = runtime_phase(rt)
    terminal = phase in ("Succeeded", "Failed")
    initialized = rt.stage == "main" or not rt.inits
    not_init = [c.name for c in rt.inits[rt.init_index:]]
    unready = [c.name for c in rt.inits + rt.mains
               if c.kind != "init" and not c.ready]
    ready = not unready and not terminal
    ready_reason = "" if ready else "PodCompleted" if terminal else "ContainersNotReady"
    ready_msg = "" if ready or terminal else \
        f"containers with unready status: [{' '.join(unready)}]"
    scheduled = next((c for c in old.get("conditions") or ()
                      if c.get("type") == "PodScheduled"), None) or \
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
         "lastTransitionTime": rt.start_time}
    conditions = [
        _condition(rt, "PodReadyToStartContainers", bool(rt.ip) and not terminal),
        _condition(rt, "Initialized", initialized,
                   ("PodCompleted" if terminal else "") if initialized
                   else "ContainersNotInitialized",
                   "" if initialized else
                   f"containers with incomplete status: [{' '.join(not_init)}]"),
        _condition(rt, "Ready", ready, ready_reason, ready_msg),
        _condition(rt, "ContainersReady", ready, ready_reason, ready_msg),
        scheduled,
    ]
    status: Obj = {"phase": phase, "conditions": conditions, "hostIP": rt.host_ip,
                   "hostIPs": [{"ip": rt.host_ip}], "startTime": rt.start_time,
                   "qosClass": rt.qos}
    if rt.ip:
        status["podIP"], status["podIPs"] = rt.ip, [{"ip": rt.ip}]
    if rt.inits:
        status["initContainerStatuses"] = [container_status(c) for c in rt.inits]
    status["containerStatuses"] = [container_status(c) for c in rt.mains]
    if rt.ephemeral:
        status["ephemeralContainerStatuses"] = [container_status(c) for c in rt.ephemeral]
    return status


def container_status(c: ContainerRun) -> Obj:
    ran = bool(c.cid)
    out: Obj = {"name": c.name, "image": image_ref(c.image) if ran else c.image,
                "imageID": image_id(c.image) if ran else "", "ready": c.ready,
                "restartCount": c.restarts, "started": c.state == "running"}
    if c.state == "running":
        out["state"] = {"running": {"startedAt": c.started_at}}
    elif c.state == "terminated":
        out["state"] = {"terminated": {
            "exitCode": c.exit_code, "reason": c.reason, "startedAt": c.started_at,
            "finishedAt": c.finished_at, "containerID": f"containerd://{c.cid}"}}
    else:
        waiting: Obj = {"reason": c.reason}
        if c.message:
            waiting["message"] = c.message
        out["state"] = {"waiting": waiting}
    out["lastState"] = {"terminated": c.last} if c.last else {}
    if ran:
        out["containerID"] = f"containerd://{c.cid}"
    return out
