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
  meanwhile (after coalescing), beside the pods' watch events per second it received
  (the load the sandbox's churn puts on the app, before coalescing);
- right after it, the floor of the full sync: every page of the same list fetched and
  decoded by this process with kubetui's ClusterClient, each page requested as soon as the
  previous one's continue token is known (as the reflector does), nothing stored or
  shown; its wall time and CPU time (the app's full sync is this plus building rows and
  start-up);
- `kubectl get pods -A` (fresh discovery cache) is timed to its first line and to its
  exit, with its peak RSS: the baseline column;
- after the keys, the bytes the terminal receives per second under the churn, with no key
  pressed. The headless driver writes nothing, so each screen update is rendered as a
  truecolor terminal driver would and its bytes counted (as bench/table_bench.py does).
  Idle, the same is counted once, on 1,000 pods without churn.

The table puts each figure beside issue 19's target (`TARGETS`) and kubectl's.

Log ingest is measured once, not per size: one container stream offered 1,000,000 lines/s
through the real log path (bench/log_bench.py's flood), with keys pressed throughout.

The sandbox keeps `sandbox_bench.WATCH_HISTORY` (300,000) events of watch history: the
app lists every pod and then watches from the list's resourceVersion, and under this churn
the default of 10,000 events covers only seconds of writes, less than the list of 50,000
pods takes (its watch would be told 410 Gone and list again). The list's continue tokens
last 5 minutes whatever the history, as on a real API server (etcd's compaction window).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
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
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]  # this checkout's kubetui, the other benches

# The app first, as `kubetui` imports it: the process measures the app's own start-up.
from kubetui.ui.app import KubetuiApp, make_app  # noqa: E402
from textual._compositor import CompositorUpdate  # noqa: E402

from kubetui.cluster import kubeconfig as kubeconfigs  # noqa: E402
from kubetui.cluster.client import ClusterClient  # noqa: E402
from kubetui.cluster.reflector import StoreSettings, list_meta  # noqa: E402
from kubetui.cluster.store import Batch  # noqa: E402
from kubetui.collector import collector_paused  # noqa: E402
from kubetui.config import Settings  # noqa: E402
from kubetui.kinds import builtin  # noqa: E402
from paints import Paints, key_latency, pct, record_paints  # noqa: E402
from sandbox_bench import (WATCH_HISTORY, KubectlGet, Served, kubectl_get_pods,  # noqa: E402
                           memory_mb, serve)
from stalls import StallSampler  # noqa: E402

FILTER_TEXT = "checkout"
SIZE = (200, 50)
BYTES_SECONDS = 10.0  # the window the terminal's bytes are counted over
IDLE_PODS = 1_000


@dataclass(frozen=True)
class Target:
    """Issue 19's targets for one size, on a 2-core machine."""

    first_rows_s: float
    full_sync_s: float
    rss_mb: float
    key_p95_ms: float = 30.0


TARGETS = {1_000: Target(0.6, 0.6, 90), 10_000: Target(0.6, 1.0, 110),
           50_000: Target(0.6, 3.0, 150)}
READY_TARGET_S = 20.0  # the scale scenario, every pod Running and Ready


@dataclass
class AppRun:
    """What the app's process reports (times in seconds from its launch, keys in ms)."""

    startup_s: float  # Python's start and the imports, part of the two times below
    first_rows_s: float
    full_sync_s: float
    rows: int
    move_ms: list[float]
    filter_ms: list[float]
    changes_per_s: float  # pod changes the store delivered to the table (coalesced)
    events_per_s: float  # the pods' watch events the store received
    rss_synced_mb: float  # VmRSS when the table first held every pod
    peak_synced_mb: float  # VmHWM then: the sync's own peak
    peak_mb: float  # VmHWM at the end, a metrics poll of every pod at least included
    metrics_polls: int
    bytes_per_s: float  # written to the terminal, no key pressed
    stalls: str = ""  # with --stalls: what the loop was doing when it stalled during keys


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


class TerminalBytes:
    """Counts the bytes each screen update would send to a truecolor terminal, while
    `counting` (rendering them costs the app's process time, so only then)."""

    def __init__(self, app: KubetuiApp) -> None:
        self.counting = False
        self.total = 0
        display = app._display

        def _display(screen: Any, renderable: Any) -> None:
            if self.counting and isinstance(renderable, CompositorUpdate):
                self.total += len(renderable.render_segments(app.console).encode())
            display(screen, renderable)

        app._display = _display  # type: ignore[method-assign]

    async def rate(self, seconds: float) -> float:
        """Bytes per second over the next `seconds`."""
        self.total, self.counting = 0, True
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        self.counting = False
        return self.total / (time.perf_counter() - started)


async def measure_app(kubeconfig: Path, launched: float, pods: int,
                      keys: bool = True, stalls: bool = False) -> AppRun:
    # perf_counter's zero is per process: rebase the launch, taken by the parent with
    # time.time(), onto it.
    start = time.perf_counter() - (time.time() - launched)
    startup = time.perf_counter() - start
    app = make_app(Settings(kubeconfig=str(kubeconfig), all_namespaces=True,
                            config_path=kubeconfig.with_name("no-config.yaml")))
    paints = record_paints(app)
    written = TerminalBytes(app)
    async with app.run_test(size=SIZE) as pilot:
        paints.state = lambda: _synced(app)
        deadline = time.perf_counter() + 300
        # Under churn the count moves around N: 99% of it, with the watch live, is synced.
        while (synced := _first(paints, lambda look: look[1] and look[0] >= 0.99 * pods)
               ) is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the table never held every pod")
            await asyncio.sleep(0.05)
        rss_synced, peak_synced = memory_mb(os.getpid())
        first_rows = _first(paints, lambda look: look[0] > 0)
        assert first_rows is not None
        rows = app.main_table.row_count
        paints.state = lambda: _keyed(app)

        sampler = StallSampler() if stalls else None
        if keys:
            move, typing, changes_per_s, events_per_s = await keys_under_churn(
                app, paints, FILTER_TEXT, sampler)
        else:
            move, typing, changes_per_s, events_per_s = [], [], 0.0, 0.0
        bytes_per_s = await written.rate(BYTES_SECONDS)
        polls = await metrics_polled(app)
        await pilot.pause()
    return AppRun(startup, first_rows - start, synced - start, rows, move, typing, changes_per_s,
                  events_per_s, rss_synced, peak_synced, memory_mb(os.getpid())[1], polls,
                  bytes_per_s, sampler.report(stacks=5) if sampler else "")


async def metrics_polled(app: KubetuiApp, timeout: float = 60.0) -> int:
    """The metrics polls of the view so far, once there is one (its list of every pod's
    usage is the peak of the app's memory), or 0 after `timeout`."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        feed = app._metrics
        if feed is not None and feed.polls:
            return feed.polls
        await asyncio.sleep(0.1)
    return 0


async def keys_under_churn(app: KubetuiApp, paints: Paints, filter_text: str,
                           stalls: StallSampler | None = None
                           ) -> tuple[list[float], list[float], float, float]:
    """Key to paint (ms) of 100 cursor moves and of typing `filter_text` after `/` three
    times (esc clears it), and the pod changes per second the store delivered meanwhile
    (after coalescing) and the pods' watch events per second it received; `stalls`
    samples the loop's stalls meanwhile."""
    changes = 0
    assert app.session is not None

    def count(batch: Batch) -> None:
        nonlocal changes
        if not batch.reset:
            changes += len(batch.upserts) + len(batch.deletes)

    counter = app.session.store.subscribe(builtin("Pod"), None, count, lambda h: None)
    received = _count_events(counter._stream)  # the stream the pods' reflector feeds
    counted_from = time.perf_counter()
    if stalls is not None:
        stalls.start()
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
    elapsed = time.perf_counter() - counted_from
    counter.close()
    if stalls is not None:
        stalls.stop()
    return move, typing, changes / elapsed, received() / elapsed


def _count_events(stream: Any) -> Callable[[], int]:
    """Count the objects the pods' reflector hands `stream` (the store's stream: every
    watch event, before the store coalesces them into batches); returns the count so far.
    """
    events = 0
    upsert, delete = stream.upsert, stream.delete

    def counted_upsert(obj: dict[str, Any]) -> str:
        nonlocal events
        events += 1
        return upsert(obj)

    def counted_delete(obj: dict[str, Any]) -> None:
        nonlocal events
        events += 1
        delete(obj)

    stream.upsert, stream.delete = counted_upsert, counted_delete
    return lambda: events


@dataclass
class Floor:
    """The list's pages fetched and decoded alone (`list_floor`)."""

    pages: int
    pods: int
    wall_s: float
    cpu_s: float


async def list_floor(kubeconfig: Path) -> Floor:
    """Fetch and decode every page of the all-namespace pod list as the reflector does
    (its page sizes; the next page requested once this one's continue token is read from
    the head of its body), keeping nothing. The collector is paused while a page is
    decoded, as in the reflector."""
    config = kubeconfigs.load(str(kubeconfig))
    async with await ClusterClient.connect(config, config.current) as client:
        await client.server_version()  # connected: time the list alone
        settings = StoreSettings()
        wall, cpu = time.perf_counter(), time.process_time()
        pages = pods = 0
        raw = await client.request_bytes("GET", "/api/v1/pods",
                                         query={"limit": settings.page_limit(0)})
        while True:
            token = (list_meta(raw) or {}).get("continue")
            following = asyncio.ensure_future(client.request_bytes(
                "GET", "/api/v1/pods",
                query={"limit": settings.page_limit(pages + 1), "continue": token})) \
                if token else None
            await asyncio.sleep(0)
            with collector_paused():
                pods += len(client.decode(raw, "/api/v1/pods").get("items") or ())
            pages += 1
            if following is None:
                break
            raw = await following
        return Floor(pages, pods, time.perf_counter() - wall, time.process_time() - cpu)


@functools.cache
def installed_env() -> dict[str, str]:
    """The environment of the app's process: this checkout's modules compiled once, as pip
    compiles a package when it installs it. Run from a checkout with
    PYTHONDONTWRITEBYTECODE set (as on the benchmark machine), every start compiled each
    module it imported from source: ~0.2 s of CPU before the first rows."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "kubetui-bench-pycache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(BENCH.parent / "kubetui")],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return env


def app_in_child(kubeconfig: Path, pods: int, keys: bool = True,
                 stalls: bool = False) -> AppRun:
    """`measure_app` in a fresh Python process (without keys: only the bytes written)."""
    env = installed_env()
    out = subprocess.run([sys.executable, __file__, "--app", str(kubeconfig), "--expect",
                          str(pods), "--launched", repr(time.time()),
                          *([] if keys else ["--no-keys"]), *(["--stalls"] if stalls else [])],
                         capture_output=True, text=True, timeout=600, env=env)
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


def _met(value: float, limit: float | None) -> str:
    return "" if limit is None else ("yes" if value <= limit else "NO")


def rows_for(pods: int, served: Served, app: AppRun, get: KubectlGet, floor: Floor
             ) -> list[list[str]]:
    """[pods, measure, target, kubetui, met, kubectl] rows for one size."""
    target = TARGETS.get(pods)
    n = f"{pods:,}"

    def row(measure: str, limit: float | None, unit: str, ours: float, shown: str,
            kubectl: str = "-") -> list[str]:
        return [n, measure, "" if limit is None else f"<= {limit:g} {unit}", shown,
                _met(ours, limit), kubectl]

    move95, filter95 = pct(app.move_ms, 95), pct(app.filter_ms, 95)
    return [
        ready_row(pods, served),
        row(f"first rows (of which {app.startup_s:.2f} s Python start, imports)",
            target and target.first_rows_s, "s", app.first_rows_s, f"{app.first_rows_s:.2f} s",
            f"{get.first_line_s:.2f} s (first line)"),
        row(f"full sync ({app.rows:,} rows)", target and target.full_sync_s, "s",
            app.full_sync_s, f"{app.full_sync_s:.2f} s",
            f"{get.total_s:.2f} s ({get.rows:,} rows)"),
        row(f"  floor: the list's {floor.pages} pages fetched and decoded alone (CPU)", None,
            "", 0, f"{floor.wall_s:.2f} s ({floor.cpu_s:.2f} s)"),
        row(f"RSS after sync (peak then; at the end, {app.metrics_polls} metrics polls in)",
            target and target.rss_mb, "MiB", app.rss_synced_mb,
            f"{app.rss_synced_mb:.0f} MiB ({app.peak_synced_mb:.0f}; {app.peak_mb:.0f})",
            f"{get.peak_mb:.0f} MiB (peak)"),
        row(f"cursor key to paint, p95 (p50; n={len(app.move_ms)})",
            target and target.key_p95_ms, "ms", move95,
            f"{move95:.0f} ms ({pct(app.move_ms, 50):.0f})"),
        row(f"filter keystroke to paint, p95 (p50; n={len(app.filter_ms)})", None, "",
            filter95, f"{filter95:.0f} ms ({pct(app.filter_ms, 50):.0f})"),
        row("pod changes delivered meanwhile (watch events received)", None, "", 0,
            f"{app.changes_per_s:,.0f} /s ({app.events_per_s:,.0f} /s)"),
        row("bytes to the terminal under churn, no keys", None, "", 0,
            f"{app.bytes_per_s:,.0f} B/s"),
    ]


def failed_rows(pods: int, served: Served, error: str) -> list[list[str]]:
    """The sandbox's row, and one saying why the app's and kubectl's were not measured."""
    reason = next((ln.strip() for ln in reversed(error.splitlines()) if ln.strip()), error)
    return [ready_row(pods, served),
            [f"{pods:,}", "app and kubectl not measured", "", reason[:80], "NO", "-"]]


def ready_row(pods: int, served: Served) -> list[str]:
    """The sandbox's time to every pod ready, with the CPU time it took."""
    return [f"{pods:,}", "sandbox ready (all pods Running; its CPU time)",
            f"<= {READY_TARGET_S:g} s",
            f"{served.ready_s:.1f} s ({served.ready_cpu_s:.1f} s CPU)",
            _met(served.ready_s, READY_TARGET_S), "-"]


def print_table(rows: list[list[str]]) -> None:
    header = ["pods", "measure", "target", "kubetui", "met", "kubectl get pods -A"]
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
    parser.add_argument("--stalls", action="store_true",
                        help="print what the event loop did when it stalled over 30 ms "
                             "during the keys (bench/stalls.py)")
    parser.add_argument("--app", type=Path, help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--no-keys", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app:
        run = asyncio.run(measure_app(args.app, args.launched, args.expect,
                                      keys=not args.no_keys, stalls=args.stalls))
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
            try:
                app = app_in_child(served.kubeconfig, pods, stalls=args.stalls)
                # At once after the app: under churn the sandbox serves pages slower as
                # it runs (its watch history grows).
                floor = asyncio.run(list_floor(served.kubeconfig))
                get = kubectl_get_pods(kubectl, served.kubeconfig, Path(tmp) / "cache")
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                # One size failing (on a busy machine, the app may not sync in time) must
                # not lose the others' figures: the table says what happened instead.
                print(f"... {pods:,} pods: {e}", file=sys.stderr, flush=True)
                rows += failed_rows(pods, served, str(e))
                continue
        rows += rows_for(pods, served, app, get, floor)
        if app.stalls:
            print(f"Stalls during the keys at {pods:,} pods: {app.stalls}\n", flush=True)
        print(f"... {pods:,} pods done ({time.monotonic() - started:.0f} s)",
              file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="kubetui-bench-") as tmp, \
            serve(IDLE_PODS, args.namespaces, 0, Path(tmp)) as served:
        idle = app_in_child(served.kubeconfig, IDLE_PODS, keys=False)
    rows.append([f"{IDLE_PODS:,}", "bytes to the terminal idle (no churn, no keys)", "",
                 f"{idle.bytes_per_s:,.0f} B/s", "", "-"])
    from log_bench import run_flood  # not in the app's process (see paints.py)

    flood = asyncio.run(run_flood(1_000_000, 3.0))
    rows.append(["-", "log ingest, one stream (lines received / s)", "",
                 f"{flood.rate:,.0f}", "", "-"])
    rows.append(["-", f"key to paint during that flood, p50 / p95 (n={len(flood.latencies)})",
                 "", f"{pct(flood.latencies, 50):.0f} / {pct(flood.latencies, 95):.0f} ms",
                 "", "-"])
    print_table(rows)
    print(f"\nWall time: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
