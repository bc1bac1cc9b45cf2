"""The streaming subresources of pods as the API server serves them: `exec`, `attach`,
`portforward`, reached by a WebSocket upgrade (GET). A SPDY upgrade (POST with
`Upgrade: SPDY/3.1`, what clients fall back to when the WebSocket upgrade is refused) is
answered 400: every client named in `kubetui.sandbox.streams` speaks WebSockets to a 1.32
server. The fault switch `drop_streams_every` cuts every open streaming connection."""

from __future__ import annotations

from aiohttp import web

from kubetui.sandbox.container.runtime import ContainerNotRunning
from kubetui.sandbox.core import Sandbox, fault_loop
from kubetui.sandbox.errors import ApiError, bad_request
from kubetui.sandbox.streams.portforward import serve_portforward
from kubetui.sandbox.streams.remotecommand import serve_attach, serve_exec
from kubetui.sandbox.streams.session import Sessions

SUBRESOURCES = ("exec", "attach", "portforward")
PODS = ("", "pods")


class StreamEndpoints:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.runtime = sandbox.containers
        self.sessions = Sessions()

    async def serve(self, request: web.Request, namespace: str, name: str,
                    subresource: str) -> web.StreamResponse:
        if request.method not in ("GET", "POST"):
            raise ApiError(405, "the server does not allow this method on the requested "
                                "resource")
        if request.headers.get("Upgrade", "").lower() != "websocket":
            raise bad_request("Upgrade request required: the sandbox serves exec, attach and "
                              "port-forward over WebSockets (v5.channel.k8s.io, "
                              "SPDY/3.1+portforward.k8s.io)")
        pod = self.sandbox.store.get(PODS, namespace, name)
        phase = pod.get("status", {}).get("phase", "")
        if subresource == "portforward":
            if phase != "Running":
                raise bad_request(f"unable to upgrade connection: pod {name} is not running "
                                  f"(phase {phase or 'Pending'})")
            return await serve_portforward(request, self.runtime, pod, self.sessions)
        try:
            inst = self.runtime.instance(namespace, name, request.query.get("container", ""))
        except ContainerNotRunning as e:
            raise bad_request(str(e)) from None
        if subresource == "exec":
            return await serve_exec(request, inst, self.sessions)
        return await serve_attach(request, inst, self.sessions)

    def drop_all(self) -> int:
        """Cut every open exec, attach and port-forward connection now."""
        return self.sessions.drop_all()

    async def drop_loop(self) -> None:
        """The `drop_streams_every` fault switch (seconds; 0 = never)."""
        await fault_loop(self.sandbox.faults, "drop_streams_every", self.drop_all)
