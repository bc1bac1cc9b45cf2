"""Sandbox scale benchmark: `kubetui sandbox --scenario scale --pods N` as a person runs it.

    python bench/sandbox_bench.py [--pods 10000 50000] [--namespaces 10] [--churn 0]

For each N: the time from starting the process to its "serving" line (printed once every
pod is Running and Ready), the wall time of `kubectl get pods -A` against it (and the
rows it printed), and the sandbox process's resident memory then (VmRSS) and at its
peak (VmHWM). Needs kubectl on PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    pods: int
    ready_s: float
    get_s: float
    rows: int
    rss_mb: float
    peak_mb: float


def _memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def measure(pods: int, namespaces: int, churn: float, kubectl: str) -> Result:
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kubetui.cli", "sandbox", "--scenario", "scale",
             "--pods", str(pods), "--namespaces", str(namespaces), "--churn", str(churn),
             "--kubeconfig", str(kubeconfig)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            ready = time.monotonic() - started
            if "serving" not in line:
                raise RuntimeError(f"the sandbox did not start: {line!r}")
            t = time.monotonic()
            out = subprocess.run([kubectl, f"--kubeconfig={kubeconfig}",
                                  f"--cache-dir={Path(tmp) / 'cache'}", "get", "pods", "-A",
                                  "--no-headers"],
                                 capture_output=True, text=True, check=True, timeout=600)
            get = time.monotonic() - t
            rss, peak = _memory_mb(proc.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
    return Result(pods, ready, get, len(out.stdout.splitlines()), rss, peak)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--namespaces", type=int, default=10)
    ap.add_argument("--churn", type=float, default=0.0)
    args = ap.parse_args()
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("kubectl is not on PATH", file=sys.stderr)
        return 1
    os.environ.pop("KUBECONFIG", None)
    print(f"{'pods':>7} {'ready (s)':>10} {'get pods -A (s)':>16} {'rows':>7} "
          f"{'RSS (MiB)':>10} {'peak (MiB)':>11}")
    for n in args.pods:
        r = measure(n, args.namespaces, args.churn, kubectl)
        print(f"{r.pods:>7} {r.ready_s:>10.1f} {r.get_s:>16.1f} {r.rows:>7} "
              f"{r.rss_mb:>10.0f} {r.peak_mb:>11.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
