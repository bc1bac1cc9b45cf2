"""Fixtures of the UI tests: a client on the `sandbox` fixture to create objects through the
API, and for the log tests a sandbox whose kubelet runs at a fast pace with a client on it."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from kubetui.cluster import kubeconfig
from kubetui.cluster.client import ClusterClient
from kubetui.sandbox.controllers import all_controllers
from kubetui.sandbox.controllers.kubelet.lifecycle import Kubelet
from kubetui.sandbox.run import RunningSandbox, SandboxOptions
from tests.conftest import stop_sandbox
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
                          controllers=False)
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
