"""The watch-driven cache every view reads from, one per ClusterClient.

A stream per (kind, namespace or all) is shared by all its subscribers and stopped a while
after the last one leaves. Each stream keeps one `Entry` per object (see `entries.py`) and
delivers changes in coalesced batches at most every `flush_interval`, so a burst of
thousands of watch events costs a subscriber one callback. A list's pages go out in fewer,
larger batches: its first page at once, the next ones every `list_flush_interval`, the
rest as soon as the list is complete. Callbacks run on the event loop.

When RBAC forbids the list a view asks for, the stream falls back to what the user may
see: namespaces named in the kubeconfig or typed by hand (`WatchStore.add_namespace`),
listed one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui import clock
from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.entries import Entry, EntryMaker, uid_of
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.reflector import LIVE, SYNCING, Reflector, StoreSettings, worst
from kubetui.kinds import Kind, by_key
from kubetui.render import has_printer

__all__ = ["Batch", "Entry", "StreamHealth", "StoreSettings", "Subscription", "WatchStore"]

log = logging.getLogger(__name__)

@dataclass
class StreamHealth:
    state: str  # "syncing" | "live" | "reconnecting" | "stale" | "error"
    error: str | None  # the problem; with "live", a note on a fallback view (RBAC)
    since: float  # wall time the state began (for "stale": when contact was lost)


@dataclass
class Batch:
    upserts: list[Entry]
    deletes: list[str]  # uids
    reset: bool  # True: `upserts` is the whole content, forget everything else


class Subscription:
    """One subscriber's handle on a shared stream."""

    def __init__(self, stream: _Stream, on_batch: Callable[[Batch], None],
                 on_health: Callable[[StreamHealth], None]) -> None:
        self._stream = stream
        self.on_batch = on_batch
        self.on_health = on_health
        self.needs_reset = True
        self.closed = False

    @property
    def health(self) -> StreamHealth:
        return self._stream.health

    def entries(self) -> dict[str, Entry]:
        """The stream's current content by uid (live, shared: read, never mutate)."""
        return self._stream.entries

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._stream.unsubscribe(self)


class WatchStore:
    """Shared list+watch streams over one cluster."""

    def __init__(self, client: ClusterClient, settings: StoreSettings | None = None) -> None:
        self.client = client
        self.settings = settings or StoreSettings()
        self._streams: dict[tuple[str, str, str], _Stream] = {}
        self._namespaces: list[str] = [client.info.namespace]

    @property
    def streams(self) -> list[tuple[str, str, str]]:
        """(group, plural, namespace) of the streams running now (for a status view)."""
        return list(self._streams)

    @property
    def known_namespaces(self) -> list[str]:
        """Namespaces the user named (kubeconfig, typed by hand): the fallback when RBAC
        forbids listing namespaces or all-namespace lists."""
        return list(self._namespaces)

    def add_namespace(self, name: str) -> None:
        if name and name not in self._namespaces:
            self._namespaces.append(name)
            for stream in list(self._streams.values()):
                stream.namespace_added(name)

    def subscribe(self, kind: Kind, namespace: str | None,
                  on_batch: Callable[[Batch], None],
                  on_health: Callable[[StreamHealth], None]) -> Subscription:
        """Follow `kind` in `namespace` (None or "" = all; ignored for cluster-scoped kinds).
        The first batch is a reset with the current content, delivered soon after."""
        ns = (namespace or "") if kind.namespaced else ""
        key = (kind.group, kind.plural, ns)
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = _Stream(self, kind, ns or None, key)
        sub = Subscription(stream, on_batch, on_health)
        stream.subscribe(sub)
        return sub

    def _forget(self, stream: _Stream) -> None:
        if self._streams.get(stream.key) is stream:
            del self._streams[stream.key]

    async def close(self) -> None:
        streams = list(self._streams.values())
        self._streams.clear()
        await asyncio.gather(*(s.stop() for s in streams))


class _Stream:
    """One shared stream: content, pending changes, subscribers and its reflector(s)."""

    def __init__(self, store: WatchStore, kind: Kind, namespace: str | None,
                 key: tuple[str, str, str]) -> None:
        self.store = store
        self.kind = kind
        self.namespace = namespace
        self.key = key
        self.settings = store.settings
        self.entries: dict[str, Entry] = {}
        self.health = StreamHealth(SYNCING, None, time.time())
        self._loop = asyncio.get_running_loop()
        self._subs: list[Subscription] = []
        self._dirty: dict[str, Entry | None] = {}  # None = deleted
        self._born: set[str] = set()  # uids added since the last flush
        self._flush_handle: asyncio.Handle | None = None
        self._linger_handle: asyncio.TimerHandle | None = None
        self._maker: EntryMaker | None = None
        self._reflectors: dict[str | None, Reflector] = {}
        self._tasks: dict[str | None, asyncio.Task[None]] = {}
        self._note: str | None = None  # why we show a fallback instead of the real list
        self._fallback = False
        self._live_after_flush: StreamHealth | None = None  # "live", held until the rows are out
        self._start(namespace)

    # ----- life cycle ----------------------------------------------------------------

    def _start(self, namespace: str | None) -> None:
        path = paths.collection_path(self.kind, namespace)
        reflector = Reflector(self.store.client, path, namespace, self, self.settings)
        self._reflectors[namespace] = reflector
        self._tasks[namespace] = asyncio.create_task(
            reflector.run(), name=f"watch {path}")

    def subscribe(self, sub: Subscription) -> None:
        if self._linger_handle is not None:
            self._linger_handle.cancel()
            self._linger_handle = None
        self._subs.append(sub)
        self._schedule_flush(at_once=True)

    def unsubscribe(self, sub: Subscription) -> None:
        with contextlib.suppress(ValueError):
            self._subs.remove(sub)
        if not self._subs and self._linger_handle is None:
            self._linger_handle = self._loop.call_later(self.settings.linger, self._expire)

    def _expire(self) -> None:
        self._linger_handle = None
        if not self._subs:
            self.store._forget(self)
            self._loop.create_task(self.stop())

    async def stop(self) -> None:
        for handle in (self._flush_handle, self._linger_handle):
            if handle is not None:
                handle.cancel()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ----- the Sink protocol (called by reflectors) ------------------------------------

    async def prepare(self) -> None:
        if self._maker is None:
            columns = None
            if by_key(*self.kind.key) is None and not has_printer(self.kind.kind,
                                                                  self.kind.group):
                columns = await self.store.client.printer_columns(self.kind)
            self._maker = EntryMaker(self.kind, columns)

    def upsert(self, obj: dict[str, Any]) -> str:
        uid = uid_of(obj)
        old = self.entries.get(uid)
        rv = (obj.get("metadata") or {}).get("resourceVersion", "")
        if old is not None and old.rv == rv and rv:
            return uid  # unchanged (a relist re-reading what we have)
        assert self._maker is not None
        entry = self._maker(obj, clock.now())
        if old is None:
            self._born.add(uid)
        self.entries[uid] = entry
        self._dirty[uid] = entry
        self._schedule_flush()
        return uid

    def delete(self, obj: dict[str, Any]) -> None:
        self._remove(uid_of(obj))

    def _remove(self, uid: str) -> None:
        if self.entries.pop(uid, None) is None:
            return
        if uid in self._born:  # nobody saw it: forget it quietly
            self._born.discard(uid)
            self._dirty.pop(uid, None)
        else:
            self._dirty[uid] = None
        self._schedule_flush()

    def listed(self, seen: set[str], namespace: str | None) -> None:
        """A full list finished: whatever it did not contain is gone (within its scope)."""
        entries = self.entries
        for uid in entries.keys() - seen:  # a set difference in C, not a loop over every row
            if namespace is None or entries[uid].namespace == namespace:
                self._remove(uid)
        self._schedule_flush(at_once=True)

    def first_page(self) -> None:
        self._schedule_flush(at_once=True)

    def report(self, reflector: Reflector) -> None:
        bad = worst(self._reflectors.values())
        error = bad.error if bad.state != LIVE else self._note
        if bad.state == LIVE and self._dirty:  # the list's rows first, then "live"
            self._live_after_flush = StreamHealth(LIVE, error, bad.since)
            self._schedule_flush()
            return
        self._live_after_flush = None
        self._set_health(bad.state, error, bad.since)

    def forbidden(self, reflector: Reflector, error: ClusterError) -> bool:
        """RBAC refused the list: fall back to the namespaces the user named."""
        known = self.store.known_namespaces
        if self.kind.key == ("", "namespaces"):
            self._fallback = True
            self._note = (f"{error}; showing the namespaces from the kubeconfig or typed by "
                          "hand")
            for name in known:
                self.namespace_added(name)
            self._reflectors.pop(None, None)
            self._tasks.pop(None, None)
            self._set_health(LIVE, self._note, time.time())
            return True
        if self.kind.namespaced and self.namespace is None and not self._fallback:
            self._fallback = True
            self._note = f"{error}; showing namespaces {', '.join(known)} only"
            self._reflectors.pop(None, None)
            self._tasks.pop(None, None)
            for name in known:
                self._start(name)
            self._set_health(SYNCING, self._note, time.time())
            return True
        return False

    def namespace_added(self, name: str) -> None:
        if not self._fallback:
            return
        if self.kind.key == ("", "namespaces"):
            assert self._maker is not None
            self.upsert({"metadata": {"name": name, "uid": f"/{name}"}})
        elif name not in self._reflectors:
            self._start(name)

    # ----- delivery ------------------------------------------------------------------

    def _set_health(self, state: str, error: str | None, since: float) -> None:
        if (state, error) == (self.health.state, self.health.error):
            return
        self.health = StreamHealth(state, error, since)
        for sub in list(self._subs):
            if not sub.needs_reset:
                _call(sub.on_health, self.health)

    def _schedule_flush(self, at_once: bool = False) -> None:
        if at_once:
            if self._flush_handle is not None:
                self._flush_handle.cancel()
            self._flush_handle = self._loop.call_soon(self._flush)
        elif self._flush_handle is None:
            listing = any(r.listing for r in self._reflectors.values())
            self._flush_handle = self._loop.call_later(
                self.settings.list_flush_interval if listing else self.settings.flush_interval,
                self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        dirty, self._dirty = self._dirty, {}
        self._born.clear()
        delta: Batch | None = None
        if dirty:
            delta = Batch([e for e in dirty.values() if e is not None],
                          [uid for uid, e in dirty.items() if e is None], False)
        for sub in list(self._subs):
            if sub.needs_reset:
                sub.needs_reset = False
                _call(sub.on_health, self.health)
                _call(sub.on_batch, Batch(list(self.entries.values()), [], True))
            elif delta is not None:
                _call(sub.on_batch, delta)
        if self._live_after_flush is not None:
            live, self._live_after_flush = self._live_after_flush, None
            self._set_health(live.state, live.error, live.since)


def _call(fn: Callable[[Any], None], arg: Any) -> None:
    """A subscriber's bug must not stop the stream for the others."""
    try:
        fn(arg)
    except Exception:
        log.exception("store subscriber failed")

