"""`:problems` under load: key to paint while the sandbox changes pods.

    python bench/problems_bench.py [--pods 50000] [--churn 1000]

`kubetui sandbox --scenario scale --pods N --churn R` is started as bench/run.py starts it
(its churn flaps readiness and restarts containers, so a few hundred pods are unhealthy
at any moment and the list itself churns). The real app (`make_app`, all namespaces,
headless) runs in a fresh process, syncs every pod, opens `:problems` (`!`) and then,
under the churn, times each key to the screen update showing its effect (bench/log_bench.py's
method): cursor moves in the problems table and filter keystrokes. It also times each
update of the list (`ProblemIndex.update`, at most every 50 ms; the header's count keeps
an index of its own, updated once a second, which runs meanwhile too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from kubetui.config import Settings  # noqa: E402
from kubetui.ui.app import make_app  # noqa: E402
from kubetui.ui.screens.problems_screen import ProblemsScreen  # noqa: E402
from paints import pct, record_paints  # noqa: E402
from run import SIZE, WATCH_HISTORY, keys_under_churn, machine  # noqa: E402
from sandbox_bench import serve  # noqa: E402
from stalls import StallSampler  # noqa: E402

FILTER_TEXT = "restart"


@dataclass
class ProblemsRun:
    rows: int  # problems listed when the keys began
    move_ms: list[float]
    filter_ms: list[float]
    recompute_ms: list[float]
    changes_per_s: float  # pod changes the store delivered to the tables (coalesced)
    events_per_s: float  # the pods' watch events the store received
    stalls: str = ""  # with --stalls: what the loop was doing when it stalled during keys


async def measure(kubeconfig: Path, pods: int, stalls: bool = False) -> ProblemsRun:
    app = make_app(Settings(kubeconfig=str(kubeconfig), all_namespaces=True,
                            config_path=kubeconfig.with_name("no-config.yaml")))
    paints = record_paints(app)
    async with app.run_test(size=SIZE) as pilot:
        deadline = time.perf_counter() + 300
        while not (app.feed is not None and app.feed.health.state == "live"
                   and app.main_table.row_count >= 0.99 * pods):
            if time.perf_counter() > deadline:
                raise TimeoutError("the pods never synced")
            await asyncio.sleep(0.1)
        await pilot.press("exclamation_mark")
        while not (isinstance(app.screen, ProblemsScreen) and app.screen.table.row_count):
            if time.perf_counter() > deadline:
                raise TimeoutError("no problems listed")
            await asyncio.sleep(0.1)
        screen = app.screen
        recompute: list[float] = []
        update = screen.index.update

        def timed(now: float) -> tuple:
            t0 = time.perf_counter()
            out = update(now)
            recompute.append((time.perf_counter() - t0) * 1000)
            return out

        screen.index.update = timed  # type: ignore[method-assign]
        table = screen.table
        paints.state = lambda: (table.selected_uid, table.filter.text,
                                screen.query_one("#list-filter").is_open)
        rows = table.row_count
        sampler = StallSampler() if stalls else None
        move, typing, changes_per_s, events_per_s = await keys_under_churn(
            app, paints, FILTER_TEXT, sampler)
    return ProblemsRun(rows, move, typing, recompute, changes_per_s, events_per_s,
                       sampler.report(stacks=5) if sampler else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=50_000)
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--churn", type=float, default=1000.0)
    parser.add_argument("--stalls", action="store_true",
                        help="print what the event loop did when it stalled over 30 ms "
                             "during the keys (bench/stalls.py)")
    parser.add_argument("--app", type=Path, help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args()
    if args.app:
        print(json.dumps(asdict(asyncio.run(measure(args.app, args.pods, args.stalls)))))
        return 0
    print(f"Machine: {machine()}")
    print(f"Sandbox: scale, {args.pods:,} pods, {args.namespaces} namespaces, churn "
          f"{args.churn:g}/s; app headless at {SIZE[0]}x{SIZE[1]}, all namespaces, "
          f":problems open\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="kubetui-bench-") as tmp, \
            serve(args.pods, args.namespaces, args.churn, Path(tmp), WATCH_HISTORY) as served:
        out = subprocess.run([sys.executable, __file__, "--app", str(served.kubeconfig),
                              "--pods", str(args.pods), *(["--stalls"] if args.stalls else [])],
                             capture_output=True, text=True,
                             timeout=900)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        run = ProblemsRun(**json.loads(out.stdout.splitlines()[-1]))
    rows = [
        ["problems listed when the keys began", f"{run.rows:,}"],
        [f"cursor key to paint, p50 / p95 (n={len(run.move_ms)})",
         f"{pct(run.move_ms, 50):.0f} / {pct(run.move_ms, 95):.0f} ms"],
        [f"filter keystroke to paint, p50 / p95 (n={len(run.filter_ms)})",
         f"{pct(run.filter_ms, 50):.0f} / {pct(run.filter_ms, 95):.0f} ms"],
        [f"updating the list, p50 / p95 (n={len(run.recompute_ms)})",
         f"{pct(run.recompute_ms, 50):.1f} / {pct(run.recompute_ms, 95):.1f} ms"],
        ["pod changes delivered meanwhile (watch events received)",
         f"{run.changes_per_s:,.0f} /s ({run.events_per_s:,.0f} /s)"],
    ]
    widths = [max(len(r[i]) for r in [["measure", ""], *rows]) for i in range(2)]
    print(f"| {'measure'.ljust(widths[0])} | {f'{args.pods:,} pods'.ljust(widths[1])} |")
    print(f"| {'-' * widths[0]} | {'-' * widths[1]} |")
    for row in rows:
        print(f"| {row[0].ljust(widths[0])} | {row[1].ljust(widths[1])} |")
    if run.stalls:
        print(f"\nStalls during the keys: {run.stalls}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
