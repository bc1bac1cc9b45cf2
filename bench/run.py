"""The README's benchmark: kubetui against `kubectl get pods -A` on the same sandbox.

    python bench/run.py [--pods 1000 10000 50000] [--churn 1000]

For each size, `kubetui sandbox --scenario scale --pods N --churn 1000` is started as a
person starts it (bench/sandbox_bench.py), and once every pod is ready:

- the real app (`make_app`, all namespaces, headless `App.run_test`) runs in a fresh
  Python process, so that its peak RSS (VmHWM) is kubetui's alone. It reports the time
  from launching that process to the first screen update showing rows (the store's first
  page, then the table's first paint), and to the first one with the pods' watch live and
  the table holding every pod (99% of N, as the count moves under churn): full sync.
  Then, under the churn, the time from each key to the screen update showing its effect:
  cursor moves (down/up) and filter typing (`/` then characters), timed as
  bench/log_bench.py times keys; and the pod changes per second the store delivered
  meanwhile (after coalescing);
- `kubectl get pods -A` (fresh discovery cache) is timed to its first line and to its
  exit, with its peak RSS: the baseline column.

Log ingest is measured once, not per size: one container stream offered 1,000,000 lines/s
through the real log path (bench/log_bench.py's flood), with keys pressed throughout.

The sandbox keeps 2,000,000 events of watch history: under this churn its default of
10,000 expires a paged list's continue token within seconds, where a real API server
keeps them for etcd's 5-minute compaction window; kubectl fails on 50,000 pods without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]  # this checkout's kubetui, the other benches

from kubetui.cluster.store import Batch  # noqa: E402
from kubetui.config import Settings  # noqa: E402
from kubetui.kinds import builtin  # noqa: E402
from kubetui.ui.app import KubetuiApp, make_app  # noqa: E402
from log_bench import Paints, key_latency, pct, record_paints, run_flood  # noqa: E402
from sandbox_bench import KubectlGet, kubectl_get_pods, memory_mb, serve  # noqa: E402

WATCH_HISTORY = 2_000_000
FILTER_TEXT = "checkout"
SIZE = (200, 50)


@dataclass
class AppRun:
    """What the app's process reports (times in seconds from its launch, keys in ms)."""

    startup_s: float  # Python's start and the imports, part of the two times below
    first_rows_s: float
    full_sync_s: float
    rows: int
    move_ms: list[float]
    filter_ms: list[float]
    changes_per_s: float
    peak_mb: float


# ----- the app's side, in its own process -----------------------------------------------

def _synced(app: KubetuiApp) -> tuple[int, bool]:
    """While loading: the rows shown, and whether the pods' watch is live."""
    return app.main_table.row_count, app.feed is not None and app.feed.health.state == "live"


def _keyed(app: KubetuiApp) -> tuple[str | None, str, bool]:
    """What keys change (rows churn meanwhile): the cursor's object, the filter, and
    whether the prompt is open."""
    table = app.main_table
    return table.selected_uid, table.filter.text, app.prompt.is_open


def _first(paints: Paints, condition: Callable[[tuple[int, bool]], bool]) -> float | None:
    """When the first screen update showing `condition` came."""
    return next((t for t, look in paints.seen if look is not None and condition(look)), None)


async def measure_app(kubeconfig: Path, launched: float, pods: int) -> AppRun:
    # perf_counter's zero is per process: rebase the launch, taken by the parent with
    # time.time(), onto it.
    start = time.perf_counter() - (time.time() - launched)
    startup = time.perf_counter() - start
    app = make_app(Settings(kubeconfig=str(kubeconfig), all_namespaces=True,
                            config_path=kubeconfig.with_name("no-config.yaml")))
    paints = record_paints(app)
    async with app.run_test(size=SIZE) as pilot:
        paints.state = lambda: _synced(app)
        deadline = time.perf_counter() + 300
        # Under churn the count moves around N: 99% of it, with the watch live, is synced.
        while (synced := _first(paints, lambda look: look[1] and look[0] >= 0.99 * pods)
               ) is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the table never held every pod")
            await asyncio.sleep(0.05)
        first_rows = _first(paints, lambda look: look[0] > 0)
        assert first_rows is not None
        rows = app.main_table.row_count
        paints.state = lambda: _keyed(app)

        move, typing, changes_per_s = await keys_under_churn(app, paints, FILTER_TEXT)
        await pilot.pause()
    return AppRun(startup, first_rows - start, synced - start, rows, move, typing, changes_per_s,
                  memory_mb(os.getpid())[1])


async def keys_under_churn(app: KubetuiApp, paints: Paints, filter_text: str
                           ) -> tuple[list[float], list[float], float]:
    """Key to paint (ms) of 100 cursor moves and of typing `filter_text` after `/` three
    times (esc clears it), and the pod changes per second the store delivered meanwhile."""
    changes = 0
    assert app.session is not None

    def count(batch: Batch) -> None:
        nonlocal changes
        if not batch.reset:
            changes += len(batch.upserts) + len(batch.deletes)

    counter = app.session.store.subscribe(builtin("Pod"), None, count, lambda h: None)
    counted_from = time.perf_counter()
    move = []
    for key in ["down"] * 60 + ["up"] * 40:
        move.append(await key_latency(app, paints, key))
        await asyncio.sleep(0.03)
    typing = []
    for _ in range(3):
        await key_latency(app, paints, "slash")
        for char in filter_text:
            typing.append(await key_latency(app, paints, char))
            await asyncio.sleep(0.03)
        await key_latency(app, paints, "escape")  # closes the filter, clearing it
    changes_per_s = changes / (time.perf_counter() - counted_from)
    counter.close()
    return move, typing, changes_per_s


def app_in_child(kubeconfig: Path, pods: int) -> AppRun:
    """`measure_app` in a fresh Python process."""
    out = subprocess.run([sys.executable, __file__, "--app", str(kubeconfig), "--expect",
                          str(pods), "--launched", repr(time.time())],
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"the app's run failed:\n{out.stderr[-3000:]}")
    return AppRun(**json.loads(out.stdout.splitlines()[-1]))


# ----- the whole table ------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                  .splitlines() if line.startswith("MemTotal"))
    kubectl = shutil.which("kubectl")
    version = subprocess.run([kubectl, "version", "--client", "-o", "json"],
                             capture_output=True, text=True).stdout if kubectl else "{}"
    gitv = json.loads(version or "{}").get("clientVersion", {}).get("gitVersion", "?")
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {cpu}, {os.cpu_count()} "
            f"cores, {mem_kb / 2**20:.0f} GiB RAM · Python {platform.python_version()} · "
            f"{platform.system()} {platform.release()} · kubectl {gitv}")


def rows_for(pods: int, ready_s: float, app: AppRun, get: KubectlGet) -> list[list[str]]:
    def ratio(ours: float, theirs: float) -> str:
        return f"{ours / theirs:.2f}x"

    n = f"{pods:,}"
    return [
        [n, "sandbox ready (all pods Running)", f"{ready_s:.1f} s", "", ""],
        [n, f"time to first rows (of which {app.startup_s:.2f} s Python start, imports)",
         f"{app.first_rows_s:.2f} s",
         f"{get.first_line_s:.2f} s (first line)", ratio(app.first_rows_s, get.first_line_s)],
        [n, f"time to full sync ({app.rows:,} rows)", f"{app.full_sync_s:.2f} s",
         f"{get.total_s:.2f} s ({get.rows:,} rows)", ratio(app.full_sync_s, get.total_s)],
        [n, f"cursor key to paint, p50 / p95 (n={len(app.move_ms)})",
         f"{pct(app.move_ms, 50):.0f} / {pct(app.move_ms, 95):.0f} ms", "-", ""],
        [n, f"filter keystroke to paint, p50 / p95 (n={len(app.filter_ms)})",
         f"{pct(app.filter_ms, 50):.0f} / {pct(app.filter_ms, 95):.0f} ms", "-", ""],
        [n, "pod changes delivered meanwhile", f"{app.changes_per_s:,.0f} /s", "", ""],
        [n, "peak memory (RSS)", f"{app.peak_mb:.0f} MiB", f"{get.peak_mb:.0f} MiB",
         ratio(app.peak_mb, get.peak_mb)],
    ]


def print_table(rows: list[list[str]]) -> None:
    header = ["pods", "measure", "kubetui", "kubectl get pods -A", "ratio"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join("-" * w for w in widths) + " |"
    for i, row in enumerate([header, *rows]):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if i == 0:
            print(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--churn", type=float, default=1000.0,
                        help="pods changed per second by the sandbox")
    parser.add_argument("--app", type=Path, help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app:
        run = asyncio.run(measure_app(args.app, args.launched, args.expect))
        print(json.dumps(asdict(run)))
        return 0
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("kubectl is not on PATH", file=sys.stderr)
        return 1
    os.environ.pop("KUBECONFIG", None)
    started = time.monotonic()
    print(f"Machine: {machine()}")
    print(f"Sandbox: kubetui sandbox --scenario scale --namespaces {args.namespaces} "
          f"--churn {args.churn:g} --watch-history {WATCH_HISTORY}; app headless at "
          f"{SIZE[0]}x{SIZE[1]}, all namespaces\n", flush=True)
    rows: list[list[str]] = []
    for pods in args.pods:
        with tempfile.TemporaryDirectory(prefix="kubetui-bench-") as tmp, \
                serve(pods, args.namespaces, args.churn, Path(tmp), WATCH_HISTORY) as served:
            app = app_in_child(served.kubeconfig, pods)
            get = kubectl_get_pods(kubectl, served.kubeconfig, Path(tmp) / "cache")
        rows += rows_for(pods, served.ready_s, app, get)
        print(f"... {pods:,} pods done ({time.monotonic() - started:.0f} s)",
              file=sys.stderr, flush=True)
    flood = asyncio.run(run_flood(1_000_000, 3.0))
    rows.append(["-", "log ingest, one stream (lines received / s)", f"{flood.rate:,.0f}",
                 "-", ""])
    rows.append(["-", f"key to paint during that flood, p50 / p95 (n={len(flood.latencies)})",
                 f"{pct(flood.latencies, 50):.0f} / {pct(flood.latencies, 95):.0f} ms",
                 "-", ""])
    print_table(rows)
    print(f"\nWall time: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
