"""Port-forwards that survive: a local listener per port, each connection tunnelled to a
pod's port over its own `pods/portforward` WebSocket. No Textual.

The WebSocket speaks the channel protocol the API server offers for port-forward
(`v4.channel.k8s.io`, `?ports=P`): channel 0 carries the data, channel 1 the errors, and the
server starts each channel with the port number (2 bytes, little-endian).

A forward to a Service or a workload follows it: the pod is chosen among the ready pods its
selector picks (a Service's `targetPort` resolved on that pod, by name if need be), and a
monitor checks that pod every `check_interval`; when it is gone or no longer ready, new
connections go to another ready pod and the forward records the move. A forward to a bare
pod says "reconnecting" while the pod is gone or not running and resumes when it is back.
Connections already open when a pod goes stay with it until they break, as with kubectl.

A connection ends when the pod's side does (the API server closes the WebSocket once the
pod's connection is done; the local one is closed then), or `GRACE` seconds after the
local side stopped sending: the protocol cannot pass a half-close on, so the answer gets
the time containerd gives kubectl's half-closed streams before it closes the pod's end.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from kubetui import clock
from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.kinds import Kind, builtin
from kubetui.render.printers.base import condition_true
from kubetui.render.text import selector_string

__all__ = ["ACTIVE", "FAILED", "Forward", "ForwardManager", "PortChoice", "RECONNECTING",
           "Target", "free_port", "port_choices"]

POD = builtin("Pod")
SERVICE = builtin("Service")
PROTOCOLS = ("v4.channel.k8s.io",)
DATA, ERROR = 0, 1
CHUNK = 256 * 1024
GRACE = 1.0  # seconds the answer gets once the local side stopped sending (containerd's)

#: Forward states.
STARTING, ACTIVE, RECONNECTING, FAILED, STOPPED = (
    "starting", "active", "reconnecting", "failed", "stopped")

Obj = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """What a forward points at: a pod, a Service or a workload (anything with a pod
    selector: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job)."""

    kind: Kind
    namespace: str
    name: str

    @property
    def is_pod(self) -> bool:
        return self.kind.key == POD.key

    def __str__(self) -> str:
        return f"{self.kind.singular}/{self.name}"


@dataclass(frozen=True)
class PortChoice:
    """A port the dialog offers: `remote` is the container port, or for a Service its
    port (`to` says the target port it maps to)."""

    remote: int
    name: str = ""
    to: str = ""  # a Service port's targetPort ("" when not a Service)
    container: str = ""

    def describe(self) -> str:
        text = str(self.remote)
        if self.to and self.to != text:
            text += f"->{self.to}"
        label = "/".join(x for x in (self.container, self.name) if x)
        return f"{text} ({label})" if label else text


def port_choices(target: Target, obj: Obj) -> list[PortChoice]:
    """The TCP ports an object offers: a pod's (or a workload's template's) container
    ports, a Service's ports with their target ports."""
    spec = obj.get("spec") or {}
    if target.kind.key == SERVICE.key:
        return [PortChoice(int(p["port"]), str(p.get("name") or ""),
                           str(p.get("targetPort") or p["port"]))
                for p in spec.get("ports") or () if p.get("protocol", "TCP") == "TCP"
                and p.get("port")]
    if not target.is_pod:
        spec = ((spec.get("template") or {}).get("spec")) or {}
    return [PortChoice(int(p["containerPort"]), str(p.get("name") or ""),
                       container=str(c.get("name") or ""))
            for c in spec.get("containers") or () for p in c.get("ports") or ()
            if p.get("protocol", "TCP") == "TCP" and p.get("containerPort")]


def free_port(address: str = "127.0.0.1", preferred: int = 0) -> int:
    """`preferred` when it can be bound on `address`, else one the system picks."""
    for port in ((preferred, 0) if preferred else (0,)):
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
            try:
                s.bind((address, port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise OSError(f"no free port on {address}")


@dataclass
class Forward:
    """One local port forwarded to `remote` on `target`; counters for the `:pf` view."""

    target: Target
    remote: int  # a container port, or a Service's port
    address: str
    local_port: int
    state: str = STARTING
    reason: str = ""  # why reconnecting or failed
    pod: str = ""  # the pod connections go to now
    pod_port: int = 0  # the port on that pod (a Service's targetPort resolved)
    moves: list[str] = field(default_factory=list)  # "pod a -> pod b", oldest first
    open_connections: int = 0
    connections: int = 0
    bytes_in: int = 0  # from the pod to the local side
    bytes_out: int = 0
    cuts: int = 0  # connections that ended because the stream broke
    since: float = field(default_factory=clock.time)  # what the list shows: its clock
    last_error: str = ""

    @property
    def local(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.local_port}"

    def describe(self) -> str:
        return f"{self.local} -> {self.target}:{self.remote}"

    def set_state(self, state: str, reason: str = "") -> None:
        """A new state (and `since`) when it differs from the current one."""
        if (state, reason) != (self.state, self.reason):
            self.state, self.reason, self.since = state, reason, clock.time()


class _Runner:
    """The listener, monitor and connections of one Forward."""

    def __init__(self, client: ClusterClient, forward: Forward,
                 check_interval: float) -> None:
        self.client = client
        self.forward = forward
        self.check_interval = check_interval
        self.server: asyncio.Server | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self._resolving = asyncio.Lock()

    async def start(self) -> None:
        fwd = self.forward
        await self.resolve()
        if fwd.state == FAILED:
            return
        try:
            self.server = await asyncio.start_server(self.connection, fwd.address,
                                                     fwd.local_port)
        except OSError as e:
            fwd.set_state(FAILED, f"cannot listen on {fwd.local}: {e.strerror or e}")
            return
        fwd.local_port = int(self.server.sockets[0].getsockname()[1])
        self._spawn(self.monitor())

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.forward.set_state(STOPPED)

    # ----- which pod ------------------------------------------------------------------

    async def resolve(self) -> None:
        """Check the current pod; choose another (Service, workload) when it is gone. A
        failed forward (refused by the server) stays failed: the list says why, and the
        person stops it or starts it again."""
        async with self._resolving:
            fwd = self.forward
            if fwd.state == FAILED:
                return
            try:
                # (a bare pod's check is `_choose`'s own: one request, not two)
                if fwd.pod and not fwd.target.is_pod and await self._usable(fwd.pod):
                    if fwd.state != ACTIVE:
                        fwd.set_state(ACTIVE)
                    return
                pod, port, why = await self._choose()
            except ClusterError as e:
                if e.status in (401, 403):
                    fwd.set_state(FAILED, str(e))
                else:
                    fwd.set_state(RECONNECTING, str(e))
                return
            if pod is None:
                fwd.set_state(RECONNECTING, why)
                return
            if fwd.pod and pod != fwd.pod:
                fwd.moves.append(f"{fwd.pod} -> {pod}")
            fwd.pod, fwd.pod_port = pod, port
            fwd.set_state(ACTIVE)

    async def _usable(self, name: str) -> bool:
        try:
            pod = await self.client.request(
                "GET", paths.object_path(POD, self.forward.target.namespace, name))
        except ClusterError as e:
            if e.status == 404:
                return False
            raise
        return _serving(pod, need_ready=True)

    async def _choose(self) -> tuple[str | None, int, str]:
        """(pod, its port, "") or (None, 0, why none)."""
        fwd, target = self.forward, self.forward.target
        if target.is_pod:
            try:
                pod = await self.client.request(
                    "GET", paths.object_path(POD, target.namespace, target.name))
            except ClusterError as e:
                if e.status == 404:
                    return None, 0, f"pod {target.name} is gone; waiting for it to return"
                raise
            if not _serving(pod, need_ready=False):
                return None, 0, f"pod {target.name} is not running " \
                                f"({_phase(pod)}); waiting for it"
            return target.name, fwd.remote, ""
        obj = await self.client.request(
            "GET", paths.object_path(target.kind, target.namespace, target.name))
        target_port: int | str = fwd.remote
        if target.kind.key == SERVICE.key:
            selector = selector_string({"matchLabels": (obj.get("spec") or {}).get(
                "selector") or {}})
            target_port = _service_target_port(obj, fwd.remote)
        else:
            selector = selector_string((obj.get("spec") or {}).get("selector"))
        if not selector:
            return None, 0, f"{target} selects no pods"
        pods = await self.client.request(
            "GET", paths.collection_path(POD, target.namespace),
            query={"labelSelector": selector})
        ready = sorted((p for p in pods.get("items") or () if _serving(p, need_ready=True)),
                       key=lambda p: (p["metadata"]["name"] != fwd.pod,
                                      p["metadata"].get("creationTimestamp") or ""))
        for pod in ready:
            port = _container_port(pod, target_port)
            if port:
                return pod["metadata"]["name"], port, ""
        what = f"no ready pod behind {target}"
        if fwd.pod:
            what = f"pod {fwd.pod} is gone and {what}"
        return None, 0, what

    async def monitor(self) -> None:
        while self.forward.state != FAILED:
            await asyncio.sleep(self.check_interval)
            await self.resolve()

    # ----- connections ----------------------------------------------------------------

    async def connection(self, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        fwd = self.forward
        fwd.connections += 1
        fwd.open_connections += 1
        try:
            if fwd.state != ACTIVE:
                await self.resolve()
            ws = await self._open()
            if ws is not None:
                await self._pump(ws, reader, writer)
        except asyncio.CancelledError:
            pass  # the forward stopped; nothing awaits this task
        finally:
            fwd.open_connections -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _open(self) -> aiohttp.ClientWebSocketResponse | None:
        """The WebSocket to the current pod, choosing again once if it is refused."""
        fwd = self.forward
        for attempt in (1, 2):
            if fwd.state != ACTIVE:
                return None
            pod, port = fwd.pod, fwd.pod_port
            try:
                return await self.client.websocket(
                    paths.object_path(POD, fwd.target.namespace, pod, "portforward"),
                    [("ports", str(port))], PROTOCOLS)
            except ClusterError as e:
                fwd.last_error = str(e)
                if e.status in (401, 403):
                    fwd.set_state(FAILED, str(e))
                    return None
                if attempt == 1:
                    await self.resolve()
        return None

    async def _pump(self, ws: aiohttp.ClientWebSocketResponse,
                    reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy both ways until the pod's side ends (the server closes the WebSocket: the
        local connection is then closed), or the local side has stopped sending and the
        answer had `GRACE` seconds to come (the protocol has no half-close to pass on)."""
        fwd = self.forward
        sender = asyncio.create_task(self._upstream(ws, reader))
        receiver = asyncio.create_task(self._downstream(ws, writer))
        try:
            await asyncio.wait((sender, receiver), return_when=asyncio.FIRST_COMPLETED)
            if not receiver.done():
                await asyncio.wait((receiver,), timeout=GRACE)
        finally:
            for task in (sender, receiver):
                task.cancel()
            await asyncio.gather(sender, receiver, return_exceptions=True)
            await ws.close()
        if not receiver.cancelled() and receiver.result():
            fwd.cuts += 1

    async def _upstream(self, ws: aiohttp.ClientWebSocketResponse,
                        reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError, aiohttp.ClientError):
            while data := await reader.read(CHUNK):
                await ws.send_bytes(b"\x00" + data)
                self.forward.bytes_out += len(data)

    async def _downstream(self, ws: aiohttp.ClientWebSocketResponse,
                          writer: asyncio.StreamWriter) -> bool:
        """Copy the pod's bytes to the local side until the WebSocket ends; True when it
        was cut (anything but a normal close), False for a normal end or a local side
        that went away."""
        fwd = self.forward
        prefix = {DATA: 2, ERROR: 2}  # the port number each channel starts with
        while True:
            try:
                msg = await ws.receive()
            except (ConnectionError, aiohttp.ClientError):
                return True
            if msg.type != aiohttp.WSMsgType.BINARY:
                return not (msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 1000)
            if not msg.data:
                continue
            channel, data = msg.data[0], memoryview(msg.data)[1:]
            skip = min(prefix.get(channel, 0), len(data))
            if skip:
                prefix[channel] -= skip
                data = data[skip:]
            if not data:
                continue
            if channel == DATA:
                try:
                    writer.write(data)
                    await writer.drain()
                except ConnectionError:
                    return False
                fwd.bytes_in += len(data)
            elif channel == ERROR:
                fwd.last_error = bytes(data).decode(errors="replace").strip()


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "Unknown")


def _serving(pod: Obj, need_ready: bool) -> bool:
    """Running and not being deleted (and Ready, when `need_ready`)."""
    if (pod.get("metadata") or {}).get("deletionTimestamp") or _phase(pod) != "Running":
        return False
    return not need_ready or condition_true(pod, "Ready")


def _service_target_port(service: Obj, port: int) -> int | str:
    for p in (service.get("spec") or {}).get("ports") or ():
        if p.get("port") == port:
            return p.get("targetPort") or port
    return port


def _container_port(pod: Obj, port: int | str) -> int:
    """`port` on `pod`: a number as is, a name looked up among its container ports (0 when
    it has no port of that name)."""
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    for c in (pod.get("spec") or {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == port:
                return int(p["containerPort"])
    return 0


class ForwardManager:
    """Every forward of one cluster connection; `stop_all` on quit."""

    def __init__(self, client: ClusterClient, check_interval: float = 1.0) -> None:
        self.client = client
        self.check_interval = check_interval
        self._runners: dict[int, _Runner] = {}

    @property
    def forwards(self) -> list[Forward]:
        return [r.forward for r in self._runners.values()]

    @property
    def up(self) -> int:
        """How many forwards are listening (active or reconnecting)."""
        return sum(f.state in (ACTIVE, RECONNECTING) for f in self.forwards)

    async def start(self, target: Target, remote: int, local_port: int = 0,
                    address: str = "127.0.0.1") -> Forward:
        """Listen on `address:local_port` (0: a free one) for `remote` on `target`. The
        forward comes back in state active, reconnecting or failed (reason said)."""
        forward = Forward(target, remote, address, local_port)
        runner = _Runner(self.client, forward, self.check_interval)
        await runner.start()
        self._runners[id(forward)] = runner  # a failed one too: the list says why
        return forward

    async def stop(self, forward: Forward) -> None:
        runner = self._runners.pop(id(forward), None)
        if runner is not None:
            await runner.stop()

    async def stop_all(self) -> None:
        await asyncio.gather(*(self.stop(f) for f in self.forwards))

