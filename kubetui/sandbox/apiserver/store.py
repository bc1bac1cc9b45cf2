"""The sandbox's object store: every object, one resourceVersion counter, watch history.

Stored objects are never mutated: every write stores a fresh dict, so readers (the HTTP
server, controllers, watch events) may hold references without copying. Callers that want
to change an object copy it first (`copy.deepcopy` or `clone`) and write the copy back.
A caller that built what it writes for the purpose says so (`owned=True`): the store keeps
it as given, sharing what it shares with stored objects, instead of copying it whole (a
copy per write was a fifth of the time to start 50,000 pods). The caller must not change
it afterwards.

All of it runs on one asyncio loop; no method awaits between reading and writing, so each
call is atomic with respect to the others.
"""

from __future__ import annotations

import asyncio
import copy
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple

import orjson

from kubetui.sandbox.errors import (ApiError, already_exists, conflict, expired, not_found,
                                    too_large_resource_version)

Obj = dict[str, Any]
ResKey = tuple[str, str]  # (group, plural)
ObjKey = tuple[str, str]  # (namespace or "", name)
Predicate = Callable[[Obj], bool]

NAMESPACES: ResKey = ("", "namespaces")


_stamp: tuple[int, str] = (0, "")


def now_rfc3339() -> str:
    """The time in whole seconds, as the API's timestamps are (formatted once a second:
    every write of every controller asks)."""
    global _stamp
    second = int(time.time())
    if _stamp[0] != second:
        _stamp = (second, datetime.fromtimestamp(second, timezone.utc)
                  .strftime("%Y-%m-%dT%H:%M:%SZ"))
    return _stamp[1]


_uid_bits = random.Random()
_UUID4_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


def new_uid() -> str:
    """A random (version 4) UUID as text, as metadata.uid holds. Not `uuid.uuid4()`: that
    reads the OS's entropy for each of half a million objects, where uniqueness is all a
    uid needs."""
    h = f"{_uid_bits.getrandbits(128) & _UUID4_MASK | _UUID4_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_CLONE_OPTS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | \
    orjson.OPT_PASSTHROUGH_SUBCLASS


def clone(obj: Any) -> Any:
    """A private, mutable copy of a stored object. Objects are JSON data, and a JSON round
    trip copies them several times faster than `copy.deepcopy` (which stays the fallback
    for anything else, such as tuples or datetimes a caller slipped in)."""
    try:
        return orjson.loads(orjson.dumps(obj, option=_CLONE_OPTS))
    except TypeError:
        return copy.deepcopy(obj)


class Event(NamedTuple):
    """One change in the store. `old` is the object before a MODIFIED or DELETED.

    A tuple, not a frozen dataclass: half a million are made for 50,000 pods, and the
    watch history keeps up to millions (80 bytes instead of 352, built in a third of the
    time)."""

    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    key: ResKey
    obj: Obj
    old: Obj | None = None


class EventQueue:
    """A FIFO of watch events for one consumer: `asyncio.Queue`'s put/get without its
    task accounting, which is most of the cost when every store write is offered to
    every watcher (half a million writes for a 50,000-pod cluster)."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Event | None] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Event | None) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def get_nowait(self) -> Event | None:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def drain(self) -> list[Event | None]:
        """Everything queued, at once (for a consumer that handles a burst together)."""
        items = list(self._items)
        self._items.clear()
        return items

    async def get(self) -> Event | None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items


@dataclass(eq=False)
class Watch:
    """A subscription to one resource (optionally one namespace) from a resourceVersion.

    Iterate it for events; `close()` ends the iteration. Events that matched the predicate
    before and not after come out as DELETED, the reverse as ADDED, as the API server does.
    """

    key: ResKey
    namespace: str | None
    predicate: Predicate | None
    _store: ObjectStore
    _queue: EventQueue = field(default_factory=EventQueue)
    closed: bool = False

    def _matches(self, obj: Obj | None) -> bool:
        if obj is None:
            return False
        if self.namespace and obj["metadata"].get("namespace") != self.namespace:
            return False
        return self.predicate is None or self.predicate(obj)

    def _offer(self, ev: Event) -> None:
        if self.closed:
            return
        if self.namespace is None and self.predicate is None:
            self._queue.put_nowait(ev)  # everything matches: events pass as they are
            return
        now_in = ev.type != "DELETED" and self._matches(ev.obj)
        was_in = self._matches(ev.old) if ev.type != "ADDED" else False
        if ev.type == "DELETED":
            if self._matches(ev.obj) or was_in:
                self._queue.put_nowait(ev)
        elif now_in and was_in:
            self._queue.put_nowait(ev)
        elif now_in:
            self._queue.put_nowait(Event(ev.rv, "ADDED", ev.key, ev.obj))
        elif was_in:
            self._queue.put_nowait(Event(ev.rv, "DELETED", ev.key, ev.obj, ev.old))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._store._unsubscribe(self)
            self._queue.put_nowait(None)

    def pending(self) -> int:
        return self._queue.qsize()

    def next_nowait(self) -> Event | None:
        """The next event if one is queued, else None (also once closed)."""
        return self._queue.get_nowait() if self._queue.qsize() else None

    def take_all(self) -> list[Event]:
        """Every event queued now (an empty list if none, or once closed)."""
        return [ev for ev in self._queue.drain() if ev is not None]

    async def next(self) -> Event | None:
        """The next event, or None once closed."""
        if self.closed and self._queue.empty():
            return None
        ev = await self._queue.get()
        return ev

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> Event:
        ev = await self.next()
        if ev is None:
            raise StopAsyncIteration
        return ev


@dataclass(frozen=True)
class Snapshot:
    """A resource's objects at one resourceVersion, in list order (see
    `ObjectStore.snapshot`)."""

    keys: list[ObjKey]
    objects: dict[ObjKey, Obj]
    rv: int

    def page(self, start: int, limit: int, predicate: Predicate | None = None
             ) -> tuple[list[Obj], int]:
        """Up to `limit` (0: all) matching objects from position `start`, and the position
        of the next match (len(keys) when there is none): a page costs what it reads,
        not what the resource holds."""
        keys, objects, end = self.keys, self.objects, len(self.keys)
        if predicate is None:
            stop = min(start + limit, end) if limit else end
            return [objects[k] for k in keys[start:stop]], stop
        out: list[Obj] = []
        i = start
        while i < end:
            obj = objects[keys[i]]
            if predicate(obj):
                if limit and len(out) == limit:
                    return out, i  # one more matches: the next page starts there
                out.append(obj)
            i += 1
        return out, end


#: Seconds a request for a resourceVersion the store has not reached waits before it is
#: refused: the watch cache's blockTimeout.
FRESHNESS_TIMEOUT = 3.0


class ObjectStore:
    """All objects of the sandbox cluster, keyed by resource, namespace and name."""

    def __init__(self, history: int = 10_000) -> None:
        self.rv = 1
        self._objects: dict[ResKey, dict[ObjKey, Obj]] = {}
        # The same objects by namespace: a namespace's list reads its own names only
        # (a Deployment's sync lists its namespace's ReplicaSets, not the cluster's).
        self._by_namespace: dict[ResKey, dict[str, dict[str, Obj]]] = {}
        self._order: dict[ResKey, _KeyOrder] = {}  # each resource's keys in list order
        self._history: deque[Event] = deque(maxlen=max(1, history))
        self._evicted_upto = 0  # highest rv that has fallen out of history
        self._watches: dict[ResKey, set[Watch]] = {}
        # The same as tuples, rebuilt when one starts or ends: every write is offered to
        # each, and iterating a copy of the set per write cost more than the offers.
        self._offer_to: dict[ResKey, tuple[Watch, ...]] = {}
        self._dependents: dict[str, set[tuple[ResKey, ObjKey]]] = {}  # owner uid -> objects
        self._listeners: list[Callable[[Event], None]] = []
        self._handlers: dict[ResKey, tuple[Callable[[Event], None], ...]] = {}

    # ----- reading -------------------------------------------------------------------

    def get(self, key: ResKey, namespace: str, name: str) -> Obj:
        obj = self._objects.get(key, {}).get((namespace, name))
        if obj is None:
            raise not_found(key[0], key[1], name)
        return obj

    def find(self, key: ResKey, namespace: str, name: str) -> Obj | None:
        return self._objects.get(key, {}).get((namespace, name))

    def list(self, key: ResKey, namespace: str | None = None,
             predicate: Predicate | None = None) -> tuple[list[Obj], int]:
        """Matching objects sorted by namespace and name (as etcd keys sort), and the rv."""
        if namespace:
            names = self._by_namespace.get(key, {}).get(namespace, {})
            objs = [names[n] for n in sorted(names)]
        else:
            bucket = self._objects.get(key, {})
            order = self._order.get(key)
            objs = [bucket[ok] for ok in order.keys(bucket)] if order else []
        if predicate is not None:
            objs = [obj for obj in objs if predicate(obj)]
        return objs, self.rv

    def snapshot(self, key: ResKey, namespace: str | None = None) -> Snapshot:
        """The resource (or one namespace of it) as it is now, to read a page at a time:
        copies of the sorted keys and of the key -> object map, made in C at a fraction
        of the cost of building every object's list entry (stored objects never change,
        so the copies stay consistent however the store moves on)."""
        if namespace:
            names = self._by_namespace.get(key, {}).get(namespace, {})
            return Snapshot([(namespace, n) for n in sorted(names)],
                            {(namespace, n): o for n, o in names.items()}, self.rv)
        bucket = self._objects.get(key, {})
        order = self._order.get(key)
        return Snapshot(list(order.keys(bucket)) if order else [], bucket.copy(), self.rv)

    async def wait_for_rv(self, rv: int, timeout: float = FRESHNESS_TIMEOUT) -> None:
        """Wait (a while) for the store to reach `rv`, as the apiserver's watch cache does
        (waitUntilFreshAndBlock); then 504 "Too large resource version"."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.rv < rv:
            if loop.time() >= deadline:
                raise too_large_resource_version(rv, self.rv)
            await asyncio.sleep(0.05)

    def iter(self, key: ResKey) -> Iterator[Obj]:
        """Every object of a resource, unsorted and without copying; for controllers."""
        return iter(list(self._objects.get(key, {}).values()))

    def count(self, key: ResKey) -> int:
        return len(self._objects.get(key, {}))

    def resources(self) -> list[ResKey]:
        return list(self._objects)

    def dependents(self, owner_uid: str) -> list[Obj]:
        out = []
        for key, ok in list(self._dependents.get(owner_uid, ())):
            obj = self._objects.get(key, {}).get(ok)
            if obj is not None:
                out.append(obj)
        return out

    # ----- writing -------------------------------------------------------------------

    def create(self, key: ResKey, obj: Obj, *, namespaced: bool = True,
               owned: bool = False) -> Obj:
        """Store a new object: fills uid, creationTimestamp, resourceVersion, generation.
        `owned`: `obj` is the caller's to give away (see the module docstring)."""
        if owned:
            obj = dict(obj)
            obj["metadata"] = dict(obj.get("metadata") or {})
        else:
            obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        ns = meta.get("namespace", "") if namespaced else ""
        if not namespaced:
            meta.pop("namespace", None)
        name = meta.get("name") or ""
        if namespaced and ns and ("", ns) not in self._objects.get(NAMESPACES, {}):
            raise not_found("", "namespaces", ns)
        bucket = self._objects.setdefault(key, {})
        if (ns, name) in bucket:
            raise already_exists(key[0], key[1], name)
        if meta.get("deletionTimestamp") is not None:
            meta.pop("deletionTimestamp")
        meta["uid"] = meta.get("uid") or new_uid()  # verbs sets it before defaults
        meta["creationTimestamp"] = now_rfc3339()
        meta["generation"] = 1
        meta.pop("resourceVersion", None)
        return self._put(key, obj, None, "ADDED")

    def update(self, key: ResKey, obj: Obj, *, check_rv: bool = True,
               status_only: bool = False, owned: bool = False) -> Obj:
        """Replace an object. A stale resourceVersion is a 409 Conflict (when checked);
        an empty one means "whatever is there". `generation` bumps when spec changes.
        `owned`: `obj` (or with `status_only` its status) is the caller's to give away,
        and may share parts with stored objects (see the module docstring)."""
        meta = obj.get("metadata") or {}
        ns, name = meta.get("namespace", "") or "", meta.get("name", "")
        old = self.get(key, ns, name)
        rv = meta.get("resourceVersion")
        if check_rv and rv and rv != old["metadata"]["resourceVersion"]:
            raise conflict(key[0], key[1], name)
        if status_only:
            # Only the status is new: the rest is shared with the stored object, which
            # nobody mutates (metadata is copied, as the server sets fields in it).
            given = obj
            obj = {k: v for k, v in old.items() if k != "status"}
            obj["metadata"] = dict(old["metadata"])
            if "status" in given:
                obj["status"] = given["status"] if owned else clone(given["status"])
        else:
            if owned:  # the store sets fields in metadata only: that one is copied
                obj = dict(obj)
                obj["metadata"] = dict(obj.get("metadata") or {})
            else:
                obj = clone(obj)
                obj.setdefault("metadata", {})
            if "status" in old and key != NAMESPACES:
                # A main-resource update keeps the status, as for kinds with a status
                # subresource.
                obj["status"] = old["status"]
        meta = obj["metadata"]
        if not status_only:  # (a status write's metadata is the stored one's copy)
            # Immutable metadata stays as the server set it.
            for f in ("uid", "creationTimestamp", "deletionTimestamp",
                      "deletionGracePeriodSeconds"):
                if f in old["metadata"]:
                    meta[f] = old["metadata"][f]
                else:
                    meta.pop(f, None)
            meta["generation"] = old["metadata"].get("generation", 1)
            if _spec_of(obj) != _spec_of(old):
                meta["generation"] += 1
        if (obj.get("status") == old.get("status")) if status_only else \
                (_without_rv(obj) == _without_rv(old)):
            return old  # a no-op write changes nothing, as on the real server
        if meta.get("deletionTimestamp") and not meta.get("finalizers") and \
                old["metadata"].get("finalizers"):
            # The last finalizer went away from an object being deleted: it goes now.
            return self._remove(key, old)
        return self._put(key, obj, old, "MODIFIED")

    def write_status(self, key: ResKey, obj: Obj, *, owned: bool = False) -> Obj:
        """Replace only the status, ignoring the resourceVersion (for controllers)."""
        return self.update(key, obj, check_rv=False, status_only=True, owned=owned)

    def mark_deleting(self, key: ResKey, namespace: str, name: str,
                      grace_seconds: int | None = None) -> Obj:
        """Set deletionTimestamp (graceful deletion or finalizers pending)."""
        old = self.get(key, namespace, name)
        if old["metadata"].get("deletionTimestamp"):
            return old
        obj = {**old, "metadata": {**old["metadata"], "deletionTimestamp": now_rfc3339()}}
        if grace_seconds is not None:
            obj["metadata"]["deletionGracePeriodSeconds"] = grace_seconds
        return self._put(key, obj, old, "MODIFIED")

    def delete(self, key: ResKey, namespace: str, name: str) -> Obj:
        """Remove an object now (or, with finalizers, mark it deleting). Returns the last
        state. Dependents are not touched here: see `garbage` for propagation."""
        old = self.get(key, namespace, name)
        if old["metadata"].get("finalizers"):
            return self.mark_deleting(key, namespace, name)
        return self._remove(key, old)

    def _remove(self, key: ResKey, old: Obj) -> Obj:
        meta = old["metadata"]
        ok = (meta.get("namespace", "") or "", meta["name"])
        del self._objects[key][ok]
        spaces = self._by_namespace[key]
        del spaces[ok[0]][ok[1]]
        if not spaces[ok[0]]:
            del spaces[ok[0]]
        for ref in meta.get("ownerReferences") or ():
            deps = self._dependents.get(ref.get("uid", ""))
            if deps:
                deps.discard((key, ok))
        self.rv += 1
        # The last state shares all but its metadata with the stored object it was.
        last = {**old, "metadata": {**meta, "resourceVersion": str(self.rv)}}
        self._emit(Event(self.rv, "DELETED", key, last, old))
        return last

    def _put(self, key: ResKey, obj: Obj, old: Obj | None, etype: str) -> Obj:
        meta = obj["metadata"]
        ok = (meta.get("namespace", "") or "", meta["name"])
        self.rv += 1
        meta["resourceVersion"] = str(self.rv)
        bucket = self._objects.setdefault(key, {})
        bucket[ok] = obj
        if old is None:
            self._order.setdefault(key, _KeyOrder()).added(ok, bucket)
        self._by_namespace.setdefault(key, {}).setdefault(ok[0], {})[ok[1]] = obj
        refs = meta.get("ownerReferences")
        old_refs = old["metadata"].get("ownerReferences") if old is not None else None
        if refs is not old_refs:  # a status write keeps the very same list
            for ref in old_refs or ():
                deps = self._dependents.get(ref.get("uid", ""))
                if deps:
                    deps.discard((key, ok))
            for ref in refs or ():
                self._dependents.setdefault(ref.get("uid", ""), set()).add((key, ok))
        self._emit(Event(self.rv, etype, key, obj, old))
        return obj

    def _emit(self, ev: Event) -> None:
        if len(self._history) == self._history.maxlen:
            self._evicted_upto = self._history[0].rv
        self._history.append(ev)
        for w in self._offer_to.get(ev.key, ()):
            w._offer(ev)
        for handler in self._handlers.get(ev.key, ()):
            handler(ev)
        for listener in self._listeners:
            listener(ev)

    # ----- watching ------------------------------------------------------------------

    def watch(self, key: ResKey, namespace: str | None = None,
              since: int | None = None, predicate: Predicate | None = None) -> Watch:
        """Subscribe to changes. `since=None` (or 0) starts with ADDED events for what
        matches now; `since=N` replays history after N, or raises 410 if it is gone."""
        w = Watch(key, namespace or None, predicate, self)
        if since:
            if since < self._evicted_upto:
                raise expired(f"too old resource version: {since} ({self._evicted_upto + 1})")
            for ev in self._history:
                if ev.rv > since and ev.key == key:
                    w._offer(ev)
        else:
            items, _ = self.list(key, namespace, predicate)
            for obj in items:
                w._queue.put_nowait(Event(self.rv, "ADDED", key, obj))
        self._watches.setdefault(key, set()).add(w)
        self._offer_to[key] = tuple(self._watches[key])
        return w

    def _unsubscribe(self, w: Watch) -> None:
        watches = self._watches.get(w.key, set())
        watches.discard(w)
        self._offer_to[w.key] = tuple(watches)

    def watchers(self) -> list[Watch]:
        return [w for ws in self._watches.values() for w in ws]

    def add_listener(self, fn: Callable[[Event], None]) -> None:
        """Call `fn` synchronously on every event (for in-process controllers' triggers)."""
        self._listeners.append(fn)

    def subscribe(self, key: ResKey, fn: Callable[[Event], None]) -> None:
        """Call `fn` synchronously on every event of one resource, after its watches are
        offered it (a listener that is not asked about every other resource's writes)."""
        self._handlers[key] = (*self._handlers.get(key, ()), fn)

    def unsubscribe(self, key: ResKey, fn: Callable[[Event], None]) -> None:
        self._handlers[key] = tuple(h for h in self._handlers.get(key, ()) if h != fn)

    def set_history(self, size: int) -> None:
        """Shrink or grow the kept watch history (a fault switch)."""
        keep = list(self._history)[-size:] if size > 0 else []
        if len(keep) < len(self._history):
            dropped = list(self._history)[: len(self._history) - len(keep)]
            self._evicted_upto = max(self._evicted_upto, dropped[-1].rv)
        self._history = deque(keep, maxlen=max(1, size))

    @property
    def history_limit(self) -> int:
        """How many events of watch history are kept."""
        return self._history.maxlen or 0


class _KeyOrder:
    """A resource's keys sorted as a list answers (namespace, then name), kept up to date
    lazily: a new key is appended and a deleted one left behind, and the next list sorts
    again, which for a sorted list and a short tail is about one pass (sorting 50,000 keys
    from scratch took half a second, before the first page of every list of all pods).
    Keys that are gone, or there twice (deleted and created again), are dropped then too.
    The tail is sorted in as it grows past an eighth of the list, so that the first list
    after creating 50,000 pods does not sort them all either."""

    __slots__ = ("_keys", "_sorted", "_tail")

    def __init__(self) -> None:
        self._keys: list[ObjKey] = []
        self._sorted = True
        self._tail = 0  # keys appended since the last sort

    def added(self, ok: ObjKey, present: dict[ObjKey, Obj]) -> None:
        self._keys.append(ok)
        self._sorted = False
        self._tail += 1
        if self._tail > len(self._keys) // 8 + 1024:
            self.keys(present)

    def keys(self, present: dict[ObjKey, Obj]) -> list[ObjKey]:
        """The keys of `present`, sorted."""
        if not self._sorted or len(self._keys) != len(present):
            self._keys.sort()
            if len(self._keys) != len(present):  # some were deleted since
                kept = [ok for ok in self._keys if ok in present]
                if len(kept) != len(present):  # deleted and created again: there twice
                    kept = list(dict.fromkeys(kept))  # (sorted: side by side)
                self._keys = kept
            self._sorted, self._tail = True, 0
        return self._keys


def _spec_of(obj: Obj) -> Any:
    """What counts as spec for generation: everything but metadata and status."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _without_rv(obj: Obj) -> Obj:
    meta = {k: v for k, v in obj["metadata"].items() if k != "resourceVersion"}
    return obj | {"metadata": meta}


def parse_rv(value: str | None) -> int | None:
    """A client's resourceVersion as an int; None for absent/empty; 400 if not a number."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, f"invalid resource version: {value!r}") from None
