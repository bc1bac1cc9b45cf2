"""Shared machinery of the sandbox's control loops.

`WorkQueue` holds keys to reconcile, each at most once: a burst of events about one object
becomes one sync. `add_after` schedules a later look (timers: "check again in 3 s"), and
`min_interval` spaces the event-driven syncs of one key, so that thousands of pod events
for one ReplicaSet cost a few dozen syncs instead of thousands.

`Reconciler` is a controller built on it. A subclass names the resources it watches
(`watched`), maps each store event to the keys it affects (`keys_for`) and reconciles one
key at a time in `sync(key)`, returning the seconds after which it wants another look (or
None). `sync` is an ordinary function: the store is in-process and every call on it is
atomic, so a sync reads and writes a consistent world without the informer caches and
"expectations" the real controllers need. The worker syncs in slices, each a turn of the
sandbox's background work (`kubetui.sandbox.requests_first`): the API server's requests
are answered between them, ahead of the next.

Also here: the small pod and object helpers every workload controller needs, and
`EventRecorder`, which rate-limits events per object as client-go's recorder does.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar

from kubetui.kinds import Kind, builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import (Event, Obj, ObjectStore, ResKey, Watch, clone,
                                             new_uid)
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.events import record_event
from kubetui.sandbox.podinfo import controller_ref, is_deleting, owned_by, ready_since
from kubetui.sandbox.selectors import label_selector_requirements

log = logging.getLogger(__name__)

PODS: ResKey = ("", "pods")
NODES: ResKey = ("", "nodes")
POD_KIND: Kind = builtin("Pod")
COST_FACTOR = 5.0
PUMP_GATHER = 0.005  # seconds a watch pump waits after a burst of events
#: Seconds a worker keeps syncing keys that are ready before it lets the loop run others:
#: a turn of the event loop per sync (over 150,000 syncs for 10,000 pods) cost more than
#: most syncs, and a controller of light syncs (the kubelet's) got one sync for each heavy
#: one of another (a ReplicaSet creating 30 pods), so 50,000 pods were all created before
#: the first one started.
WORK_SLICE = 0.002


# ----- work queue -----------------------------------------------------------------------

@dataclass
class WorkQueue:
    """Deduplicated keys to process, with delayed adds. Single event loop, no locks."""

    min_interval: float = 0.0
    # An insertion-ordered set. OrderedDict, as a plain dict's first key costs a scan past
    # every key deleted before it: taking keys from the front of 50,000 was quadratic.
    _ready: OrderedDict[Hashable, None] = field(default_factory=OrderedDict)
    _delayed: list[tuple[float, int, Hashable]] = field(default_factory=list)
    _due: dict[Hashable, float] = field(default_factory=dict)  # earliest due per key
    _last: dict[Hashable, float] = field(default_factory=dict)  # last handed out
    _cost: dict[Hashable, float] = field(default_factory=dict)  # last sync's duration
    _seq: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    @staticmethod
    def _now() -> float:
        return time.monotonic()  # the event loop's clock, without looking the loop up

    def add(self, key: Hashable) -> None:
        """Process `key` soon (after `min_interval` since its last turn)."""
        if key in self._ready:
            return
        if self.min_interval:
            spacing = max(self.min_interval, COST_FACTOR * self._cost.get(key, 0.0))
            wait = self._last.get(key, -1e18) + spacing - self._now()
            if wait > 0:
                self.add_after(key, wait)
                return
        self._ready[key] = None
        self._wake.set()

    def add_now(self, key: Hashable) -> None:
        """Process `key` as soon as possible, ignoring `min_interval` (for a sync that
        stopped halfway and wants to go on)."""
        self._ready[key] = None
        self._wake.set()

    def add_after(self, key: Hashable, delay: float) -> None:
        if delay <= 0:
            self.add_now(key)
            return
        if key in self._ready:
            return
        due = self._now() + delay
        if self._due.get(key, float("inf")) <= due:
            return
        self._due[key] = due
        self._seq += 1
        heapq.heappush(self._delayed, (due, self._seq, key))
        self._wake.set()

    def took(self, key: Hashable, seconds: float) -> None:
        """Record how long a sync of `key` took: an expensive key (a ReplicaSet of
        10,000 pods) is spaced out further, so no key eats more than 1/COST_FACTOR of
        the loop through event-driven syncs."""
        if self.min_interval:
            self._cost[key] = seconds

    def forget(self, key: Hashable) -> None:
        """Drop what is remembered about a key whose object is gone."""
        self._last.pop(key, None)
        self._cost.pop(key, None)

    def __len__(self) -> int:
        return len(self._ready) + len(self._due)

    def _promote(self, now: float) -> None:
        while self._delayed and self._delayed[0][0] <= now:
            due, _, key = heapq.heappop(self._delayed)
            if self._due.get(key) == due:
                del self._due[key]
                self._ready[key] = None

    def get_nowait(self) -> Hashable | None:
        """The next key that is due now, or None."""
        now = self._now()
        self._promote(now)
        if not self._ready:
            return None
        key, _ = self._ready.popitem(last=False)
        self._due.pop(key, None)
        if self.min_interval:
            self._last[key] = now
        return key

    async def get(self) -> Hashable:
        while True:
            await self.due()
            key = self.get_nowait()
            if key is not None:
                return key

    async def due(self) -> None:
        """Wait until a key is due (without taking it)."""
        while True:
            now = self._now()
            self._promote(now)
            if self._ready:
                return
            self._wake.clear()
            timeout = self._delayed[0][0] - now if self._delayed else None
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass


# ----- reconciler -----------------------------------------------------------------------

class Reconciler:
    """Base of a watch-driven controller. Subclasses set `name` and `watched`, and
    implement `keys_for` and `sync`. `min_interval` spaces event-driven syncs per key."""

    name: ClassVar[str] = ""
    watched: ClassVar[tuple[ResKey, ...]] = ()
    min_interval: ClassVar[float] = 0.0
    #: `keys_for` runs inside each store write, as an informer's handler runs when its
    #: cache takes the event, instead of from a watch queue a task pumps. For
    #: controllers whose `keys_for` only reads the event and the store (and keeps its own
    #: indexes): ten controllers watch pods, and each pod write went through ten queues
    #: and woke ten pump tasks. A raising `keys_for` is logged, never passed to the writer.
    keys_in_line: ClassVar[bool] = False

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.store = sandbox.store
        self.queue = WorkQueue(min_interval=self.min_interval)

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        raise NotImplementedError

    def sync(self, key: Any) -> float | None:
        raise NotImplementedError

    async def run(self) -> None:
        if self.keys_in_line:
            await self._run_in_line()
            return
        watches = [self.store.watch(k) for k in self.watched]
        try:
            async with asyncio.TaskGroup() as tg:
                for w in watches:
                    tg.create_task(self._pump(w))
                tg.create_task(self._work())
        finally:
            for w in watches:
                w.close()

    async def _run_in_line(self) -> None:
        for k in self.watched:  # what is there now, as a fresh watch's ADDED events
            objs, rv = self.store.list(k)
            for obj in objs:
                self._take(Event(rv, "ADDED", k, obj))
            self.store.subscribe(k, self._take)
        try:
            await self._work()
        finally:
            for k in self.watched:
                self.store.unsubscribe(k, self._take)

    def _take(self, ev: Event) -> None:
        try:
            for key in self.keys_for(ev):
                self.queue.add(key)
        except Exception:
            log.exception("%s: keys for %s %s", self.name, ev.type, ev.key)

    async def _pump(self, w: Watch) -> None:
        add = self.queue.add
        while (ev := await w.next()) is not None:
            for ev in (ev, *w.take_all()):
                for key in self.keys_for(ev):
                    add(key)
            # Let the next burst gather: a busy store (half a million writes for 50,000
            # pods, each offered to every pod controller) then costs one wake-up per
            # burst instead of one per event, for a few milliseconds of latency.
            await asyncio.sleep(PUMP_GATHER)

    async def _work(self) -> None:
        requests_first = self.sandbox.requests_first
        while True:
            await self.queue.due()
            # The API server's answers go first (see kubetui.sandbox.requests_first).
            async with requests_first.turn():
                self._slice()

    def _slice(self) -> None:
        """Sync the keys that are due, for up to WORK_SLICE seconds (at least one)."""
        key = self.queue.get_nowait()
        turn = time.perf_counter()
        while key is not None:
            started = time.perf_counter()
            try:
                again = self.sync(key)
            except ApiError as e:  # a conflict or a vanished object: look again soon
                log.debug("%s: sync %s: %s", self.name, key, e)
                again = 0.2
            done = time.perf_counter()
            self.queue.took(key, done - started)
            if again is not None:
                self.queue.add_after(key, again)
            key = self.queue.get_nowait() if done - turn < WORK_SLICE else None


# ----- events ---------------------------------------------------------------------------

@dataclass
class EventRecorder:
    """`record_event` behind client-go's spam filter: per object, a burst of 25 events,
    then one more every 5 minutes. Without it a ReplicaSet creating 10,000 pods would
    write 10,000 Events, which no real cluster shows."""

    sandbox: Sandbox
    component: str
    burst: int = 25
    refill_seconds: float = 300.0
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # uid -> tokens, t

    def __call__(self, involved: Obj, type_: str, reason: str, message: str) -> None:
        uid = involved["metadata"].get("uid", "")
        now = datetime.now(timezone.utc).timestamp()
        tokens, then = self._buckets.get(uid, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) / self.refill_seconds)
        if tokens < 1:
            self._buckets[uid] = (tokens, now)
            return
        self._buckets[uid] = (tokens - 1, now)
        record_event(self.sandbox.store, involved, type_, reason, message, self.component)


# ----- objects and pods -----------------------------------------------------------------

def own_key(ev: Event, key: ResKey, kind: str) -> list[tuple[str, str]]:
    """The work key (namespace, name) an event means to the controller of `kind` (stored
    under `key`): the object's own for one of its objects, its controller's for something
    one of them controls, none otherwise."""
    ns = ev.obj["metadata"].get("namespace", "")
    if ev.key == key:
        return [(ns, ev.obj["metadata"]["name"])]
    ref = controller_ref(ev.obj)
    return [(ns, ref["name"])] if ref and ref.get("kind") == kind else []


def owner_reference(owner: Obj) -> dict[str, Any]:
    """The controller reference a workload puts on what it creates."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"],
            "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}


def labels_of(obj: Obj) -> dict[str, str]:
    return obj["metadata"].get("labels") or {}


def seconds_until_available(pods: Iterable[Obj], min_ready_seconds: int,
                            now: float) -> float | None:
    """How long until the first ready-but-not-yet-available pod becomes available."""
    if min_ready_seconds <= 0:
        return None
    waits = [since + min_ready_seconds - now for p in pods
             if (since := ready_since(p)) is not None and since + min_ready_seconds > now]
    return max(0.05, min(waits)) if waits else None


def format_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> float:
    return datetime.now(timezone.utc).timestamp()


_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand.SafeEncodeString


def template_hash(template: Any, collision_count: int = 0) -> str:
    """A stable short hash of a pod template, spelled in the alphabet Kubernetes uses for
    `pod-template-hash` and `controller-revision-hash` (no vowels, no look-alikes)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":"))
    if collision_count:
        data += f"#{collision_count}"
    n = int.from_bytes(hashlib.sha256(data.encode()).digest()[:8], "big")
    out = []
    for _ in range(10):
        n, r = divmod(n, len(_SAFE_ALPHABET))
        out.append(_SAFE_ALPHABET[r])
    return "".join(out)


def int_or_percent(value: int | str | None, total: int, round_up: bool,
                   default: int | str = "25%") -> int:
    """An IntOrString such as maxSurge resolved against `total`."""
    if value is None:
        value = default
    if isinstance(value, str):
        pct = int(value.rstrip("%"))
        whole, rest = divmod(pct * total, 100)
        return whole + (1 if round_up and rest else 0)
    return int(value)


#: Pods come from `pod_from_template`: a stored (decoded) template and a controller
#: reference, already typed (see `verbs.WriteOptions.typed`).
_FROM_TEMPLATE = verbs.WriteOptions(typed=True)


def create(sandbox: Sandbox, kind: Kind, obj: Obj) -> Obj:
    """Create through the API server's rules (defaults, validation, generateName), as a
    real controller's client call does. A generated name that collides is retried."""
    ns = obj["metadata"].get("namespace", "")
    opts = _FROM_TEMPLATE if kind.key == PODS else verbs.WriteOptions()
    for attempt in range(5):
        try:
            return verbs.create(sandbox, kind, ns, obj, kind.version, opts)
        except ApiError as e:
            if e.reason != "AlreadyExists" or not obj["metadata"].get("generateName") \
                    or attempt == 4:
                raise
    raise AssertionError("unreachable")


#: A pod prepared by the API server's rules (defaults, validation) but not stored.
_PREPARE = verbs.WriteOptions(typed=True, dry_run=True)


def pod_prototype(sandbox: Sandbox, template: Obj, owner: Obj) -> Obj:
    """The pod `owner` creates from `template` as the API server would store it, less its
    name: what `create_like` stores copies of. Raises the API server's ApiError."""
    body = pod_from_template(template, owner, generate_name=f"{owner['metadata']['name']}-")
    return verbs.create(sandbox, POD_KIND, owner["metadata"].get("namespace", ""), body,
                        POD_KIND.version, _PREPARE)


def create_like(sandbox: Sandbox, proto: Obj, spec: Obj | None = None,
                status: Obj | None = None) -> Obj:
    """Store a pod like `proto` (`pod_prototype`) under a fresh generated name and uid,
    with `spec` and `status` instead of its own when given: the create of a pod from a
    workload's template, its defaults and validation done once per template rather than
    per pod (they read nothing else). A generated name that collides is retried."""
    meta = {k: v for k, v in proto["metadata"].items() if k != "creationTimestamp"}
    pod = {**proto, "metadata": meta, "spec": dict(spec if spec is not None else proto["spec"])}
    if status is not None:
        pod["status"] = status
    for attempt in range(5):
        meta["name"], meta["uid"] = meta["generateName"] + verbs.random_suffix(), new_uid()
        try:
            return sandbox.store.create(PODS, pod, owned=True)
        except ApiError as e:
            if e.reason != "AlreadyExists" or attempt == 4:
                raise
    raise AssertionError("unreachable")


def delete(sandbox: Sandbox, kind: Kind, obj: Obj, propagation: str = "") -> Obj:
    """DELETE as a client would: pods on a node go gracefully, owners propagate."""
    meta = obj["metadata"]
    return verbs.delete(sandbox, kind, meta.get("namespace", "") or "", meta["name"],
                        verbs.DeleteOptions(propagation=propagation))


def pod_from_template(template: Obj, owner: Obj, *, generate_name: str = "", name: str = "",
                      extra_labels: dict[str, str] | None = None) -> Obj:
    """A Pod to create from a workload's template, controlled by `owner`. The template is
    not copied here: `create` copies the body before it stores anything."""
    tmeta = template.get("metadata") or {}
    meta: dict[str, Any] = {"namespace": owner["metadata"].get("namespace", ""),
                            "labels": {**(tmeta.get("labels") or {}), **(extra_labels or {})},
                            "ownerReferences": [owner_reference(owner)]}
    if tmeta.get("annotations"):
        meta["annotations"] = tmeta["annotations"]
    if tmeta.get("finalizers"):
        meta["finalizers"] = tmeta["finalizers"]
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = generate_name
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": template.get("spec") or {}}


def set_condition(conditions: list[dict[str, Any]], type_: str, status: str, reason: str,
                  message: str, *, probe: bool = False, now_text: str = "") -> bool:
    """Set a status condition in place; `lastTransitionTime` changes only with `status`,
    `lastUpdateTime` (for kinds that have it, `probe=False`) whenever anything changes.
    Returns whether something changed."""
    when = now_text or format_time(now())
    for i, c in enumerate(conditions):
        if c.get("type") != type_:
            continue
        if c.get("status") == status and c.get("reason") == reason and \
                c.get("message") == message:
            return False
        new = dict(c, status=status, reason=reason, message=message)
        if c.get("status") != status:
            new["lastTransitionTime"] = when
        new["lastProbeTime" if probe else "lastUpdateTime"] = when
        conditions[i] = new
        return True
    conditions.append({"type": type_, "status": status,
                       "lastProbeTime" if probe else "lastUpdateTime": when,
                       "lastTransitionTime": when, "reason": reason, "message": message})
    return True


def condition(obj: Obj, type_: str) -> dict[str, Any] | None:
    for c in (obj.get("status") or {}).get("conditions") or ():
        if c.get("type") == type_:
            return c
    return None


def selector_predicate(selector: dict[str, Any] | None) -> Callable[[dict[str, str] | None], bool]:
    """A labels -> bool test for a LabelSelector, parsed once (None matches nothing)."""
    if selector is None:
        return lambda labels: False
    try:
        reqs = label_selector_requirements(selector)
    except ValueError:
        return lambda labels: False
    return lambda labels: all(r.matches(labels or {}) for r in reqs)


def claim(store: ObjectStore, owner: Obj, kind: Kind, candidates: Iterable[Obj],
          selector: dict[str, Any] | None = None) -> list[Obj]:
    """ControllerRefManager.Claim: the objects `owner` controls after adopting matching
    orphans from `candidates` and releasing owned objects whose labels stopped matching.
    An owner being deleted adopts nothing. Returns the owned, matching objects.
    `selector`: the owner's LabelSelector when it is not `spec.selector`."""
    key = kind.key
    matches = selector_predicate(selector if selector is not None
                                 else owner["spec"].get("selector"))
    uid = owner["metadata"]["uid"]
    owned = []
    for obj in owned_by(store, owner, kind.kind):
        if matches(labels_of(obj)) or is_deleting(obj):
            owned.append(obj)
            continue
        released = clone(obj)
        released["metadata"]["ownerReferences"] = [
            r for r in obj["metadata"]["ownerReferences"] if r.get("uid") != uid]
        store.update(key, released, check_rv=False)
    if is_deleting(owner):
        return owned
    for obj in candidates:
        current = store.find(key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if current is None or controller_ref(current) is not None or \
                is_deleting(current) or not matches(labels_of(current)):
            continue
        adopted = clone(current)
        refs = adopted["metadata"].setdefault("ownerReferences", [])
        refs.append(owner_reference(owner))
        owned.append(store.update(key, adopted, check_rv=False))
    return owned
