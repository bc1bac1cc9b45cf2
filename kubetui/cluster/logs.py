"""Container log streams: one container's, or all the pods of a workload merged.

`ContainerLog` follows one container (kubectl's `logs -f`, `--previous`, `--tail`,
`--since`), always with `timestamps=true` so the view can switch timestamps on and off
without asking again. When its stream ends it asks the pod why: a restart reconnects to the
new instance after a gap marker; a deleted pod, a finished container or a refusal (403,
not started, no previous instance) ends it with a note in words.

`LogFeed` is what a view holds: the pods of its target (a pod, or a workload's or
Service's pods as `scope.pods_of` defines them, the same pods its drill-down shows), kept
current from the watch store, so pods of a rollout join and pods that end let go. Lines are collected from every stream and delivered in batches at
most every `flush_interval`: 50,000 lines a second cost the UI twenty callbacks. Nothing is
dropped here; within one container the order is the container's.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.entries import uid_of
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.scope import Scope, pods_of
from kubetui.cluster.store import Batch, StreamHealth, Subscription, WatchStore
from kubetui.kinds import Kind, builtin

__all__ = ["ContainerLog", "LogBatch", "LogFeed", "LogLine", "LogOptions", "LogSettings",
           "LogTarget", "Source", "StreamStatus", "container_names"]

POD = builtin("Pod")
#: Lines read from one stream between yields to the event loop (a full socket buffer
#: must not keep the UI waiting).
_YIELD_EVERY = 256


class Source(NamedTuple):
    """One container of one pod: where a line came from."""

    namespace: str
    pod: str
    container: str
    init: bool = False

    @property
    def tag(self) -> str:
        return f"{self.pod}/{self.container}"


class LogLine(NamedTuple):
    """One line. `time` is the kubelet's RFC 3339 timestamp ("" when it had none); `note`
    marks lines kubetui writes itself (restart gaps, why a stream ended).

    Lines travel (`LogBatch`) and are held (the view's ring) by column, and a `LogLine` is
    made only for a line read back: the garbage collector tracks every instance of a tuple
    subclass, and a flood of them, in flight and held, made full collections both frequent
    and long (stalls of 50-100 ms several times a second)."""

    source: Source
    time: str
    text: str
    note: bool = False

    @property
    def pod(self) -> str:
        return self.source.pod

    @property
    def container(self) -> str:
        return self.source.container


@dataclass(frozen=True)
class LogTarget:
    """What to show: a pod (optionally one container) or a workload's pods."""

    kind: Kind
    namespace: str
    name: str
    container: str | None = None

    @property
    def is_pod(self) -> bool:
        return self.kind.key == POD.key

    def describe(self) -> str:
        what = f"{self.kind.kind.lower()}/{self.name}"
        return f"{what} ({self.container})" if self.container else what


@dataclass(frozen=True)
class LogOptions:
    """kubectl's flags. `container` None means every container (init ones too with
    `init_containers`); `tail` None means the whole log; `since` is in seconds."""

    follow: bool = True
    previous: bool = False
    tail: int | None = 500
    since: int | None = None
    container: str | None = None
    init_containers: bool = False

    def query(self, container: str) -> dict[str, Any]:
        return {"container": container, "follow": self.follow and not self.previous,
                "previous": self.previous or None, "tailLines": self.tail,
                "sinceSeconds": self.since, "timestamps": True}


@dataclass(frozen=True)
class LogSettings:
    flush_interval: float = 0.05  # seconds between batches
    retry: float = 1.0  # seconds between looks at a container that is not running


#: StreamStatus states.
CONNECTING, WAITING, STREAMING, RESTARTING, ENDED, FAILED = (
    "connecting", "waiting", "streaming", "restarting", "ended", "failed")


@dataclass(frozen=True)
class StreamStatus:
    state: str
    message: str = ""


@dataclass
class LogBatch:
    """Lines by column (see `LogLine`), oldest first, and the failures since the last
    batch."""

    sources: list[Source] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    notes: list[bool] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, lines: Iterable[LogLine]) -> LogBatch:
        batch = cls()
        for line in lines:
            batch.add(*line)
        return batch

    def add(self, source: Source, time: str, text: str, note: bool = False) -> None:
        self.sources.append(source)
        self.times.append(time)
        self.texts.append(text)
        self.notes.append(note)

    def __len__(self) -> int:
        return len(self.texts)


class _Sink:
    """Collects lines and status changes from every stream and hands them over in
    batches on a timer."""

    def __init__(self, on_batch: Callable[[LogBatch], None], settings: LogSettings) -> None:
        self._on_batch = on_batch
        self._settings = settings
        self._batch = LogBatch()
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._loop = asyncio.get_running_loop()
        self.closed = False

    def add(self, source: Source, time: str, text: str, note: bool = False) -> None:
        self._batch.add(source, time, text, note)
        if self._handle is None:
            self._schedule()

    def problem(self, text: str) -> None:
        self._batch.problems.append(text)
        self._schedule()

    def changed(self) -> None:
        self._schedule()

    def _schedule(self) -> None:
        if self._handle is None and not self.closed:
            self._handle = self._loop.call_later(self._settings.flush_interval, self.flush)

    def flush(self) -> None:
        self._handle = None
        if self.closed:
            return
        batch, self._batch = self._batch, LogBatch()
        self._on_batch(batch)

    def close(self) -> None:
        self.closed = True
        if self._handle is not None:
            self._handle.cancel()


def container_names(pod: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(containers, init containers) of a pod object."""
    spec = pod.get("spec") or {}
    return ([c["name"] for c in spec.get("containers") or ()],
            [c["name"] for c in spec.get("initContainers") or ()])


def _container_status(pod: dict[str, Any], source: Source) -> dict[str, Any]:
    status = pod.get("status") or {}
    key = "initContainerStatuses" if source.init else "containerStatuses"
    for cs in status.get(key) or ():
        if cs.get("name") == source.container:
            return cs
    return {}


def _exit_words(cs: dict[str, Any]) -> str:
    """"Error, exit code 1" from a status's last (or current) termination."""
    state = cs.get("state") or {}
    term = state.get("terminated") or (cs.get("lastState") or {}).get("terminated") or {}
    if not term:
        return ""
    reason = term.get("reason") or "exited"
    return f"{reason}, exit code {term.get('exitCode', '?')}"


def _time_key(ts: str) -> str:
    """An RFC 3339 timestamp padded to nanoseconds, so that strings compare as times
    (the API server trims trailing zeros of the fraction)."""
    head, dot, frac = ts.rstrip("Z").partition(".")
    return f"{head}.{(frac if dot else '').ljust(9, '0')}"


class ContainerLog:
    """Follows one container until it ends for good; see the module docstring."""

    def __init__(self, client: ClusterClient, source: Source, options: LogOptions,
                 sink: _Sink, settings: LogSettings,
                 on_status: Callable[[Source, StreamStatus], None]) -> None:
        self.client = client
        self.source = source
        self.options = options
        self.settings = settings
        self._sink = sink
        self._on_status = on_status
        self.status = StreamStatus(CONNECTING)
        self._last_time = ""  # of the last line read, to resume after a cut without repeats
        self._path = paths.object_path(POD, source.namespace, source.pod, "log")

    def _set(self, state: str, message: str = "", note: bool = False,
             problem: bool = False) -> None:
        self.status = StreamStatus(state, message)
        self._on_status(self.source, self.status)
        if note and message:
            self._sink.add(self.source, "", message, note=True)
        if problem and message:
            self._sink.problem(f"{self.source.tag}: {message}")

    async def run(self) -> None:
        """Stream until the container's log ends for good."""
        opts = self.options
        query = opts.query(self.source.container)
        restarts: int | None = None
        waiting_said = ""
        while True:
            pod = await self._pod()
            if pod is None:
                return
            if restarts is None:
                restarts = int(_container_status(pod, self.source).get("restartCount") or 0)
            try:
                await self._read(query)
            except ClusterError as e:
                why = self._refusal(e)
                if why is None:  # not started yet: look again soon
                    text = _waiting_words(e)
                    if text != waiting_said:
                        self._set(WAITING, text, note=not waiting_said)
                        waiting_said = text
                    await asyncio.sleep(self.settings.retry)
                    continue
                if e.reason != "Disconnected" or not opts.follow or opts.previous:
                    self._set(FAILED, why, note=True, problem=True)
                    return
                self._set(RESTARTING, f"{e}; reconnecting")
                await asyncio.sleep(self.settings.retry)
                query = self._resume(query)
                continue
            if not opts.follow or opts.previous:
                self._set(ENDED, "end of log")
                return
            pod = await self._pod()
            if pod is None:
                return
            count = await self._next_instance(pod, restarts)
            if count is None:
                return
            if count == restarts:  # the same instance: the server ended the stream early
                query = self._resume(query)
                continue
            words = _exit_words(_container_status(await self._pod() or pod, self.source))
            self._sink.add(
                self.source, "", f"── {self.source.container} restarted"
                f"{f' ({words})' if words else ''}: lines of the new instance follow ──",
                note=True)
            restarts, waiting_said, self._last_time = count, "", ""
            query = {**opts.query(self.source.container), "tailLines": None,
                     "sinceSeconds": None}

    def _resume(self, query: dict[str, Any]) -> dict[str, Any]:
        """The query that goes on where the last line read left off."""
        since = self._last_time[:19] + "Z" if self._last_time else None
        return {**query, "tailLines": None if since else query.get("tailLines"),
                "sinceSeconds": None if since else query.get("sinceSeconds"),
                "sinceTime": since}

    async def _read(self, query: dict[str, Any]) -> None:
        source, sink, last = self.source, self._sink, _time_key(self._last_time)
        skipping = bool(self._last_time)
        async with self.client.open_stream(self._path, query) as lines:
            self._set(STREAMING)
            add, count = sink.add, 0
            async for raw in lines:
                stamp, _, text = raw.decode("utf-8", "replace").partition(" ")
                if skipping:  # resumed with sinceTime: drop what we had already
                    if _time_key(stamp) <= last:
                        continue
                    skipping = False
                add(source, stamp, text)
                self._last_time = stamp
                count += 1
                if count % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)

    async def _pod(self) -> dict[str, Any] | None:
        """The pod now, or None (and the stream ended with the reason) if it is gone."""
        try:
            return await self.client.get(POD, self.source.namespace, self.source.pod)
        except ClusterError as e:
            if e.status == 404:
                self._set(ENDED, f"pod {self.source.pod} is gone", note=True)
            else:
                self._set(FAILED, str(e), note=True, problem=True)
            return None

    async def _next_instance(self, pod: dict[str, Any], restarts: int) -> int | None:
        """After the stream ended: the restart count of the instance to read next (the
        same count: the old instance still runs), or None when there will be none (the
        stream then says why)."""
        said = False
        while True:
            cs = _container_status(pod, self.source)
            count = int(cs.get("restartCount") or 0)
            state = cs.get("state") or {}
            meta = pod.get("metadata") or {}
            if count > restarts and "waiting" not in state:
                return count
            if count == restarts and "running" in state and not meta.get("deletionTimestamp"):
                await asyncio.sleep(self.settings.retry)
                return count
            policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
            phase = (pod.get("status") or {}).get("phase", "")
            term = state.get("terminated")
            words = f" ({w})" if (w := _exit_words(cs)) else ""
            if meta.get("deletionTimestamp"):
                self._set(ENDED, f"pod {self.source.pod} is terminating{words}", note=True)
                return None
            if phase in ("Succeeded", "Failed") or (term and (
                    policy == "Never" or self.source.init
                    or (policy == "OnFailure" and term.get("exitCode") == 0))):
                self._set(ENDED, f"container {self.source.container} exited{words}",
                          note=True)
                return None
            if not said and (term or "waiting" in state):
                self._set(RESTARTING, f"container exited{words}; waiting for it to restart")
                said = True
            await asyncio.sleep(self.settings.retry)
            fresh = await self._pod()
            if fresh is None:
                return None
            pod = fresh

    def _refusal(self, e: ClusterError) -> str | None:
        """Why the server will not give this log, in words; None for "not started yet"
        (worth another look in a moment) when following."""
        text = str(e)
        if e.status == 404:
            return f"pod {self.source.pod} is gone"
        if e.status == 403:
            return f"not allowed to read these logs: {text}"
        if e.status == 400 and "previous terminated container" in text:
            return (f"no previous instance of container {self.source.container} "
                    "(it has not restarted)")
        if e.status == 400 and "waiting to start" in text:
            if self.options.follow and not self.options.previous:
                return None
            return f"container {self.source.container} has not started: {_waiting_words(e)}"
        return text


def _waiting_words(e: ClusterError) -> str:
    text = str(e)
    reason = text.rsplit("waiting to start:", 1)[-1].strip(" )") \
        if "waiting to start:" in text else ""
    return f"container not started yet (waiting: {reason or 'unknown'})"


class _PodLogs:
    """The container streams of one pod."""

    def __init__(self, feed: LogFeed, namespace: str, name: str) -> None:
        self.feed = feed
        self.namespace = namespace
        self.name = name
        self.tasks: list[asyncio.Task[None]] = []
        self.streams: list[ContainerLog] = []
        self.task = asyncio.create_task(self._start(), name=f"logs of pod {name}")

    async def _start(self) -> None:
        feed = self.feed
        try:
            pod = await feed.client.get(POD, self.namespace, self.name)
        except ClusterError as e:
            what = f"pod {self.name} is gone" if e.status == 404 else str(e)
            feed._note(Source(self.namespace, self.name, "-"), what, problem=e.status != 404)
            return
        mains, inits = container_names(pod)
        feed._learn_containers(mains, inits)
        opts = feed.options
        chosen: list[Source] = []
        for init, names in ((True, inits), (False, mains)):
            for name in names:
                if opts.container == name or (
                        opts.container is None and (not init or opts.init_containers)):
                    chosen.append(Source(self.namespace, sys.intern(self.name),
                                         sys.intern(name), init))
        if not chosen and opts.container:
            feed._note(Source(self.namespace, self.name, opts.container),
                       f"pod {self.name} has no container {opts.container}")
        for source in chosen:
            stream = ContainerLog(feed.client, source, opts, feed._sink, feed.settings,
                                  feed._stream_status)
            self.streams.append(stream)
            self.tasks.append(asyncio.create_task(stream.run(), name=f"logs {source.tag}"))
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def stop(self) -> None:
        for task in (self.task, *self.tasks):
            task.cancel()
        await asyncio.gather(self.task, *self.tasks, return_exceptions=True)


class LogFeed:
    """The logs of a `LogTarget`; `on_batch` is called on the event loop. Start with
    `start()`, end with `stop()`. A workload needs a `WatchStore` (one is made on the
    client, and closed again, if none is given)."""

    def __init__(self, client: ClusterClient, target: LogTarget, options: LogOptions,
                 on_batch: Callable[[LogBatch], None], store: WatchStore | None = None,
                 settings: LogSettings | None = None) -> None:
        self.client = client
        self.target = target
        self.options = options
        self.settings = settings or LogSettings()
        self.statuses: dict[Source, StreamStatus] = {}
        self.error: str | None = None  # the target itself cannot be resolved
        self.containers: list[str] = []  # every container name seen in the target's pods
        self.init_containers: list[str] = []
        self._sink = _Sink(on_batch, self.settings)
        self._store = store
        self._own_store = False
        self._pods: dict[str, _PodLogs] = {}  # by uid (pod name for a pod target)
        self._subs: list[Subscription] = []
        self._scope: Scope | None = None  # which pods are the workload's
        self._owners: frozenset[str] = frozenset()  # it and (Deployment) its ReplicaSets
        self._via: Subscription | None = None  # a Deployment's ReplicaSets
        self._main: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    # ----- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._resolve(), name="log target")

    async def stop(self) -> None:
        self._sink.close()
        for sub in self._subs:
            sub.close()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await asyncio.gather(*(p.stop() for p in self._pods.values()))
        if self._own_store and self._store is not None:
            await self._store.close()

    @property
    def pods(self) -> list[str]:
        """Names of the pods whose logs are followed (or were, until they ended)."""
        return [p.name for p in self._pods.values()]

    # ----- resolving the target ----------------------------------------------------------

    async def _resolve(self) -> None:
        t = self.target
        if t.is_pod:
            self._pods[t.name] = _PodLogs(self, t.namespace, t.name)
            return
        try:
            obj = await self.client.get(t.kind, t.namespace, t.name)
        except ClusterError as e:
            self.error = (f"{t.describe()} not found" if e.status == 404 else str(e))
            self._sink.problem(self.error)
            return
        scope = pods_of(t.kind, t.namespace, uid_of(obj), obj)
        if scope is None:
            self.error = f"{t.kind.kind} has no pods to show logs of"
        elif scope.selector == ():
            self.error = f"service {t.name} has no selector: it selects no pods"
        if self.error:
            self._sink.problem(self.error)
            return
        self._scope, self._owners = scope, scope.owners()
        if self._store is None:
            self._store, self._own_store = WatchStore(self.client), True
        if scope.via is not None:
            self._via = self._store.subscribe(scope.via, t.namespace, self._via_batch,
                                              self._health)
            self._subs.append(self._via)
        self._main = self._store.subscribe(POD, t.namespace, self._pod_batch, self._health)
        self._subs.append(self._main)

    def _via_batch(self, batch: Batch) -> None:
        assert self._via is not None and self._scope is not None
        self._owners = self._scope.owners(self._via.entries().values())
        self._pod_batch(None)

    def _pod_batch(self, batch: Batch | None) -> None:
        if self._main is None or self._main.needs_reset:
            return
        if self._via is not None and self._via.needs_reset:
            return  # a Deployment's pods are known once its ReplicaSets are
        assert self._scope is not None
        for entry in self._main.entries().values():
            if entry.uid not in self._pods and self._scope.matches(entry, self._owners):
                self._pods[entry.uid] = _PodLogs(self, entry.namespace, entry.name)

    def _health(self, health: StreamHealth) -> None:
        if health.state == "error" and health.error:
            self._sink.problem(f"watching pods: {health.error}")

    # ----- what the streams report ------------------------------------------------------

    def _stream_status(self, source: Source, status: StreamStatus) -> None:
        self.statuses[source] = status
        self._sink.changed()

    def _note(self, source: Source, text: str, problem: bool = False) -> None:
        self._sink.add(source, "", text, note=True)
        if problem:
            self._sink.problem(text)

    def _learn_containers(self, mains: list[str], inits: list[str]) -> None:
        for name in mains:
            if name not in self.containers:
                self.containers.append(name)
        for name in inits:
            if name not in self.init_containers:
                self.init_containers.append(name)
        self._sink.changed()

    def counts(self) -> dict[str, int]:
        """How many streams are in each state (for a status line)."""
        out: dict[str, int] = {}
        for status in self.statuses.values():
            out[status.state] = out.get(status.state, 0) + 1
        return out

