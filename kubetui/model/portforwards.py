"""The `:pf` view's rows: one per forward, from the forwards' counters. No Textual.

The state column says what a person needs in an incident: `active`, `active, moved` with
the last move when a Service or workload forward changed pods, `reconnecting: why`,
`failed: why`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import humanize

from kubetui import clock
from kubetui.cluster.portforward import ACTIVE, Forward, PortChoice, free_port
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
    now = clock.time() if now is None else now
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


def suggested_ports(choices: list[PortChoice], address: str) -> str:
    """The dialog's first answer: every offered port, each on the same local port when it
    is free (and not privileged), else on a free one: "8080:80, 9090:9090"."""
    pairs = []
    for choice in dict.fromkeys(c.remote for c in choices):
        local = free_port(address, choice if choice >= 1024 else 0)
        pairs.append(f"{local}:{choice}")
    return ", ".join(pairs)


def parse_ports(text: str, offered: list[PortChoice]) -> list[tuple[int, int]] | str:
    """`LOCAL:REMOTE` pairs (or a lone `PORT`, as kubectl takes it) separated by commas or
    spaces; a remote port must be one the target offers when it offers any. Returns the
    pairs, or why the text is refused."""
    pairs: list[tuple[int, int]] = []
    known = {c.remote for c in offered}
    for item in text.replace(",", " ").split():
        local_text, _, remote_text = item.rpartition(":") if ":" in item else (item, "", item)
        if not (local_text.isdigit() and remote_text.isdigit()):
            return f"{item!r} is not LOCAL:REMOTE (two port numbers)"
        local, remote = int(local_text), int(remote_text)
        if not 0 <= local <= 65535 or not 1 <= remote <= 65535:
            return f"{item!r}: ports go from 1 to 65535 (local 0 picks a free one)"
        if known and remote not in known:
            return f"{remote} is not a port of the target (it offers " \
                   f"{', '.join(str(p) for p in sorted(known))})"
        if local and local in {p for p, _ in pairs}:
            return f"local port {local} is given twice"
        pairs.append((local, remote))
    return pairs or "type at least one LOCAL:REMOTE pair"


def parse_address(text: str) -> str | None:
    """The bind address if it is an IP address (or localhost), else None."""
    text = text.strip()
    if text == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
