"""The sandbox under its own churn: `kubetui sandbox --scenario scale --pods N --churn R`.

    python bench/churn_bench.py [--pods 50000] [--churn 1000] [--after 15] [--history N]

Once every pod is ready, a watch on all pods counts the events the sandbox delivers, while
one paged list of every pod (500 a page, as kubectl pages) is timed with the official
client, then the watch goes on for `--after` seconds. Printed: the list's time, the watch
events a second during and after it, and the sandbox's CPU seconds per second (1.00 is
one core: the sandbox saturated by its own churn); then the sandbox's writes a second (of
every kind: what its watch history holds) and whether a watch from the list's
resourceVersion, opened when the list ended (as a reflector opens it), still started or
was told 410 Gone: whether the watch history (`--history`, default
sandbox_bench.WATCH_HISTORY) covers the list. Needs the `kubernetes` client (test extra).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import threading
import time
from pathlib import Path

from kubernetes import client, config  # type: ignore[import-untyped]
from urllib3.exceptions import ProtocolError

from sandbox_bench import WATCH_HISTORY, cpu_seconds, serve

PAGE = 500


def watch_stamps(v1: client.CoreV1Api, rv: str, stamps: list[float]) -> None:
    """Append the arrival time of each pod watch event from `rv` on."""
    stream = v1.list_pod_for_all_namespaces(watch=True, resource_version=rv,
                                            _preload_content=False, timeout_seconds=3600)
    with contextlib.suppress(ProtocolError):  # the sandbox stopped at the end
        for _ in stream:  # one line per event
            stamps.append(time.monotonic())


def store_rv(v1: client.CoreV1Api) -> int:
    """The sandbox's resourceVersion now (one write of any kind moves it by one)."""
    page = v1.list_namespace(limit=1, _preload_content=False)
    return int(json.loads(page.data)["metadata"]["resourceVersion"])


def watch_from(v1: client.CoreV1Api, rv: str) -> str:
    """Open a watch from `rv` and read its first event: "started", or "410 Gone" when the
    watch history no longer reaches back to `rv`."""
    stream = v1.list_pod_for_all_namespaces(watch=True, resource_version=rv,
                                            _preload_content=False, timeout_seconds=10)
    try:
        first = json.loads(stream.readline() or b"{}")
    finally:
        stream.release_conn()
    if first.get("type") == "ERROR":
        return f"{first['object'].get('code')} {first['object'].get('reason')}"
    return "started" if first else "no event"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=50_000)
    ap.add_argument("--namespaces", type=int, default=10)
    ap.add_argument("--churn", type=float, default=1000.0)
    ap.add_argument("--after", type=float, default=15.0)
    ap.add_argument("--history", type=int, default=WATCH_HISTORY, help="watch history (events)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="churn-bench-") as tmp, \
            serve(args.pods, args.namespaces, args.churn, Path(tmp), args.history) as served:
        v1 = client.CoreV1Api(config.new_client_from_config(str(served.kubeconfig)))
        first = v1.list_pod_for_all_namespaces(limit=1, _preload_content=False)
        stamps: list[float] = []
        threading.Thread(target=watch_stamps, daemon=True,
                         args=(v1, json.loads(first.data)["metadata"]["resourceVersion"],
                               stamps)).start()
        time.sleep(2.0)
        c0, t0, rv0 = cpu_seconds(served.pid), time.monotonic(), store_rv(v1)
        n, token, list_rv = 0, None, ""
        while True:
            page = json.loads(v1.list_pod_for_all_namespaces(
                limit=PAGE, _continue=token, _preload_content=False).data)
            n += len(page["items"])
            list_rv = list_rv or page["metadata"]["resourceVersion"]
            token = page["metadata"].get("continue")
            if not token:
                break
        t1, c1 = time.monotonic(), cpu_seconds(served.pid)
        watched = watch_from(v1, list_rv)
        time.sleep(args.after)
        t2, c2, rv2 = time.monotonic(), cpu_seconds(served.pid), store_rv(v1)

    def rate(a: float, b: float) -> float:
        return sum(1 for s in stamps if a <= s < b) / (b - a)
    print(f"{'pods':>7} {'list (s)':>9} {'rows':>7} {'events/s in list':>17} "
          f"{'CPU s/s in list':>16} {'events/s after':>15} {'CPU s/s after':>14}")
    print(f"{args.pods:>7} {t1 - t0:>9.1f} {n:>7} {rate(t0, t1):>17.0f} "
          f"{(c1 - c0) / (t1 - t0):>16.2f} {rate(t1, t2):>15.0f} {(c2 - c1) / (t2 - t1):>14.2f}")
    writes = (rv2 - rv0) / (t2 - t0)
    print(f"sandbox writes/s: {writes:.0f} (a history of {args.history:,} covers "
          f"{args.history / writes:.0f} s); watch from the list's resourceVersion: {watched}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
