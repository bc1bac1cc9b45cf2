"""The `scale` scenario: N pods through Deployments, for benchmarks (`--pods`, `--namespaces`,
`--churn`).

The pods are a fleet of ordinary services: Deployments of 10 to 50 replicas (one image each,
with a readiness probe, CPU and memory requests) spread round-robin over M namespaces, on
as many 32-core nodes as it takes to run about 200 pods each (with `maxPods` 250, as
large nodes are set up; fewer, larger nodes also keep the scheduler's per-pod search at
its minimum of 100 nodes). The plan is deterministic, so a benchmark sees the same cluster every
run. `load_scale` returns once every pod is Running and Ready, printing progress on stderr.

The cluster loads in its steady state, as one that has been running a while (`load_settled`):
each Deployment is created as a client creates it, with the ReplicaSet its first rollout
made (revision 1, all replicas) and that ReplicaSet's pods bound, Running and Ready, with
the status their kubelet last wrote and no start-up events (events live an hour on a real
cluster). The control plane takes them over as they are: the ReplicaSet and Deployment
controllers find their objects and write the status they count, the scheduler accounts for
the bound pods, and the kubelet adopts the running containers as a restarted kubelet does
(`controllers/kubelet/settled.py`): no pod is created, rewritten or restarted. Walking
50,000 pods through creation, scheduling and start-up (about 17 writes and 6 events each)
took 40 s of CPU before the first client could connect; this takes a few seconds. What
happens from then on (churn's deletions, scaling, rollouts) goes through the full life
cycle. Without controllers (`SandboxOptions.controllers` off), or with fewer nodes than the
pods need (`--nodes`), only the Deployments are created, for the controllers to fill.

`--churn R` then keeps about R pods a second changing, as a busy cluster does: readiness
flaps (a pod turns unready and back a few seconds later), container restarts (the restart
count climbs, the last state says why) and pod deletions (their ReplicaSets create
replacements). It is one timer task; it writes pod status as the kubelet would, and the
kubelet's own next write for that pod supersedes it.
"""

from __future__ import annotations

import dataclasses
import asyncio
import heapq
import ipaddress
import math
import random
import sys
import time
from dataclasses import dataclass, field

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Obj, now_rfc3339
from kubetui.sandbox.controllers.base import NODES, create_like, pod_prototype
from kubetui.sandbox.controllers.deployment import settled_replicaset
from kubetui.sandbox.controllers.kubelet.ipam import Ipam
from kubetui.sandbox.controllers.kubelet.nodes import needs_registration, node_ip
from kubetui.sandbox.controllers.kubelet.settled import settled_status
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.scenarios.objects import add_node, create

PODS = ("", "pods")
DEPLOYMENTS = ("apps", "deployments")
POD_KIND = builtin("Pod")
CHURN_TURN = 10  # pod changes the churn makes in one turn of the event loop
PODS_PER_NODE = 200  # of 250 allowed: large nodes, as dense clusters run them
TEAMS = ("storefront", "payments", "identity", "search", "logistics", "growth", "platform",
         "data", "ml", "support", "media", "risk")
SERVICES = ("api", "web", "checkout", "cart", "catalog", "auth", "billing", "orders",
            "inventory", "shipping", "notifier", "reviews", "profile", "gateway", "ledger",
            "pricing", "thumbnails", "events", "reports", "recommender")


@dataclass(frozen=True)
class Workload:
    namespace: str
    name: str
    replicas: int


@dataclass(frozen=True)
class ScalePlan:
    namespaces: tuple[str, ...]
    workloads: tuple[Workload, ...]
    nodes: int

    @property
    def pods(self) -> int:
        return sum(w.replicas for w in self.workloads)


def namespace_names(count: int) -> tuple[str, ...]:
    """Team names, numbered once they run out: storefront, ..., storefront-2, ..."""
    return tuple(TEAMS[i % len(TEAMS)] + (f"-{i // len(TEAMS) + 1}" if i >= len(TEAMS)
                                          else "") for i in range(count))


def plan(pods: int, namespaces: int, seed: int = 42) -> ScalePlan:
    """Deployments of 10-50 replicas adding up to exactly `pods`."""
    rng = random.Random(seed)
    spaces = namespace_names(max(1, namespaces))
    workloads: list[Workload] = []
    used: dict[str, int] = {}
    left = max(0, pods)
    while left:
        replicas = min(left, rng.randint(10, 50))
        ns = spaces[len(workloads) % len(spaces)]
        n = used[ns] = used.get(ns, 0) + 1
        base = SERVICES[(n - 1) % len(SERVICES)]
        name = base if n <= len(SERVICES) else f"{base}-{(n - 1) // len(SERVICES) + 1}"
        workloads.append(Workload(ns, name, replicas))
        left -= replicas
    return ScalePlan(spaces, tuple(workloads), max(3, math.ceil(pods / PODS_PER_NODE)))


def deployment(w: Workload, index: int) -> Obj:
    labels = {"app.kubernetes.io/name": w.name, "app.kubernetes.io/part-of": w.namespace}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": w.name, "namespace": w.namespace, "labels": labels},
        "spec": {
            "replicas": w.replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": w.name}},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                "name": w.name,
                "image": f"registry.example.com/{w.namespace}/{w.name}:1.{index % 17}.{index % 5}",
                "ports": [{"name": "http", "containerPort": 8080}],
                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"},
                              "limits": {"memory": "128Mi"}},
                "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                                   "initialDelaySeconds": 1, "periodSeconds": 10},
            }]}},
        },
    }


async def load_scale(sb: Sandbox, pods: int, namespaces: int, churn: float,
                     wait_ready: bool = True, nodes: int | None = None) -> ScalePlan:
    p = plan(pods, namespaces)
    if nodes is not None:
        p = dataclasses.replace(p, nodes=nodes)
    started = time.monotonic()
    for i in range(p.nodes):
        add_node(sb, f"node-{i + 1:04d}", cpu=32, memory_gi=128, pods=250,
                 pod_cidr=f"10.{64 + i // 256}.{i % 256}.0/24",
                 labels={"node.kubernetes.io/instance-type": "m6i.8xlarge",
                         "topology.kubernetes.io/zone": f"eu-west-1{'abc'[i % 3]}"})
    for ns in p.namespaces:
        create(sb, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    if wait_ready and p.pods <= p.nodes * PODS_PER_NODE:
        await load_settled(sb, p)
    else:  # no control plane to adopt them, or more pods than the nodes are sized for
        for i, w in enumerate(p.workloads):
            create(sb, deployment(w, i))
    if wait_ready:
        await wait_all_ready(sb, p.pods, started)
    if churn > 0:
        sb.start_controllers([lambda s: Churn(s, churn)])
    return p


async def load_settled(sb: Sandbox, p: ScalePlan) -> None:
    """The workloads as a cluster that has run for a while holds them (see the module
    docstring): each Deployment with its ReplicaSet of revision 1 and its pods bound,
    Running and Ready. The pods are spread over the nodes as the scheduler's
    LeastAllocated spreads equal pods, with IPs from each node's podCIDR as its kubelet
    hands them out; each is stored as its ReplicaSet's controller creates it
    (`base.create_like`), with the status its kubelet last wrote."""
    nodes = sorted(sb.store.iter(NODES), key=lambda n: n["metadata"]["name"])
    while any(needs_registration(n) for n in nodes):  # their kubelet fills in the IPs
        await asyncio.sleep(0.02)
        nodes = [sb.store.get(NODES, "", n["metadata"]["name"]) for n in nodes]
    hosts = [(n["metadata"]["name"], node_ip(n),
              Ipam(ipaddress.ip_network(n["spec"]["podCIDR"], strict=False))) for n in nodes]
    rng = random.Random()
    placed = 0
    for i, w in enumerate(p.workloads):
        d = create(sb, deployment(w, i))
        rs = create(sb, settled_replicaset(d))
        proto = pod_prototype(sb, rs["spec"]["template"], rs)
        for _ in range(w.replicas):
            node, host_ip, ipam = hosts[placed % len(hosts)]
            placed += 1
            spec = dict(proto["spec"], nodeName=node)
            status = settled_status({"metadata": proto["metadata"], "spec": spec}, host_ip,
                                    ipam.allocate() or "", rng)
            create_like(sb, proto, spec, status)


def is_ready(pod: Obj) -> bool:
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in status.get("conditions") or ())


async def wait_all_ready(sb: Sandbox, total: int, started: float,
                         stall_seconds: float = 60.0) -> None:
    """Wait until `total` pods are Running and Ready, reporting on stderr. Progress is
    read from the Deployments' status (cheap); the pods themselves are counted once that
    says all are ready. Gives up (with a warning) when nothing moves for `stall_seconds`:
    neither more pods ready nor more pods created (at 50,000 pods, creating them all can
    take longer than that before the first is ready)."""
    best, best_at = (-1, -1), time.monotonic()
    while True:
        ready = sum((d.get("status") or {}).get("readyReplicas", 0)
                    for d in sb.store.iter(DEPLOYMENTS))
        if ready >= total:
            ready = sum(1 for pod in sb.store.iter(PODS) if is_ready(pod))
        now = time.monotonic()
        print(f"kubetui sandbox: scale: {ready}/{total} pods ready "
              f"({now - started:.1f}s)", file=sys.stderr, flush=True)
        if ready >= total:
            return
        progress = (ready, sb.store.count(PODS))
        if progress[0] > best[0] or progress[1] > best[1]:
            best, best_at = (max(best[0], progress[0]), max(best[1], progress[1])), now
        elif now - best_at > stall_seconds:
            print(f"kubetui sandbox: scale: stuck at {ready}/{total} ready pods; serving "
                  "anyway", file=sys.stderr, flush=True)
            return
        await asyncio.sleep(0.5)


# ----- churn ------------------------------------------------------------------------------

@dataclass
class Churn:
    """About `rate` pod changes a second, from one timer: see the module docstring."""

    sandbox: Sandbox
    rate: float
    tick: float = 0.1
    name: str = "churn"
    rng: random.Random = field(default_factory=random.Random)
    _recover: list[tuple[float, str, str, str]] = field(default_factory=list)  # due, ns, pod, uid
    _budget: float = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        turn = self.sandbox.requests_first.turn
        last = loop.time()
        while True:
            await asyncio.sleep(self.tick)
            now = loop.time()
            self._budget += self.rate * (now - last)
            last = now
            # In turns of a few changes, after the API server's answers (see
            # kubetui.sandbox.requests_first) and ahead of the control plane's: the
            # churn is the world outside the cluster (people, crashing programs), which
            # does not wait for its controllers. What falls due meanwhile is done in the
            # next turns, so the rate holds.
            while self._recover and self._recover[0][0] <= now:
                async with turn(ahead=True):
                    self.recover(now, CHURN_TURN)
            pods = list(self.sandbox.store.iter(PODS)) if self._budget >= 1 else []
            while (n := min(int(self._budget), CHURN_TURN)):
                async with turn(ahead=True):
                    self._budget -= n
                    self.disturb(n, loop.time(), pods)

    def disturb(self, n: int, now: float, pods: list[Obj]) -> None:
        """Change `n` of the ready pods sampled from `pods` (the pods as they were at
        the tick: each is read again as it is now)."""
        # A sample rather than a scan: at 50,000 pods a scan per tick would cost more
        # than the changes themselves.
        store = self.sandbox.store
        picked = []
        for was in self.rng.sample(pods, min(len(pods), 3 * n)):
            meta = was["metadata"]
            p = store.find(PODS, meta["namespace"], meta["name"])
            if p is not None and p["metadata"]["uid"] == meta["uid"] and is_ready(p) and \
                    not p["metadata"].get("deletionTimestamp"):
                picked.append(p)
        for pod in picked[:n]:
            roll = self.rng.random()
            try:
                if roll < 0.25:
                    meta = pod["metadata"]
                    verbs.delete(self.sandbox, POD_KIND, meta["namespace"], meta["name"])
                    continue
                self._unready(pod, restart=roll < 0.5)
            except ApiError:
                continue  # gone meanwhile
            meta = pod["metadata"]
            heapq.heappush(self._recover, (now + self.rng.uniform(2.0, 6.0),
                                           meta["namespace"], meta["name"], meta["uid"]))

    def _unready(self, pod: Obj, restart: bool) -> None:
        """Readiness fails (and with `restart`, the container was OOM-killed and restarted)."""
        stamp = now_rfc3339()
        status = dict(pod["status"])
        statuses = [dict(c, ready=False) for c in status.get("containerStatuses") or ()]
        if restart and statuses:
            c = statuses[0]
            started = (c.get("state") or {}).get("running", {}).get("startedAt", stamp)
            c["lastState"] = {"terminated": {
                "exitCode": 137, "reason": "OOMKilled", "startedAt": started,
                "finishedAt": stamp, "containerID": c.get("containerID", "")}}
            c["restartCount"] = c.get("restartCount", 0) + 1
            c["state"] = {"running": {"startedAt": stamp}}
        status["containerStatuses"] = statuses
        names = " ".join(c["name"] for c in statuses)
        status["conditions"] = [
            dict(c, status="False", lastTransitionTime=stamp, reason="ContainersNotReady",
                 message=f"containers with unready status: [{names}]")
            if c.get("type") in ("Ready", "ContainersReady") else c
            for c in status.get("conditions") or ()]
        self.sandbox.store.write_status(PODS, {"metadata": pod["metadata"], "status": status},
                                       owned=True)

    def recover(self, now: float, most: int) -> None:
        """Pods whose readiness failed pass their probe again (up to `most` of those due
        by `now`)."""
        store = self.sandbox.store
        for _ in range(most):
            if not self._recover or self._recover[0][0] > now:
                return
            _, ns, name, uid = heapq.heappop(self._recover)
            pod = store.find(PODS, ns, name)
            if pod is None or pod["metadata"].get("uid") != uid or \
                    pod["metadata"].get("deletionTimestamp"):
                continue
            stamp = now_rfc3339()
            status = dict(pod["status"])
            status["containerStatuses"] = [dict(c, ready=True)
                                           for c in status.get("containerStatuses") or ()]
            status["conditions"] = [
                {k: v for k, v in c.items() if k not in ("reason", "message")} |
                {"status": "True", "lastTransitionTime": stamp}
                if c.get("type") in ("Ready", "ContainersReady") else c
                for c in status.get("conditions") or ()]
            store.write_status(PODS, {"metadata": pod["metadata"], "status": status}, owned=True)
