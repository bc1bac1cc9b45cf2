"""Watch store benchmark: time to first page, full sync, watch events applied per second,
and store memory per pod, against an in-process sandbox.

    python bench/store_bench.py [--pods 10000 50000]

Pods are written straight into the sandbox's object store (the `scale` scenario, when the
sandbox has one, is the better source: it makes them through Deployments). Memory is the
tracemalloc growth while the store holds the pods, divided by the pod count.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import tracemalloc
import uuid

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.store import Batch, WatchStore
from kubetui.kinds import builtin
from kubetui.sandbox.run import RunningSandbox, SandboxOptions

PODS = ("", "pods")


def pod(i: int, namespaces: int) -> dict:
    rs = f"web-{i // 50:05}-7d9f8b6c5"
    ns = f"ns-{i % namespaces:02}"
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"{rs}-{i:06}", "namespace": ns,
                     "labels": {"app": f"web-{i // 50:05}", "pod-template-hash": "7d9f8b6c5"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                          "name": rs, "uid": str(uuid.UUID(int=i // 50)),
                                          "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"nodeName": f"node-{i % 20:02}",
                 "containers": [{"name": "app", "image": "nginx:1.27",
                                 "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
        "status": {"phase": "Running", "podIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                   "startTime": "2026-01-01T00:00:00Z",
                   "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                          "image": "nginx:1.27", "imageID": "docker://sha",
                                          "started": True,
                                          "state": {"running": {
                                              "startedAt": "2026-01-01T00:00:00Z"}}}]},
    }


async def bench(n: int, namespaces: int = 10) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        sb = await RunningSandbox.start(SandboxOptions(kubeconfig=f"{tmp}/config",
                                                       controllers=False))
        for i in range(namespaces):
            sb.sandbox.store.create(("", "namespaces"), {"metadata": {"name": f"ns-{i:02}"}},
                                    namespaced=False)
        for i in range(n):
            sb.sandbox.store.create(PODS, pod(i, namespaces))
        cfg = kubeconfig.load(f"{tmp}/config")
        client = await ClusterClient.connect(cfg, cfg.current)
        store = WatchStore(client)
        seen: dict[str, object] = {}
        first: list[float] = []
        live = asyncio.Event()

        def on_batch(batch: Batch) -> None:
            if batch.upserts and not first:
                first.append(time.perf_counter())
            for e in batch.upserts:
                seen[e.uid] = e

        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        sub = store.subscribe(builtin("Pod"), None, on_batch,
                              lambda h: live.set() if h.state == "live" else None)
        await live.wait()
        synced = time.perf_counter()
        memory = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()

        events = min(n, 20_000)
        items, _ = sb.sandbox.store.list(PODS)
        t0 = time.perf_counter()
        for obj in items[:events]:
            changed = dict(obj)
            changed["status"] = dict(obj["status"], phase="Succeeded")
            sb.sandbox.store.write_status(PODS, changed)
        target = {o["metadata"]["uid"] for o in items[:events]}
        while sum(1 for u in target if sub.entries()[u].row.cells[2] != "Running") < events:
            await asyncio.sleep(0.01)
        applied = time.perf_counter() - t0
        await store.close()
        await client.close()
        await sb.stop()
    return {"pods": n, "first page s": first[0] - start, "full sync s": synced - start,
            "events/s": events / applied, "bytes/pod": memory / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=[10_000])
    args = parser.parse_args()
    rows = [asyncio.run(bench(n)) for n in args.pods]
    header = list(rows[0])
    print("  ".join(f"{h:>12}" for h in header))
    for r in rows:
        print("  ".join(f"{r[h]:>12.3f}" if isinstance(r[h], float) else f"{r[h]:>12}"
                        for h in header))


if __name__ == "__main__":
    main()
