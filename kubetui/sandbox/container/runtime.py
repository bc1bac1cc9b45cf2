"""The container runtime of the sandbox's nodes, seen from inside: one `Instance` per
running container (its filesystem, environment, processes and web app), cluster DNS and
the pod network for `curl`, `nslookup` and port-forwarding.

An instance belongs to one run of a container: when the kubelet restarts it
(`restartCount` moves on), the next exec gets a fresh writable layer, as on a node.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from kubetui.sandbox.container import podfiles
from kubetui.sandbox.container.commands import COMMANDS
from kubetui.sandbox.container.fs import Content, ContainerFS, Volume
from kubetui.sandbox.container.httpapp import WebApp, serves_http
from kubetui.sandbox.container.image import Image, image_of
from kubetui.sandbox.container.pipe import Input, Pipe
from kubetui.sandbox.container.process import (ConnectionRefused, HostNotFound, HttpReply,
                                               ProcessTable)
from kubetui.sandbox.container.shell import Shell
from kubetui.sandbox.container.tty import Terminal
from kubetui.sandbox.apiserver.store import Obj, ObjectStore
from kubetui.sandbox.logs import LogHub

PODS = ("", "pods")
ENDPOINTS_READY = "Ready"


class ContainerNotRunning(Exception):
    """Exec/attach/port-forward to a container that is not running (message as the API
    server words it)."""


class ExecNotFound(Exception):
    """The command is not in the image (`executable file not found in $PATH`)."""


def all_containers(pod: Obj) -> list[Obj]:
    spec = pod.get("spec", {})
    return (spec.get("containers") or []) + (spec.get("ephemeralContainers") or []) + \
        (spec.get("initContainers") or [])


def container_status(pod: Obj, name: str) -> Obj | None:
    status = pod.get("status", {})
    for key in ("containerStatuses", "ephemeralContainerStatuses", "initContainerStatuses"):
        for cs in status.get(key) or []:
            if cs.get("name") == name:
                return cs
    return None


@dataclass(eq=False)
class Instance:
    """One run of a container: what exec, attach and port-forward reach."""

    runtime: ContainerRuntime
    pod: Obj
    spec: Obj
    restarts: int
    image: Image
    fs: ContainerFS
    env: dict[str, str]
    uid: int
    gid: int
    procs: ProcessTable
    app: WebApp
    started: float = field(default_factory=time.time)
    main: MainProcess | None = None

    @property
    def hostname(self) -> str:
        return podfiles.pod_hostname(self.pod)

    @property
    def name(self) -> str:
        return self.spec["name"]

    def has_command(self, name: str) -> bool:
        return self.image.has(name)

    def shell_names(self) -> tuple[str, ...]:
        return self.image.shells

    def resolve(self, host: str, hosts_file: bool = True) -> tuple[str, str]:
        return self.runtime.resolve(host, self.pod, hosts_file)

    async def http(self, ip: str, port: int, method: str, path: str,
                   headers: dict[str, str], body: bytes) -> HttpReply:
        app = self.runtime.app_at(ip, port, self.pod)
        return app.handle(method, path, headers, self.pod.get("status", {}).get("podIP", ""))

    def home(self) -> str:
        return "/root" if self.uid == 0 else "/"

    # ----- exec ---------------------------------------------------------------------------

    def check_exec(self, argv: list[str]) -> None:
        """Raise ExecNotFound when the runtime cannot start `argv[0]`."""
        name = argv[0] if argv else ""
        base = name.rsplit("/", 1)[-1]
        if not name or not self.image.has(base):
            raise ExecNotFound(name)

    async def exec(self, argv: list[str], stdin: Input, out: Callable[[bytes], None],
                   err: Callable[[bytes], None], terminal: Terminal | None = None) -> int:
        """Run `argv` as `kubectl exec` does: no shell around it unless it is one."""
        self.check_exec(argv)
        shell = Shell(self, "sh", stdin, out, err, dict(self.env), tty=terminal is not None,
                      cwd=self.spec.get("workingDir") or "/")
        base = argv[0].rsplit("/", 1)[-1]
        if base in self.image.shells:
            shell.name = base
            if terminal is not None:
                terminal.on_interrupt = shell.interrupt
            args = argv[1:]
            if args[:1] == ["-c"]:
                return await shell.foreground(" ".join(argv), shell.run_script(
                    args[1] if len(args) > 1 else ""))
            return await shell.foreground(" ".join(argv), shell.interactive())
        if terminal is not None:
            terminal.on_interrupt = shell.interrupt
        ctx_argv = [base, *argv[1:]]
        return await shell.foreground(" ".join(argv), COMMANDS[base](shell.ctx(ctx_argv)))

    def stop(self) -> None:
        """The container stopped: every process in it is killed (exec sessions end with
        137, as when a container dies under them)."""
        for proc in self.procs.list():
            self.procs.kill(proc.pid, 9)
        if self.main is not None:
            self.main.stop()

    def main_process(self) -> MainProcess:
        """The container's own process, that attach connects to (started on first use)."""
        if self.main is None:
            self.main = MainProcess(self)
        return self.main


class MainProcess:
    """PID 1 as attach sees it. A container with `stdin: true` whose command is a shell
    (a debug container, `kubectl run -it`) runs an interactive shell fed by the attached
    clients; any other container's output is its log."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.listeners: set[Callable[[int, bytes], None]] = set()
        self.interactive = bool(inst.spec.get("stdin")) and bool(inst.image.shells)
        self.tty = bool(inst.spec.get("tty"))
        self.terminal: Terminal | None = None
        self.stdin: Any = None
        self.task: asyncio.Task[int] | None = None
        self.exit_code: int | None = None

    def _emit(self, channel: int, data: bytes) -> None:
        for listener in list(self.listeners):
            listener(channel, data)

    def start(self) -> None:
        if self.task is not None or not self.interactive:
            return
        if self.tty:
            self.terminal = Terminal(lambda b: self._emit(1, b))
            self.stdin = self.terminal
            out = self.terminal.output
            err = self.terminal.output
        else:
            self.stdin = Pipe()
            out, err = (lambda b: self._emit(1, b)), (lambda b: self._emit(2, b))
        cmd = (self.inst.spec.get("command") or []) + (self.inst.spec.get("args") or [])
        argv = cmd if cmd and cmd[0].rsplit("/", 1)[-1] in self.inst.image.shells else \
            [self.inst.image.shells[0]]
        self.task = asyncio.ensure_future(self.inst.exec(argv, self.stdin, out, err,
                                                         self.terminal))
        self.task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[int]) -> None:
        if task.cancelled():
            return
        self.exit_code = task.result() if task.exception() is None else 1
        self._emit(-1, b"")
        report = self.inst.runtime.on_main_exit
        if report is not None:
            report(self.inst.pod, self.inst.name, self.exit_code)

    def feed(self, data: bytes) -> None:
        if self.stdin is not None:
            self.stdin.feed(data)

    def detach(self) -> None:
        """An attached client closed its stdin or went away: with `stdinOnce` the
        container's stdin ends there (the shell sees end of input), as the runtime does."""
        if not self.inst.spec.get("stdinOnce") or self.stdin is None:
            return
        if isinstance(self.stdin, Terminal):
            self.stdin.hang_up()
        else:
            self.stdin.close()

    def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()


class _StoreLookup:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def find(self, key: tuple[str, str], namespace: str, name: str) -> Obj | None:
        return self.store.find(key, namespace, name)

    def in_namespace(self, key: tuple[str, str], namespace: str) -> list[Obj]:
        return self.store.list(key, namespace)[0]


class ContainerRuntime:
    """Every running container's inside, created when first reached."""

    def __init__(self, store: ObjectStore, logs: LogHub) -> None:
        self.store, self.logs = store, logs
        self.objects = _StoreLookup(store)
        self._instances: dict[tuple[str, str], Instance] = {}
        self._volumes: dict[tuple[str, ...], Volume] = {}
        self._round_robin = itertools.count()
        #: Called with (pod, container name, exit code) when a container's main process
        #: ends on its own (a debug shell that was exited); the kubelet reports it.
        self.on_main_exit: Callable[[Obj, str, int], None] | None = None

    # ----- instances ----------------------------------------------------------------------

    def instance(self, namespace: str, pod_name: str, container: str = "") -> Instance:
        """The running container; ContainerNotRunning with the API server's words if
        there is none."""
        pod = self.store.get(PODS, namespace, pod_name)
        names = [c["name"] for c in all_containers(pod)]
        if not container:
            container = (pod.get("metadata", {}).get("annotations") or {}).get(
                "kubectl.kubernetes.io/default-container") or \
                pod.get("spec", {}).get("containers", [{}])[0].get("name", "")
        if container not in names:
            raise ContainerNotRunning(f"container {container} is not valid for pod "
                                      f"{pod_name}")
        cs = container_status(pod, container)
        if cs is None or "running" not in (cs.get("state") or {}):
            raise ContainerNotRunning(f'container not found ("{container}")')
        uid = pod["metadata"].get("uid", "")
        restarts = int(cs.get("restartCount", 0))
        inst = self._instances.get((uid, container))
        if inst is None or inst.restarts != restarts:
            if inst is not None:
                inst.stop()
            inst = self._create(pod, container, restarts)
            self._instances[(uid, container)] = inst
        inst.pod = pod
        return inst

    def _create(self, pod: Obj, name: str, restarts: int) -> Instance:
        spec = next(c for c in all_containers(pod) if c["name"] == name)
        image = image_of(spec.get("image", ""))
        sec = {**(pod.get("spec", {}).get("securityContext") or {}),
               **(spec.get("securityContext") or {})}
        uid, gid = int(sec.get("runAsUser", 0)), int(sec.get("runAsGroup",
                                                              sec.get("runAsUser", 0)))
        mounts, mounted_files = podfiles.mounts(pod, spec, self.objects, self._volume)
        cmd = (spec.get("command") or image.default_command()) + (spec.get("args") or [])
        base: dict[str, Content] = {
            "/etc/os-release": image.os_release(),
            "/etc/passwd": b"root:x:0:0:root:/root:/bin/sh\n"
                           b"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
            "/proc/1/cmdline": b"\0".join(a.encode() for a in cmd) + b"\0",
            "/root/.profile": b"",
            "/tmp/.keep": b"",
            "/var/log/.keep": b"",
        }
        base.update(podfiles.etc_files(pod))
        if not image.distroless:
            base.update({f"/bin/{c}": b"" for c in sorted(COMMANDS) if image.has(c)})
            base.update({f"/bin/{s}": b"" for s in image.shells})
        base.update(mounted_files)
        fs = ContainerFS(base, mounts)
        env = podfiles.environment(pod, spec, self.objects, "/root" if uid == 0 else "/")
        meta = pod["metadata"]
        key = (meta.get("namespace", ""), meta["name"], name)
        app = WebApp(meta["name"], meta.get("namespace", ""), name, spec.get("image", ""),
                     ready=lambda: self._ready(key),
                     log=lambda line: self.logs.append(key, line))
        procs = ProcessTable(" ".join(cmd), "root" if uid == 0 else str(uid))
        inst = Instance(self, pod, spec, restarts, image, fs, env, uid, gid, procs, app)
        return inst

    def _ready(self, key: tuple[str, str, str]) -> bool:
        pod = self.store.find(PODS, key[0], key[1])
        cs = container_status(pod, key[2]) if pod else None
        return bool(cs and cs.get("ready"))

    def _volume(self, key: tuple[str, ...]) -> Volume:
        return self._volumes.setdefault(key, Volume())

    def stopped(self, pod_uid: str, container: str) -> None:
        """The kubelet saw the container exit: what runs inside it ends."""
        inst = self._instances.pop((pod_uid, container), None)
        if inst is not None:
            inst.stop()

    def forget(self, pod_uid: str) -> None:
        """A pod is gone: its containers and emptyDir volumes go with it."""
        for k in [k for k in self._instances if k[0] == pod_uid]:
            self.stopped(*k)
        for k in [k for k in self._volumes if k[:2] == ("pod", pod_uid)]:
            del self._volumes[k]

    # ----- the pod network ----------------------------------------------------------------

    def resolve(self, host: str, pod: Obj, hosts_file: bool = True) -> tuple[str, str]:
        """Cluster DNS as a pod sees it: IPs as they are, `localhost`, the pod's own
        name, Services by `name`, `name.ns`, `name.ns.svc[.cluster.local]`."""
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(host)
            return host, host
        if hosts_file and host in ("localhost", "localhost.localdomain"):
            return "localhost", "127.0.0.1"
        if hosts_file and host == podfiles.pod_hostname(pod):
            return host, pod.get("status", {}).get("podIP", "127.0.0.1")
        ns = pod["metadata"].get("namespace", "")
        parts = host.rstrip(".").removesuffix("." + podfiles.CLUSTER_DOMAIN).split(".")
        if parts[-1] == "svc":
            parts = parts[:-1]
        if len(parts) in (1, 2):
            svc_ns = parts[1] if len(parts) == 2 else ns
            svc = self.store.find(podfiles.SERVICES, svc_ns, parts[0])
            if svc is not None:
                ip = svc.get("spec", {}).get("clusterIP") or ""
                if ip in ("", "None"):
                    backends = self._backends(svc)
                    if not backends:
                        raise HostNotFound(host)
                    ip = backends[0].get("status", {}).get("podIP", "")
                return f"{parts[0]}.{svc_ns}.svc.{podfiles.CLUSTER_DOMAIN}", ip
        raise HostNotFound(host)

    def _backends(self, svc: Obj) -> list[Obj]:
        selector = svc.get("spec", {}).get("selector") or {}
        if not selector:
            return []
        ns = svc["metadata"].get("namespace", "")
        pods = self.store.list(PODS, ns)[0]
        return [p for p in pods if all((p["metadata"].get("labels") or {}).get(k) == v
                                       for k, v in selector.items())
                and any(c.get("type") == ENDPOINTS_READY and c.get("status") == "True"
                        for c in p.get("status", {}).get("conditions") or [])]

    def app_at(self, ip: str, port: int, from_pod: Obj) -> WebApp:
        """The web app answering at ip:port for a connection from `from_pod`."""
        if ip.startswith("127.") or ip == "::1":
            return self.app_on(from_pod, port)
        for svc in self.store.iter(podfiles.SERVICES):
            spec = svc.get("spec", {})
            if spec.get("clusterIP") != ip:
                continue
            sp = next((p for p in spec.get("ports") or [] if p.get("port") == port), None)
            backends = self._backends(svc)
            if sp is None or not backends:
                raise ConnectionRefused()
            pod = backends[next(self._round_robin) % len(backends)]
            return self.app_on(pod, target_port(pod, sp.get("targetPort", port)))
        for pod in self.store.iter(PODS):
            if pod.get("status", {}).get("podIP") == ip:
                return self.app_on(pod, port)
        raise ConnectionRefused()

    def app_on(self, pod: Obj, port: int) -> WebApp:
        """The app of the pod's container listening on `port`; ConnectionRefused if
        nothing serves there."""
        meta = pod["metadata"]
        for c in pod.get("spec", {}).get("containers") or []:
            for p in c.get("ports") or []:
                if p.get("containerPort") == port and serves_http(p):
                    try:
                        return self.instance(meta.get("namespace", ""), meta["name"],
                                             c["name"]).app
                    except ContainerNotRunning:
                        raise ConnectionRefused() from None
        raise ConnectionRefused()

    async def connect(self, pod: Obj, port: int) -> tuple[asyncio.StreamReader,
                                                            asyncio.StreamWriter]:
        """A byte-stream connection to the pod's port (what port-forward carries): the
        app's HTTP server on one end of a socket pair."""
        app = self.app_on(pod, port)

        async def handler(request: web.BaseRequest) -> web.Response:
            await request.read()
            reply = app.handle(request.method, request.path_qs, dict(request.headers))
            headers = {k: v for k, v in reply.headers if k.lower() != "content-length"}
            return web.Response(status=reply.status, reason=reply.reason, body=reply.body,
                                headers=headers)

        ours, theirs = socket.socketpair()
        server = web.Server(handler, access_log=None)
        await asyncio.get_running_loop().connect_accepted_socket(server, theirs)
        return await asyncio.open_connection(sock=ours)


def target_port(pod: Obj, target: Any) -> int:
    """A Service's targetPort (number or container port name) on one pod."""
    if isinstance(target, int) or str(target).isdigit():
        return int(target)
    for c in pod.get("spec", {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target:
                return int(p["containerPort"])
    return 0
