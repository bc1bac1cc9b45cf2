"""Pods that are already running when the kubelet first sees them: a cluster loaded in its
steady state (the `scale` scenario), as a kubelet restarted on a busy node finds its
containers running in the runtime and goes on from there instead of starting them again.

`settled_status` is the status such a pod last got from its kubelet: every container
running and ready since now, built by `pod_status` from the kubelet's own state, so it
reads exactly as one the kubelet writes. `is_settled` is what makes the kubelet adopt a
pod (`Kubelet._adopt`): Running, no init or ephemeral containers, and every container
reported running with a container ID. The API server drops the status a client sends
with a new pod, so only a scenario writing into the store makes one.
"""

from __future__ import annotations

import random

from kubetui.sandbox.apiserver.defaults import qos_class
from kubetui.sandbox.apiserver.store import Obj, now_rfc3339
from kubetui.sandbox.controllers.kubelet.containers import behaviour_of
from kubetui.sandbox.controllers.kubelet.pod_status import pod_status
from kubetui.sandbox.controllers.kubelet.runtime import ContainerRun, PodRun
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming

_TIMING = KubeletTiming()


def is_settled(pod: Obj) -> bool:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    if status.get("phase") != "Running" or spec.get("initContainers") or \
            spec.get("ephemeralContainers"):
        return False
    reported = {s.get("name"): s for s in status.get("containerStatuses") or ()}
    for c in spec.get("containers") or ():
        s = reported.get(c.get("name"))
        if s is None or "running" not in (s.get("state") or {}) or not s.get("containerID"):
            return False
    return True


def settled_status(pod: Obj, host_ip: str, ip: str, rng: random.Random) -> Obj:
    """The status of `pod` (bound, no init containers) with every container running and
    ready since now, on a node at `host_ip`, with pod IP `ip`."""
    spec, meta = pod["spec"], pod["metadata"]
    when = now_rfc3339()
    policy = spec.get("restartPolicy") or "Always"
    mains = [ContainerRun(c, "main", behaviour_of(c, policy, False, _TIMING), state="running",
                          reason="", started_at=when, cid=f"{rng.getrandbits(256):064x}",
                          ready=True)
             for c in spec.get("containers") or ()]
    rt = PodRun(meta.get("namespace", ""), meta["name"], meta.get("uid", ""),
                spec["nodeName"], policy, float(spec.get("terminationGracePeriodSeconds", 30)),
                qos_class(spec), bool(spec.get("hostNetwork")), [], mains, stage="main",
                start_time=when, ip=ip, host_ip=host_ip)
    return pod_status(rt, {})
