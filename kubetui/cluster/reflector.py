"""The list+watch loop for one resource in one namespace (or all), as client-go's reflector.

List in pages, hand the first page over at once, watch from the list's resourceVersion with
bookmarks and a server-side timeout, re-watch from the last resourceVersion when a watch
ends, and back off with jitter on errors (or wait what a 429 asks). Watch lines are decoded
with orjson; no model objects are built.

The state says "live" only for a watch opened after a list completed since contact was
last lost: after a request that got no answer (the server may come back restarted, or
restored from a backup with other objects and lower resourceVersions) the reflector lists
again before it watches, first as client-go does with `resourceVersion=<last>` and
`resourceVersionMatch=NotOlderThan`; when the server answers that this resourceVersion is
not valid on it (410 Expired, or 504 "Too large resource version"), on a list or in a
watch's ERROR event, it lists afresh. A connection merely cut mid-watch, or an error
answered by the server (429, 500), resumes the watch from the last resourceVersion, as
client-go does.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson

from kubetui.collector import collector_paused
from kubetui.cluster.client import ClusterClient, status_causes
from kubetui.cluster.errors import ClusterError

SYNCING, LIVE, RECONNECTING, STALE, ERROR = "syncing", "live", "reconnecting", "stale", "error"
_SEVERITY = {LIVE: 0, SYNCING: 1, RECONNECTING: 2, STALE: 3, ERROR: 4}
#: Errors that retrying soon will not cure; the stream says "error" and retries slowly.
_PERMANENT = (401, 403, 404)


class _HasState(Protocol):
    @property
    def state(self) -> str: ...


_S = TypeVar("_S", bound=_HasState)


def worst(streams: Iterable[_S]) -> _S:
    """The stream (a reflector or a health) in the worst state: error, stale,
    reconnecting, syncing, then live."""
    return max(streams, key=lambda s: _SEVERITY[s.state])


@dataclass(frozen=True)
class StoreSettings:
    #: Objects a list page asks for (kubectl and client-go ask for 500). Each page costs a
    #: round trip and the server a turn between its other work: at 50,000 pods under
    #: 1,000 changes/s (bench/run.py, quiet) the 100 pages of 500 took 3.3-3.7 s to fetch
    #: and decode alone and the full sync 4.2-4.3 s; 50 pages of 1,000, 2.1 s and 3.3 s,
    #: the resident memory after the sync 143 -> 149 MiB (a page's objects are decoded at
    #: once); pages of 2,000 gained 0.2 s more for 165 MiB.
    page_size: int = 1000
    #: A list's first page: about a screen of rows, which go out at once (`Sink.first_page`)
    #: and are decoded, stored and painted before the rest. At 500 that page cost the
    #: first rows ~45 ms of CPU and the server's time to prepare 1.4 MB of pods. The
    #: second page makes up for it (`page_limit`): a list takes as many pages as with
    #: `page_size` throughout, except one of 101 to `page_size` objects (two, not one).
    first_page_size: int = 100
    flush_interval: float = 0.075  # seconds between batches to subscribers
    #: Seconds between batches while a list's pages come in, after its first page (which
    #: goes out at once): each batch costs a subscriber a merge into everything it holds
    #: and a paint, so a list's rows arrive in a few large batches. The list's end
    #: flushes at once.
    list_flush_interval: float = 1.0
    watch_timeout: tuple[float, float] = (300.0, 600.0)  # random in range, as client-go
    read_grace: float = 30.0  # socket read timeout = watch timeout + this
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    stale_after: float = 10.0  # reconnecting this long -> stale
    linger: float = 30.0  # keep a stream this long after its last subscriber left
    #: Seconds of watch events applied between yields to the event loop: a burst
    #: delays a key by at most this much per hop of its way to the screen (256 events,
    #: the old fixed slice, took ~15 ms of CPU at 50,000 pods).
    yield_after: float = 0.004
    relist_every: float = 15.0  # a resource that cannot be watched (metrics) is listed again

    def page_limit(self, page: int) -> int:
        """The `limit` of a list's page `page` (0: the first): a short first page, a second
        one as much longer as the first was short, then `page_size`."""
        first = min(self.first_page_size, self.page_size)
        return (first, 2 * self.page_size - first)[page] if page < 2 else self.page_size


class Sink(Protocol):
    """Where a reflector puts what it learns (the stream that owns it)."""

    async def prepare(self) -> None: ...
    def upsert(self, obj: dict[str, Any]) -> str: ...
    def delete(self, obj: dict[str, Any]) -> None: ...
    def listed(self, seen: set[str], namespace: str | None) -> None: ...
    def first_page(self) -> None: ...
    def report(self, reflector: Reflector) -> None: ...
    def forbidden(self, reflector: Reflector, error: ClusterError) -> bool: ...


class Reflector:
    """Keeps a sink in step with one collection path. `state`/`error`/`since` describe it."""

    def __init__(self, client: ClusterClient, path: str, namespace: str | None, sink: Sink,
                 settings: StoreSettings, label_selector: str = "") -> None:
        self.client = client
        self.path = path
        #: Every list page and watch carries it (the server applies it to each page).
        self._selector = {"labelSelector": label_selector} if label_selector else {}
        self.namespace = namespace
        self.sink = sink
        self.settings = settings
        self.state = SYNCING
        self.error: str | None = None
        self.since = time.time()
        self.synced = False  # a list has completed at least once
        self.listing = False  # a list's first page is out, its last not yet in
        self._lost_at: float | None = None  # wall time contact was lost

    def _set(self, state: str, error: str | None = None, since: float | None = None) -> None:
        if (state, error) != (self.state, self.error):
            self.state, self.error = state, error
            self.since = since if since is not None else time.time()
            self.sink.report(self)

    async def run(self) -> None:
        rv: str | None = None  # where the watch resumes; None: list first
        resume: str | None = None  # the last resourceVersion, for a NotOlderThan list
        failures = 0
        polled = False  # the server lists this resource but refuses to watch it
        while True:
            try:
                await self.sink.prepare()
                watching: asyncio.Task[tuple[str, bool]] | None = None
                if rv is None:
                    # A relist says "syncing" (after trouble it stays "reconnecting"); a
                    # polled resource stays "live".
                    if self.state == LIVE and not polled:
                        self._set(SYNCING)
                    rv, watching = await self._list(resume, watch=not polled)
                    resume = None
                if polled:  # nothing to watch: list again later
                    rv = None
                    await asyncio.sleep(self.settings.relist_every)
                    continue
                rv, productive = await (watching or self._watch(rv))
                if productive:
                    failures = 0
                    continue
                failures += 1  # a watch that ends at once, again and again: slow down
                await asyncio.sleep(self._backoff(failures))
            except ClusterError as e:
                if e.expired or e.too_large_rv:  # our resourceVersion means nothing here
                    rv = resume = None
                    continue
                if e.status == 403 and not self.synced and self.sink.forbidden(self, e):
                    return
                if e.status == 405 and rv is not None:
                    # Listed but not watchable (metrics.k8s.io, as metrics-server serves it):
                    # what was listed is the truth until the next list, as `kubectl top`.
                    polled, rv = True, None
                    self._lost_at = None
                    self._set(LIVE)
                    await asyncio.sleep(self.settings.relist_every)
                    continue
                if rv is not None and e.status is None:
                    # No answer at all: the server may come back as another one (restarted,
                    # restored from a backup). List before saying "live" again. (An answer
                    # such as 429 or 500 came from a server that is there: re-watch.)
                    rv, resume = None, rv
                failures += 1
                delay = e.retry_after if e.status == 429 and e.retry_after else \
                    self._backoff(failures)
                await self._trouble(e, delay)

    def _backoff(self, failures: int) -> float:
        """Exponential with full jitter in [cap/2, cap]."""
        cap = min(self.settings.backoff_max, self.settings.backoff_base * 2 ** (failures - 1))
        return random.uniform(cap / 2, cap)

    async def _trouble(self, e: ClusterError, delay: float) -> None:
        """Report the problem, wait `delay`, turning "reconnecting" into "stale" on time."""
        now = time.time()
        if self._lost_at is None:
            self._lost_at = now
        if e.status in _PERMANENT:
            self._set(ERROR, str(e))
            await asyncio.sleep(max(delay, min(self.settings.backoff_max, 5.0)))
            return
        stale_at = self._lost_at + self.settings.stale_after
        if now >= stale_at:
            self._set(STALE, str(e), since=self._lost_at)
            await asyncio.sleep(delay)
            return
        self._set(RECONNECTING, str(e))
        if now + delay > stale_at:
            await asyncio.sleep(stale_at - now)
            self._set(STALE, str(e), since=self._lost_at)
            delay -= stale_at - now
        await asyncio.sleep(delay)

    async def _list(self, resume: str | None = None, watch: bool = True
                    ) -> tuple[str, asyncio.Task[tuple[str, bool]] | None]:
        """List page by page (no older than `resume` when given); returns the
        resourceVersion to watch from and, with `watch`, that watch already under way
        (`_watch`). The next page is requested before this one is decoded (its continue
        token read from the body's head) or, when the head does not say, before its
        objects are handed over: the server prepares it meanwhile. After the last page
        the watch is requested the same way, so that it is open when the page's objects
        are in (it waits for them before it says "live" and applies its events): at 1,000
        pods under churn its round trip was ~45 ms of the full sync's 0.55 s."""
        seen: set[str] = set()
        query: dict[str, Any] = {"limit": self.settings.page_limit(0), **self._selector}
        if resume is not None:
            query.update(resourceVersion=resume, resourceVersionMatch="NotOlderThan")
        page = 0
        following: asyncio.Task[bytes] | None = None
        watching: asyncio.Task[tuple[str, bool]] | None = None
        listed = asyncio.Event()
        try:
            raw = await self.client.request_bytes("GET", self.path, query=query)
            while True:
                meta = list_meta(raw)
                if meta is not None:
                    following, watching = self._what_follows(meta, page + 1, watch, listed)
                    await asyncio.sleep(0)  # let it send the request
                # At 50,000 pods the collections a page's 70,000 dicts set off, scanning
                # every row held so far, were about a fifth of the sync's time.
                with collector_paused():
                    doc = self.client.decode(raw, self.path)
                    if meta is None:
                        meta = doc.get("metadata") or {}
                        following, watching = self._what_follows(meta, page + 1, watch,
                                                                 listed)
                        await asyncio.sleep(0)
                    await self._store_page(doc.get("items") or (), seen)
                    del doc
                if page == 0:
                    self.listing = following is not None
                    self.sink.first_page()
                page += 1
                if following is None:
                    self.sink.listed(seen, self.namespace)
                    self.synced = True
                    listed.set()
                    handed, watching = watching, None
                    return _list_rv(meta), handed
                raw = await following
                following = None
        finally:
            self.listing = False
            if following is not None:  # left early (cancelled, a sink's failure)
                abandon(following)
            if watching is not None:
                abandon(watching)

    def _what_follows(self, meta: dict[str, Any], page: int, watch: bool,
                      listed: asyncio.Event
                      ) -> tuple[asyncio.Task[bytes] | None,
                                 asyncio.Task[tuple[str, bool]] | None]:
        """What is requested after the page `meta` describes, as tasks (held by the caller
        before it yields, so that leaving early cancels them): page `page`
        (`_request_next`) or, after the last page and with `watch`, the watch that follows
        the list, which opens now and waits for `listed` before anything else."""
        following = self._request_next(meta, page)
        if following is not None or not watch:
            return following, None
        return None, asyncio.ensure_future(self._watch(_list_rv(meta), listed))

    async def _store_page(self, items: Iterable[dict[str, Any]], seen: set[str]) -> None:
        """Hand a list page's objects to the sink, adding their uids to `seen`, with a turn
        of the event loop after each `yield_after` seconds, as a watch's burst does: a
        page of 1,900 objects took 20-110 ms, and lists run while keys are pressed (the
        streams of `:problems`' kinds start after the view's sync, a relist any time)."""
        upsert, clock = self.sink.upsert, time.perf_counter
        turn_ends = clock() + self.settings.yield_after
        for obj in items:
            seen.add(upsert(obj))
            if clock() > turn_ends:
                await asyncio.sleep(0)
                turn_ends = clock() + self.settings.yield_after

    def _request_next(self, meta: dict[str, Any], page: int) -> asyncio.Task[bytes] | None:
        """The request of page `page`, after the one `meta` describes, as a task (held by
        the caller before it yields, so that leaving early cancels it); None after the
        last page."""
        token = meta.get("continue")
        if not token:
            return None
        return asyncio.ensure_future(self.client.request_bytes(
            "GET", self.path,
            query={"limit": self.settings.page_limit(page), "continue": token,
                   **self._selector}))

    async def _watch(self, rv: str, listed: asyncio.Event | None = None
                     ) -> tuple[str, bool]:
        """Watch from `rv` until the stream ends; returns the last resourceVersion and
        whether the watch was worth it (saw an event, or lasted a while). Opened while its
        list's last page is handed over, it waits for `listed` once connected: the list's
        objects go first, and "live" follows them."""
        low, high = self.settings.watch_timeout
        timeout = int(random.uniform(low, high))
        query = {"watch": "true", "resourceVersion": rv, "allowWatchBookmarks": "true",
                 "timeoutSeconds": timeout, **self._selector}
        started = time.monotonic()
        count = 0
        slice_end = time.perf_counter() + self.settings.yield_after
        try:
            async with self.client.open_stream(
                    self.path, query, read_timeout=timeout + self.settings.read_grace) as lines:
                if listed is not None:
                    await listed.wait()
                    started = time.monotonic()
                self._lost_at = None
                self._set(LIVE)
                async for line in lines:
                    if not line:
                        continue
                    event = orjson.loads(line)
                    kind, obj = event.get("type"), event.get("object") or {}
                    if kind == "ERROR":
                        raise _status_error(obj)
                    if kind == "ADDED" or kind == "MODIFIED":
                        self.sink.upsert(obj)
                    elif kind == "DELETED":
                        self.sink.delete(obj)
                    rv = (obj.get("metadata") or {}).get("resourceVersion") or rv
                    count += 1
                    if time.perf_counter() > slice_end:
                        await asyncio.sleep(0)
                        slice_end = time.perf_counter() + self.settings.yield_after
        except ClusterError as e:
            if e.reason != "Disconnected":
                raise
            # A cut connection is how long watches commonly end: resume from `rv`.
        except orjson.JSONDecodeError:
            pass  # a line cut in half by a dropped connection: resume from `rv`
        return rv, count > 0 or time.monotonic() - started > 1.0


#: The head of a list's body up to its ListMeta, as the API server writes it (Go encodes a
#: struct's fields in order: kind, apiVersion, metadata, then items). ListMeta holds only
#: scalars; an object with braces inside its strings does not match.
_LIST_HEAD = re.compile(
    rb'\A\s*\{\s*(?:"(?:kind|apiVersion)"\s*:\s*"[^"\\]*"\s*,\s*)*"metadata"\s*:\s*(\{[^{}]*\})')


def _list_rv(meta: dict[str, Any]) -> str:
    """The resourceVersion a list's metadata says to watch from."""
    return str(meta.get("resourceVersion") or "0")


def list_meta(raw: bytes) -> dict[str, Any] | None:
    """A list body's metadata (continue token, resourceVersion) read from its head,
    without decoding its items; None when the body does not start that way."""
    head = _LIST_HEAD.match(raw, 0, 4096)
    if head is None:
        return None
    try:
        meta = orjson.loads(head.group(1))
    except orjson.JSONDecodeError:
        return None
    return meta if isinstance(meta, dict) else None


def abandon(task: asyncio.Task[Any]) -> None:
    """Cancel a request no longer wanted, taking its outcome when it ends, so that an
    error it ended with is not logged as never retrieved."""
    task.cancel()
    task.add_done_callback(_taken)


def _taken(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _status_error(status: dict[str, Any]) -> ClusterError:
    """The Status object of a watch ERROR event as a ClusterError (410 -> expired)."""
    code = int(status.get("code") or 500)
    message = str(status.get("message") or "watch failed")
    return ClusterError(f"watch error ({code}): {message}", status=code,
                        reason=str(status.get("reason") or ""), causes=status_causes(status))
