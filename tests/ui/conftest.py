"""Fixtures of the UI tests: a client on the `sandbox` fixture to create objects through the
API; for the log tests a sandbox whose kubelet runs at a fast pace with a client on it; for
the snapshot tests the recorded demo cluster and a clock stopped at its moment."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
import yaml

from kubetui import clock
from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.sandbox.controllers import all_controllers
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.run import RunningSandbox, SandboxOptions
from scripts.scenes import RECORDED, recorded_now, replay
from tests.conftest import stop_sandbox
from tests.shared_sandbox import ThreadedSandbox
from tests.ui.app_helpers import Api
from tests.ui.log_helpers import FAST


@pytest_asyncio.fixture
async def api(sandbox: Any) -> AsyncIterator[Api]:
    """A client on the `sandbox` fixture (KUBECONFIG points at it)."""
    config = kubeconfig.load()
    client = await ClusterClient.connect(config, config.current)
    yield Api(client)
    await client.close()


@pytest_asyncio.fixture
async def fast_sandbox(isolated_home: Path) -> AsyncIterator[RunningSandbox]:
    """The real sandbox (HTTPS API, controllers), its kubelet at a fast pace."""
    opts = SandboxOptions(kubeconfig=str(isolated_home / ".kube" / "config"),
                          controllers=False, nodes=0)
    running = await RunningSandbox.start(opts)
    running.sandbox.start_controllers([
        functools.partial(Kubelet, timing=FAST) if make is Kubelet else make
        for make in all_controllers()])
    resources = {"cpu": "8", "memory": "16Gi", "pods": "110"}
    running.sandbox.store.create(("", "nodes"), {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "node-1", "labels": {"kubernetes.io/hostname": "node-1"}},
        "spec": {}, "status": {"capacity": resources, "allocatable": resources}},
        namespaced=False)
    try:
        yield running
    finally:
        await stop_sandbox(running)


@pytest_asyncio.fixture
async def client(fast_sandbox: RunningSandbox) -> AsyncIterator[ClusterClient]:
    cfg = kubeconfig.load(str(fast_sandbox.kubeconfig))
    c = await ClusterClient.connect(cfg, cfg.current)
    yield c
    await c.close()


# ----- the recorded demo cluster, for the snapshot tests -------------------------------------


@dataclass
class RecordedCluster:
    kubeconfig: Path
    now: datetime


async def _tunnel(port: int) -> asyncio.Server:
    """An HTTP CONNECT proxy that sends every tunnel to 127.0.0.1:`port`: the kubeconfig
    names a fixed server (the header shows it) while the sandbox listens on a free port."""
    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer),
                             return_exceptions=True)

    return await asyncio.start_server(handle, "127.0.0.1", 0)


@pytest.fixture(scope="session")
def recorded_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordedCluster]:
    """The recorded demo cluster (scripts/scenes.py) served without controllers, so nothing
    moves, from a thread of its own: the snapshot tests run the app in its own event loop.
    Shared by every snapshot test (they only read)."""
    state = json.loads(RECORDED.read_text())
    path = tmp_path_factory.mktemp("recorded") / "kubeconfig"
    served = ThreadedSandbox("recorded-cluster")
    proxies: list[asyncio.Server] = []

    async def prepare(running: RunningSandbox) -> None:
        replay(running.sandbox, state)
        proxy = await _tunnel(int(running.url.rpartition(":")[2]))
        proxies.append(proxy)
        doc = yaml.safe_load(path.read_text())
        doc["clusters"][0]["cluster"].update(
            server="https://localhost:6443",
            **{"proxy-url": f"http://127.0.0.1:{proxy.sockets[0].getsockname()[1]}"})
        path.write_text(yaml.safe_dump(doc))

    async def close_proxies() -> None:
        for proxy in proxies:
            proxy.close()

    try:
        served.start(SandboxOptions(host="127.0.0.1", port=0, kubeconfig=str(path),
                                    controllers=False, nodes=0), prepare)
        yield RecordedCluster(path, recorded_now(state))
    finally:
        served.stop(before=close_proxies)


@pytest.fixture
def frozen_clock(recorded_cluster: RecordedCluster) -> Iterator[datetime]:
    """What the user sees is computed at the moment the cluster was recorded."""
    clock.freeze(recorded_cluster.now)
    yield recorded_cluster.now
    clock.freeze(None)
