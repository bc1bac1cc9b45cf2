"""`:problems`: every unhealthy object in the namespace scope, most severe first, live.

The rows come from `model.problems` over the store's shared watches; this screen only
paces redraws (a burst of batches costs one recomputation) and re-checks once a second,
as problems that must last (a pod not ready) start to count with time. Enter goes to the
object in its kind's view; d, y and l open describe, YAML and logs of the selection.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.timer import Timer

from kubetui import clock
from kubetui.cluster.logs import LogTarget
from kubetui.cluster.previous_log import previous_last_line
from kubetui.cluster.store import Batch, Entry, StreamHealth, WatchStore
from kubetui.model.problems import (GRACE, PROBLEM_COLUMNS, Problem, ProblemIndex,
                                    ProblemsFeed, problem_entry)
from kubetui.render.diagnosis import CRITICAL
from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen
from kubetui.ui.screens.goto import GoTo
from kubetui.ui.screens.log_screen import LogScreen
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.screens.table_screen import _TableScreen

__all__ = ["ProblemsScreen"]


class ProblemsScreen(_TableScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "describe", "Describe", id="problems.describe"),
        Binding("y", "yaml", "YAML", id="problems.yaml"),
        Binding("l", "logs", "Logs", id="problems.logs"),
    ]
    #: Seconds between a change and the redraw it causes (changes meanwhile ride along).
    PACE: ClassVar[float] = 0.05

    def __init__(self, store: WatchStore, namespace: str | None, *, log_buffer: int,
                 grace: float = GRACE, filter: str = "") -> None:
        super().__init__()
        self.initial_filter = filter
        self.store = store
        self.namespace = namespace
        self.log_buffer = log_buffer
        self.index = ProblemIndex(grace=grace)
        self.shown: dict[str, Problem] = {}
        #: A crashed container's last log line, by (pod uid, detail): a new restart
        #: changes the detail, so each instance's last words are read once.
        self.last_words: dict[tuple[str, str], str] = {}
        self._reading = False
        self._feed: ProblemsFeed | None = None
        self._pending: Timer | None = None
        self._health: StreamHealth | None = None

    def on_mount(self) -> None:
        table = self.table
        table.set_columns(PROBLEM_COLUMNS, wide=True)
        table.show_namespace = self.namespace is None
        table.sort_by("SEVERITY", reverse=False)
        table.set_filter(self.initial_filter)
        table.empty_text = "Loading…"
        table.focus()
        self._feed = ProblemsFeed(self.store, self.namespace, self._changed, self._on_health,
                                  self.index)
        self.set_interval(1.0, self.refresh_problems)

    def on_unmount(self) -> None:
        if self._feed is not None:
            self._feed.close()
            self._feed = None

    def title_text(self) -> str:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        critical = sum(1 for p in self.shown.values() if p.severity == CRITICAL)
        parts = [f"Problems · {where}",
                 f"{critical} critical, {len(self.shown) - critical} warning"]
        if self._health is not None and self._health.state != "live":
            parts.append(self._health.error or self._health.state)
        return "  ·  ".join(parts)

    def _on_health(self, health: StreamHealth) -> None:
        self._health = health
        self.show_title()

    def _changed(self) -> None:
        if self._pending is None:
            self._pending = self.set_timer(self.PACE, self.refresh_problems)

    def refresh_problems(self) -> None:
        """Recompute the problems and apply only what changed to the table."""
        self._pending = None
        if self._feed is None:
            return
        changed, gone = self.index.update(clock.time())
        self.shown = self.index.current
        if changed or gone:
            self.table.apply(Batch([self._entry(p) for p in changed], gone, False))
        if self._feed.synced:
            self.table.empty_text = "No problems: everything looks healthy"
        self.show_title()
        if not self._reading and any(p.crashed and (p.uid, p.detail) not in self.last_words
                                     for p in changed):
            self._reading = True
            self.read_last_words()

    def _entry(self, problem: Problem) -> Entry:
        return problem_entry(problem, self.last_words.get((problem.uid, problem.detail), ""))

    #: Crashed containers whose last log line is read per round (a request each).
    LAST_WORDS_PER_ROUND: ClassVar[int] = 10

    @work(group="last-words", exit_on_error=False)
    async def read_last_words(self) -> None:
        """Read the previous instance's last log line of crashed containers shown."""
        try:
            wanted = [p for p in self.shown.values()
                      if p.crashed and (p.uid, p.detail) not in self.last_words]
            for p in wanted[:self.LAST_WORDS_PER_ROUND]:
                line = await previous_last_line(self.store.client, p.namespace, p.name,
                                                p.crashed)
                self.last_words[(p.uid, p.detail)] = line
                if line and self.shown.get(p.uid) == p:
                    self.table.apply(Batch([self._entry(p)], [], False))
        finally:
            self._reading = False

    # ----- acting on the selection ------------------------------------------------------

    @property
    def selected(self) -> Problem | None:
        uid = self.table.selected_uid
        return self.shown.get(uid) if uid else None

    @on(ResourceTable.Selected)
    def _chosen(self, message: ResourceTable.Selected) -> None:
        message.stop()
        problem = self.shown.get(message.entry.uid)
        if problem is not None:
            self.dismiss(GoTo(problem.kind, problem.namespace, problem.uid))

    def action_describe(self) -> None:
        if (p := self.selected) is not None:
            self.app.push_screen(DescribeScreen(self.store, p.kind, p.namespace, p.name))

    def action_yaml(self) -> None:
        if (p := self.selected) is not None:
            self.app.push_screen(YamlScreen(self.store, p.kind, p.namespace, p.name))

    def action_logs(self) -> None:
        p = self.selected
        if p is None:
            return
        if not p.kind.has_logs:
            self.notify(f"{p.kind.kind}s have no logs", severity="warning")
            return
        self.app.push_screen(LogScreen(self.store.client, LogTarget(p.kind, p.namespace, p.name),
                                       store=self.store, capacity=self.log_buffer))
