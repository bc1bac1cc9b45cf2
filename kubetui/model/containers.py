"""A pod's containers as shell, attach and debug pick among them. No Textual.

The default is kubectl's: the `kubectl.kubernetes.io/default-container` annotation, else
the first container. Ephemeral (debug) containers are listed after the others, so a debug
container added earlier can be entered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"

Obj = dict[str, Any]


@dataclass(frozen=True)
class PodContainer:
    name: str
    image: str
    role: str  # "", "init" or "ephemeral"
    state: str  # "running", "waiting: CrashLoopBackOff", "terminated: Completed", ...
    stdin: bool = False
    tty: bool = False

    @property
    def running(self) -> bool:
        return self.state == "running"

    def describe(self) -> str:
        role = f"{self.role}: " if self.role else ""
        return f"{role}{self.name} ({self.image}) {self.state}"


def _state(status: Obj | None) -> str:
    state = (status or {}).get("state") or {}
    if "running" in state:
        return "running"
    for key in ("waiting", "terminated"):
        if key in state:
            reason = (state[key] or {}).get("reason")
            return f"{key}: {reason}" if reason else key
    return "not started"


def pod_containers(pod: Obj) -> list[PodContainer]:
    """Containers, then init containers still listed, then ephemeral ones."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    out: list[PodContainer] = []
    for role, spec_key, status_key in (("", "containers", "containerStatuses"),
                                       ("init", "initContainers", "initContainerStatuses"),
                                       ("ephemeral", "ephemeralContainers",
                                        "ephemeralContainerStatuses")):
        statuses = {s.get("name"): s for s in status.get(status_key) or ()}
        for c in spec.get(spec_key) or ():
            name = str(c.get("name") or "")
            out.append(PodContainer(name, str(c.get("image") or ""), role,
                                    _state(statuses.get(name)), bool(c.get("stdin")),
                                    bool(c.get("tty"))))
    return out


def default_container(pod: Obj, containers: list[PodContainer]) -> int:
    """The index of the container to offer first."""
    wanted = ((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER)
    for i, c in enumerate(containers):
        if c.name == wanted:
            return i
    return 0


def not_running(pod: Obj, container: PodContainer) -> str | None:
    """Why nothing can be run in `container`, in words, or None."""
    name = (pod.get("metadata") or {}).get("name", "")
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return f"pod {name} is being deleted"
    if not container.running:
        return f"container {container.name} of pod {name} is not running ({container.state})"
    return None
