"""Bytes per second kubetui writes to its terminal: idle, and under pod churn.

    python bench/repaint_bench.py [--sizes 160x45 80x24] [--seconds 20] [--settle 30]
                                  [--churn 100] [--pods 300] [--tree PATH]

Over SSH every byte counts: a screen where nothing happens should cost next to nothing.
kubetui runs in a real pseudo-terminal (tests/terminal.py), as a person starts it, and every
byte it writes is counted over `--seconds` after `--settle` seconds from its first screen:

- idle: `kubetui --demo` (its pods keep their state; ages tick);
- churn: `kubetui -A` on `kubetui sandbox --scenario scale --pods P --churn C` (C pods
  changed per second; bench/sandbox_bench.py), on the pods view.

`--tree` runs another checkout's kubetui (its `kubetui` package), e.g. main's, to compare
before and after a change.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from sandbox_bench import serve  # noqa: E402
from tests.terminal import Terminal  # noqa: E402


@dataclass
class Sample:
    case: str
    size: str
    bytes_per_s: float


def measure(args: list[str], tree: Path, size: tuple[int, int], settle: float,
            seconds: float, ready: str) -> float:
    """Bytes per second written by `kubetui ARGS` once `ready` showed and `settle` passed."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["160x45", "80x24"])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--settle", type=float, default=30)
    parser.add_argument("--churn", type=float, default=100)
    parser.add_argument("--pods", type=int, default=300)
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the checkout whose kubetui runs (default: this one)")
    opts = parser.parse_args()
    sizes = [tuple(int(n) for n in s.split("x")) for s in opts.sizes]
    samples: list[Sample] = []
    for width, height in sizes:
        size = f"{width}x{height}"
        rate = measure(["--demo"], opts.tree, (width, height), opts.settle, opts.seconds,
                       "live")
        samples.append(Sample("idle (demo)", size, rate))
    with tempfile.TemporaryDirectory() as folder:
        with serve(opts.pods, 10, opts.churn, Path(folder)) as served:
            for width, height in sizes:
                size = f"{width}x{height}"
                rate = measure(["--kubeconfig", str(served.kubeconfig), "-A"], opts.tree,
                               (width, height), opts.settle, opts.seconds, "live")
                samples.append(Sample(f"churn {opts.churn:g} pods/s ({opts.pods} pods)",
                                      size, rate))
    print(f"kubetui from {opts.tree}; {opts.seconds:g} s measured after {opts.settle:g} s")
    print(f"{'case':<32} {'terminal':>9} {'bytes/s':>9}")
    for s in samples:
        print(f"{s.case:<32} {s.size:>9} {s.bytes_per_s:>9.0f}")


if __name__ == "__main__":
    main()
