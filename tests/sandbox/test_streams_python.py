"""The official Python client (`kubernetes`) getting into the sandbox's workloads:
`stream()` exec (v5.channel.k8s.io) and `portforward()` (v4.channel.k8s.io with ports).
Its calls block, so they run in a thread while the sandbox serves (from a thread of its own
when shared by the module's read-only tests, else on the test's loop)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.sandbox.core import Faults
from kubetui.sandbox.run import RunningSandbox
from tests.conftest import namespace_ready
from tests.sandbox.node_helpers import add_node
from tests.sandbox.streaming import cluster, running_pod, web_pod
from tests.shared_sandbox import SharedSandbox, Use, used_by_test
from tests.waiting import wait_for

kubernetes = pytest.importorskip("kubernetes", reason="the official client is a test extra")
from kubernetes import client, config  # noqa: E402
from kubernetes.client.exceptions import ApiException  # noqa: E402
from kubernetes.stream import portforward, stream  # noqa: E402

pytestmark = pytest.mark.asyncio


def _api(kubeconfig: Path) -> client.CoreV1Api:
    # The file is named: the client's default location is read once, at its import.
    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


def _exec(kubeconfig: Path, command: list[str], stdin: str | None = None
          ) -> tuple[str, str, int | None]:
    api = _api(kubeconfig)
    resp = stream(api.connect_get_namespaced_pod_exec, "web", "default", command=command,
                  stdin=stdin is not None, stdout=True, stderr=True, tty=False,
                  _preload_content=False)
    if stdin is not None:
        resp.write_stdin(stdin)
        resp.close_channel(0)  # the v5 close signal: end of stdin
    resp.run_forever(timeout=20)
    out, err = resp.read_stdout(), resp.read_stderr()
    code = resp.returncode
    resp.close()
    return out, err, code


def _get(sock: socket.socket, path: str) -> bytes:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
        if b"\r\n\r\n" in data:
            head, _, body = data.partition(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length"))
            if len(body) >= length:
                break
    return data


def _forward(kubeconfig: Path, ports: list[int], paths: dict[int, str]
             ) -> dict[int, bytes]:
    pf = portforward(_api(kubeconfig).connect_get_namespaced_pod_portforward, "web", "default",
                     ports=",".join(str(p) for p in ports))
    try:
        out = {}
        for port, path in paths.items():
            sock = pf.socket(port)
            sock.settimeout(20)
            out[port] = _get(sock, path)
        return out
    finally:
        pf.close()


def _web_pod() -> dict:
    return web_pod("web", image="nginx:1.27", ports=[
        {"name": "http", "containerPort": 80}, {"name": "metrics", "containerPort": 9090}])


@pytest.fixture(scope="module")
def _web_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedSandbox]:
    """One cluster with a node and the `web` pod running, for the tests of this module
    that only exec into the pod and forward its ports (see `SharedSandbox`)."""
    async def prepare(running: RunningSandbox) -> None:
        await namespace_ready(running)
        add_node(running.sandbox, "node-1")
        await running_pod(running, _web_pod())

    shared = SharedSandbox.start("streams-web", tmp_path_factory.mktemp("web") / "config",
                                 quiet=False, prepare=prepare, pace=0.05, nodes=0)
    yield shared
    shared.stop()


@pytest.fixture
def running(_web_cluster: SharedSandbox, isolated_home: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Use]:
    with used_by_test(_web_cluster, isolated_home, monkeypatch) as use:
        yield use


@pytest.fixture
async def running_alone(isolated_home: Path, monkeypatch: pytest.MonkeyPatch):
    """The same cluster, the test's own: for a test that waits on the server's own
    state (its open stream sessions), which other tests' streams would share."""
    async with cluster(isolated_home, monkeypatch) as r:
        await running_pod(r, _web_pod())
        yield r


async def test_exec_stdout_stderr_exit_code(running) -> None:
    out, err, code = await asyncio.to_thread(
        _exec, running.kubeconfig, ["sh", "-c", "hostname; echo oops >&2; exit 7"])
    assert (out, err, code) == ("web\n", "oops\n", 7)
    out, _, code = await asyncio.to_thread(_exec, running.kubeconfig, ["cat", "/etc/hostname"])
    assert (out, code) == ("web\n", 0)


async def test_exec_with_stdin_and_the_close_signal(running) -> None:
    out, _, code = await asyncio.to_thread(_exec, running.kubeconfig, ["wc", "-l"], "a\nb\n")
    assert (out.strip(), code) == ("2", 0)


async def test_portforward_two_ports_at_once(running) -> None:
    got = await asyncio.to_thread(_forward, running.kubeconfig, [80, 9090],
                                  {80: "/", 9090: "/metrics"})
    assert got[80].startswith(b"HTTP/1.1 200") and b"default/web" in got[80]
    assert got[9090].startswith(b"HTTP/1.1 200") and b"http_requests_total" in got[9090]


def _forward_to_eof(kubeconfig: Path, port: int, request: bytes) -> tuple[Any, bytes]:
    """Send `request` through a forward to `port` and read until the socket ends (what an
    HTTP/1.0 client does); the forward (still to be closed) and the bytes read."""
    pf = portforward(_api(kubeconfig).connect_get_namespaced_pod_portforward, "web", "default",
                     ports=str(port))
    sock = pf.socket(port)
    sock.settimeout(10)  # a close that never comes fails the test
    data = b""
    with contextlib.ExitStack() as failing:
        failing.callback(pf.close)
        try:
            sock.sendall(request)
            while chunk := sock.recv(65536):
                data += chunk
        # A refused port's session may have ended already: before the request is sent,
        # or after, the client then closing its end of the socket with the request unread
        # (a reset, not an end of file). Either way nothing was read, and the forward's
        # error says why.
        except (BrokenPipeError, ConnectionResetError):
            pass
        failing.pop_all()
    return pf, data


async def test_the_pods_side_closing_ends_the_forwarded_socket(running_alone) -> None:
    """When the pod's end of the connection closes, the server closes the v4 WebSocket
    (the kubelet does once every port's forward is done) and the client's socket reads
    EOF; a refused connection ends the same way after its message."""
    sessions = running_alone.server.streams.sessions.open
    pf, data = await asyncio.to_thread(_forward_to_eof, running_alone.kubeconfig, 80,
                                       b"GET / HTTP/1.0\r\nHost: web\r\n\r\n")
    try:
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200 ") and body.startswith(b"Hello from default/web")
        assert pf.error(80) is None
        await wait_for(lambda: not sessions, message="the sandbox ends the session")
    finally:
        pf.close()
    pf, data = await asyncio.to_thread(_forward_to_eof, running_alone.kubeconfig, 5432, b"hi")
    try:
        assert data == b"" and "connection refused" in (pf.error(5432) or "")
        await wait_for(lambda: not sessions, message="the sandbox ends the refused session")
    finally:
        pf.close()


async def test_readonly_refuses_exec_and_portforward(isolated_home, monkeypatch) -> None:
    async with cluster(isolated_home, monkeypatch, faults=Faults(rbac="readonly")) as r:
        await running_pod(r, web_pod("web"))
        with pytest.raises(ApiException) as exc:
            await asyncio.to_thread(_exec, r.kubeconfig, ["hostname"])
        assert "403" in str(exc.value)
        with pytest.raises(ApiException) as exc:
            await asyncio.to_thread(_forward, r.kubeconfig, [80], {80: "/"})
        assert "403" in str(exc.value)


async def test_kubernetes_asyncio_exec_over_v4(running) -> None:
    """kubetui's own client library asks for v4.channel.k8s.io."""
    from kubernetes_asyncio import client as aclient
    from kubernetes_asyncio import config as aconfig
    from kubernetes_asyncio.stream import WsApiClient

    cfg = aclient.Configuration()
    await aconfig.load_kube_config(config_file=str(running.kubeconfig),
                                   client_configuration=cfg)
    async with WsApiClient(configuration=cfg) as ws:
        out = await aclient.CoreV1Api(api_client=ws).connect_get_namespaced_pod_exec(
            "web", "default", command=["sh", "-c", "hostname; echo $((0)) >/dev/null"],
            stderr=True, stdin=False, stdout=True, tty=False)
    assert out == "web\n"
    # The server logs a request when its handler returns, which may be just after the
    # client has read the end of the stream: the sandbox serves from its own thread.
    await wait_for(lambda: any(r.path.endswith("/exec") and r.status == 101
                               for r in running.requests()), message="the v4 exec logged")
