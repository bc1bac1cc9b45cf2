"""What a sandbox cluster holds at start (`--scenario`): `empty`, `demo` or `scale`.

`RunningSandbox.start` calls `load_scenario` after the controllers are started and before
the server listens, so the "serving" line of `kubetui sandbox` comes once the scenario is
in place: at once for `demo` (whose workloads then come up as a real cluster's would), and
only when every pod is Running and Ready for `scale` (progress on stderr), so benchmarks
measure a cluster that is ready to serve.

Objects go through `verbs.create`, the API server's own create, so defaults and validation
apply as they would to a client's request. What components outside the sandbox's
control plane would write (node capacity from a kubelet's registration, a cloud load
balancer's address, a volume provisioner's binding) is written as status directly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubetui.kinds import builtin
from kubetui.sandbox import verbs
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.store import Obj

if TYPE_CHECKING:
    from kubetui.sandbox.run import SandboxOptions

SCENARIOS = ("empty", "demo", "scale")


async def load_scenario(sb: Sandbox, opts: SandboxOptions) -> None:
    """Fill `sb` with the scenario `opts.scenario` names."""
    if opts.scenario == "empty":
        return
    if opts.scenario == "demo":
        from kubetui.sandbox.scenarios.demo import load_demo

        await load_demo(sb, wait_for_controllers=opts.controllers)
        return
    if opts.scenario == "scale":
        from kubetui.sandbox.scenarios.scale import load_scale

        await load_scale(sb, opts.pods, opts.namespaces, opts.churn,
                         wait_ready=opts.controllers)
        return
    raise ValueError(f"unknown scenario {opts.scenario!r}: use one of {', '.join(SCENARIOS)}")


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
