"""Pod entries, a settable clock and a host app for the ResourceTable tests."""

from __future__ import annotations

from textual.app import App, ComposeResult

from kubetui.cluster.store import Entry
from kubetui.render.model import Column
from kubetui.ui.widgets.resource_table import ResourceTable


NOW = 1_700_000_000.0

POD_COLUMNS = [
    Column("NAME", format="name"),
    Column("READY", sort="ratio"),
    Column("STATUS"),
    Column("RESTARTS", type="integer", sort="number", age=True),
    Column("AGE", sort="age", age=True),
    Column("IP", priority=1),
    Column("NODE", priority=1),
]


def pod(n: int, *, name: str | None = None, namespace: str = "default", ready: str = "1/1",
        status: str = "Running", restarts: str = "0", age_s: float = 3600.0,
        health: str = "ok", labels: dict[str, str] | None = None, rv: str = "1") -> Entry:
    """A pod entry; `age_s` seconds old at NOW."""
    name = name or f"pod-{n:05d}"
    cells = (name, ready, status, restarts, "1h", f"10.0.{n // 256}.{n % 256}", "node-1")
    return Entry(uid=f"uid-{n}", name=name, namespace=namespace,
                 cells=cells, health=health, labels=labels or {}, owners=(),
                 node="node-1", created=NOW - age_s, rv=rv)


class Clock:
    """A settable clock for ages."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TableApp(App[None]):
    """Hosts one ResourceTable and records its messages."""

    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__()
        self.clock = clock or Clock()
        self.messages: list[ResourceTable.Selected | ResourceTable.Highlighted] = []

    def compose(self) -> ComposeResult:
        table = ResourceTable(clock=self.clock)
        table.set_columns(POD_COLUMNS)
        yield table

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
        self.messages.append(message)

    def on_resource_table_highlighted(self, message: ResourceTable.Highlighted) -> None:
        self.messages.append(message)
