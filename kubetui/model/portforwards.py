"""The `:pf` view's rows: one per forward, from the forwards' counters. No Textual.

The state column says what a person needs in an incident: `active`, `active, moved` with
the last move when a Service or workload forward changed pods, `reconnecting: why`,
`failed: why`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import humanize

from kubetui.cluster.portforward import ACTIVE, Forward
from kubetui.render.age import format_age

COLUMNS = ("LOCAL", "TARGET", "POD", "STATE", "CONNS", "IN", "OUT", "SINCE")


@dataclass(frozen=True)
class ForwardRow:
    forward: Forward
    cells: tuple[str, ...]


def state_text(forward: Forward) -> str:
    if forward.state == ACTIVE:
        if forward.moves:
            return f"active, moved {forward.moves[-1]}"
        return "active"
    return f"{forward.state}: {forward.reason}" if forward.reason else forward.state


def forward_rows(forwards: list[Forward], now: float | None = None) -> list[ForwardRow]:
    """Rows in the order the forwards were started. `now` is epoch seconds."""
    now = time.time() if now is None else now
    return [ForwardRow(f, (
        f.local, f"{f.target.namespace}/{f.target}:{f.remote}",
        f"{f.pod}:{f.pod_port}" if f.pod else "", state_text(f),
        f"{f.open_connections}/{f.connections}",
        humanize.naturalsize(f.bytes_in, binary=True),
        humanize.naturalsize(f.bytes_out, binary=True),
        format_age(now - f.since))) for f in forwards]


def summary(up: int) -> str:
    """What the header says: "2 port-forwards" ("" when none)."""
    if not up:
        return ""
    return f"{up} port-forward" + ("s" if up != 1 else "")
