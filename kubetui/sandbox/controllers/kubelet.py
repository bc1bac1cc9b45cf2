"""The kubelet of every node: runs bound pods' (simulated) containers and reports status.

One controller plays the kubelet of all nodes. For each pod bound to a node it walks the
real life cycle: ContainerCreating (pod sandbox, image pull) -> init containers one by one
(Init:N/M) -> containers Running -> Ready (after the readiness probe's
initialDelaySeconds, at once without a probe), and writes the status a real kubelet
writes: phase, the five conditions with lastTransitionTime, hostIP, podIP(s) from the
node's `spec.podCIDR`, startTime, qosClass and containerStatuses with every field the
typed clients require. Events are the kubelet's: Pulling, Pulled, Created, Started,
Killing, BackOff, Unhealthy, Failed. It also registers nodes: conditions, nodeInfo,
addresses and (when the scenario left them out) capacity and allocatable.

What a container does is chosen by its image name (lower-cased, substrings):

=====================  ===============================================================
``imagepullbackoff``,  the pull fails: ErrImagePull, then ImagePullBackOff, retried with
``does-not-exist``     back-off (base, doubling, capped)
``crashloop``          prints a few lines and a fatal error, exits 1 after ~3 s; restarts
                       under restartPolicy Always/OnFailure with CrashLoopBackOff
                       (first restart at once, then base, 2*base, ... capped)
``oomkill``            exits 137, reason OOMKilled, after ~3 s (restarts as above)
``exit-<N>``           runs ~3 s and exits with code N (Completed for 0, else Error)
``never-ready``        runs but never becomes Ready (Unhealthy events every probe period
                       when it has a readinessProbe)
``ignore-sigterm``     on deletion it ignores SIGTERM: killed (137) only when the grace
                       period (deletionGracePeriodSeconds or terminationGracePeriodSeconds)
                       is over
``chatty``             logs ``chatty_rate`` lines a second instead of ``log_rate``
=====================  ===============================================================

A ``sleep N`` in a container's command or args makes it run N seconds then exit 0. A
container with a command but no sleep under restartPolicy Never/OnFailure (a batch job)
runs ~2 s and exits 0, printing what its ``echo`` commands say; init containers run ~1 s.
Anything else runs until its pod is deleted. Log flavour: nginx access log for ``nginx``
images, JSON lines for images naming an app/api/service/backend/worker, plain otherwise.

Every delay is `KubeletTiming`'s value in seconds times `pace` (durations written in a
``sleep`` and grace periods too), so tests run the same story at pace 0.02.

The PodScheduled condition of a freshly bound pod comes with the kubelet's first status
write (see `Scheduler._bind`).

Cheap at scale: no task per pod. The base `Reconciler` queue holds one key per pod with its
next due time; a sync advances that pod through everything due and writes its status at
most once. All container output comes from one timer (`podlogs.LogWriter`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import random
import re
import uuid
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kubetui.sandbox.controllers import podlogs
from kubetui.sandbox.controllers.base import NODES, PODS, Reconciler
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.events import record_event
from kubetui.quantity import parse_quantity
from kubetui.sandbox.store import Event, Obj, now_rfc3339

INF = math.inf
PodKey = tuple[str, str]
KUBELET_VERSION = "v1.32.0"
# containerd's bridge range, for nodes without a podCIDR.
FALLBACK_POD_CIDR = "10.88.0.0/16"
NODE_IP_BASE = ipaddress.ip_address("172.18.0.2")


@dataclass
class KubeletTiming:
    """Simulated durations in seconds at pace 1; each is multiplied by `pace`."""

    pace: float = 1.0
    creating: float = 1.0  # pod sandbox and container creation (image present)
    pull: float = 2.5  # first pull of an image on a node
    repull: float = 0.5  # imagePullPolicy Always with the layers cached
    pull_fail: float = 1.5  # until a missing image is reported
    run_short: float = 3.0  # crashloop, oomkill, exit-N
    batch_run: float = 2.0  # batch commands without a sleep
    init_run: float = 1.0  # init containers without their own timing
    stop: float = 0.2  # SIGTERM to exit
    probe: float = 0.5  # readiness probe's first success after initialDelaySeconds
    notice: float = 0.5  # an exit seen and reported, before the back-off state
    backoff_base: float = 10.0
    backoff_max: float = 300.0
    # Log output (rates, not delays: not paced).
    log_rate: float = 1.0  # lines per second per container
    chatty_rate: float = 25.0
    log_budget: float = 2000.0  # lines per second for all ordinary containers together
    log_tick: float = 0.25

    def of(self, seconds: float) -> float:
        return seconds * self.pace


# ----- what a container does -----------------------------------------------------------

_EXIT = re.compile(r"exit-(\d+)")
_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)\b")
_ECHO = re.compile(r"""\becho\s+(?:"([^"]*)"|'([^']*)'|([^;&|]+))""")


@dataclass(frozen=True)
class Behaviour:
    """A container's script, read from its image name and command."""

    pull_fails: bool = False
    run_for: float | None = None  # seconds at pace 1 until it exits; None: until stopped
    exit_code: int = 0
    exit_reason: str = "Completed"
    crash: bool = False  # prints an error before exiting
    never_ready: bool = False
    ignore_sigterm: bool = False
    flavour: str = podlogs.PLAIN
    chatty: bool = False
    echo: tuple[str, ...] = ()


def behaviour_of(container: Obj, restart_policy: str, init: bool,
                 timing: KubeletTiming) -> Behaviour:
    image = (container.get("image") or "").lower()
    words = " ".join(str(w) for w in (container.get("command") or []) +
                     (container.get("args") or []))
    common: dict[str, Any] = {
        "pull_fails": "imagepullbackoff" in image or "does-not-exist" in image,
        "never_ready": "never-ready" in image,
        "ignore_sigterm": "ignore-sigterm" in image,
        "flavour": podlogs.flavour_of(image),
        "chatty": "chatty" in image,
        "echo": tuple(next(g for g in m.groups() if g is not None).strip()
                      for m in _ECHO.finditer(words)),
    }
    if "crashloop" in image:
        return Behaviour(run_for=timing.run_short, exit_code=1, exit_reason="Error",
                         crash=True, **common)
    if "oomkill" in image:
        return Behaviour(run_for=timing.run_short, exit_code=137, exit_reason="OOMKilled",
                         **common)
    if m := _EXIT.search(image):
        code = int(m.group(1))
        return Behaviour(run_for=timing.run_short, exit_code=code,
                         exit_reason="Completed" if code == 0 else "Error",
                         crash=code != 0, **common)
    if m := _SLEEP.search(words):
        return Behaviour(run_for=float(m.group(1)), **common)
    if init:
        return Behaviour(run_for=timing.init_run, **common)
    if words and restart_policy != "Always":
        return Behaviour(run_for=timing.batch_run, **common)
    return Behaviour(**common)


def image_ref(image: str) -> str:
    """The image as containerd reports it: `nginx` -> `docker.io/library/nginx:latest`."""
    name, digest = image.split("@", 1) if "@" in image else (image, "")
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    if digest:
        return f"{name}@{digest}"
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def image_id(image: str) -> str:
    ref = image_ref(image)
    repo = ref.split("@", 1)[0].rsplit(":", 1)[0] if "@" not in ref else ref.split("@")[0]
    return f"{repo}@sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def image_size(image: str) -> int:
    return 5_000_000 + int(hashlib.sha256(image.encode()).hexdigest()[:6], 16) * 40


def pull_policy(container: Obj) -> str:
    """The defaulted imagePullPolicy: Always for `:latest` or no tag."""
    if container.get("imagePullPolicy"):
        return container["imagePullPolicy"]
    image = container.get("image") or ""
    tag = image.rsplit("/", 1)[-1]
    return "Always" if "@" not in image and (":" not in tag or tag.endswith(":latest")) \
        else "IfNotPresent"


def qos_class(pod: Obj) -> str:
    spec = pod.get("spec") or {}
    requests: list[dict[str, Any]] = []
    limits: list[dict[str, Any]] = []
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        res = c.get("resources") or {}
        requests.append({k: v for k, v in (res.get("requests") or {}).items()
                         if k in ("cpu", "memory")})
        limits.append({k: v for k, v in (res.get("limits") or {}).items()
                       if k in ("cpu", "memory")})
    if not any(requests) and not any(limits):
        return "BestEffort"
    for req, lim in zip(requests, limits, strict=True):
        if set(lim) != {"cpu", "memory"}:
            return "Burstable"
        for k, v in lim.items():
            if k in req and parse_quantity(req[k]) != parse_quantity(v):
                return "Burstable"
    return "Guaranteed"


# ----- runtime state ---------------------------------------------------------------------

@dataclass
class _Ctr:
    spec: Obj
    kind: str  # "init", "sidecar" (restartable init container) or "main"
    how: Behaviour
    state: str = "waiting"  # waiting, running, terminated
    reason: str = "ContainerCreating"
    message: str = ""
    exit_code: int = 0
    exit_reason: str = ""
    started_at: str = ""
    finished_at: str = ""
    cid: str = ""
    restarts: int = 0
    last: Obj | None = None  # lastState.terminated
    ready: bool = False
    at: float = INF  # when `act` happens
    act: str = ""
    ready_at: float = INF  # next readiness probe verdict
    failures: int = 0  # exits in a row, for the crash back-off
    pull_failures: int = 0

    @property
    def name(self) -> str:
        return self.spec["name"]

    @property
    def image(self) -> str:
        return self.spec.get("image") or ""


@dataclass
class _Pod:
    ns: str
    name: str
    uid: str
    node: str
    restart_policy: str
    grace: float  # spec.terminationGracePeriodSeconds
    qos: str
    host_network: bool
    inits: list[_Ctr]
    mains: list[_Ctr]
    stage: str = "new"  # new, sandbox, init, main
    init_index: int = 0
    sandbox_at: float = INF
    start_time: str = ""
    ip: str = ""
    host_ip: str = ""
    deleting: bool = False
    delete_grace: float | None = None
    killing: bool = False
    done: bool = False  # reached Succeeded or Failed
    final_phase: str = ""
    conds: dict[str, tuple[str, str]] = field(default_factory=dict)  # type -> status, time
    dirty: bool = False

    @property
    def containers(self) -> list[_Ctr]:
        return self.inits + self.mains

    @property
    def key(self) -> PodKey:
        return (self.ns, self.name)

    def next_due(self) -> float:
        due = self.sandbox_at if self.stage == "sandbox" else INF
        for c in self.containers:
            due = min(due, c.at, c.ready_at)
        return due


@dataclass
class _Ipam:
    """Pod IPs of one node: hosts of its podCIDR from .2 on (.1 is the bridge)."""

    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    next_index: int = 2
    free: list[str] = field(default_factory=list)

    def allocate(self) -> str | None:
        if self.free:
            return self.free.pop()
        if self.next_index >= self.network.num_addresses - 1:
            return None
        ip = str(self.network.network_address + self.next_index)
        self.next_index += 1
        return ip

    def release(self, ip: str) -> None:
        if ip and ipaddress.ip_address(ip) in self.network:
            self.free.append(ip)

    def range_text(self) -> str:
        return f"{self.network.network_address + 1}-{self.network.broadcast_address - 1}"


# ----- the controller --------------------------------------------------------------------

class Kubelet(Reconciler):
    """All nodes' kubelets. Keys: ("pod", ns, name), ("node", name), ("logs",)."""

    name = "kubelet"
    watched = (NODES, PODS)

    def __init__(self, sandbox: Sandbox, timing: KubeletTiming | None = None) -> None:
        super().__init__(sandbox)
        self.timing = timing or KubeletTiming()
        t = self.timing
        self.logs = podlogs.LogWriter(sandbox.logs, t.log_rate, t.chatty_rate, t.log_budget)
        self._nodes: dict[str, Obj] = {}
        self._pods: dict[PodKey, _Pod] = {}
        self._parked: dict[str, set[PodKey]] = {}  # pods bound to nodes not (yet) known
        self._ipam: dict[str, _Ipam] = {}
        self._images: dict[str, set[str]] = {}  # node -> images present
        self._node_ips: set[str] = set()  # handed out to registering nodes
        self._rng = random.Random()
        self._pod_obj: Obj = {}  # the pod being synced: what its events are about
        self._last_log_tick = 0.0

    async def run(self) -> None:
        self.queue.add(("logs",))
        await super().run()

    def _now(self) -> float:
        return self.queue._now()

    # ----- events in -----------------------------------------------------------------

    def keys_for(self, ev: Event) -> Iterable[Hashable]:
        meta = ev.obj["metadata"]
        if ev.key == NODES:
            name = meta["name"]
            if ev.type == "DELETED":
                self._nodes.pop(name, None)
                return ()
            self._nodes[name] = ev.obj
            keys: list[Hashable] = [("pod", *k) for k in self._parked.pop(name, ())]
            if _needs_registration(ev.obj):
                keys.append(("node", name))
            return keys
        key = (meta.get("namespace", ""), meta["name"])
        rt = self._pods.get(key)
        if ev.type == "DELETED":
            if rt is not None and rt.uid == meta.get("uid"):
                self._forget(rt)
            return ()
        spec = ev.obj.get("spec") or {}
        if not spec.get("nodeName"):
            return ()
        if rt is None or rt.uid != meta.get("uid"):
            if rt is not None:
                self._forget(rt)
            if (ev.obj.get("status") or {}).get("phase") in ("Succeeded", "Failed") and \
                    not meta.get("deletionTimestamp"):
                return ()  # finished before we knew it
            rt = self._pods[key] = self._new_pod(ev.obj)
        elif not meta.get("deletionTimestamp") or rt.deleting:
            return ()
        if meta.get("deletionTimestamp"):
            rt.deleting = True
            rt.delete_grace = meta.get("deletionGracePeriodSeconds")
        return (("pod", *key),)

    def _new_pod(self, pod: Obj) -> _Pod:
        spec, meta = pod.get("spec") or {}, pod["metadata"]
        policy = spec.get("restartPolicy") or "Always"
        inits = [_Ctr(c, "sidecar" if c.get("restartPolicy") == "Always" else "init",
                      behaviour_of(c, policy, c.get("restartPolicy") != "Always",
                                   self.timing))
                 for c in spec.get("initContainers") or ()]
        mains = [_Ctr(c, "main", behaviour_of(c, policy, False, self.timing))
                 for c in spec.get("containers") or ()]
        if inits:
            for c in inits + mains:
                c.reason = "PodInitializing"
        return _Pod(meta.get("namespace", ""), meta["name"], meta.get("uid", ""),
                    spec["nodeName"], policy,
                    float(spec.get("terminationGracePeriodSeconds", 30)), qos_class(pod),
                    bool(spec.get("hostNetwork")), inits, mains)

    def _forget(self, rt: _Pod) -> None:
        self._pods.pop(rt.key, None)
        self._release_ip(rt)
        self.logs.forget_pod(rt.ns, rt.name)

    def _release_ip(self, rt: _Pod) -> None:
        if rt.ip and not rt.host_network and (ipam := self._ipam.get(rt.node)) is not None:
            ipam.release(rt.ip)

    # ----- sync ----------------------------------------------------------------------

    def sync(self, key: Any) -> float | None:
        if key[0] == "logs":
            now = self._now()
            self.logs.tick(min(now - self._last_log_tick, 5.0) if self._last_log_tick else 0)
            self._last_log_tick = now
            return self.timing.log_tick
        if key[0] == "node":
            self._register(key[1])
            return None
        return self._sync_pod((key[1], key[2]))

    def _sync_pod(self, key: PodKey) -> float | None:
        rt = self._pods.get(key)
        pod = self.store.find(PODS, *key)
        if rt is None or pod is None or pod["metadata"].get("uid") != rt.uid:
            return None
        node = self._nodes.get(rt.node)
        if node is None:
            self._parked.setdefault(rt.node, set()).add(key)
            return None
        if _needs_registration(node):  # a kubelet runs pods only once its node is registered
            self._register(rt.node)
            node = self.store.find(NODES, "", rt.node) or node
        self._pod_obj = pod
        now = self._now()
        if rt.stage == "new":
            self._admit(rt, node, now)
        if rt.deleting and not rt.killing:
            self._kill(rt, now)
        self._advance(rt, now)
        if rt.killing and not any(c.state == "running" for c in rt.containers):
            self._finish(rt, pod)
            return None
        if not rt.done and self._phase(rt) in ("Succeeded", "Failed"):
            rt.done = True
            self._release_ip(rt)
        if rt.dirty:
            rt.dirty = False
            self._write(rt, pod)
        due = rt.next_due()
        return None if due == INF else max(0.0, due - now)

    def _event(self, rt: _Pod, type_: str, reason: str, message: str) -> None:
        record_event(self.store, self._pod_obj, type_, reason, message, "kubelet", rt.node)

    # ----- life cycle ----------------------------------------------------------------

    def _admit(self, rt: _Pod, node: Obj, now: float) -> None:
        rt.start_time = now_rfc3339()
        rt.host_ip = _node_ip(node)
        rt.stage = "sandbox"
        first = rt.inits[:1] if rt.inits else rt.mains
        pulls = any(c.how.pull_fails or self._must_pull(rt, c) for c in first)
        rt.sandbox_at = now + self.timing.of(self.timing.creating) * (0.4 if pulls else 1.0)
        rt.dirty = True

    def _sandbox(self, rt: _Pod, now: float) -> None:
        if rt.host_network:
            rt.ip = rt.host_ip
        else:
            ipam = self._ipam_of(rt.node)
            ip = ipam.allocate()
            if ip is None:
                self._event(rt, "Warning", "FailedCreatePodSandBox",
                            "Failed to create pod sandbox: rpc error: code = Unknown desc = "
                            "failed to setup network for sandbox: plugin type=\"bridge\" "
                            "failed (add): failed to allocate for range 0: no IP addresses "
                            f"available in range set: {ipam.range_text()}")
                rt.sandbox_at = now + self.timing.of(10)
                return
            rt.ip = ip
        rt.sandbox_at = INF
        rt.dirty = True
        if rt.inits:
            rt.stage = "init"
            self._begin(rt, rt.inits[0], now)
        else:
            rt.stage = "main"
            for c in rt.mains:
                self._begin(rt, c, now)

    def _must_pull(self, rt: _Pod, c: _Ctr) -> bool:
        policy = pull_policy(c.spec)
        return policy == "Always" or (
            policy != "Never" and c.image not in self._images.get(rt.node, ()))

    def _begin(self, rt: _Pod, c: _Ctr, now: float) -> None:
        """Get the image, then create and start the container."""
        t = self.timing
        if c.how.pull_fails:
            self._event(rt, "Normal", "Pulling", f'Pulling image "{c.image}"')
            c.at, c.act = now + t.of(t.pull_fail), "pull-failed"
        elif self._must_pull(rt, c):
            self._event(rt, "Normal", "Pulling", f'Pulling image "{c.image}"')
            cached = c.image in self._images.get(rt.node, ())
            c.at, c.act = now + t.of(t.repull if cached else t.pull), "pulled"
        else:
            self._event(rt, "Normal", "Pulled",
                        f'Container image "{c.image}" already present on machine')
            self._start(rt, c, now)

    def _start(self, rt: _Pod, c: _Ctr, now: float) -> None:
        t = self.timing
        self._event(rt, "Normal", "Created", f"Created container: {c.name}")
        self._event(rt, "Normal", "Started", f"Started container {c.name}")
        c.state, c.reason, c.message = "running", "", ""
        c.started_at = now_rfc3339()
        c.cid = f"{self._rng.getrandbits(256):064x}"
        c.ready, c.ready_at = False, INF
        c.at, c.act = (now + t.of(c.how.run_for), "exit") if c.how.run_for is not None \
            else (INF, "")
        first = list(c.how.echo) or podlogs.startup_lines(c.how.flavour, c.name)
        self.logs.start((rt.ns, rt.name, c.name), c.how.flavour, c.how.chatty, first,
                        steady=not c.how.echo)
        probe = c.spec.get("readinessProbe")
        if c.kind == "init":
            pass  # init containers are never ready while they run
        elif c.how.never_ready:
            if probe:
                c.ready_at = now + t.of(probe.get("initialDelaySeconds", 0) +
                                        probe.get("periodSeconds", 10))
        elif probe:
            c.ready_at = now + t.of(probe.get("initialDelaySeconds", 0) + t.probe)
        else:
            c.ready = True
        rt.dirty = True

    def _exit(self, rt: _Pod, c: _Ctr, now: float, code: int, reason: str,
              last_lines: list[str]) -> None:
        self.logs.stop((rt.ns, rt.name, c.name), last_lines)
        c.state, c.reason, c.exit_code, c.exit_reason = "terminated", reason, code, reason
        c.finished_at = now_rfc3339()
        # A completed init container reports ready, as the kubelet's status does.
        c.ready = c.kind == "init" and code == 0
        c.ready_at, c.at, c.act = INF, INF, ""
        rt.dirty = True
        if rt.killing or not self._restarts(rt, c, code):
            return
        c.failures += 1
        t = self.timing
        if c.failures == 1:
            c.at, c.act = now + t.of(t.notice), "restart"
        else:
            c.at, c.act = now + t.of(t.notice), "crashloop"

    def _restarts(self, rt: _Pod, c: _Ctr, code: int) -> bool:
        if c.kind == "sidecar":
            return True
        if c.kind == "init":
            return code != 0 and rt.restart_policy != "Never"
        return rt.restart_policy == "Always" or (rt.restart_policy == "OnFailure" and code)

    def _backoff(self, failures: int) -> float:
        t = self.timing
        return min(t.backoff_base * 2 ** max(0, failures - 1), t.backoff_max)

    def _act(self, rt: _Pod, c: _Ctr, act: str, now: float) -> None:
        t = self.timing
        if act == "pulled":
            self._images.setdefault(rt.node, set()).add(c.image)
            took = t.of(t.pull)
            self._event(rt, "Normal", "Pulled",
                        f'Successfully pulled image "{c.image}" in {took:.3f}s ({took:.3f}s '
                        f"including waiting). Image size: {image_size(c.image)} bytes.")
            self._start(rt, c, now)
        elif act == "pull-failed":
            ref = image_ref(c.image)
            err = (f"rpc error: code = NotFound desc = failed to pull and unpack image "
                   f'"{ref}": failed to resolve reference "{ref}": {ref}: not found')
            self._event(rt, "Warning", "Failed", f'Failed to pull image "{c.image}": {err}')
            self._event(rt, "Warning", "Failed", "Error: ErrImagePull")
            c.reason, c.message = "ErrImagePull", err
            c.pull_failures += 1
            c.at, c.act = now + t.of(t.notice), "pull-backoff"
            rt.dirty = True
        elif act == "pull-backoff":
            c.reason, c.message = "ImagePullBackOff", f'Back-off pulling image "{c.image}"'
            self._event(rt, "Normal", "BackOff", c.message)
            self._event(rt, "Warning", "Failed", "Error: ImagePullBackOff")
            c.at, c.act = now + t.of(self._backoff(c.pull_failures)), "repull"
            rt.dirty = True
        elif act == "repull":
            self._begin(rt, c, now)
        elif act == "exit":
            h = c.how
            last = podlogs.crash_lines(h.flavour) if h.crash else \
                [] if h.exit_reason == "OOMKilled" else podlogs.done_lines(h.flavour)
            self._exit(rt, c, now, h.exit_code, h.exit_reason, last)
        elif act == "killed":
            if c.how.ignore_sigterm:
                self._exit(rt, c, now, 137, "Error", [])
            else:
                self._exit(rt, c, now, 0, "Completed", podlogs.shutdown_lines(c.how.flavour))
        elif act == "crashloop":
            delay = t.of(self._backoff(c.failures - 1))
            pod = f"{rt.name}_{rt.ns}({rt.uid})"
            c.state, c.reason = "waiting", "CrashLoopBackOff"
            c.message = (f"back-off {_duration(delay / t.pace)} restarting failed "
                         f"container={c.name} pod={pod}")
            self._event(rt, "Warning", "BackOff",
                        f"Back-off restarting failed container {c.name} in pod {pod}")
            c.at, c.act = now + max(0.0, delay - t.of(t.notice)), "restart"
            rt.dirty = True
        elif act == "restart":
            c.restarts += 1
            c.last = self._terminated(c)
            c.state, c.reason, c.message = "waiting", "ContainerCreating", ""
            self._begin(rt, c, now)
            rt.dirty = True

    @staticmethod
    def _terminated(c: _Ctr) -> Obj:
        return {"exitCode": c.exit_code, "reason": c.exit_reason,
                "startedAt": c.started_at, "finishedAt": c.finished_at,
                "containerID": f"containerd://{c.cid}"}

    def _advance(self, rt: _Pod, now: float) -> None:
        """Everything due up to `now`, in order of cause (bounded, to be safe)."""
        for _ in range(100):
            changed = False
            if rt.stage == "sandbox" and rt.sandbox_at <= now:
                self._sandbox(rt, now)
                changed = True
            for c in rt.containers:
                if c.at <= now:
                    act, c.at = c.act, INF
                    self._act(rt, c, act, now)
                    changed = True
                if c.ready_at <= now:
                    self._probe(rt, c, now)
                    changed = True
            if self._progress(rt, now):
                changed = True
            if not changed:
                return

    def _probe(self, rt: _Pod, c: _Ctr, now: float) -> None:
        probe = c.spec.get("readinessProbe") or {}
        if c.how.never_ready:
            self._event(rt, "Warning", "Unhealthy",
                        "Readiness probe failed: HTTP probe failed with statuscode: 503")
            c.ready_at = now + self.timing.of(probe.get("periodSeconds", 10))
        else:
            c.ready, c.ready_at = True, INF
            rt.dirty = True

    def _progress(self, rt: _Pod, now: float) -> bool:
        """Init containers one after another, then the main ones; sidecars stop once the
        main containers of a run-to-completion pod are done."""
        if rt.killing:
            return False
        if rt.stage == "init":
            c = rt.inits[rt.init_index]
            finished = (c.kind == "sidecar" and c.state == "running") or \
                (c.state == "terminated" and c.exit_code == 0 and c.at == INF)
            if not finished:
                return False
            rt.init_index += 1
            rt.dirty = True
            if rt.init_index < len(rt.inits):
                self._begin(rt, rt.inits[rt.init_index], now)
            else:
                rt.stage = "main"
                for m in rt.mains:
                    m.reason = "ContainerCreating"
                    self._begin(rt, m, now)
            return True
        if rt.stage == "main" and rt.restart_policy != "Always" and \
                all(m.state == "terminated" and m.at == INF for m in rt.mains):
            running = [s for s in rt.inits if s.kind == "sidecar" and s.state == "running"]
            for s in running:
                self._exit(rt, s, now, 0, "Completed", [])
                s.at, s.act = INF, ""
            return bool(running)
        return False

    def _kill(self, rt: _Pod, now: float) -> None:
        rt.killing = True
        grace = rt.delete_grace if rt.delete_grace is not None else rt.grace
        rt.sandbox_at = INF
        for c in rt.containers:
            c.ready_at = INF
            if c.state == "running":
                self._event(rt, "Normal", "Killing", f"Stopping container {c.name}")
                wait = grace if c.how.ignore_sigterm else min(grace, self.timing.stop)
                c.at, c.act = now + self.timing.of(wait), "killed"
            else:
                c.at, c.act = INF, ""

    def _finish(self, rt: _Pod, pod: Obj) -> None:
        """All containers stopped: report the terminal phase, then remove the pod."""
        if not rt.done:
            codes = [c.exit_code if c.state == "terminated" else 1 for c in rt.mains]
            rt.final_phase = "Succeeded" if not any(codes) else "Failed"
            rt.done = True
        self._write(rt, pod)
        try:
            self.store.delete(PODS, rt.ns, rt.name)
        except ApiError:
            pass  # already gone

    # ----- status --------------------------------------------------------------------

    def _phase(self, rt: _Pod) -> str:
        """kubelet's getPhase."""
        if rt.final_phase:
            return rt.final_phase
        if rt.stage in ("new", "sandbox"):
            return "Pending"
        if rt.stage == "init":
            if rt.restart_policy == "Never" and any(
                    c.kind == "init" and c.state == "terminated" and c.exit_code
                    for c in rt.inits):
                return "Failed"
            return "Pending"
        waiting = running = stopped = succeeded = 0
        for c in rt.mains:
            if c.state == "running":
                running += 1
            elif c.state == "terminated":
                stopped += 1
                succeeded += c.exit_code == 0
            elif c.last is not None:
                stopped += 1
                succeeded += c.last["exitCode"] == 0
            else:
                waiting += 1
        if waiting:
            return "Pending"
        if running or rt.restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        return "Running" if rt.restart_policy == "OnFailure" else "Failed"

    def _cond(self, rt: _Pod, type_: str, ok: bool, reason: str = "",
              message: str = "") -> Obj:
        status = "True" if ok else "False"
        prev = rt.conds.get(type_)
        when = prev[1] if prev and prev[0] == status else now_rfc3339()
        rt.conds[type_] = (status, when)
        out: Obj = {"type": type_, "status": status, "lastProbeTime": None,
                    "lastTransitionTime": when}
        if reason:
            out["reason"] = reason
        if message:
            out["message"] = message
        return out

    def _write(self, rt: _Pod, pod: Obj) -> None:
        old = pod.get("status") or {}
        phase = self._phase(rt)
        terminal = phase in ("Succeeded", "Failed")
        initialized = rt.stage == "main" or not rt.inits
        not_init = [c.name for c in rt.inits[rt.init_index:]]
        unready = [c.name for c in rt.inits + rt.mains
                   if c.kind != "init" and not c.ready]
        ready = not unready and not terminal
        ready_reason = "" if ready else "PodCompleted" if terminal else "ContainersNotReady"
        ready_msg = "" if ready or terminal else \
            f"containers with unready status: [{' '.join(unready)}]"
        scheduled = next((c for c in old.get("conditions") or ()
                          if c.get("type") == "PodScheduled"), None) or \
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
             "lastTransitionTime": rt.start_time}
        conditions = [
            self._cond(rt, "PodReadyToStartContainers", bool(rt.ip) and not terminal),
            self._cond(rt, "Initialized", initialized,
                       ("PodCompleted" if terminal else "") if initialized
                       else "ContainersNotInitialized",
                       "" if initialized else
                       f"containers with incomplete status: [{' '.join(not_init)}]"),
            self._cond(rt, "Ready", ready, ready_reason, ready_msg),
            self._cond(rt, "ContainersReady", ready, ready_reason, ready_msg),
            scheduled,
        ]
        status: Obj = {"phase": phase, "conditions": conditions, "hostIP": rt.host_ip,
                       "hostIPs": [{"ip": rt.host_ip}], "startTime": rt.start_time,
                       "qosClass": rt.qos}
        if rt.ip:
            status["podIP"], status["podIPs"] = rt.ip, [{"ip": rt.ip}]
        if rt.inits:
            status["initContainerStatuses"] = [self._container_status(c) for c in rt.inits]
        status["containerStatuses"] = [self._container_status(c) for c in rt.mains]
        try:
            self.store.write_status(PODS, {"metadata": {"namespace": rt.ns, "name": rt.name},
                                           "status": status})
        except ApiError:
            pass  # deleted meanwhile: its DELETED event cleans up

    @staticmethod
    def _container_status(c: _Ctr) -> Obj:
        ran = bool(c.cid)
        out: Obj = {"name": c.name, "image": image_ref(c.image) if ran else c.image,
                    "imageID": image_id(c.image) if ran else "", "ready": c.ready,
                    "restartCount": c.restarts, "started": c.state == "running"}
        if c.state == "running":
            out["state"] = {"running": {"startedAt": c.started_at}}
        elif c.state == "terminated":
            out["state"] = {"terminated": {
                "exitCode": c.exit_code, "reason": c.reason, "startedAt": c.started_at,
                "finishedAt": c.finished_at, "containerID": f"containerd://{c.cid}"}}
        else:
            waiting: Obj = {"reason": c.reason}
            if c.message:
                waiting["message"] = c.message
            out["state"] = {"waiting": waiting}
        out["lastState"] = {"terminated": c.last} if c.last else {}
        if ran:
            out["containerID"] = f"containerd://{c.cid}"
        return out

    # ----- nodes ---------------------------------------------------------------------

    def _ipam_of(self, node_name: str) -> _Ipam:
        ipam = self._ipam.get(node_name)
        if ipam is None:
            node = self._nodes.get(node_name) or {}
            cidr = (node.get("spec") or {}).get("podCIDR") or FALLBACK_POD_CIDR
            ipam = self._ipam[node_name] = _Ipam(ipaddress.ip_network(cidr, strict=False))
        return ipam

    def _register(self, name: str) -> None:
        """Fill what a registering kubelet reports about its node, keeping what the
        scenario set."""
        node = self.store.find(NODES, "", name)
        if node is None or not _needs_registration(node):
            return
        status = dict(node.get("status") or {})
        now = now_rfc3339()
        if not status.get("capacity"):
            status["capacity"] = {"cpu": "4", "memory": "16Gi", "pods": "110",
                                  "ephemeral-storage": "100Gi", "hugepages-1Gi": "0",
                                  "hugepages-2Mi": "0"}
        status.setdefault("allocatable", dict(status["capacity"]))
        if not status.get("addresses"):
            used = self._node_ips | {a.get("address") for n in self._nodes.values()
                                     for a in (n.get("status") or {}).get("addresses") or ()}
            ip = next(str(NODE_IP_BASE + i) for i in range(65_000)
                      if str(NODE_IP_BASE + i) not in used)
            self._node_ips.add(ip)
            status["addresses"] = [{"type": "InternalIP", "address": ip},
                                   {"type": "Hostname", "address": name}]
        if not status.get("conditions"):
            status["conditions"] = [
                _node_condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                                "kubelet has sufficient memory available", now),
                _node_condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                                "kubelet has no disk pressure", now),
                _node_condition("PIDPressure", "False", "KubeletHasSufficientPID",
                                "kubelet has sufficient PID available", now),
                _node_condition("Ready", "True", "KubeletReady",
                                "kubelet is posting ready status", now),
            ]
        if not status.get("nodeInfo"):
            seed = hashlib.sha256(name.encode()).hexdigest()
            status["nodeInfo"] = {
                "architecture": "amd64", "bootID": str(uuid.UUID(seed[:32])),
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.8.0-49-generic", "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION, "machineID": seed[32:64],
                "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": str(uuid.UUID(seed[16:48]))}
        status.setdefault("daemonEndpoints", {"kubeletEndpoint": {"Port": 10250}})
        self.store.write_status(NODES, {"metadata": {"name": name}, "status": status})


def _needs_registration(node: Obj) -> bool:
    status = node.get("status") or {}
    return not all(status.get(k) for k in ("capacity", "addresses", "conditions", "nodeInfo"))


def _node_condition(type_: str, status: str, reason: str, message: str, now: str) -> Obj:
    return {"type": type_, "status": status, "lastHeartbeatTime": now,
            "lastTransitionTime": now, "reason": reason, "message": message}


def _node_ip(node: Obj) -> str:
    for a in (node.get("status") or {}).get("addresses") or ():
        if a.get("type") == "InternalIP":
            return a["address"]
    return ""


def _duration(seconds: float) -> str:
    """Go's time.Duration text for whole seconds: 10s, 1m20s, 5m0s."""
    s = int(round(seconds))
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"
