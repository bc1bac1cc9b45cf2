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

What each container does is read from its image name and command (`containers.py`).
Every delay is `KubeletTiming`'s value in seconds times `pace` (durations written in a
``sleep`` and grace periods too), so tests run the same story at pace 0.02.

The PodScheduled condition of a freshly bound pod comes with the kubelet's first status
write (see `Scheduler._bind`).

Ephemeral containers (`kubectl debug`) start when they appear in the spec of a running pod
and never restart. A container whose main process ends inside the container runtime (a
debug shell someone typed `exit` in, `sandbox.containers.on_main_exit`) exits with its code.

Cheap at scale: no task per pod. The base `Reconciler` queue holds one key per pod with its
next due time; a sync advances that pod through everything due and writes its status at
most once. All container output comes from one timer (`podlogs.LogWriter`).
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Hashable, Iterable
from typing import Any

from kubetui.sandbox.apiserver.defaults import qos_class
from kubetui.sandbox.apiserver.store import Event, Obj, now_rfc3339
from kubetui.sandbox.controllers import podlogs
from kubetui.sandbox.controllers.base import NODES, PODS, Reconciler
from kubetui.sandbox.controllers.kubelet.containers import (behaviour_of, image_ref,
                                                            image_size, pull_policy)
from kubetui.sandbox.controllers.kubelet.ipam import FALLBACK_POD_CIDR, Ipam
from kubetui.sandbox.controllers.kubelet.nodes import (needs_registration, node_ip,
                                                       registered_status)
from kubetui.sandbox.controllers.kubelet.pod_status import pod_status, runtime_phase
from kubetui.sandbox.controllers.kubelet.runtime import INF, ContainerRun, PodKey, PodRun
from kubetui.sandbox.controllers.kubelet.settled import is_settled
from kubetui.sandbox.controllers.kubelet.timing import KubeletTiming
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.events import record_event


def probe_failure(probe: Obj, container: Obj, pod_ip: str) -> str:
    """What a failing probe of this kind reports (pkg/probe/{http,tcp,exec,grpc}; the
    kubelet's prober puts it after "<Kind> probe failed: "): an HTTP probe the status
    code, a TCP probe the dial error, a gRPC probe the health service's answer, an exec
    probe the command's output (none here)."""
    if "tcpSocket" in probe:
        port = probe["tcpSocket"].get("port")
        if isinstance(port, str):  # a named port: the container's port of that name
            port = next((p.get("containerPort") for p in container.get("ports") or ()
                         if p.get("name") == port), port)
        return f"dial tcp {pod_ip}:{port}: connect: connection refused"
    if "grpc" in probe:
        return 'service unhealthy (responded with "NOT_SERVING")'
    if "exec" in probe:
        return ""
    return "HTTP probe failed with statuscode: 503"


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
        self._pods: dict[PodKey, PodRun] = {}
        self._parked: dict[str, set[PodKey]] = {}  # pods bound to nodes not (yet) known
        self._ipam: dict[str, Ipam] = {}
        self._images: dict[str, set[str]] = {}  # node -> images present
        self._node_ips: set[str] = set()  # handed out to registering nodes
        self._rng = random.Random()
        self._pod_obj: Obj = {}  # the pod being synced: what its events are about
        self._last_log_tick = 0.0
        sandbox.containers.on_main_exit = self._main_exited

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
            if needs_registration(ev.obj):
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
            if is_settled(ev.obj):
                rt.stage = "adopt"
        elif not meta.get("deletionTimestamp") or rt.deleting:
            return (("pod", *key),) if self._new_ephemeral(rt, ev.obj) else ()
        if meta.get("deletionTimestamp"):
            rt.deleting = True
            rt.delete_grace = meta.get("deletionGracePeriodSeconds")
        return (("pod", *key),)

    def _new_pod(self, pod: Obj) -> PodRun:
        spec, meta = pod.get("spec") or {}, pod["metadata"]
        policy = spec.get("restartPolicy") or "Always"
        inits = [ContainerRun(c, "sidecar" if c.get("restartPolicy") == "Always" else "init",
                      behaviour_of(c, policy, c.get("restartPolicy") != "Always",
                                   self.timing))
                 for c in spec.get("initContainers") or ()]
        mains = [ContainerRun(c, "main", behaviour_of(c, policy, False, self.timing))
                 for c in spec.get("containers") or ()]
        if inits:
            for c in inits + mains:
                c.reason = "PodInitializing"
        return PodRun(meta.get("namespace", ""), meta["name"], meta.get("uid", ""),
                    spec["nodeName"], policy,
                    float(spec.get("terminationGracePeriodSeconds", 30)), qos_class(pod.get("spec") or {}),
                    bool(spec.get("hostNetwork")), inits, mains)

    def _new_ephemeral(self, rt: PodRun, pod: Obj) -> bool:
        """Debug containers added to a running pod: run each (started at its next sync)."""
        known = {c.name for c in rt.ephemeral}
        added = [c for c in (pod.get("spec") or {}).get("ephemeralContainers") or ()
                 if c.get("name") not in known]
        if rt.stage != "main" or rt.killing or rt.done:
            return False
        for spec in added:
            run = ContainerRun(spec, "ephemeral", behaviour_of(spec, "Never", False,
                                                                self.timing))
            run.at, run.act = 0.0, "begin"
            rt.ephemeral.append(run)
        return bool(added)

    def _main_exited(self, pod: Obj, name: str, code: int) -> None:
        meta = pod["metadata"]
        rt = self._pods.get((meta.get("namespace", ""), meta["name"]))
        if rt is None or rt.uid != meta.get("uid") or rt.killing:
            return
        for c in rt.containers:
            if c.name == name and c.state == "running":
                self._exit(rt, c, self._now(), code, "Completed" if code == 0 else "Error", [])
                self.queue.add(("pod", rt.ns, rt.name))

    def _forget(self, rt: PodRun) -> None:
        self.sandbox.containers.forget(rt.uid)
        self._pods.pop(rt.key, None)
        self._release_ip(rt)
        self.logs.forget_pod(rt.ns, rt.name)

    def _release_ip(self, rt: PodRun) -> None:
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
        if needs_registration(node):  # a kubelet runs pods only once its node is registered
            self._register(rt.node)
            node = self.store.find(NODES, "", rt.node) or node
        self._pod_obj = pod
        now = self._now()
        if rt.stage == "new":
            self._admit(rt, node, now)
        elif rt.stage == "adopt":
            self._adopt(rt, pod, now)
        if rt.deleting and not rt.killing:
            self._kill(rt, now)
        self._advance(rt, now)
        if rt.killing and not any(c.state == "running" for c in rt.containers):
            self._finish(rt, pod)
            return None
        if not rt.done and runtime_phase(rt) in ("Succeeded", "Failed"):
            rt.done = True
            self._release_ip(rt)
        if rt.dirty:
            rt.dirty = False
            self._write(rt, pod)
        due = rt.next_due()
        return None if due == INF else max(0.0, due - now)

    def _event(self, rt: PodRun, type_: str, reason: str, message: str) -> None:
        record_event(self.store, self._pod_obj, type_, reason, message, "kubelet", rt.node)

    # ----- life cycle ----------------------------------------------------------------

    def _admit(self, rt: PodRun, node: Obj, now: float) -> None:
        rt.start_time = now_rfc3339()
        rt.host_ip = node_ip(node)
        rt.stage = "sandbox"
        first = rt.inits[:1] if rt.inits else rt.mains
        pulls = any(c.how.pull_fails or self._must_pull(rt, c) for c in first)
        rt.sandbox_at = now + self.timing.of(self.timing.creating) * (0.4 if pulls else 1.0)
        rt.dirty = True

    def _adopt(self, rt: PodRun, pod: Obj, now: float) -> None:
        """Take over a pod whose containers already run (`settled.is_settled`), as a
        restarted kubelet finds its containers in the runtime: no events, no status
        write, the IP kept, each container's log and readiness going on from here."""
        status = pod["status"]
        rt.start_time, rt.host_ip = status.get("startTime", ""), status.get("hostIP", "")
        rt.ip = status.get("podIP", "")
        if rt.ip and not rt.host_network:
            self._ipam_of(rt.node).reserve(rt.ip)
        rt.conds = {c["type"]: (c["status"], c.get("lastTransitionTime", ""))
                    for c in status.get("conditions") or ()}
        reported = {s["name"]: s for s in status["containerStatuses"]}
        rt.stage = "main"
        for c in rt.mains:
            s = reported[c.name]
            self._images.setdefault(rt.node, set()).add(c.image)
            self._run(rt, c, now, s["state"]["running"].get("startedAt", rt.start_time),
                      s["containerID"].removeprefix("containerd://"))
            c.restarts = s.get("restartCount", 0)
            c.last = (s.get("lastState") or {}).get("terminated")
            if s.get("ready") and not c.how.never_ready:
                c.ready, c.ready_at = True, INF
        rt.dirty = False

    def _sandbox(self, rt: PodRun, now: float) -> None:
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

    def _must_pull(self, rt: PodRun, c: ContainerRun) -> bool:
        policy = pull_policy(c.spec)
        return policy == "Always" or (
            policy != "Never" and c.image not in self._images.get(rt.node, ()))

    def _begin(self, rt: PodRun, c: ContainerRun, now: float) -> None:
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

    def _start(self, rt: PodRun, c: ContainerRun, now: float) -> None:
        self._event(rt, "Normal", "Created", f"Created container: {c.name}")
        self._event(rt, "Normal", "Started", f"Started container {c.name}")
        self._run(rt, c, now, now_rfc3339(), f"{self._rng.getrandbits(256):064x}")

    def _run(self, rt: PodRun, c: ContainerRun, now: float, started_at: str,
             cid: str) -> None:
        """The container runs from now on: its log, its exit timer, its readiness."""
        t = self.timing
        c.state, c.reason, c.message = "running", "", ""
        c.started_at, c.cid = started_at, cid
        c.ready, c.ready_at = False, INF
        c.at, c.act = (now + t.of(c.how.run_for), "exit") if c.how.run_for is not None \
            else (INF, "")
        first = list(c.how.echo) or podlogs.startup_lines(c.how.flavour, c.name)
        self.logs.start((rt.ns, rt.name, c.name), c.how.flavour, c.how.chatty, first,
                        steady=not c.how.echo)
        probe = c.spec.get("readinessProbe")
        if c.kind in ("init", "ephemeral"):
            pass  # init containers are never ready while they run, ephemeral ones never
        elif c.how.never_ready:
            if probe:
                c.ready_at = now + t.of(probe.get("initialDelaySeconds", 0) +
                                        probe.get("periodSeconds", 10))
        elif probe:
            c.ready_at = now + t.of(probe.get("initialDelaySeconds", 0) + t.probe)
        else:
            c.ready = True
        rt.dirty = True

    def _exit(self, rt: PodRun, c: ContainerRun, now: float, code: int, reason: str,
              last_lines: list[str]) -> None:
        self.logs.stop((rt.ns, rt.name, c.name), last_lines)
        self.sandbox.containers.stopped(rt.uid, c.name)
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

    def _restarts(self, rt: PodRun, c: ContainerRun, code: int) -> bool:
        if c.kind == "sidecar":
            return True
        if c.kind == "ephemeral":
            return False
        if c.kind == "init":
            return code != 0 and rt.restart_policy != "Never"
        return rt.restart_policy == "Always" or (rt.restart_policy == "OnFailure" and code)

    def _backoff(self, failures: int) -> float:
        t = self.timing
        return min(t.backoff_base * 2 ** max(0, failures - 1), t.backoff_max)

    def _act(self, rt: PodRun, c: ContainerRun, act: str, now: float) -> None:
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
        elif act in ("repull", "begin"):
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
    def _terminated(c: ContainerRun) -> Obj:
        return {"exitCode": c.exit_code, "reason": c.exit_reason,
                "startedAt": c.started_at, "finishedAt": c.finished_at,
                "containerID": f"containerd://{c.cid}"}

    def _advance(self, rt: PodRun, now: float) -> None:
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

    def _probe(self, rt: PodRun, c: ContainerRun, now: float) -> None:
        probe = c.spec.get("readinessProbe") or {}
        if c.how.never_ready:
            self._event(rt, "Warning", "Unhealthy",
                        f"Readiness probe failed: {probe_failure(probe, c.spec, rt.ip)}")
            c.ready_at = now + self.timing.of(probe.get("periodSeconds", 10))
        else:
            c.ready, c.ready_at = True, INF
            rt.dirty = True

    def _progress(self, rt: PodRun, now: float) -> bool:
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

    def _kill(self, rt: PodRun, now: float) -> None:
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

    def _finish(self, rt: PodRun, pod: Obj) -> None:
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

    # ----- status and nodes ----------------------------------------------------------

    def _write(self, rt: PodRun, pod: Obj) -> None:
        status = pod_status(rt, pod.get("status") or {})  # built afresh: the store's
        try:
            self.store.write_status(PODS, {"metadata": {"namespace": rt.ns, "name": rt.name},
                                           "status": status}, owned=True)
        except ApiError:
            pass  # deleted meanwhile: its DELETED event cleans up

    def _ipam_of(self, node_name: str) -> Ipam:
        ipam = self._ipam.get(node_name)
        if ipam is None:
            node = self._nodes.get(node_name) or {}
            cidr = (node.get("spec") or {}).get("podCIDR") or FALLBACK_POD_CIDR
            ipam = self._ipam[node_name] = Ipam(ipaddress.ip_network(cidr, strict=False))
        return ipam

    def _register(self, name: str) -> None:
        """Fill what a registering kubelet reports about its node."""
        node = self.store.find(NODES, "", name)
        if node is None or not needs_registration(node):
            return
        used = self._node_ips | {a.get("address") for n in self._nodes.values()
                                 for a in (n.get("status") or {}).get("addresses") or ()}
        status, ip = registered_status(node, used)
        if ip:
            self._node_ips.add(ip)
        self.store.write_status(NODES, {"metadata": {"name": name}, "status": status})


def _duration(seconds: float) -> str:
    """Go's time.Duration text for whole seconds: 10s, 1m20s, 5m0s."""
    s = int(round(seconds))
    return f"{s // 60}m{s % 60}s" if s >= 60 else f"{s}s"
