"""CPU and memory use from metrics.k8s.io (metrics-server), polled while a view shows it.

The metrics API has no watch: `MetricsFeed` lists PodMetrics (of a namespace or all) or
NodeMetrics every `interval` seconds, never more often than the server's own window (the
resolution metrics-server scrapes at, 15 s by default), and only between `start` and
`close`, skipping polls while `shown()` says the view is hidden (under another screen).
When the API is not served, or refused, each reading says why (`error`) and polling goes
on quietly at the same pace, so installing metrics-server later is noticed. Tens of
thousands of pods make a list of megabytes: it is decoded in a thread, so the event loop
keeps drawing meanwhile. No Textual here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.quantity import parse_quantity

__all__ = ["DEFAULT_INTERVAL", "MetricsFeed", "Reading", "Usage"]

GROUP_VERSION = "/apis/metrics.k8s.io/v1beta1"
DEFAULT_INTERVAL = 15.0


@dataclass(frozen=True, slots=True)
class Usage:
    cpu: float  # cores
    memory: float  # bytes


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
        return Usage(parse_quantity(raw.get("cpu", "0")), parse_quantity(raw.get("memory", "0")))
    except ValueError:
        return Usage(0.0, 0.0)


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
    window = 0.0
    for item in body.get("items") or ():
        meta = item.get("metadata") or {}
        key = (meta.get("namespace") or "", meta.get("name", ""))
        window = max(window, _window(item.get("window") or ""))
        if "containers" in item:
            per = {c.get("name", ""): _usage(c.get("usage") or {})
                   for c in item.get("containers") or ()}
            containers[key] = per
            usage[key] = Usage(sum(u.cpu for u in per.values()),
                               sum(u.memory for u in per.values()))
        else:
            usage[key] = _usage(item.get("usage") or {})
    return Reading(usage, containers, "", at), window


def _decode(raw: bytes, at: float) -> tuple[Reading, float]:
    try:
        body = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return Reading(error="metrics.k8s.io answered with something that is not JSON",
                       at=at), 0.0
    return parse_reading(body, at)


def why_absent(error: ClusterError) -> str:
    if error.status in (404, 503):
        return "metrics.k8s.io is not served (is metrics-server installed?)"
    if error.status == 403:
        return f"metrics.k8s.io refused: {error}"
    return f"metrics.k8s.io: {error}"


class MetricsFeed:
    """Polls pods' (`nodes` False) or nodes' metrics, calling `on_reading` each time."""

    def __init__(self, client: ClusterClient, nodes: bool, namespace: str | None,
                 on_reading: Callable[[Reading], None],
                 interval: float = DEFAULT_INTERVAL,
                 shown: Callable[[], bool] = lambda: True) -> None:
        self.client = client
        self.path = f"{GROUP_VERSION}/nodes" if nodes else (
            f"{GROUP_VERSION}/namespaces/{namespace}/pods" if namespace
            else f"{GROUP_VERSION}/pods")
        self.interval = interval
        self.polls = 0
        self.last: Reading | None = None
        self._on_reading = on_reading
        self._shown = shown
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(),
                                                                 name=f"metrics {self.path}")

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def read(self) -> tuple[Reading, float]:
        """One poll: the reading, and the server's window (0 if unknown or absent)."""
        try:
            raw = await self.client.request_bytes("GET", self.path)
        except ClusterError as e:
            return Reading(error=why_absent(e), at=time.time()), 0.0
        return await asyncio.to_thread(_decode, raw, time.time())

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
