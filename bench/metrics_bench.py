"""One metrics poll of every pod: memory and event-loop stalls, one list against one list
per namespace.

    python bench/metrics_bench.py [--pods 50000] [--namespaces 10] [--churn 0]

`kubetui sandbox --scenario scale` is started as bench/run.py starts it. In a fresh
process each (so that each peak is its own), `MetricsFeed.read` of every namespace runs
three times, as the app's view of every pod reads it: as one list keeping each
container's usage (what the app did before), as one list keeping pods' sums, and one
namespace at a time (the app's default for a view this big). Each reports the peak RSS the read adds
(VmHWM, reset before the read through /proc/self/clear_refs), its wall and CPU time, and
the event loop's longest stall meanwhile (bench/stalls.py) and the CPU time of the garbage
collector's passes, with the pods it read. The process tunes its collector as the app does
(`tune_gc`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from kubetui.cluster import kubeconfig as kubeconfigs  # noqa: E402
from kubetui.cluster.client import ClusterClient  # noqa: E402
from kubetui.cluster.metrics import MetricsFeed, Reading  # noqa: E402
from kubetui.ui.app import tune_gc  # noqa: E402
from sandbox_bench import memory_mb, serve  # noqa: E402
from stalls import StallSampler  # noqa: E402


#: The polls compared: (label, per namespace, containers kept).
MODES = {"before": ("one list, per-container usage kept (before)", False, True),
         "sums": ("one list, pods' sums only", False, False),
         "split": ("a list per namespace, pods' sums only (now)", True, False)}


async def read_once(path: Path, mode: str) -> dict[str, float]:
    _, split, containers = MODES[mode]
    tune_gc()
    config = kubeconfigs.load(str(path))
    client = await ClusterClient.connect(config, config.current)
    try:
        # The namespaces (a pod list to count them by would leave its memory to reuse).
        listed = await client.request("GET", "/api/v1/namespaces")
        counts = Counter(n["metadata"]["name"] for n in listed["items"])

        def ignore(_: Reading) -> None:
            pass

        feed = MetricsFeed(client, False, None, ignore, namespaces=lambda: counts,
                           containers=containers, split_above=0 if split else sys.maxsize)
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
        before = memory_mb(os.getpid())[0]
        sampler = StallSampler(threshold_ms=0.0)
        started, cpu = time.perf_counter(), time.process_time()
        sampler.start()
        reading, _ = await feed.read()
        sampler.stop()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        return {"requests": len(feed.paths()), "pods": len(reading.usage),
                "peak_added_mb": memory_mb(os.getpid())[1] - before, "wall_s": wall,
                "cpu_s": cpu, "longest_stall_ms": max((s.ms for s in sampler.stalls),
                                                      default=0.0),
                "gc_cpu_ms": sum(p[3] for p in sampler.gc_pauses),
                "gc_longest_cpu_ms": max((p[3] for p in sampler.gc_pauses), default=0.0)}
    finally:
        await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=50_000)
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--churn", type=float, default=0.0)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # kubeconfig, mode
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(read_once(Path(args.child[0]), args.child[1]))))
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="kubetui-bench-") as tmp, \
            serve(args.pods, args.namespaces, args.churn, Path(tmp)) as served:
        for how in MODES:
            out = subprocess.run([sys.executable, __file__, "--child", str(served.kubeconfig),
                                  how], capture_output=True, text=True, timeout=600)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                return 1
            run = json.loads(out.stdout.splitlines()[-1])
            rows.append([f"{MODES[how][0]}: {run['requests']} requests, {run['pods']:,} pods",
                         f"{run['peak_added_mb']:.0f} MiB",
                         f"{run['wall_s']:.2f} s ({run['cpu_s']:.2f} s CPU)",
                         f"{run['longest_stall_ms']:.0f} ms",
                         f"{run['gc_cpu_ms']:.0f} ms (longest {run['gc_longest_cpu_ms']:.0f})"])
    header = ["poll of every pod's metrics", "peak RSS added", "time", "longest loop stall",
              "GC passes' CPU"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(f"{args.pods:,} pods in {args.namespaces} namespaces, churn {args.churn:g}/s\n")
    for i, row in enumerate([header, *rows]):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
        if i == 0:
            print("| " + " | ".join("-" * w for w in widths) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
