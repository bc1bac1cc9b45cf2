"""CPU and memory use from metrics.k8s.io (metrics-server), polled while a view shows it.

The metrics API has no watch: `MetricsFeed` lists PodMetrics (of a namespace or all) or
NodeMetrics every `interval` seconds, never more often than the server's own window (the
resolution metrics-server scrapes at, 15 s by default), and only between `start` and
`close`, skipping polls while `shown()` says the view is hidden (under another screen).
When the API is not served, or refused, each reading says why (`error`) and polling goes
on quietly at the same pace, so installing metrics-server later is noticed.

Tens of thousands of pods make a list of megabytes, and metrics-server neither pages it
(it ignores `limit`, it has no `continue`) nor streams it. Decoded at once, the list of
every pod at 50,000 pods (15-20 MB of JSON) raised the app's peak memory from ~150 to
~330 MiB (bench/run.py), and orjson held the interpreter for the whole decode (~140 ms
of CPU at the app's GC threshold), a thread or not. So a poll of every namespace that the
view counts more than `SPLIT_ABOVE` pods in reads the namespaces the view holds pods in
one at a time, each decoded (5,000 pods: ~16 ms) and folded into the reading before the
next is decoded. Up to `IN_FLIGHT` of their requests are out at once: one after the
other, a cluster of a thousand namespaces would take a thousand round trips a poll. A
namespace of 50,000 pods is still one list. A view of pods (not a pod's containers) keeps
only each pod's sum. No Textual here.

The decode and the fold run on the event loop, the fold in slices with a turn of the
loop after each `YIELD_AFTER` seconds. In a thread (as they were) they took the
interpreter's lock from the loop all the same: orjson's decode for its whole length, the
fold (Python) in 5 ms turns, and each time the loop's thread gave the lock up to wait for
a socket it waited up to 5 ms more to get it back. At 50,000 pods under churn
(bench/run.py --stalls) the loop's stalls in the seconds after the sync included ~400 ms
of sleep, waiting for the lock, while the thread folded.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.reflector import abandon
from kubetui.collector import collector_paused
from kubetui.quantity import parse_quantity

__all__ = ["DEFAULT_INTERVAL", "MetricsFeed", "Reading", "Usage"]

GROUP_VERSION = "/apis/metrics.k8s.io/v1beta1"
DEFAULT_INTERVAL = 15.0
#: Pods in a view of every namespace above which a poll reads one namespace at a time.
SPLIT_ABOVE = 5_000
#: A split poll's requests out at once (their bodies wait, undecoded, for their turn).
IN_FLIGHT = 4
#: Seconds of folding a list into a reading between turns of the event loop (as the
#: watch store's `StoreSettings.yield_after`).
YIELD_AFTER = 0.004
#: Items folded between looks at the clock (~0.5 ms).
_FOLD_SLICE = 100


#: (cores, bytes) in use. A plain tuple of floats, which the garbage collector stops
#: tracking at its first pass: a reading holds one per pod, and instances of a class stayed
#: tracked for the reading's life (at 50,000 pods, 50,000 more objects in every collection
#: until the next reading).
Usage = tuple[float, float]


@dataclass(frozen=True)
class Reading:
    """One poll: usage by (namespace, name) ("" namespace for nodes), and per container
    for pods; or `error`, why there is none."""

    usage: dict[tuple[str, str], Usage] = field(default_factory=dict)
    containers: dict[tuple[str, str], dict[str, Usage]] = field(default_factory=dict)
    error: str = ""
    at: float = 0.0


def _usage(raw: dict[str, Any]) -> Usage:
    try:
        return (parse_quantity(raw.get("cpu", "0")), parse_quantity(raw.get("memory", "0")))
    except ValueError:
        return (0.0, 0.0)


@lru_cache(maxsize=64)
def _window(text: str) -> float:
    """Seconds in a metrics window ("15s", "1m0s", "20.5s"); 0 when unreadable."""
    seconds, number = 0.0, ""
    for ch in text:
        if ch.isdigit() or ch == ".":
            number += ch
            continue
        scale = {"h": 3600, "m": 60, "s": 1}.get(ch)
        if scale is None or not number:
            return 0.0
        seconds, number = seconds + float(number) * scale, ""
    return seconds


def parse_reading(body: dict[str, Any], at: float) -> tuple[Reading, float]:
    """A PodMetricsList or NodeMetricsList as a `Reading`, and its longest window."""
    usage: dict[tuple[str, str], Usage] = {}
    containers: dict[tuple[str, str], dict[str, Usage]] = {}
    window = _fold(body.get("items") or (), usage, containers)
    return Reading(usage, containers, "", at), window


def _fold(items: Iterable[dict[str, Any]], usage: dict[tuple[str, str], Usage],
          containers: dict[tuple[str, str], dict[str, Usage]] | None) -> float:
    """Add a list's items to `usage` (and per container to `containers`, unless None);
    returns their longest window."""
    window = 0.0
    for item in items:
        meta = item.get("metadata") or {}
        key = (meta.get("namespace") or "", meta.get("name", ""))
        window = max(window, _window(item.get("window") or ""))
        if "containers" in item:
            per = {c.get("name", ""): _usage(c.get("usage") or {})
                   for c in item.get("containers") or ()}
            if containers is not None:
                containers[key] = per
            usage[key] = (sum(cpu for cpu, _ in per.values()),
                          sum(memory for _, memory in per.values()))
        else:
            usage[key] = _usage(item.get("usage") or {})
    return window


async def _decode_into(raw: bytes, usage: dict[tuple[str, str], Usage],
                       containers: dict[tuple[str, str], dict[str, Usage]] | None
                       ) -> tuple[str, float]:
    """Decode one list into `usage` (and `containers`), yielding to the event loop
    between slices of its items: an error, else "", and its window."""
    try:
        body = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return "metrics.k8s.io answered with something that is not JSON", 0.0
    items = (body.get("items") or []) if isinstance(body, dict) else []
    window = 0.0
    turn_ends = time.perf_counter() + YIELD_AFTER
    for start in range(0, len(items), _FOLD_SLICE):
        window = max(window, _fold(items[start:start + _FOLD_SLICE], usage, containers))
        if time.perf_counter() > turn_ends:
            await asyncio.sleep(0)
            turn_ends = time.perf_counter() + YIELD_AFTER
    return "", window


def why_absent(error: ClusterError) -> str:
    if error.status in (404, 503):
        return "metrics.k8s.io is not served (is metrics-server installed?)"
    if error.status == 403:
        return f"metrics.k8s.io refused: {error}"
    return f"metrics.k8s.io: {error}"


class MetricsFeed:
    """Polls pods' (`nodes` False) or nodes' metrics, calling `on_reading` each time.

    `namespaces`, for a view of pods of every namespace, counts the view's pods by
    namespace (the namespaces a split poll reads); `containers` False keeps only each
    pod's sum, not its containers'."""

    def __init__(self, client: ClusterClient, nodes: bool, namespace: str | None,
                 on_reading: Callable[[Reading], None],
                 interval: float = DEFAULT_INTERVAL,
                 shown: Callable[[], bool] = lambda: True,
                 namespaces: Callable[[], Mapping[str, int]] | None = None,
                 containers: bool = True, split_above: int = SPLIT_ABOVE) -> None:
        self.client = client
        self.path = f"{GROUP_VERSION}/nodes" if nodes else (
            f"{GROUP_VERSION}/namespaces/{namespace}/pods" if namespace
            else f"{GROUP_VERSION}/pods")
        self.interval = interval
        self.polls = 0
        self.last: Reading | None = None
        self._on_reading = on_reading
        self._shown = shown
        self._namespaces = namespaces if not nodes and not namespace else None
        self._containers = containers
        self._split_above = split_above
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(),
                                                                 name=f"metrics {self.path}")

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def paths(self) -> list[str]:
        """What one poll requests: the feed's path, or one per namespace of the view's
        when it counts more than `split_above` pods."""
        counts = self._namespaces() if self._namespaces is not None else {}
        if sum(counts.values()) <= self._split_above:
            return [self.path]
        return [f"{GROUP_VERSION}/namespaces/{ns}/pods" for ns in sorted(counts) if ns]

    async def read(self) -> tuple[Reading, float]:
        """One poll: the reading, and the server's window (0 if unknown or absent)."""
        at = time.time()
        usage: dict[tuple[str, str], Usage] = {}
        containers: dict[tuple[str, str], dict[str, Usage]] | None = \
            {} if self._containers else None
        window = 0.0
        paths = iter(self.paths())
        requests: deque[asyncio.Task[bytes]] = deque()
        try:
            while True:
                while len(requests) < IN_FLIGHT and (path := next(paths, None)):
                    requests.append(asyncio.ensure_future(
                        self.client.request_bytes("GET", path)))
                if not requests:
                    return Reading(usage, containers or {}, "", at), window
                try:
                    raw = await requests.popleft()
                except ClusterError as e:
                    return Reading(error=why_absent(e), at=at), 0.0
                # As a list page's (reflector.py): the body's ~100,000 objects die by
                # reference count at the end; collections meanwhile would scan them.
                with collector_paused():
                    error, each = await _decode_into(raw, usage, containers)
                del raw  # before the next namespace's is decoded
                if error:
                    return Reading(error=error, at=at), 0.0
                window = max(window, each)
        finally:
            for request in requests:  # left early: an error, or the feed closed
                abandon(request)

    async def _run(self) -> None:
        while True:
            if not self._shown():
                await asyncio.sleep(min(1.0, self.interval))
                continue
            reading, window = await self.read()
            self.polls += 1
            self.last = reading
            self._on_reading(reading)
            await asyncio.sleep(max(self.interval, window))

