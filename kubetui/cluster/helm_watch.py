"""Helm's release records, live: list+watch of the Secrets and the ConfigMaps labelled
`owner=helm` (the label Helm's own storage drivers select on), decoded into revisions.

Its own reflectors rather than the shared store: the store keeps rendered rows, not the
objects' data, and a release is in the data. Each record is decoded once per
resourceVersion. Callbacks run on the event loop, at most once per flush interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.entries import uid_of
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.reflector import LIVE, SYNCING, Reflector, StoreSettings, worst
from kubetui.cluster.store import StreamHealth
from kubetui.helm.records import OWNER_SELECTOR
from kubetui.helm.releases import Revision, UnreadableRecord, revision_from_object
from kubetui.kinds import builtin

Found = Revision | UnreadableRecord


class _DriverSink:
    """The Sink of one driver's reflector (Secrets or ConfigMaps)."""

    def __init__(self, watch: HelmWatch) -> None:
        self._watch = watch
        self.records: dict[str, tuple[str, Found]] = {}  # uid -> (resourceVersion, found)

    async def prepare(self) -> None:
        return None

    def upsert(self, obj: dict[str, Any]) -> str:
        uid = uid_of(obj)
        rv = str((obj.get("metadata") or {}).get("resourceVersion") or "")
        old = self.records.get(uid)
        if old is not None and rv and old[0] == rv:
            return uid
        found = revision_from_object(obj)
        if found is None:  # labelled owner=helm, but not a release record
            self.records.pop(uid, None)
        else:
            self.records[uid] = (rv, found)
        self._watch.changed()
        return uid

    def delete(self, obj: dict[str, Any]) -> None:
        if self.records.pop(uid_of(obj), None) is not None:
            self._watch.changed()

    def listed(self, seen: set[str], namespace: str | None) -> None:
        for uid in [u for u in self.records if u not in seen]:
            del self.records[uid]
        self._watch.changed()

    def first_page(self) -> None:
        self._watch.changed()

    def report(self, reflector: Reflector) -> None:
        self._watch.changed()

    def forbidden(self, reflector: Reflector, error: ClusterError) -> bool:
        return False  # shown as the view's error; nothing to fall back to


class HelmWatch:
    """The release records in `namespace` (None: all). `start()`, then `revisions` and
    `health` are current whenever `on_change` is called; `stop()` at the end."""

    def __init__(self, client: ClusterClient, namespace: str | None,
                 on_change: Callable[[], None], settings: StoreSettings | None = None) -> None:
        self.client = client
        self.namespace = namespace
        self._on_change = on_change
        self.settings = settings or StoreSettings()
        self._sinks = {driver: _DriverSink(self) for driver in ("Secret", "ConfigMap")}
        self._reflectors = {
            driver: Reflector(client, paths.collection_path(builtin(driver), namespace),
                              namespace, sink, self.settings, label_selector=OWNER_SELECTOR)
            for driver, sink in self._sinks.items()}
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._tasks = [asyncio.create_task(r.run(), name=f"helm {r.path}")
                       for r in self._reflectors.values()]

    async def stop(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    @property
    def found(self) -> list[Found]:
        return [found for sink in self._sinks.values() for _, found in sink.records.values()]

    @property
    def revisions(self) -> list[Revision]:
        return [f for f in self.found if isinstance(f, Revision)]

    @property
    def unreadable(self) -> list[UnreadableRecord]:
        return [f for f in self.found if isinstance(f, UnreadableRecord)]

    @property
    def health(self) -> StreamHealth:
        """The worse of the two drivers' streams; synced means both lists completed."""
        bad = worst(self._reflectors.values())
        if bad.state == LIVE and not all(r.synced for r in self._reflectors.values()):
            return StreamHealth(SYNCING, None, bad.since)
        return StreamHealth(bad.state, bad.error, bad.since)

    def changed(self) -> None:
        """Coalesce a burst of record changes into one `on_change`."""
        if self._pending is None:
            loop = asyncio.get_running_loop()
            self._pending = loop.call_later(self.settings.flush_interval, self._flush)

    def _flush(self) -> None:
        self._pending = None
        self._on_change()


__all__ = ["HelmWatch"]
