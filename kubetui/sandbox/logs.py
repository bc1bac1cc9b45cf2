"""Container logs of the sandbox: a bounded buffer per container instance.

The kubelet simulation appends lines; the API server's `pods/log` endpoint reads them. Each
container keeps its current instance and the last terminated one (`previous=true`). A
follower of the current instance gets every line appended after it started, and its
iteration ends when that instance ends (container stopped or restarted), as kubelet does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

ContainerKey = tuple[str, str, str]  # (namespace, pod, container)


@dataclass(frozen=True, slots=True)
class LogLine:
    time: datetime
    text: str


@dataclass
class _Instance:
    lines: deque[LogLine]
    ended: bool = False
    followers: set[asyncio.Queue[LogLine | None]] = field(default_factory=set)


class LogHub:
    """All containers' logs. `max_lines` bounds each instance's buffer."""

    def __init__(self, max_lines: int = 10_000) -> None:
        self.max_lines = max_lines
        self._current: dict[ContainerKey, _Instance] = {}
        self._previous: dict[ContainerKey, _Instance] = {}
        # (namespace, pod) -> its containers with a log: forgetting a pod (one deleted
        # every few milliseconds under churn) must not scan every container's log.
        self._by_pod: dict[tuple[str, str], set[str]] = {}

    def start(self, key: ContainerKey) -> None:
        """A new container instance: the current one (if any) becomes `previous`."""
        old = self._current.get(key)
        if old is not None:
            self._end(old)
            self._previous[key] = old
        self._current[key] = _Instance(deque(maxlen=self.max_lines))
        self._by_pod.setdefault((key[0], key[1]), set()).add(key[2])

    def stop(self, key: ContainerKey) -> None:
        """The current instance terminated: followers' streams end."""
        inst = self._current.get(key)
        if inst is not None:
            self._end(inst)

    def forget_pod(self, namespace: str, pod: str) -> set[str]:
        """Drops the pod's logs; returns the containers that had one."""
        containers = self._by_pod.pop((namespace, pod), set())
        for container in containers:
            for table in (self._current, self._previous):
                inst = table.pop((namespace, pod, container), None)
                if inst is not None:
                    self._end(inst)
        return containers

    def append(self, key: ContainerKey, text: str, time: datetime | None = None) -> None:
        inst = self._current.get(key)
        if inst is None or inst.ended:
            return
        line = LogLine(time or datetime.now(timezone.utc), text)
        inst.lines.append(line)
        for q in inst.followers:
            q.put_nowait(line)

    def has(self, key: ContainerKey, previous: bool = False) -> bool:
        return key in (self._previous if previous else self._current)

    def running(self, key: ContainerKey) -> bool:
        inst = self._current.get(key)
        return inst is not None and not inst.ended

    def followers(self, key: ContainerKey) -> int:
        """How many streams follow the current instance now."""
        inst = self._current.get(key)
        return len(inst.followers) if inst else 0

    def lines(self, key: ContainerKey, previous: bool = False) -> list[LogLine]:
        inst = (self._previous if previous else self._current).get(key)
        return list(inst.lines) if inst else []

    def follow(self, key: ContainerKey, previous: bool = False
               ) -> tuple[list[LogLine], AsyncIterator[LogLine]]:
        """The lines so far and an iterator of the lines still to come, taken together so
        that nothing falls between them. The iterator ends when the instance ends (at once
        for `previous`, or when nothing runs)."""
        inst = (self._previous if previous else self._current).get(key)
        if inst is None:
            return [], _empty()
        backlog = list(inst.lines)
        if inst.ended:
            return backlog, _empty()
        q: asyncio.Queue[LogLine | None] = asyncio.Queue()
        inst.followers.add(q)
        return backlog, _drain(inst, q)

    @staticmethod
    def _end(inst: _Instance) -> None:
        if not inst.ended:
            inst.ended = True
            for q in inst.followers:
                q.put_nowait(None)


async def _empty() -> AsyncIterator[LogLine]:
    return
    yield  # pragma: no cover - makes this an async generator


async def _drain(inst: _Instance, q: asyncio.Queue[LogLine | None]) -> AsyncIterator[LogLine]:
    try:
        while True:
            line = await q.get()
            if line is None:
                return
            yield line
    finally:
        inst.followers.discard(q)
