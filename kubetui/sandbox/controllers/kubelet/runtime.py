"""The kubelet's own state of each pod and container between syncs: where each is in its
life cycle and what is due next (the API object holds only what was last reported)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.controllers.kubelet.containers import Behaviour

INF = math.inf
PodKey = tuple[str, str]


@dataclass
class ContainerRun:
    """One container as the kubelet runs it: its state, and its next step and when."""

    spec: Obj
    kind: str  # "init", "sidecar" (restartable init container), "main" or "ephemeral"
    how: Behaviour
    state: str = "waiting"  # waiting, running, terminated
    reason: str = "ContainerCreating"
    message: str = ""
    exit_code: int = 0
    exit_reason: str = ""
    started_at: str = ""
    finished_at: str = ""
    cid: str = ""
    restarts: int = 0
    last: Obj | None = None  # lastState.terminated
    ready: bool = False
    at: float = INF  # when `act` happens
    act: str = ""
    ready_at: float = INF  # next readiness probe verdict
    failures: int = 0  # exits in a row, for the crash back-off
    pull_failures: int = 0

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def image(self) -> str:
        return self.spec.get("image") or ""


@dataclass
class PodRun:
    """One pod bound to a node: its stage, IPs, conditions and containers."""

    ns: str
    name: str
    uid: str
    node: str
    restart_policy: str
    grace: float  # spec.terminationGracePeriodSeconds
    qos: str
    host_network: bool
    inits: list[ContainerRun]
    mains: list[ContainerRun]
    ephemeral: list[ContainerRun] = field(default_factory=list)  # debug containers
    stage: str = "new"  # new, adopt (already running: settled.py), sandbox, init, main
    init_index: int = 0
    sandbox_at: float = INF
    start_time: str = ""
    ip: str = ""
    host_ip: str = ""
    deleting: bool = False
    delete_grace: float | None = None
    killing: bool = False
    done: bool = False  # reached Succeeded or Failed
    final_phase: str = ""
    conds: dict[str, tuple[str, str]] = field(default_factory=dict)  # type -> status, time
    dirty: bool = False

    @property
    def containers(self) -> list[ContainerRun]:
        return self.inits + self.mains + self.ephemeral

    @property
    def key(self) -> PodKey:
        return (self.ns, self.name)

    def next_due(self) -> float:
        due = self.sandbox_at if self.stage == "sandbox" else INF
        for c in self.containers:
            due = min(due, c.at, c.ready_at)
        return due
