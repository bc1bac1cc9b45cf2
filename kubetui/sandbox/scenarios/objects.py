"""Building blocks of the scenarios: objects created as a client's POST would create them,
status written as the component owning it would, worker nodes as their kubelet registers
them."""

from __future__ import annotations

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.core import Sandbox


def create(sb: Sandbox, doc: Obj) -> Obj:
    """Create `doc` as a client's POST would (defaults, validation, generated names)."""
    group, _, version = doc["apiVersion"].rpartition("/")
    kind = builtin(doc["kind"], group)
    ns = doc["metadata"].get("namespace", "") if kind.namespaced else ""
    return verbs.create(sb, kind, ns, doc, version)


def write_status(sb: Sandbox, obj: Obj, status: Obj) -> Obj:
    """Set an object's status as the component that owns it would."""
    group, _, _ = obj["apiVersion"].rpartition("/")
    kind = builtin(obj["kind"], group)
    return sb.store.write_status(kind.key, {"metadata": obj["metadata"], "status": status})


def workers(sb: Sandbox, count: int, prefix: str = "sandbox-worker") -> None:
    """`count` plain worker nodes (4 cores, 16 GiB, 110 pods), named as kind names them:
    sandbox-worker, sandbox-worker2, ..."""
    for i in range(count):
        add_node(sb, prefix + (str(i + 1) if i else ""), cpu=4, memory_gi=16, pods=110,
                 pod_cidr=f"10.{244 + i // 256}.{i % 256}.0/24")


def add_node(sb: Sandbox, name: str, *, cpu: int, memory_gi: int, pods: int, pod_cidr: str,
             labels: dict[str, str] | None = None) -> Obj:
    """A worker node with capacity and allocatable as its kubelet would register them
    (allocatable keeps back what kubeadm-style reservations would); the kubelet
    controller fills in addresses, conditions and nodeInfo."""
    node = create(sb, {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": "amd64", **(labels or {})}},
        "spec": {"podCIDR": pod_cidr, "podCIDRs": [pod_cidr]},
    })
    capacity = {"cpu": str(cpu), "memory": f"{memory_gi * 1024 * 1024}Ki", "pods": str(pods),
                "ephemeral-storage": "102350Mi", "hugepages-1Gi": "0", "hugepages-2Mi": "0"}
    allocatable = dict(capacity, cpu=f"{cpu * 1000 - 60 - 10 * cpu}m",
                       memory=f"{memory_gi * 1024 * 1024 - 100 * 1024 - 12 * 1024 * memory_gi}Ki",
                       **{"ephemeral-storage": "94305519986"})
    return write_status(sb, node, {"capacity": capacity, "allocatable": allocatable})
