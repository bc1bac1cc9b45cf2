"""Bytes per second kubetui writes to its terminal: idle, and under pod churn.

    python bench/repaint_bench.py [--sizes 160x45 80x24] [--seconds 20] [--settle 30]
                                  [--churn 100] [--pods 300] [--tree PATH] [--compare PATH]

Over SSH every byte counts: a screen where nothing happens should cost next to nothing.
kubetui runs in a real pseudo-terminal (tests/terminal.py), as a person starts it, and every
byte it writes is counted over `--seconds` after `--settle` seconds from its first screen:

- idle: `kubetui --demo` (its pods keep their state; ages tick);
- churn: `kubetui -A` on `kubetui sandbox --scenario scale --pods P --churn C` (C pods
  changed per second; bench/sandbox_bench.py), on the pods view.

`--tree` runs another checkout's kubetui (its `kubetui` package) instead of this one;
`--compare PATH` measures that checkout too (e.g. `git worktree add /tmp/before main`)
and prints both, before and after a change.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from sandbox_bench import serve  # noqa: E402
from tests.terminal import Terminal  # noqa: E402


def measure(args: list[str], tree: Path, size: tuple[int, int], settle: float,
            seconds: float, ready: str) -> float:
    """Bytes per second written by `kubetui ARGS` once `ready` showed and `settle` passed
    (a fresh HOME and XDG dirs: no saved view is restored)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TERM": "xterm-256color", "TMPDIR": tmp, "PYTHONPATH": str(tree),
               "HOME": tmp, "XDG_STATE_HOME": tmp, "XDG_CONFIG_HOME": tmp}
        env.pop("NO_COLOR", None)
        term = Terminal(args, env, cwd=tree, width=size[0], height=size[1])
        try:
            term.wait_for(ready, timeout=120)
            end_settle = time.monotonic() + settle
            while time.monotonic() < end_settle:
                term.pump(0.1)
            start, written = time.monotonic(), 0
            while (elapsed := time.monotonic() - start) < seconds:
                written += term.pump(min(0.1, seconds - elapsed))
            return written / seconds
        finally:
            term.close()


def run(tree: Path, opts: argparse.Namespace, sizes: list[tuple[int, int]]
        ) -> dict[tuple[str, str], float]:
    """Bytes per second of the kubetui in `tree`, by (case, terminal size)."""
    rates: dict[tuple[str, str], float] = {}
    for width, height in sizes:
        rates[("idle (demo)", f"{width}x{height}")] = measure(
            ["--demo"], tree, (width, height), opts.settle, opts.seconds,
            "live")
    with tempfile.TemporaryDirectory() as folder:
        with serve(opts.pods, 10, opts.churn, Path(folder)) as served:
            for width, height in sizes:
                case = f"churn {opts.churn:g} pods/s ({opts.pods} pods)"
                rates[(case, f"{width}x{height}")] = measure(
                    ["--kubeconfig", str(served.kubeconfig), "-A"], tree,
                    (width, height), opts.settle, opts.seconds, "live")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["160x45", "80x24"])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--settle", type=float, default=30)
    parser.add_argument("--churn", type=float, default=100)
    parser.add_argument("--pods", type=int, default=300)
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the checkout whose kubetui runs (default: this one)")
    parser.add_argument("--compare", type=Path, default=None,
                        help="another checkout to measure too, shown first (before)")
    opts = parser.parse_args()
    sizes = [(int(w), int(h)) for w, h in (s.split("x") for s in opts.sizes)]
    trees = ([("before", opts.compare)] if opts.compare else []) + [("after", opts.tree)]
    results = {label: run(tree, opts, sizes) for label, tree in trees}
    for label, tree in trees:
        print(f"{label}: kubetui from {tree}")
    print(f"{opts.seconds:g} s measured after {opts.settle:g} s; bytes written per second")
    print(f"{'case':<32} {'terminal':>9}" + "".join(f" {label:>9}" for label, _ in trees))
    for case, size in results["after"]:
        print(f"{case:<32} {size:>9}" + "".join(
            f" {results[label][(case, size)]:>9.0f}" for label, _ in trees))


if __name__ == "__main__":
    main()
