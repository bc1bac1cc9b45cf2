"""`:pulses` (k9s's name): per kind, how many objects are healthy and how many are not,
and the nodes with their CPU and memory use. Enter on a kind lists its unhealthy ones
(`:problems` narrowed to the kind); Enter on a node goes to it.

The counts come from the same `ProblemsFeed` as `:problems`; the nodes table is the nodes
view's rows joined to metrics.k8s.io (`model.metrics`).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from kubetui import clock
from kubetui.cluster.metrics import MetricsFeed, Reading
from kubetui.cluster.store import Batch, Subscription, WatchStore
from kubetui.kinds import builtin
from kubetui.model.metrics import MetricsJoin
from kubetui.model.problems import PULSE_COLUMNS, ProblemsFeed, pulse_entry
from kubetui.render import columns_for
from kubetui.ui.screens.goto import GoTo
from kubetui.ui.screens.problems_screen import ProblemsScreen
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.widgets.safe import SafeStatic

__all__ = ["PulsesScreen"]

NODE = builtin("Node")


class PulsesScreen(Screen[GoTo | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="pulses.close"),
        Binding("tab", "switch", "Kinds/nodes", id="pulses.switch"),
    ]
    DEFAULT_CSS = """
    PulsesScreen .pulses-title { height: 1; background: $panel; padding: 0 1; }
    PulsesScreen #pulses-kinds { height: 14; }
    PulsesScreen #pulses-nodes { height: 1fr; }
    """
    PACE: ClassVar[float] = 0.1

    def __init__(self, store: WatchStore, namespace: str | None, *, log_buffer: int,
                 metrics_interval: float) -> None:
        super().__init__()
        self.store = store
        self.namespace = namespace
        self.log_buffer = log_buffer
        self._feed: ProblemsFeed | None = None
        self._pending: Timer | None = None
        self._join = MetricsJoin("Node", columns_for("Node"))
        self._node_sub: Subscription | None = None
        self._metrics = MetricsFeed(store.client, True, None, self._on_reading,
                                    metrics_interval)

    def compose(self) -> ComposeResult:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        yield SafeStatic(f"Pulses · {where}", classes="pulses-title")
        yield ResourceTable(id="pulses-kinds")
        yield SafeStatic("Nodes", classes="pulses-title", id="pulses-nodes-title")
        yield ResourceTable(id="pulses-nodes")
        yield Footer()

    @property
    def kinds(self) -> ResourceTable:
        return self.query_one("#pulses-kinds", ResourceTable)

    @property
    def nodes(self) -> ResourceTable:
        return self.query_one("#pulses-nodes", ResourceTable)

    def on_mount(self) -> None:
        kinds = self.kinds
        kinds.set_columns(PULSE_COLUMNS)
        kinds.sort_by("UNHEALTHY", reverse=True)
        kinds.empty_text = "Loading…"
        kinds.focus()
        self.nodes.set_columns(self._join.columns, join=self._join.cells)
        self.nodes.empty_text = "Loading…"
        self._feed = ProblemsFeed(self.store, self.namespace, self._changed, lambda h: None)
        self._node_sub = self.store.subscribe(NODE, None, self._on_nodes, lambda h: None)
        self._metrics.start()
        self.set_interval(1.0, self.refresh_pulses)

    def on_unmount(self) -> None:
        self._metrics.close()
        for feed in (self._feed, self._node_sub):
            if feed is not None:
                feed.close()
        self._feed = self._node_sub = None

    def _changed(self) -> None:
        if self._pending is None:
            self._pending = self.set_timer(self.PACE, self.refresh_pulses)

    def refresh_pulses(self) -> None:
        self._pending = None
        if self._feed is None:
            return
        rows = [pulse_entry(p) for p in self._feed.index.pulses(clock.time())]
        self.kinds.apply(Batch(rows, [], True))

    def _on_nodes(self, batch: Batch) -> None:
        self._join.take(batch)
        self.nodes.apply(batch)

    def _on_reading(self, reading: Reading) -> None:
        self.nodes.apply(self._join.update(reading))
        title = "Nodes" + (f" · CPU/MEM n/a: {reading.error}" if reading.error else "")
        self.query_one("#pulses-nodes-title", SafeStatic).update(title)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_switch(self) -> None:
        (self.nodes if self.kinds.has_focus else self.kinds).focus()

    @on(ResourceTable.Selected)
    def _chosen(self, message: ResourceTable.Selected) -> None:
        message.stop()
        entry = message.entry
        if message.table is self.nodes:
            self.dismiss(GoTo(NODE, "", entry.uid))
            return
        kind = next(p.kind for p in self._feed.index.pulses(clock.time())
                    if p.kind.plural == entry.name) if self._feed else None
        if kind is None:
            return
        self.app.push_screen(ProblemsScreen(self.store, self.namespace,
                                            log_buffer=self.log_buffer,
                                            filter=f"^{kind.kind}$"), self._picked)

    def _picked(self, target: GoTo | None) -> None:
        if target is not None:
            self.dismiss(target)
