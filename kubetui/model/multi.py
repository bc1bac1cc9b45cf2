"""Several contexts at once: which contexts `--context a,b`, `:ctx a,b` or `:ctx *` name,
a connection (`Session`) per context where one failing leaves the others going, and
`MergedFeed`, the rows of one view across contexts with a CONTEXT column first (each
context's rows joined to its own metrics when a `MetricsJoin` is given for it).

`MergedNamespaces` is the namespace pane across contexts: one row per namespace name (the
union), with the contexts that have it, since choosing a namespace narrows every context's
rows to it, as `:ns` does. `HelmWatches` is `:helm` across contexts, each revision marked
with its context.

Each context keeps its own client, watch store and health; a row's uid is
`<context>/<uid>` so that the same object in two clusters is two rows, and `row_context`
tells which cluster a row (and so an action on it) belongs to. No Textual here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kubetui.cluster.errors import ClusterError, ConfigError
from kubetui.cluster.kubeconfig import Kubeconfig
from kubetui.cluster.reflector import StoreSettings, worst
from kubetui.cluster.store import Batch, Entry, StreamHealth
from kubetui.model.feed import Feed, ignore
from kubetui.model.metrics import MetricsJoin
from kubetui.model.session import Session
from kubetui.model.views import NAMESPACE, View, root_view
from kubetui.render.model import Column

if TYPE_CHECKING:  # Helm loads with `:helm`, not at start
    from kubetui.helm.releases import Revision, UnreadableRecord

CONTEXT_COLUMN = "CONTEXT"
#: The namespace pane's column of the contexts that have the namespace.
CONTEXTS_COLUMN = Column("CONTEXTS", description="The contexts that have this namespace "
                                                 "(all: every connected one)")
ALL_CONTEXTS = "*"


def named_contexts(spec: str, kubeconfig: Kubeconfig) -> list[str]:
    """The contexts `spec` names: `a,b` (in that order, each defined), or `*` (all).
    Raises ConfigError naming an undefined one."""
    if spec.strip() == ALL_CONTEXTS:
        return [c.name for c in kubeconfig.contexts]
    names = list(dict.fromkeys(n.strip() for n in spec.split(",") if n.strip()))
    for name in names:
        kubeconfig.context(name)
    if not names:
        raise ConfigError("no context named")
    return names


def is_multi(spec: str | None) -> bool:
    return bool(spec) and ("," in spec or spec.strip() == ALL_CONTEXTS)  # type: ignore[union-attr]


@dataclass
class Connection:
    """One context of a multi-context view: its session, or why it has none."""

    context: str
    session: Session | None = None
    error: str | None = None


async def connect_all(kubeconfig: Kubeconfig, contexts: list[str],
                      settings: StoreSettings) -> list[Connection]:
    """A session per context, opened concurrently; a context that fails keeps its error."""
    async def one(name: str) -> Connection:
        try:
            return Connection(name, await Session.open(kubeconfig, name, settings))
        except (ClusterError, ConfigError) as e:
            return Connection(name, error=str(e))

    return list(await asyncio.gather(*(one(name) for name in contexts)))


def row_context(uid: str) -> tuple[str, str]:
    """(context, the object's own uid) of a merged row."""
    context, _, own = uid.partition("/")
    return context, own


class MergedFeed:
    """One view's rows from every connected context, the context's name as first cell.

    A context's reset (its first list, a relist) replaces that context's rows only."""

    def __init__(self, connections: list[Connection], view: View,
                 on_batch: Callable[[Batch], None],
                 on_health: Callable[[str, StreamHealth], None],
                 joins: Mapping[str, MetricsJoin] | None = None) -> None:
        self._on_batch = on_batch
        self._joins = joins or {}
        self._rows: dict[str, set[str]] = {}
        self._feeds: dict[str, Feed] = {}
        self.errors = {c.context: c.error for c in connections if c.error}
        for conn in connections:
            if conn.session is None:
                continue
            self._rows[conn.context] = set()
            self._feeds[conn.context] = Feed(
                conn.session.store, view, self._batch_of(conn.context),
                lambda health, name=conn.context: on_health(name, health), _no_note)

    @property
    def healths(self) -> dict[str, StreamHealth]:
        return {name: feed.health for name, feed in self._feeds.items()}

    @property
    def health(self) -> StreamHealth:
        """The worst of the contexts' (what an empty table explains)."""
        return worst(list(self.healths.values()))

    def close(self) -> None:
        for feed in self._feeds.values():
            feed.close()

    def _batch_of(self, context: str) -> Callable[[Batch], None]:
        join = self._joins.get(context)

        def on_batch(batch: Batch) -> None:
            if join is not None:
                join.take(batch)
                batch = join.joined(batch)
            known = self._rows[context]
            merged = tagged(context, batch)
            upserts, deletes = merged.upserts, merged.deletes
            if batch.reset:
                fresh = {e.uid for e in upserts}
                deletes = [uid for uid in known if uid not in fresh]
                known.clear()
            known.difference_update(deletes)
            known.update(e.uid for e in upserts)
            self._on_batch(Batch(upserts, deletes, False))
        return on_batch


def tagged(context: str, batch: Batch) -> Batch:
    """A batch of one context's own rows (a metrics update) as merged rows."""
    return Batch([_tagged(context, e) for e in batch.upserts],
                 [f"{context}/{uid}" for uid in batch.deletes], batch.reset)


def _tagged(context: str, entry: Entry) -> Entry:
    return replace(entry, uid=f"{context}/{entry.uid}",
                   cells=(context, *entry.cells))


def _no_note(_: str) -> None:
    """Endpoint notes of a Service drill-down are not merged across contexts."""


class MergedNamespaces:
    """The namespaces of every connected context for the side pane: a row per name, the
    contexts that have it and its STATUS (each context's, when they differ)."""

    def __init__(self, connections: list[Connection], on_batch: Callable[[Batch], None]
                 ) -> None:
        self._on_batch = on_batch
        self._live = [c.context for c in connections if c.session is not None]
        #: Each context's namespaces by name, and their names by uid (for deletes).
        self._seen: dict[str, dict[str, Entry]] = {c: {} for c in self._live}
        self._names: dict[str, dict[str, str]] = {c: {} for c in self._live}
        self._feeds = [Feed(c.session.store, root_view(NAMESPACE, None),  # type: ignore[union-attr]
                            self._batch_of(c.context), ignore, ignore)
                       for c in connections if c.session is not None]

    def close(self) -> None:
        for feed in self._feeds:
            feed.close()

    def _batch_of(self, context: str) -> Callable[[Batch], None]:
        def on_batch(batch: Batch) -> None:
            seen, names = self._seen[context], self._names[context]
            touched = {e.name for e in batch.upserts}
            if batch.reset:
                touched |= set(seen)
                seen.clear()
                names.clear()
            for uid in batch.deletes:
                if (name := names.pop(uid, None)) is not None:
                    touched.add(name)
                    seen.pop(name, None)
            for entry in batch.upserts:
                seen[entry.name] = entry
                names[entry.uid] = entry.name
            merged = {name: self._merged(name) for name in sorted(touched)}
            self._on_batch(Batch([e for e in merged.values() if e is not None],
                                 [n for n, e in merged.items() if e is None], False))
        return on_batch

    def _merged(self, name: str) -> Entry | None:
        having = [(c, self._seen[c][name]) for c in self._live if name in self._seen[c]]
        if not having:
            return None
        first = having[0][1]
        statuses = dict.fromkeys(e.cells[1] if len(e.cells) > 1 else ""
                                 for _, e in having)
        status = next(iter(statuses)) if len(statuses) == 1 else \
            ", ".join(f"{c}: {e.cells[1]}" for c, e in having)
        contexts = "all" if len(having) == len(self._live) else \
            ",".join(c for c, _ in having)
        return replace(first, uid=name, cells=(name, contexts, status))


class HelmWatches:
    """`HelmWatch`'s face over several contexts: each revision (and unreadable record)
    marked with its context; a context that could not connect is one unreadable line."""

    def __init__(self, connections: list[Connection], namespace: str | None,
                 on_change: Callable[[], None]) -> None:
        from kubetui.cluster.helm_watch import HelmWatch
        from kubetui.helm.releases import UnreadableRecord

        self._errors = [UnreadableRecord("", c.context, c.error or "not connected")
                        for c in connections if c.session is None]
        self.sessions = {c.context: c.session for c in connections if c.session is not None}
        self._watches = {name: HelmWatch(s.client, namespace, on_change, s.store.settings)
                         for name, s in self.sessions.items()}

    def start(self) -> None:
        for watch in self._watches.values():
            watch.start()

    async def stop(self) -> None:
        await asyncio.gather(*(w.stop() for w in self._watches.values()))

    @property
    def revisions(self) -> list[Revision]:
        return [replace(r, context=name) for name, w in self._watches.items()
                for r in w.revisions]

    @property
    def unreadable(self) -> list[UnreadableRecord]:
        return [*self._errors, *(replace(u, namespace=f"{name}: {u.namespace}")
                                 for name, w in self._watches.items() for u in w.unreadable)]

    @property
    def health(self) -> StreamHealth:
        healths = [w.health for w in self._watches.values()]
        return worst(healths) if healths else StreamHealth("error", "no context could "
                                                           "connect", 0.0)
