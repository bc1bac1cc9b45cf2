"""Node heartbeats: each node's kubelet holds a Lease named after the node in
`kube-node-lease` and renews it every 10 seconds (pkg/kubelet/nodelease and
k8s.io/component-helpers/apimachinery/lease: duration 40 s, the Node as owner), which is
how the node lifecycle controller and `kubectl describe node` tell a node is alive."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import datetime, timezone

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver.store import Event, clone
from kubetui.sandbox.controllers.base import NODES, Reconciler, create
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError

LEASE_KIND = builtin("Lease")
NAMESPACE = "kube-node-lease"
DURATION = 40  # seconds (kubelet --node-lease-duration-seconds)


def _micro_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class NodeLeaseController(Reconciler):
    """Keys are node names."""

    name = "node-lease"
    watched = (NODES,)

    def __init__(self, sandbox: Sandbox, renew_every: float = 10.0) -> None:
        super().__init__(sandbox)
        self.renew_every = renew_every

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        return () if ev.type == "DELETED" else (ev.obj["metadata"]["name"],)

    def sync(self, key: Hashable) -> float | None:
        node = self.store.find(NODES, "", str(key))
        if node is None:
            return None  # the garbage collector removes its Lease (the Node owns it)
        lease = self.store.find(LEASE_KIND.key, NAMESPACE, str(key))
        try:
            if lease is None:
                create(self.sandbox, LEASE_KIND, {
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": {"name": str(key), "namespace": NAMESPACE,
                                 "ownerReferences": [{
                                     "apiVersion": "v1", "kind": "Node", "name": str(key),
                                     "uid": node["metadata"]["uid"]}]},
                    "spec": {"holderIdentity": str(key), "leaseDurationSeconds": DURATION,
                             "renewTime": _micro_now()}})
            else:
                renewed = clone(lease)
                renewed["spec"]["renewTime"] = _micro_now()
                self.store.update(LEASE_KIND.key, renewed, check_rv=False)
        except ApiError:
            return 1.0  # kube-node-lease not there (yet)
        return self.renew_every
