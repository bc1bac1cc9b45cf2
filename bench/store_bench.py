"""Watch store benchmark: the store alone on the scale sandbox, kubectl get pods -A as baseline.

    python bench/store_bench.py [--pods 10000 50000] [--namespaces 10]

Issue 4's benchmark. For each size, `kubetui sandbox --scenario scale` runs as a person
starts it (bench/sandbox_bench.py's `serve`, no churn) with sandbox_bench.WATCH_HISTORY
events of watch history, so the watch that follows the list never gets 410. Once every pod is ready,
`kubectl get pods -A` (fresh --cache-dir) is timed, then a fresh Python process (its memory
is the store's own) follows all-namespace pods with a ClusterClient and a WatchStore and
measures:

- first page: from connecting to the first batch holding pods;
- full sync: from connecting to the first batch or health report seeing the stream live
  and every pod in the store;
- bytes/pod: tracemalloc's traced-memory growth over a second sync (after a gc, the first
  store closed), divided by the pods; tracemalloc slows Python, so it is off for the timed
  sync. RSS: the process's VmRSS after the timed sync (interpreter and libraries included);
- events/s: the store's capacity to apply watch events, not the rate anything produces
  them. The store's process blocks its event loop while this script PATCHes a label onto
  K distinct pods (K = min(pods, 20,000)) through the API, so their K MODIFIED events queue
  up on the open watch; it is then released and timed until its subscriber has been
  delivered all K changed pods. The time includes the store's last flush delay (75 ms):
  the rate is a slight underestimate. The store process's CPU use over that time is
  printed: near 100% means the store, not the sandbox writing the backlog, was the limit.

Targets: full sync no slower than kubectl's `get pods -A`, at least 5,000 events/s applied,
under 1 KiB of store per pod. Needs kubectl on PATH.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]  # this checkout's kubetui, sandbox_bench

from kubetui.cluster import kubeconfig as kubeconfigs  # noqa: E402
from kubetui.cluster import paths  # noqa: E402
from kubetui.cluster.client import ClusterClient  # noqa: E402
from kubetui.cluster.store import Batch, StreamHealth, Subscription, WatchStore  # noqa: E402
from kubetui.kinds import builtin  # noqa: E402
from sandbox_bench import WATCH_HISTORY, kubectl_get_pods, memory_mb, serve  # noqa: E402

MAX_BURST = 20_000
LABEL = ("kubetui-bench", "burst")
PATCHERS = 16  # concurrent PATCH requests
POD = builtin("Pod")
SCRATCH = Path("/tmp/store-bench")


@dataclass
class Synced:
    first_page_s: float
    full_sync_s: float
    rss_mb: float
    bytes_per_pod: float


@dataclass
class Burst:
    events: int
    per_s: float
    cpu: float  # the store process's CPU time over the wall time of the drain


# ----- the store's side, in its own process ------------------------------------------------

class Follower:
    """A ClusterClient + WatchStore following all-namespace pods; records when the first
    page came and when the stream was live with `pods` pods, and the labelled pods
    delivered (for the burst)."""

    client: ClusterClient
    store: WatchStore

    def __init__(self, pods: int) -> None:
        self.pods = pods
        self.first_page: float | None = None
        self.synced = asyncio.Event()
        self.labelled: set[str] = set()
        self.sub: Subscription | None = None

    async def start(self, kubeconfig: Path) -> None:
        cfg = kubeconfigs.load(str(kubeconfig))
        self.client = await ClusterClient.connect(cfg, cfg.current)
        self.store = WatchStore(self.client)
        self.sub = self.store.subscribe(POD, None, self._on_batch, self._on_health)

    def _on_batch(self, batch: Batch) -> None:
        if batch.upserts and self.first_page is None:
            self.first_page = time.perf_counter()
        if not batch.reset:
            self.labelled.update(e.uid for e in batch.upserts
                                 if e.labels.get(LABEL[0]) == LABEL[1])
        self._check()

    def _on_health(self, health: StreamHealth) -> None:
        self._check()

    def _check(self) -> None:
        assert self.sub is not None
        if self.sub.health.state == "live" and len(self.sub.entries()) >= self.pods:
            self.synced.set()

    async def close(self) -> None:
        await self.store.close()
        await self.client.close()


async def sync(kubeconfig: Path, pods: int) -> tuple[Follower, float, float]:
    """A started and synced Follower, with its times to first page and to full sync."""
    start = time.perf_counter()
    follower = Follower(pods)
    await follower.start(kubeconfig)
    await asyncio.wait_for(follower.synced.wait(), timeout=600)
    synced = time.perf_counter()
    assert follower.first_page is not None
    return follower, follower.first_page - start, synced - start


async def store_side(kubeconfig: Path, pods: int) -> None:
    """Timed sync, memory sync, then the burst, talking to the parent over stdin/stdout:
    prints `Synced`, then the pods to label, waits for a line, prints `Burst`."""
    timed, first_page, full_sync = await sync(kubeconfig, pods)
    rss = memory_mb(os.getpid())[0]
    await timed.close()
    del timed  # else the traced sync would share the strings it interned, costing less
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    follower, _, _ = await sync(kubeconfig, pods)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(json.dumps(asdict(Synced(first_page, full_sync, rss, grown / pods))))

    assert follower.sub is not None
    entries = follower.sub.entries()
    targets = [(e.namespace, e.name) for e in list(entries.values())[:min(pods, MAX_BURST)]]
    print(json.dumps(targets), flush=True)
    sys.stdin.readline()  # blocks the event loop while the parent queues the events
    wall, cpu = time.perf_counter(), time.process_time()
    while len(follower.labelled) < len(targets):
        if follower.sub.health.state != "live":
            raise RuntimeError(f"the watch broke during the burst: {follower.sub.health}")
        await asyncio.sleep(0.005)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps(asdict(Burst(len(targets), len(targets) / wall, cpu / wall))),
          flush=True)
    await follower.close()


# ----- the parent: sandbox, kubectl, the burst's writes ---------------------------------

async def label_pods(kubeconfig: Path, targets: list[tuple[str, str]]) -> None:
    """Merge-patch LABEL onto every target pod, PATCHERS requests at a time."""
    cfg = kubeconfigs.load(str(kubeconfig))
    body = {"metadata": {"labels": dict([LABEL])}}
    todo = iter(targets)

    async def worker() -> None:
        for namespace, name in todo:
            await client.request("PATCH", paths.object_path(POD, namespace, name), body,
                                 content_type="application/merge-patch+json")

    async with await ClusterClient.connect(cfg, cfg.current) as client:
        await asyncio.gather(*(worker() for _ in range(PATCHERS)))


def measure_store(kubeconfig: Path, pods: int) -> tuple[Synced, Burst, float]:
    """The store's side in a fresh process, and the burst's writes: (its results, the
    seconds the PATCHes took)."""
    child = subprocess.Popen([sys.executable, __file__, "--store", str(kubeconfig),
                              "--expect", str(pods)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    try:
        synced = Synced(**json.loads(child.stdout.readline()))
        targets = [tuple(t) for t in json.loads(child.stdout.readline())]
        written = time.perf_counter()
        asyncio.run(label_pods(kubeconfig, targets))
        written = time.perf_counter() - written
        child.stdin.write("go\n")
        child.stdin.flush()
        burst = Burst(**json.loads(child.stdout.readline()))
    except json.JSONDecodeError:
        raise RuntimeError("the store's process failed (its error is above)") from None
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    return synced, burst, written


def mark(value: str, met: bool) -> str:
    return f"{value} {'met' if met else 'MISSED'}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--namespaces", type=int, default=10)
    ap.add_argument("--store", type=Path, help=argparse.SUPPRESS)  # the child's side
    ap.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.store:
        asyncio.run(store_side(args.store, args.expect))
        return 0
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("kubectl is not on PATH", file=sys.stderr)
        return 1
    os.environ.pop("KUBECONFIG", None)
    SCRATCH.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    print(f"Sandbox: kubetui sandbox --scenario scale --namespaces {args.namespaces} "
          f"--churn 0 --watch-history {WATCH_HISTORY:,} (history large enough that the "
          "watch after the list never gets 410)\n", flush=True)
    header = ["pods", "first page", "full sync", "kubectl get pods -A", "ratio", "events/s",
              "bytes/pod (tracemalloc)", "RSS"]
    rows, notes = [], []
    for pods in args.pods:
        with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp, \
                serve(pods, args.namespaces, 0, Path(tmp), WATCH_HISTORY) as served:
            get = kubectl_get_pods(kubectl, served.kubeconfig, Path(tmp) / "cache")
            synced, burst, written = measure_store(served.kubeconfig, pods)
        ratio = synced.full_sync_s / get.total_s
        rows.append([f"{pods:,}", f"{synced.first_page_s:.2f} s",
                     f"{synced.full_sync_s:.2f} s", f"{get.total_s:.2f} s ({get.rows:,} rows)",
                     mark(f"{ratio:.2f}x", ratio <= 1), mark(f"{burst.per_s:,.0f}",
                                                             burst.per_s >= 5000),
                     mark(f"{synced.bytes_per_pod:,.0f}", synced.bytes_per_pod < 1024),
                     f"{synced.rss_mb:.0f} MiB"])
        notes.append(f"{pods:,} pods: sandbox ready in {served.ready_s:.0f} s; burst of "
                     f"{burst.events:,} events (PATCHed at {burst.events / written:,.0f}/s "
                     f"while the store was paused), store process {burst.cpu:.0%} busy "
                     "applying them")
        print(f"... {pods:,} pods done ({time.monotonic() - started:.0f} s)", file=sys.stderr,
              flush=True)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for i, row in enumerate([header, *rows]):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if i == 0:
            print("| " + " | ".join("-" * w for w in widths) + " |")
    print("\nTargets: ratio <= 1 (full sync no slower than kubectl), events/s >= 5,000, "
          "bytes/pod < 1,024.")
    print("\n".join(notes))
    print(f"Wall time: {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
