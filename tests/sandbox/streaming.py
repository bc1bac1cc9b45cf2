"""Helpers for the streaming tests: a cluster whose pods run, workloads to get into, real
clients under a pseudo-terminal, and kubectl port-forward in the background."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import re
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from kubetui.kinds import builtin
from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.run import RunningSandbox
from tests.conftest import KUBECTL
from tests.sandbox.node_helpers import add_node
from tests.waiting import wait_for

PODS = ("", "pods")


def create(running: RunningSandbox, kind: str, obj: Obj) -> Obj:
    """Through the API's create (defaults, validation), as a client's would go."""
    ns = obj["metadata"].get("namespace", "default")
    obj["metadata"].setdefault("namespace", ns)
    return verbs.create(running.sandbox, builtin(kind), ns, obj, "v1")


def web_pod(name: str = "web", image: str = "nginx:1.27", labels: dict | None = None,
            **container: Any) -> Obj:
    c = {"name": "main", "image": image, "ports": [{"name": "http", "containerPort": 80}],
         **container}
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": {"containers": [c]}}


async def running_pod(running: RunningSandbox, obj: Obj) -> Obj:
    """Create a pod and wait until all its containers run (and it is Ready)."""
    create(running, "Pod", obj)
    ns, name = obj["metadata"].get("namespace", "default"), obj["metadata"]["name"]

    def ready() -> Obj | None:
        pod = running.sandbox.store.find(PODS, ns, name)
        conds = (pod or {}).get("status", {}).get("conditions") or []
        return pod if any(c["type"] == "Ready" and c["status"] == "True" for c in conds) \
            else None

    return await wait_for(ready, timeout=20, message=f"pod {name} ready")


@contextlib.asynccontextmanager
async def cluster(home: Path, monkeypatch: Any, **options: Any) -> AsyncIterator[RunningSandbox]:
    """A sandbox with one node and a fast kubelet; KUBECONFIG points at it."""
    from tests.conftest import serving_sandbox

    async with serving_sandbox(home, monkeypatch, pace=options.pop("pace", 0.05),
                               **options) as running:
        add_node(running.sandbox, "node-1")
        yield running


class PtyProcess:
    """A client under a pseudo-terminal, as a person at a terminal runs it."""

    def __init__(self, args: list[str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, env=dict(os.environ))
        os.close(slave)
        self.output = b""

    def _read(self) -> None:
        import select
        while select.select([self.master], [], [], 0)[0]:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    async def expect(self, pattern: str, timeout: float = 20) -> str:
        """Wait until the output (since the start) matches `pattern`; return it."""
        def seen() -> str | None:
            self._read()
            text = self.output.decode(errors="replace")
            return text if re.search(pattern, text) else None
        return await wait_for(seen, timeout=timeout, interval=0.02,
                              message=f"{pattern!r} in the client's output")

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def _ended(self) -> bool:
        self._read()
        return self.proc.poll() is not None

    async def exit_code(self, timeout: float = 20) -> int:
        await wait_for(self._ended, timeout=timeout, message="the client exits")
        return self.proc.returncode

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)
        os.close(self.master)


async def shell_session(args: list[str], command: str, expected: str) -> None:
    """A client that opens a busybox prompt under a terminal: type `command`, see
    `expected` (a pattern), `exit`, and the client ends with 0."""
    term = PtyProcess(args)
    try:
        await term.expect(r"/ # ")
        term.type(command + "\r")
        await term.expect(expected)
        term.type("exit\r")
        assert await term.exit_code() == 0
    finally:
        term.close()


def kubectl_args(cache: Path, *args: str) -> list[str]:
    assert KUBECTL is not None
    return [KUBECTL, f"--cache-dir={cache}", *args]


@contextlib.asynccontextmanager
async def port_forward(cache: Path, target: str, *remotes: int, namespace: str = "default"
                       ) -> AsyncIterator[tuple[list[int], asyncio.subprocess.Process]]:
    """`kubectl port-forward TARGET :REMOTE...` running; yields the local ports it chose,
    in the order of `remotes` (kubectl names the pod's port, a Service's target port)."""
    proc = await asyncio.create_subprocess_exec(
        *kubectl_args(cache, "-n", namespace, "port-forward", "--address=127.0.0.1", target,
                      *(f":{r}" for r in remotes)),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=dict(os.environ))
    try:
        assert proc.stdout is not None
        local: list[int] = []
        while len(local) < len(remotes):
            line = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
            m = re.search(r"127\.0\.0\.1:(\d+) -> \d+", line)
            assert m, f"kubectl port-forward said {line!r}"
            local.append(int(m.group(1)))
        yield local, proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), 10)


async def http_get(port: int, path: str = "/") -> tuple[int, str]:
    """A plain HTTP/1.1 GET to 127.0.0.1:port (what curl does through a forward)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.5.0\r\n"
                 "Connection: close\r\n\r\n".encode())
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), 20)
    writer.close()
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    return int(head.split()[1]), body


async def read_until_closed(port: int, request: bytes, half_close: bool = False) -> bytes:
    """Send `request` to 127.0.0.1:port (with `half_close`, then end the sending side, as
    `nc -N` does) and read until the other end closes, as an HTTP/1.0 client reads its
    answer. Fails when the close does not come within 10 s."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        if half_close:
            writer.write_eof()
        return await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
