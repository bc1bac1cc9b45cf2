"""Helpers shared by the cluster tests (their fixtures are in tests/cluster/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.store import Batch, Entry, StreamHealth, StoreSettings, Subscription, WatchStore

if TYPE_CHECKING:
    from kubetui.sandbox.run import RunningSandbox

#: Short timings so that recovery happens within a test's patience.
FAST = StoreSettings(flush_interval=0.02, backoff_base=0.05, backoff_max=0.3,
                     stale_after=1.0, linger=0.2, watch_timeout=(5.0, 8.0), read_grace=5.0)


def kubeconfig_doc(contexts: dict[str, dict[str, Any]], current: str = "") -> dict[str, Any]:
    """A kubeconfig from {context: {"server":..., "user": {...}, "namespace":...}}."""
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [],
                           "contexts": []}
    for name, spec in contexts.items():
        doc["clusters"].append({"name": f"{name}-cluster",
                                "cluster": {"server": spec.get("server", "https://x:6443"),
                                            **spec.get("cluster", {})}})
        doc["users"].append({"name": f"{name}-user", "user": spec.get("user", {})})
        ctx = {"cluster": f"{name}-cluster", "user": f"{name}-user"}
        if spec.get("namespace"):
            ctx["namespace"] = spec["namespace"]
        doc["contexts"].append({"name": name, "context": ctx})
    if current:
        doc["current-context"] = current
    return doc


async def connect(sb: RunningSandbox) -> ClusterClient:
    cfg = kubeconfig.load(str(sb.kubeconfig))
    return await ClusterClient.connect(cfg, cfg.current)


class Recorder:
    """A subscriber that applies batches to its own copy, as a view would."""

    def __init__(self) -> None:
        self.rows: dict[str, Entry] = {}
        self.batches: list[Batch] = []
        self.health: list[StreamHealth] = []

    def on_batch(self, batch: Batch) -> None:
        self.batches.append(batch)
        if batch.reset:
            self.rows = {}
        for uid in batch.deletes:
            self.rows.pop(uid, None)
        for e in batch.upserts:
            self.rows[e.uid] = e

    def on_health(self, health: StreamHealth) -> None:
        self.health.append(health)

    @property
    def states(self) -> list[str]:
        return [h.state for h in self.health]

    def names(self) -> set[tuple[str, str]]:
        return {(e.namespace, e.name) for e in self.rows.values()}

    def subscribe(self, store: WatchStore, kind: Any, namespace: str | None) -> Subscription:
        return store.subscribe(kind, namespace, self.on_batch, self.on_health)
