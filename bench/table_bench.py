"""ResourceTable under load, headless (`App.run_test`): prints a table of what issue 5 asks.

    python bench/table_bench.py [--rows 50000] [--rate 1000] [--seconds 5] [--size 200x50]
                                [--default-gc]

The process runs with the app's garbage collector settings (`kubetui.ui.app.tune_gc`,
applied before any row exists, as the app applies them at start-up); `--default-gc` keeps
CPython's defaults, for comparison.

- first paint: from handing the table a reset batch of all rows to the first screen update;
- churn: `rate` watch events per second (status changes, adds, deletes of random pods),
  delivered as the store does, in batches every 100 ms; the cost of each `apply`;
- keypress to paint under that churn: cursor moves pressed through the pilot, and filter
  keystrokes; measured from the press to the end of the screen update that shows it;
- bytes the terminal would receive per second under churn, idle and while moving;
- memory the table adds per row (tracemalloc, the entries themselves excluded).

The headless driver writes nothing, so the bench renders each screen update the way a real
terminal driver would (truecolor) and counts the bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import tracemalloc
from dataclasses import dataclass, field

from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen

from kubetui.cluster.store import Batch, Entry
from kubetui.render.model import Column
from kubetui.ui.app import tune_gc
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.ui.partial_update import CellScreen

COLUMNS = [
    Column("NAME", format="name"), Column("READY", sort="ratio"), Column("STATUS"),
    Column("RESTARTS", sort="number", age=True), Column("AGE", sort="age", age=True),
    Column("IP", priority=1), Column("NODE", priority=1),
]
STATUSES = [("Running", "ok"), ("Pending", "pending"), ("CrashLoopBackOff", "failed"),
            ("Completed", "done"), ("Terminating", "terminating")]


def make_pod(n: int, rng: random.Random, rv: int = 1) -> Entry:
    status, health = rng.choice(STATUSES) if rv > 1 else STATUSES[0]
    name = f"web-{n % 500:03d}-{n:06d}-{rng.randrange(16**5):05x}"
    cells = (name, "1/1", status, str(rng.randrange(5)), "3d", f"10.{n >> 16}.{n >> 8 & 255}."
             f"{n & 255}", f"node-{n % 40:02d}")
    return Entry(uid=f"uid-{n}", name=name, namespace=f"team-{n % 12}",
                 cells=cells, health=health, labels={"app": f"web-{n % 500}"},
                 owners=(), node=f"node-{n % 40:02d}", created=time.time() - 86400 * 3 + n,
                 rv=str(rv))


@dataclass
class Paints:
    """Screen updates as a terminal would receive them."""

    times: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    event: asyncio.Event = field(default_factory=asyncio.Event)

    def bytes_between(self, start: float, end: float) -> int:
        return sum(s for t, s in zip(self.times, self.sizes) if start <= t < end)

    async def next_after(self, moment: float, timeout: float = 2.0) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            after = [t for t in self.times if t >= moment]
            if after:
                return after[0]
            if time.perf_counter() > deadline:
                raise TimeoutError("no screen update")
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), 0.05)
            except TimeoutError:
                pass


class BenchApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.paints = Paints()

    def compose(self) -> ComposeResult:
        table = ResourceTable()
        table.set_columns(COLUMNS, wide=True)
        table.show_namespace = True
        yield table

    def get_default_screen(self) -> Screen:
        return CellScreen(id="_default")  # as the app's: writes only refreshed cells

    def _display(self, screen: Screen, renderable: object) -> None:
        if isinstance(renderable, CompositorUpdate):
            self.paints.sizes.append(len(renderable.render_segments(self.console).encode()))
            self.paints.times.append(time.perf_counter())
            self.paints.event.set()
        super()._display(screen, renderable)  # type: ignore[arg-type]


@dataclass
class Churn:
    """`rate` events a second in 100 ms batches: 80% updates, 10% adds, 10% deletes."""

    table: ResourceTable
    live: list[int]
    rate: int
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    next_id: int = 0
    apply_ms: list[float] = field(default_factory=list)

    def tick(self) -> None:
        upserts: list[Entry] = []
        deletes: list[str] = []
        for _ in range(self.rate // 10):
            roll = self.rng.random()
            if roll < 0.1:
                upserts.append(make_pod(self.next_id, self.rng))
                self.live.append(self.next_id)
                self.next_id += 1
            elif roll < 0.2 and self.live:
                victim = self.live.pop(self.rng.randrange(len(self.live)))
                deletes.append(f"uid-{victim}")
            else:
                upserts.append(make_pod(self.rng.choice(self.live), self.rng,
                                        rv=self.rng.randrange(2, 10**6)))
        start = time.perf_counter()
        self.table.apply(Batch(upserts=upserts, deletes=deletes, reset=False))
        self.apply_ms.append((time.perf_counter() - start) * 1000)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


async def run(rows: int, rate: int, seconds: float, size: tuple[int, int]) -> list[tuple]:
    rng = random.Random(1)
    entries = [make_pod(n, rng) for n in range(rows)]
    results: list[tuple] = []
    app = BenchApp()
    async with app.run_test(size=size) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        start = time.perf_counter()
        table.apply(Batch(upserts=entries, deletes=[], reset=True))
        applied = time.perf_counter()
        painted = await app.paints.next_after(applied)
        results.append(("apply reset", f"{rows:,} rows", f"{(applied - start) * 1000:.0f} ms"))
        results.append(("first paint after reset", "", f"{(painted - start) * 1000:.0f} ms"))

        churn = Churn(table, list(range(rows)), rate, next_id=rows)
        timer = app.set_interval(0.1, churn.tick)
        await asyncio.sleep(0.3)
        idle_start = time.perf_counter()
        await asyncio.sleep(seconds)
        idle_end = time.perf_counter()
        idle_bytes = app.paints.bytes_between(idle_start, idle_end)

        move_ms, move_start = await _press_many(pilot, app, ["down"] * 60 + ["up"] * 40)
        move_end = time.perf_counter()
        move_bytes = app.paints.bytes_between(move_start, move_end)
        page_ms, _ = await _press_many(pilot, app, ["pagedown"] * 20 + ["pageup"] * 20)
        filter_ms = await _type_filter(app, table, "web-123-0", rounds=6)
        timer.stop()

        results.append((f"apply under churn ({rate}/s, 100 ms batches)",
                        f"{len(churn.apply_ms)} batches",
                        f"p50 {pct(churn.apply_ms, 50):.2f} ms, "
                        f"p95 {pct(churn.apply_ms, 95):.2f} ms"))
        for label, values in (("keypress to paint: cursor up/down", move_ms),
                              ("keypress to paint: page up/down", page_ms),
                              ("keystroke to paint: typing a filter", filter_ms)):
            results.append((label, f"{len(values)} keys",
                            f"p50 {pct(values, 50):.1f} ms, p95 {pct(values, 95):.1f} ms"))
        results.append(("bytes to terminal, churn, no keys", f"{seconds:.0f} s",
                        f"{idle_bytes / (idle_end - idle_start):,.0f} B/s"))
        results.append(("bytes to terminal, churn + cursor moves",
                        f"{move_end - move_start:.1f} s",
                        f"{move_bytes / (move_end - move_start):,.0f} B/s"))
    results.append(("UI memory per row", f"{rows:,} rows", f"{await _memory(entries)} B"))
    return results


async def _press_many(pilot: Pilot, app: BenchApp, keys: list[str]) -> tuple[list[float], float]:
    started = time.perf_counter()
    latencies = []
    for key in keys:
        start = time.perf_counter()
        await pilot.press(key)
        painted = await app.paints.next_after(start)
        latencies.append((painted - start) * 1000)
    return latencies, started


async def _type_filter(app: BenchApp, table: ResourceTable, text: str,
                       rounds: int) -> list[float]:
    latencies = []
    for _ in range(rounds):
        for end in range(1, len(text) + 1):
            start = time.perf_counter()
            table.set_filter(text[:end])
            painted = await app.paints.next_after(start)
            latencies.append((painted - start) * 1000)
        table.set_filter("")
        await app.paints.next_after(time.perf_counter())
    return latencies


async def _memory(entries: list[Entry]) -> int:
    """Bytes the table holds per row beyond the entries, 200x50 screen painted."""
    app = BenchApp()
    async with app.run_test(size=(200, 50)) as pilot:
        table = app.query_one(ResourceTable)
        await pilot.pause()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        table.apply(Batch(upserts=entries, deletes=[], reset=True))
        await pilot.pause()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
        return grown // len(entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rate", type=int, default=1000, help="watch events per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="idle churn measured")
    parser.add_argument("--size", default="200x50", help="terminal WxH")
    parser.add_argument("--default-gc", action="store_true",
                        help="keep CPython's garbage collector settings")
    args = parser.parse_args()
    if not args.default_gc:
        tune_gc()
    width, height = (int(v) for v in args.size.split("x"))
    results = asyncio.run(run(args.rows, args.rate, args.seconds, (width, height)))
    widths = [max(len(str(r[i])) for r in results) for i in range(3)]
    print(f"ResourceTable bench: {args.size} terminal, headless, "
          f"{'default' if args.default_gc else 'tuned'} GC")
    for row in results:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip())


if __name__ == "__main__":
    main()
