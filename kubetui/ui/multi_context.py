"""Several contexts at once in the app (`MultiContext`, mixed into it): `--context a,b`,
`:ctx a,b` or `:ctx *` open a session per context and show one merged table with a
CONTEXT column (`kubetui.model.multi.MergedFeed`), each row's CPU/MEM from its own
context's metrics; the header shows each context's health and the problems of them all,
and a context that cannot connect its error while the others go on.

The namespace pane lists the union of the contexts' namespaces, with the contexts that
have each (`MergedNamespaces`): choosing one narrows every context to it. `:problems`,
`:helm` and `:pf` span the contexts too, with a CONTEXT column.

Actions (shell, attach, port-forward included), logs, describe and YAML act on the
selected row's context: moving the cursor makes that context's session the app's current
one. Marked rows must all be of one context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from kubetui.cluster.errors import ConfigError
from kubetui.cluster.store import Batch, StreamHealth
from kubetui.cluster.portforward import ForwardManager
from kubetui.model.metrics import MetricsJoin
from kubetui.model.multi import (CONTEXT_COLUMN, CONTEXTS_COLUMN, Connection, MergedFeed,
                                 MergedNamespaces, connect_all, named_contexts, row_context,
                                 worst)
from kubetui.model.session import Session
from kubetui.model.views import View
from kubetui.render import Column
from kubetui.ui.widgets.resource_table import ResourceTable

if TYPE_CHECKING:
    from kubetui.ui.actions.runner import ActionRunner


__all__ = ["MultiContext"]


@dataclass
class MultiConnected(Message):
    attempt: int
    connections: list[Connection]


class MultiContext:
    """Mixed into `KubetuiApp`; `connections` is None with one context."""

    connections: list[Connection] | None = None
    multi_contexts: list[str] | None = None
    _runners: dict[str, ActionRunner]
    _healths: dict[str, StreamHealth]

    def connect_multi(self, spec: str) -> None:
        try:
            contexts = named_contexts(spec, self.kubeconfig)
        except ConfigError as e:
            self.notify(str(e), severity="error")
            return
        self._attempt += 1
        self.header.update(busy=f"connecting to {', '.join(contexts)}…")
        self.run_worker(self._open_all(self._attempt, contexts), group="connect",
                        exclusive=True, exit_on_error=False)

    async def _open_all(self, attempt: int, contexts: list[str]) -> None:
        self.post_message(MultiConnected(
            attempt, await connect_all(self.kubeconfig, contexts, self.settings.store)))

    async def on_multi_connected(self, message: MultiConnected) -> None:
        live = [c for c in message.connections if c.session is not None]
        if message.attempt != self._attempt or not self.screen_stack:  # (or shutting down)
            for conn in live:
                await conn.session.close()  # type: ignore[union-attr]
            return
        await self.close_sessions()
        self.connections = message.connections
        self._healths = {}
        from kubetui.ui.actions.runner import ActionRunner

        self._runners = {c.context: ActionRunner(self, c.session, self.readonly,
                                                 scale_ceiling=self.user_config.scale_ceiling)
                         for c in live}
        self.report_context_files([(c.session.info.cluster, c.context)  # type: ignore[union-attr]
                                   for c in live])
        for conn in message.connections:
            if conn.error:
                self.notify(conn.error, title=f"Cannot connect to {conn.context}",
                            severity="error", timeout=15)
        names = ",".join(c.context for c in message.connections)
        if not live:
            self.header.update(busy="", context=names, problem="no context could connect",
                               contexts=self._context_states())
            return
        # The first context that answered is the current one until a row says otherwise.
        await self.on_connected_session(live[0].session)  # type: ignore[arg-type]
        self._merge_pane()
        self.header.update(context=names, server=f"{len(live)} of "
                           f"{len(message.connections)} clusters", version="",
                           contexts=self._context_states())

    async def close_sessions(self) -> None:
        """Close every session of a multi-context view (the current one included)."""
        if self.connections is None:
            return
        self._close_feeds()
        for conn in self.connections:
            if conn.session is not None:
                await conn.session.close()
        self.connections = None
        self.session = None

    def _merge_pane(self) -> None:
        """The namespace pane over every connected context."""
        connections = self.connections
        assert connections is not None
        self.start_pane(lambda send: MergedNamespaces(connections, send), CONTEXTS_COLUMN)

    def live_sessions(self) -> dict[str, Session]:
        """The sessions shown, by context ("" when one context is shown)."""
        if self.connections is None:
            return {"": self.session} if self.session is not None else {}
        return {c.context: c.session for c in self.connections if c.session is not None}

    def session_of(self, uid: str) -> Session:
        """The session a row's uid belongs to (a merged row's context's)."""
        if self.connections is None:
            return self.session
        return self.live_sessions().get(row_context(uid)[0], self.session)

    def forward_managers(self) -> dict[str, ForwardManager]:
        """The port-forwards of every context shown, by context."""
        return {name: s.forwards for name, s in self.live_sessions().items()}

    # -- the merged table
    def merged_columns(self, columns: list[Column]) -> list[Column]:
        return [Column(CONTEXT_COLUMN), *columns] if self.connections else columns

    def merged_feed(self, view: View, on_batch: Callable[[Batch], None],
                    on_health: Callable[[StreamHealth], None],
                    joins: dict[str, MetricsJoin]) -> MergedFeed:
        """The merged rows of `view` (joined to each context's metrics by `joins`);
        `on_health` gets the worst context's health, the header each context's."""
        def health_of(context: str, health: StreamHealth) -> None:
            self._healths[context] = health
            on_health(worst(list(self._healths.values())))
            self.header.update(contexts=self._context_states())

        assert self.connections is not None
        return MergedFeed(self.connections, view, on_batch, health_of, joins)

    def _context_states(self) -> tuple[tuple[str, str], ...]:
        states = []
        for conn in self.connections or ():
            health = self._healths.get(conn.context)
            state = conn.error or (health.state if health else "syncing")
            if health is not None and health.state == "error" and health.error:
                state = health.error
            states.append((conn.context, state))
        return tuple(states)

    def on_resource_table_highlighted(self, message: ResourceTable.Highlighted) -> None:
        """The row's context becomes the current one (actions, logs, describe, YAML)."""
        entry = message.entry
        if (self.connections is None or entry is None or not self.screen_stack  # shutting down
                or message.table is not self.main_table):
            return
        self._make_current(row_context(entry.uid)[0])

    def _make_current(self, context: str) -> None:
        """Actions, logs, describe and YAML go to `context` (when it is connected)."""
        session = self.live_sessions().get(context)
        if session is not None and session is not self.session:
            self.session, self.context_name = session, context
            self.action_runner = self._runners[context]

    def start_action(self, name: str, refs: Any = None, **options: Any) -> None:
        if self.connections is not None and refs is None and self.pane.has_focus:
            self.notify("the namespace pane spans several contexts: act on a namespace "
                        "from :ns, whose rows each have their context", severity="warning")
            return
        if self.connections is not None and refs is None:
            selected = self.main_table.selected_entry
            uids = self.main_table.marked_uids or ([selected.uid] if selected else [])
            contexts = {row_context(uid)[0] for uid in uids}
            if len(contexts) > 1:
                self.notify("the marked rows are in several contexts: mark rows of one "
                            "context", severity="warning")
                return
            for context in contexts:  # act where the marked rows (or the cursor's) are
                self._make_current(context)
        super().start_action(name, refs, **options)  # type: ignore[misc]
