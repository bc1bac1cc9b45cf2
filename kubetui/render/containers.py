"""A pod's containers as rows: init, sidecar, regular and ephemeral, each with its state,
reason, restarts, last termination, image, ports, probes, and CPU/MEM when known.
Pure, like the printers: from the pod object and a given now."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubetui.render.age import since
from kubetui.render.metrics import cpu_text, memory_text
from kubetui.render.model import DONE, FAILED, OK, PENDING, Column, RowHealth
from kubetui.render.printers.pod import FAILURE_REASONS

__all__ = ["CONTAINER_COLUMNS", "ContainerRow", "container_rows"]

CONTAINER_COLUMNS = (
    Column("NAME", format="name"), Column("TYPE"), Column("READY"), Column("STATE"),
    Column("REASON"), Column("RESTARTS", sort="number"),
    Column("LAST TERMINATION", age=True,
           description="How the previous instance ended: exit code, reason, how long ago."),
    Column("CPU", sort="quantity"), Column("MEM", sort="quantity"), Column("IMAGE"),
    Column("PORTS"), Column("PROBES"),
)


@dataclass(frozen=True, slots=True)
class ContainerRow:
    name: str
    type: str  # "init" | "sidecar" | "container" | "ephemeral"
    cells: tuple[str, ...]  # one per CONTAINER_COLUMNS
    health: RowHealth


def _ports(spec: dict) -> str:
    return ",".join(f"{p.get('containerPort')}/{p.get('protocol') or 'TCP'}"
                    + (f" ({p['name']})" if p.get("name") else "")
                    for p in spec.get("ports") or ()) or "-"


def _probe(probe: dict) -> str:
    if "httpGet" in probe:
        get = probe["httpGet"]
        return f"http :{get.get('port', '')}{get.get('path', '/')}"
    if "tcpSocket" in probe:
        return f"tcp :{probe['tcpSocket'].get('port', '')}"
    if "grpc" in probe:
        return f"grpc :{probe['grpc'].get('port', '')}"
    if "exec" in probe:
        return "exec " + " ".join((probe["exec"].get("command") or [])[:3])
    return "?"


def _probes(spec: dict) -> str:
    parts = [f"{label}:{_probe(spec[key])}" for label, key in
             (("startup", "startupProbe"), ("liveness", "livenessProbe"),
              ("readiness", "readinessProbe")) if spec.get(key)]
    return " ".join(parts) or "-"


def _termination(terminated: dict | None, now: datetime) -> str:
    if not terminated:
        return "-"
    text = f"exit {terminated.get('exitCode', '?')}"
    if terminated.get("reason"):
        text += f" ({terminated['reason']})"
    if terminated.get("finishedAt"):
        text += f" {since(terminated['finishedAt'], now)} ago"
    return text


def _row(spec: dict, kind: str, status: dict | None, usage: tuple[float, float] | None,
         now: datetime) -> ContainerRow:
    status = status or {}
    state = status.get("state") or {}
    phase = next(iter(state), "waiting") if state else "waiting"
    detail = state.get(phase) or {}
    reason = detail.get("reason") or ""
    ready = bool(status.get("ready"))
    terminated = state.get("terminated")
    last = (status.get("lastState") or {}).get("terminated")
    if reason in FAILURE_REASONS or (terminated and terminated.get("exitCode", 0) != 0):
        health: RowHealth = FAILED
    elif terminated:
        health = DONE
    elif kind == "ephemeral" or ready:
        health = OK
    else:
        health = PENDING
    cpu, mem = (cpu_text(usage[0]), memory_text(usage[1])) if usage else ("-", "-")
    cells = (spec.get("name", ""), kind, "true" if ready else "false", phase, reason or "-",
             str(status.get("restartCount") or 0), _termination(last or terminated, now),
             cpu, mem, spec.get("image", ""), _ports(spec), _probes(spec))
    return ContainerRow(spec.get("name", ""), kind, cells, health)


def container_rows(pod: dict[str, Any], now: datetime,
                   usage: Mapping[str, tuple[float, float]] | None = None
                   ) -> list[ContainerRow]:
    """Every container of `pod` in the order the kubelet starts them; `usage` is
    container name -> (cores, bytes) from metrics.k8s.io."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    usage = usage or {}

    def statuses(key: str) -> dict[str, dict]:
        return {s.get("name", ""): s for s in status.get(key) or ()}

    init, regular = statuses("initContainerStatuses"), statuses("containerStatuses")
    ephemeral = statuses("ephemeralContainerStatuses")
    rows = []
    for c in spec.get("initContainers") or ():
        kind = "sidecar" if c.get("restartPolicy") == "Always" else "init"
        rows.append(_row(c, kind, init.get(c.get("name", "")), usage.get(c.get("name", "")),
                         now))
    for c in spec.get("containers") or ():
        rows.append(_row(c, "container", regular.get(c.get("name", "")),
                         usage.get(c.get("name", "")), now))
    for c in spec.get("ephemeralContainers") or ():
        rows.append(_row(c, "ephemeral", ephemeral.get(c.get("name", "")),
                         usage.get(c.get("name", "")), now))
    return rows
