"""Sandbox scale benchmark: `kubetui sandbox --scenario scale --pods N` as a person runs it.

    python bench/sandbox_bench.py [--pods 10000 50000] [--namespaces 10] [--churn 0]

For each N: the time from starting the process to its "serving" line (printed once every
pod is Running and Ready) and the CPU time the sandbox used until then (what to compare
on a shared machine, where the wall time depends on the other work), a paged list of all
pods as kubetui's reflector and kubectl read it (`limit=500` and `continue`): the time to
the first page and to the last, and the sandbox's CPU milliseconds for each, the wall time
of `kubectl get pods -A` against it (and the rows it printed), and the sandbox process's
resident memory then (VmRSS) and at its peak (VmHWM). Needs kubectl on PATH.

`--history N` sets the sandbox's watch history (the other benchmarks use `WATCH_HISTORY`;
the sandbox's default is 10,000). `--hold S` then keeps it serving S seconds more (under
`--churn`) and prints its RSS and CPU use a second every S/6 seconds: whether its memory
stays flat.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import ssl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import orjson
import yaml

PAGE = 500
#: The watch history the benchmarks give the sandbox under churn: a client that lists
#: every pod and then watches from the list's resourceVersion (kubetui's reflector) needs
#: the history to cover the list's duration, or its watch is told 410 and it lists again.
#: A list's continue tokens do not depend on it (they last 5 minutes, as with etcd's
#: compaction). At 50,000 pods and 1,000 changes a second the sandbox writes 5,000-7,000
#: events a second (bench/churn_bench.py prints it): this covers 45-60 s, where the
#: default 10,000 covers two seconds and a 50,000-pod list's watch is told 410.
WATCH_HISTORY = 300_000

@dataclass
class Result:
    pods: int
    ready_s: float
    ready_cpu_s: float
    paged: PagedList
    get_s: float
    rows: int
    rss_mb: float
    peak_mb: float


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # after the command's name
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Served:
    """A `kubetui sandbox` process serving, once every pod is ready."""

    kubeconfig: Path
    pid: int
    ready_s: float  # from starting the process to its "serving" line
    ready_cpu_s: float  # CPU time the sandbox used until then


@contextlib.contextmanager
def serve(pods: int, namespaces: int, churn: float, folder: Path,
          watch_history: int = 10_000) -> Iterator[Served]:
    """`kubetui sandbox --scenario scale` as a person runs it, stopped when the block ends."""
    kubeconfig = folder / "kubeconfig"
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubetui.cli", "sandbox", "--scenario", "scale",
         "--pods", str(pods), "--namespaces", str(namespaces), "--churn", str(churn),
         "--watch-history", str(watch_history), "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "serving" not in line:
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        yield Served(kubeconfig, proc.pid, time.monotonic() - started, cpu_seconds(proc.pid))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:  # a loaded machine: do not lose the figures
            proc.kill()
            proc.communicate()


@dataclass
class PagedList:
    """A list of all pods a page at a time: wall seconds to each point, and the
    sandbox's CPU milliseconds serving the first page and all of them."""

    first_s: float
    all_s: float
    first_cpu_ms: float
    all_cpu_ms: float
    items: int


async def _paged_list(kubeconfig: Path, pid: int) -> PagedList:
    doc = yaml.safe_load(kubeconfig.read_text())
    cluster, user = doc["clusters"][0]["cluster"], doc["users"][0]["user"]
    ctx = ssl.create_default_context(cadata=base64.b64decode(
        cluster["certificate-authority-data"]).decode())
    headers = {"Authorization": f"Bearer {user['token']}", "Accept": "application/json"}
    url = f"{cluster['server']}/api/v1/pods"
    async with aiohttp.ClientSession(headers=headers,
                                     connector=aiohttp.TCPConnector(ssl=ctx)) as session:
        async with session.get(f"{cluster['server']}/version") as resp:  # connect first
            await resp.read()
        cpu0, started = cpu_seconds(pid), time.monotonic()
        first_s = first_cpu = 0.0
        token, items = "", 0
        while True:
            query = f"?limit={PAGE}" + (f"&continue={token}" if token else "")
            async with session.get(url + query) as resp:
                body = await resp.read()
            if not first_s:
                first_s, first_cpu = time.monotonic() - started, cpu_seconds(pid) - cpu0
            page = orjson.loads(body)
            items += len(page["items"])
            token = page["metadata"].get("continue", "")
            if not token:
                break
        return PagedList(first_s, time.monotonic() - started, first_cpu * 1000,
                         (cpu_seconds(pid) - cpu0) * 1000, items)


def paged_list(kubeconfig: Path, pid: int) -> PagedList:
    """Every pod, `limit=500` a page with `continue`, as kubetui and kubectl page."""
    return asyncio.run(_paged_list(kubeconfig, pid))


@dataclass
class KubectlGet:
    first_line_s: float  # to its first line of output
    total_s: float
    rows: int
    peak_mb: float  # kubectl's own peak RSS


def kubectl_get_pods(kubectl: str, kubeconfig: Path, cache: Path) -> KubectlGet:
    """`kubectl get pods -A` with a fresh discovery cache, timed to its first line and to
    its exit."""
    started = time.monotonic()
    proc = subprocess.Popen([kubectl, f"--kubeconfig={kubeconfig}", f"--cache-dir={cache}",
                             "get", "pods", "-A", "--no-headers"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    first_s = time.monotonic() - started
    rest = proc.stdout.read()
    error = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"kubectl get pods -A failed: {error.strip()}")
    return KubectlGet(first_s, total, len((first + rest).splitlines()),
                      usage.ru_maxrss / 1024)


def hold(pid: int, seconds: float) -> None:
    """Print the sandbox's RSS and CPU use over `seconds`, six times."""
    last_t, last_cpu = time.monotonic(), cpu_seconds(pid)
    start = last_t
    for _ in range(6):
        time.sleep(seconds / 6)
        now, cpu = time.monotonic(), cpu_seconds(pid)
        rss, _ = memory_mb(pid)
        print(f"    after {now - start:5.0f} s: RSS {rss:6.0f} MiB, "
              f"CPU {(cpu - last_cpu) / (now - last_t):.2f} s/s", flush=True)
        last_t, last_cpu = now, cpu


def measure(pods: int, namespaces: int, churn: float, kubectl: str, history: int,
            hold_s: float = 0.0) -> Result:
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp, \
            serve(pods, namespaces, churn, Path(tmp), history) as served:
        paged = paged_list(served.kubeconfig, served.pid)
        get = kubectl_get_pods(kubectl, served.kubeconfig, Path(tmp) / "cache")
        rss, peak = memory_mb(served.pid)
        if hold_s > 0:
            hold(served.pid, hold_s)
    return Result(pods, served.ready_s, served.ready_cpu_s, paged, get.total_s, get.rows,
                  rss, peak)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, nargs="+", default=[10_000, 50_000])
    ap.add_argument("--namespaces", type=int, default=10)
    ap.add_argument("--churn", type=float, default=0.0)
    ap.add_argument("--history", type=int, default=10_000, help="watch history (events)")
    ap.add_argument("--hold", type=float, default=0.0,
                    help="seconds to keep serving afterwards, printing RSS and CPU")
    args = ap.parse_args()
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("kubectl is not on PATH", file=sys.stderr)
        return 1
    os.environ.pop("KUBECONFIG", None)
    print(f"{'pods':>7} {'ready (s)':>10} {'CPU (s)':>8} {'1st page (s)':>13} "
          f"{'(CPU ms)':>9} {'all pages (s)':>14} {'(CPU ms)':>9} {'get pods -A (s)':>16} "
          f"{'rows':>7} {'RSS (MiB)':>10} {'peak (MiB)':>11}")
    for n in args.pods:
        r = measure(n, args.namespaces, args.churn, kubectl, args.history, args.hold)
        p = r.paged
        print(f"{r.pods:>7} {r.ready_s:>10.1f} {r.ready_cpu_s:>8.1f} {p.first_s:>13.3f} "
              f"{p.first_cpu_ms:>9.0f} {p.all_s:>14.2f} {p.all_cpu_ms:>9.0f} "
              f"{r.get_s:>16.1f} {r.rows:>7} {r.rss_mb:>10.0f} {r.peak_mb:>11.0f}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
