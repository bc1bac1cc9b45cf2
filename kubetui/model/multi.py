"""Several contexts at once: which contexts `--context a,b`, `:ctx a,b` or `:ctx *` name,
a connection (`Session`) per context where one failing leaves the others going, and
`MergedFeed`, the rows of one view across contexts with a CONTEXT column first.

Each context keeps its own client, watch store and health; a row's uid is
`<context>/<uid>` so that the same object in two clusters is two rows, and `row_context`
tells which cluster a row (and so an action on it) belongs to. No Textual here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from kubetui.cluster.errors import ClusterError, ConfigError
from kubetui.cluster.kubeconfig import Kubeconfig
from kubetui.cluster.reflector import StoreSettings
from kubetui.cluster.store import Batch, Entry, StreamHealth
from kubetui.model.feed import Feed
from kubetui.model.session import Session
from kubetui.model.views import View
from kubetui.render.model import Row

CONTEXT_COLUMN = "CONTEXT"
_SEVERITY = {"live": 0, "syncing": 1, "reconnecting": 2, "stale": 3, "error": 4}
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
                 on_health: Callable[[str, StreamHealth], None]) -> None:
        self._on_batch = on_batch
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
        return max(self.healths.values(), key=lambda h: _SEVERITY[h.state])

    def close(self) -> None:
        for feed in self._feeds.values():
            feed.close()

    def _batch_of(self, context: str) -> Callable[[Batch], None]:
        def on_batch(batch: Batch) -> None:
            known = self._rows[context]
            upserts = [_tagged(context, e) for e in batch.upserts]
            deletes = [f"{context}/{uid}" for uid in batch.deletes]
            if batch.reset:
                fresh = {e.uid for e in upserts}
                deletes = [uid for uid in known if uid not in fresh]
                known.clear()
            known.difference_update(deletes)
            known.update(e.uid for e in upserts)
            self._on_batch(Batch(upserts, deletes, False))
        return on_batch


def _tagged(context: str, entry: Entry) -> Entry:
    return replace(entry, uid=f"{context}/{entry.uid}",
                   row=Row(cells=(context, *entry.row.cells), health=entry.row.health))


def _no_note(_: str) -> None:
    """Endpoint notes of a Service drill-down are not merged across contexts."""
