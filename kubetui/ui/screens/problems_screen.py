"""`:problems`: every unhealthy object in the namespace scope, most severe first, live.

The rows come from `model.problems` over the store's shared watches; this screen only
paces redraws (a burst of batches costs one recomputation) and re-checks once a second,
as problems that must last (a pod not ready) start to count with time. Enter goes to the
object in its kind's view; d, y and l open describe, YAML and logs of the selection.

Over several contexts (a merged table's `connections`), each context's problems come from
its own store, in rows with a CONTEXT column first, keyed `<context>/<uid>` as the merged
table's rows are; a context that could not connect is named with its error in the title.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.timer import Timer

from kubetui import clock
from kubetui.cluster.logs import LogTarget
from kubetui.cluster.previous_log import previous_last_line
from kubetui.cluster.store import Batch, Entry, StreamHealth, WatchStore
from kubetui.model.multi import CONTEXT_COLUMN, Connection
from kubetui.model.problems import (GRACE, PROBLEM_COLUMNS, Problem, ProblemIndex,
                                    ProblemsFeed, problem_entry)
from kubetui.render import Column
from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen
from kubetui.ui.screens.goto import GoTo
from kubetui.ui.screens.log_screen import LogScreen
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.screens.table_screen import _TableScreen

__all__ = ["ProblemsScreen"]


@dataclass
class _Source:
    """One context's problems ("" when the screen shows one context)."""

    context: str
    store: WatchStore
    index: ProblemIndex
    feed: ProblemsFeed | None = None
    health: StreamHealth | None = None
    shown: dict[str, Problem] = field(default_factory=dict)

    def uid(self, problem: Problem) -> str:
        return f"{self.context}/{problem.uid}" if self.context else problem.uid


class ProblemsScreen(_TableScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "describe", "Describe", id="problems.describe"),
        Binding("y", "yaml", "YAML", id="problems.yaml"),
        Binding("l", "logs", "Logs", id="problems.logs"),
    ]
    #: Seconds between a change and the redraw it causes (changes meanwhile ride along).
    PACE: ClassVar[float] = 0.05

    def __init__(self, store: WatchStore, namespace: str | None, *, log_buffer: int,
                 grace: float = GRACE, filter: str = "",
                 connections: Sequence[Connection] | None = None) -> None:
        super().__init__()
        self.initial_filter = filter
        self.namespace = namespace
        self.log_buffer = log_buffer
        self.merged = connections is not None
        self.sources = [_Source(c.context, c.session.store, ProblemIndex(grace=grace))
                        for c in connections or () if c.session is not None] \
            if connections is not None else [_Source("", store, ProblemIndex(grace=grace))]
        self.errors = {c.context: c.error or "not connected" for c in connections or ()
                       if c.session is None}
        self.index = self.sources[0].index if self.sources else ProblemIndex(grace=grace)
        #: A crashed container's last log line, by (pod uid, detail): a new restart
        #: changes the detail, so each instance's last words are read once.
        self.last_words: dict[tuple[str, str], str] = {}
        self._reading = False
        self._pending: Timer | None = None

    @property
    def shown(self) -> dict[str, Problem]:
        """The problems shown, by row uid."""
        return {src.uid(p): p for src in self.sources for p in src.shown.values()}

    def on_mount(self) -> None:
        table = self.table
        columns: list[Column] = list(PROBLEM_COLUMNS)
        table.set_columns([Column(CONTEXT_COLUMN), *columns] if self.merged else columns,
                          wide=True)
        table.show_namespace = self.namespace is None
        table.sort_by("SEVERITY", reverse=False)
        table.set_filter(self.initial_filter)
        table.empty_text = "Loading…"
        table.focus()
        for src in self.sources:
            src.feed = ProblemsFeed(src.store, self.namespace, self._changed,
                                    lambda h, src=src: self._on_health(src, h), src.index)
        self.set_interval(1.0, self.refresh_problems)

    def on_unmount(self) -> None:
        for src in self.sources:
            if src.feed is not None:
                src.feed.close()
                src.feed = None

    def title_text(self) -> str:
        where = f"namespace {self.namespace}" if self.namespace else "all namespaces"
        total = sum(len(src.shown) for src in self.sources)
        critical = sum(src.index.critical for src in self.sources)  # kept by the index
        parts = [f"Problems · {where}", f"{critical} critical, {total - critical} warning"]
        for src in self.sources:
            if src.health is not None and src.health.state != "live":
                state = src.health.error or src.health.state
                parts.append(f"{src.context}: {state}" if src.context else state)
        parts += [f"{context}: {error}" for context, error in self.errors.items()]
        return "  ·  ".join(parts)

    def _on_health(self, src: _Source, health: StreamHealth) -> None:
        src.health = health
        self.show_title()

    def _changed(self) -> None:
        if self._pending is None:
            self._pending = self.set_timer(self.PACE, self.refresh_problems)

    def refresh_problems(self) -> None:
        """Recompute the problems and apply only what changed to the table."""
        self._pending = None
        if any(src.feed is None for src in self.sources):
            return
        crashed = False
        for src in self.sources:
            changed, gone = src.index.update(clock.time())
            src.shown = src.index.current
            if changed or gone:
                prefix = f"{src.context}/" if src.context else ""
                self.table.apply(Batch([self._entry(src, p) for p in changed],
                                       [f"{prefix}{uid}" for uid in gone], False))
            crashed = crashed or any(p.crashed and (p.uid, p.detail) not in self.last_words
                                     for p in changed)
        if all(src.feed is not None and src.feed.synced for src in self.sources):
            self.table.empty_text = "No problems: everything looks healthy"
        self.show_title()
        if not self._reading and crashed:
            self._reading = True
            self.read_last_words()

    def _entry(self, src: _Source, problem: Problem) -> Entry:
        entry = problem_entry(problem, self.last_words.get((problem.uid, problem.detail), ""))
        if not src.context:
            return entry
        return replace(entry, uid=src.uid(problem), cells=(src.context, *entry.cells))

    #: Crashed containers whose last log line is read per round (a request each).
    LAST_WORDS_PER_ROUND: ClassVar[int] = 10

    @work(group="last-words", exit_on_error=False)
    async def read_last_words(self) -> None:
        """Read the previous instance's last log line of crashed containers shown."""
        try:
            wanted = [(src, p) for src in self.sources for p in src.shown.values()
                      if p.crashed and (p.uid, p.detail) not in self.last_words]
            for src, p in wanted[:self.LAST_WORDS_PER_ROUND]:
                line = await previous_last_line(src.store.client, p.namespace, p.name,
                                                p.crashed)
                self.last_words[(p.uid, p.detail)] = line
                if line and src.shown.get(p.uid) == p:
                    self.table.apply(Batch([self._entry(src, p)], [], False))
        finally:
            self._reading = False

    # ----- acting on the selection ------------------------------------------------------

    def _find(self, uid: str | None) -> tuple[_Source, Problem] | None:
        """The source and problem of a row uid."""
        for src in self.sources:
            own = uid[len(src.context) + 1:] if uid and src.context and \
                uid.startswith(f"{src.context}/") else (uid if not src.context else None)
            if own and own in src.shown:
                return src, src.shown[own]
        return None

    @property
    def selected(self) -> Problem | None:
        found = self._find(self.table.selected_uid)
        return found[1] if found else None

    @on(ResourceTable.Selected)
    def _chosen(self, message: ResourceTable.Selected) -> None:
        message.stop()
        found = self._find(message.entry.uid)
        if found is not None:  # the merged table's uid when several contexts are shown
            src, problem = found
            self.dismiss(GoTo(problem.kind, problem.namespace, src.uid(problem)))

    def action_describe(self) -> None:
        if (found := self._find(self.table.selected_uid)) is not None:
            src, p = found
            self.app.push_screen(DescribeScreen(src.store, p.kind, p.namespace, p.name))

    def action_yaml(self) -> None:
        if (found := self._find(self.table.selected_uid)) is not None:
            src, p = found
            self.app.push_screen(YamlScreen(src.store, p.kind, p.namespace, p.name))

    def action_logs(self) -> None:
        found = self._find(self.table.selected_uid)
        if found is None:
            return
        src, p = found
        if not p.kind.has_logs:
            self.notify(f"{p.kind.kind}s have no logs", severity="warning")
            return
        self.app.push_screen(LogScreen(src.store.client, LogTarget(p.kind, p.namespace, p.name),
                                       store=src.store, capacity=self.log_buffer))
