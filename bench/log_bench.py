"""Log view benchmark: ingest speed, keypress latency under a flood, memory, aggregation.

    python bench/log_bench.py [--seconds 6] [--rate 50000] [--pods 20] [--pod-rate 500]

1. Flood: one container stream at `--rate` lines/s (about 140 characters each) from a
   synthetic client through the real path (`ContainerLog` -> `LogFeed` batches ->
   `LogScreen` -> `LogView`), headless (`App.run_test`). While it runs, keys are pressed
   (scrolling, toggles) and each is timed from the press to the end of the screen update
   that shows it. Lines received must equal lines sent.
2. Memory: 100,000 lines of about 140 characters parsed as the stream parses them and held
   in the view's ring, measured with tracemalloc.
3. Aggregation: a Deployment of `--pods` pods in the sandbox, each container writing
   `--pod-rate` lines/s; the view must hold every line each pod wrote after the view's first
   line from it, in the pod's order.

The headless driver writes nothing, so the host app records when each screen update is
handed to the driver (`App._display`), after Textual has rendered it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import random
import string
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.app import App  # noqa: E402

from kubetui.cluster import kubeconfig  # noqa: E402
from kubetui.cluster.client import ClusterClient  # noqa: E402
from kubetui.cluster.logs import LogBatch, LogOptions, LogSettings, LogTarget, Source  # noqa: E402
from kubetui.cluster.store import WatchStore  # noqa: E402
from kubetui.kinds import builtin  # noqa: E402
from kubetui.model.log_ring import Ring  # noqa: E402
from kubetui.ui.app import tune_gc  # noqa: E402
from kubetui.ui.screens.log_screen import LogScreen  # noqa: E402
from kubetui.ui.widgets.log_view import LogView  # noqa: E402
from paints import key_latency, pct, record_paints  # noqa: E402

POD, DEPLOYMENT = builtin("Pod"), builtin("Deployment")


def synthetic_line(i: int, rng: random.Random) -> bytes:
    """A timestamped line of about 140 characters of text, as the kubelet sends it."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"
    words = "".join(rng.choices(string.ascii_lowercase + " ", k=100))
    return f"{stamp} {i:09d} INFO [worker] request done {words}".encode()


class FloodClient:
    """Stands in for ClusterClient: one running pod whose container writes `rate` lines a
    second, `total` in all, then stays quiet."""

    def __init__(self, rate: int, total: int) -> None:
        self.rate, self.total, self.sent = rate, total, 0
        self._rng = random.Random(1)
        self._pool = [synthetic_line(i, self._rng) for i in range(1000)]

    async def get(self, kind: object, namespace: str, name: str) -> dict[str, Any]:
        return {"metadata": {"name": name, "namespace": namespace},
                "spec": {"containers": [{"name": "app"}], "restartPolicy": "Always"},
                "status": {"phase": "Running", "containerStatuses": [
                    {"name": "app", "restartCount": 0, "state": {"running": {}}}]}}

    @contextlib.asynccontextmanager
    async def open_stream(self, path: str, query: dict[str, Any],
                          read_timeout: float | None = None) -> AsyncIterator[AsyncIterator[bytes]]:
        yield self._lines()

    async def _lines(self) -> AsyncIterator[bytes]:
        start = time.perf_counter()
        pool = self._pool
        while self.sent < self.total:
            due = min(self.total, int((time.perf_counter() - start) * self.rate))
            if self.sent >= due:
                await asyncio.sleep(0.002)
                continue
            for i in range(self.sent, due):
                yield pool[i % len(pool)]
            self.sent = due
        await asyncio.Event().wait()  # a quiet container: the stream stays open


def _look(view: LogView) -> tuple:
    """What a key changes: flags, and the top line while paused (while following, the
    top moves with every batch)."""
    top = None if view.follow else view.visible_lines()[:1]
    return (view.follow, view.timestamps, view.wrap, tuple(top or ()))


class BenchApp(App[None]):
    def __init__(self, screen_factory: Any) -> None:
        super().__init__()
        self.paints = record_paints(self)
        self._factory = screen_factory

    async def on_mount(self) -> None:
        tune_gc()  # as KubetuiApp does at start-up, so the figures are the real app's
        await self.push_screen(self._factory())


@dataclass
class Flood:
    sent: int
    received: int
    seconds: float  # from the view's start to the last line received
    held: int
    dropped: int
    latencies: list[float]  # ms, keypress to paint
    per_key: dict[str, list[float]]

    @property
    def rate(self) -> float:
        return self.received / self.seconds


async def run_flood(rate: int, seconds: float) -> Flood:
    """One stream offering `rate` lines/s for `seconds` through the real log path, keys
    pressed all along."""
    client = FloodClient(rate, int(rate * seconds))
    target = LogTarget(POD, "default", "flood")
    app = BenchApp(lambda: LogScreen(client, target, options=LogOptions(tail=None),  # type: ignore[arg-type]
                                     settings=LogSettings()))
    keys = ["up", "up", "down", "pageup", "pagedown", "t", "t", "w", "w", "end"]
    latencies: list[float] = []
    per_key: dict[str, list[float]] = {}
    async with app.run_test(size=(160, 50)):
        screen = app.screen
        assert isinstance(screen, LogScreen)
        view = screen.view
        app.paints.state = lambda: _look(view)
        started = time.perf_counter()
        await asyncio.sleep(0.5)
        i = 0
        while client.sent < client.total:
            key = keys[i % len(keys)]
            i += 1
            latencies.append(await key_latency(app, app.paints, key))
            per_key.setdefault(key, []).append(latencies[-1])
            await asyncio.sleep(0.03)
        deadline = time.perf_counter() + 10
        while screen.received < client.total and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        return Flood(client.total, screen.received, time.perf_counter() - started,
                     view.line_count, view.dropped, latencies, per_key)


async def flood(rate: int, seconds: float) -> list[tuple[str, str]]:
    f = await run_flood(rate, seconds)
    return [
        ("flood: lines sent / received", f"{f.sent:,} / {f.received:,} "
                                         f"({f.rate:,.0f} lines/s over {f.seconds:.1f} s)"),
        ("flood: held / dropped by the 100k bound", f"{f.held:,} / {f.dropped:,}"),
        ("flood: keypress to paint (n=%d)" % len(f.latencies),
         f"p50 {pct(f.latencies, 50):.1f} ms, p95 {pct(f.latencies, 95):.1f} ms, "
         f"max {max(f.latencies):.1f} ms"),
        ("flood: p95 per key", ", ".join(f"{k} {pct(v, 95):.0f}" for k, v in f.per_key.items())),
    ]


def memory(lines: int) -> list[tuple[str, str]]:
    rng = random.Random(2)
    raws = [synthetic_line(i, rng) for i in range(1000)]
    source = Source("default", "web-7d4b9c-xk2lp", "app")
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    ring = Ring(lines)
    batch = LogBatch()
    for i in range(lines):  # the stream's parsing: a fresh str per line, as from the socket
        raw = raws[i % len(raws)]
        stamp, _, text = raw.decode("utf-8", "replace").partition(" ")
        batch.add(source, stamp, text)
        if len(batch) == 2500:
            ring.add(batch)
            batch = LogBatch()
    ring.add(batch)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    avg = sum(len(r) for r in raws) / len(raws)
    return [(f"memory: {lines:,} lines of ~{avg - 31:.0f} chars (+timestamp)",
             f"{used / 2**20:.1f} MiB ({used / lines:.0f} bytes/line)")]


async def aggregate(pods: int, pod_rate: int, seconds: float) -> list[tuple[str, str]]:
    from kubetui.sandbox.controllers import all_controllers
    from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
    from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
    from kubetui.sandbox.run import RunningSandbox, SandboxOptions

    tmp = Path(tempfile.mkdtemp(prefix="log-bench-"))
    sb = await RunningSandbox.start(SandboxOptions(kubeconfig=str(tmp / "config"),
                                                   controllers=False))
    timing = KubeletTiming(pace=0.05, chatty_rate=pod_rate)
    sb.sandbox.logs.max_lines = int(pod_rate * (seconds + 20))
    sb.sandbox.start_controllers([functools.partial(Kubelet, timing=timing) if m is Kubelet
                                  else m for m in all_controllers()])
    res = {"cpu": "64", "memory": "256Gi", "pods": "500"}
    sb.sandbox.store.create(("", "nodes"), {
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}, "spec": {},
        "status": {"capacity": res, "allocatable": res}}, namespaced=False)
    cfg = kubeconfig.load(str(tmp / "config"))
    client = await ClusterClient.connect(cfg, cfg.current)
    try:
        await client.request("POST", "/apis/apps/v1/namespaces/default/deployments", {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "chatty"},
            "spec": {"replicas": pods, "selector": {"matchLabels": {"app": "chatty"}},
                     "template": {"metadata": {"labels": {"app": "chatty"}}, "spec": {
                         "containers": [{"name": "app", "image": "chatty-app:1"}]}}}})
        store = WatchStore(client)
        target = LogTarget(DEPLOYMENT, "default", "chatty")
        app = BenchApp(lambda: LogScreen(client, target, store=store))
        async with app.run_test(size=(160, 50)):
            screen = app.screen
            assert isinstance(screen, LogScreen)
            deadline = time.perf_counter() + 30
            while len({line.pod for line in screen.view.lines()}) < pods:
                if time.perf_counter() > deadline:
                    raise TimeoutError("not every pod's lines arrived")
                await asyncio.sleep(0.1)
            start, first = time.perf_counter(), screen.received
            await asyncio.sleep(seconds)
            rate = (screen.received - first) / (time.perf_counter() - start)
            # Stop writing, then compare with what each container wrote.
            hub = sb.sandbox.logs
            for p in sb.sandbox.store.list(("", "pods"))[0]:
                hub.stop(("default", p["metadata"]["name"], "app"))
            await asyncio.sleep(1.0)
            held: dict[str, list[str]] = {}
            for line in screen.view.lines():
                if not line.note:
                    held.setdefault(line.pod, []).append(line.text)
            complete = 0
            for pod, got in held.items():
                wrote = [ln.text for ln in hub.lines(("default", pod, "app"))]
                k = len(wrote) - len(got)
                complete += k >= 0 and wrote[k:] == got
            total = sum(len(v) for v in held.values())
            dropped = screen.view.dropped
        await store.close()
    finally:
        await client.close()
        await sb.stop()
    return [(f"aggregate: {pods} pods x {pod_rate} lines/s",
             f"{rate:,.0f} lines/s received, {total:,} held, dropped {dropped}"),
            ("aggregate: pods whose lines are all there, in order",
             f"{complete} of {len(held)}")]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rate", type=int, default=50_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--pods", type=int, default=20)
    parser.add_argument("--pod-rate", type=int, default=500)
    args = parser.parse_args()
    rows = await flood(args.rate, args.seconds)
    rows += memory(args.lines)
    rows += await aggregate(args.pods, args.pod_rate, args.seconds)
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  result")
    print(f"{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
