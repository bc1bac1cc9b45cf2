"""kubectl's printers, one module per API area; PRINTERS maps (group, kind) to each."""

from __future__ import annotations

from kubetui.render.printers import (apps, autoscaling, batch, cluster, core, event,
                                     metrics, networking, platform, pod)
from kubetui.render.printers.base import Printer

PRINTERS: dict[tuple[str, str], Printer] = {
    (p.group, p.kind): p
    for module in (pod, core, event, apps, batch, autoscaling, networking, cluster,
                   metrics, platform)
    for p in module.PRINTERS
}


def find(kind: str, group: str = "") -> Printer | None:
    """The printer for `kind` in `group`; with no group, any group's (the core one first)."""
    found = PRINTERS.get((group, kind))
    if found is None and not group:
        found = next((p for (_, k), p in PRINTERS.items() if k == kind), None)
    return found
