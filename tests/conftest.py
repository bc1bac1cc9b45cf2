"""Shared fixtures. Every test runs with its own HOME, KUBECONFIG and XDG dirs, so nothing
depends on (or touches) the developer's own kubeconfig or config files."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBECONFIG", str(home / ".kube" / "config"))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
                     ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(var, str(home / sub))
    for var in ("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "EDITOR", "VISUAL"):
        monkeypatch.delenv(var, raising=False)
    return home


# ----- the sandbox cluster ----------------------------------------------------------------

import contextlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from collections.abc import AsyncIterator, Callable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import pytest_asyncio  # noqa: E402

if TYPE_CHECKING:
    from kubetui.sandbox.run import RunningSandbox
    from tests.fast_cluster import Cluster
    from tests.shared_sandbox import SharedSandbox, Use

KUBECTL = shutil.which("kubectl")


async def start_sandbox(kubeconfig: Path, **options: object) -> RunningSandbox:
    """A sandbox on 127.0.0.1, a free port (unless `port=` is given), with a kubeconfig
    written at `kubeconfig`."""
    from kubetui.sandbox.run import RunningSandbox, SandboxOptions

    # No node unless a test asks (`nodes=N`) or adds its own: tests place pods themselves.
    if options.get("scenario", "empty") == "empty":
        options.setdefault("nodes", 0)
    opts = SandboxOptions(**{"host": "127.0.0.1", "port": 0, **options},  # type: ignore[arg-type]
                          kubeconfig=str(kubeconfig))
    return await RunningSandbox.start(opts)


@contextlib.asynccontextmanager
async def serving_sandbox(home: Path, monkeypatch: pytest.MonkeyPatch,
                          **options: object) -> AsyncIterator[RunningSandbox]:
    """A sandbox with `options`, KUBECONFIG pointing at it, stopped at the end."""
    path = home / ".kube" / "config"
    running = await start_sandbox(path, **options)
    monkeypatch.setenv("KUBECONFIG", str(path))
    try:
        await namespace_ready(running)
        yield running
    finally:
        await stop_sandbox(running)


@pytest_asyncio.fixture
async def sandbox(isolated_home: Path, monkeypatch: pytest.MonkeyPatch
                  ) -> AsyncIterator[RunningSandbox]:
    """A running, empty sandbox cluster; KUBECONFIG points at it."""
    async with serving_sandbox(isolated_home, monkeypatch) as running:
        yield running


# ----- sandboxes shared by the tests that only read (tests/shared_sandbox.py) -------------


@pytest.fixture(scope="session")
def _shared_demo_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedSandbox]:
    from tests.shared_sandbox import SharedSandbox

    shared = SharedSandbox.start("shared-demo", tmp_path_factory.mktemp("demo") / "config",
                                 quiet=False, scenario="demo", pace=0.05)
    yield shared
    shared.stop()


@pytest.fixture
def shared_demo(_shared_demo_sandbox: SharedSandbox, isolated_home: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Use]:
    """The demo cluster (kubelet 20x faster), one per test process, for tests that only
    read it; KUBECONFIG points at the test's own copy of its kubeconfig. Its controllers
    keep it moving (crash loop, logs, events), so it is checked for the test's own writes
    only, when the test ends (see `SharedSandbox`)."""
    from tests.shared_sandbox import used_by_test

    with used_by_test(_shared_demo_sandbox, isolated_home, monkeypatch) as use:
        yield use


@pytest.fixture(scope="session")
def _shared_empty_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedSandbox]:
    from tests.shared_sandbox import SharedSandbox

    shared = SharedSandbox.start("shared-empty", tmp_path_factory.mktemp("empty") / "config",
                                 quiet=True, prepare=namespace_ready, nodes=0)
    yield shared
    shared.stop()


@pytest.fixture
def shared_sandbox(_shared_empty_sandbox: SharedSandbox, isolated_home: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Use]:
    """An empty sandbox as the `sandbox` fixture starts it, one per test process, for tests
    that only read it (discovery, explain, version, who am I); KUBECONFIG points at the
    test's own copy of its kubeconfig. Nothing moves in it once its namespace is ready, so
    when the test ends its resourceVersion must be the one it began with, and no write may
    have reached it (see `SharedSandbox`)."""
    from tests.shared_sandbox import used_by_test

    with used_by_test(_shared_empty_sandbox, isolated_home, monkeypatch) as use:
        yield use


ROOT_CA = "kube-root-ca.crt"


async def namespace_ready(running: RunningSandbox, namespace: str = "default") -> None:
    """Wait, as client test suites do on a real cluster, until the namespace has its
    `default` ServiceAccount and `kube-root-ca.crt` (when controllers run at all)."""
    from tests.waiting import wait_for

    if not running.options.controllers:
        return
    store = running.sandbox.store
    await wait_for(lambda: store.find(("", "serviceaccounts"), namespace, "default")
                   and store.find(("", "configmaps"), namespace, ROOT_CA),
                   message=f"namespace {namespace} has its default ServiceAccount and {ROOT_CA}")


async def stop_sandbox(running: RunningSandbox, timeout: float = 30) -> None:
    """Stop a sandbox; if that hangs, fail with the stack of every task still waiting,
    instead of a silent hang until the test timeout."""
    import asyncio
    import io

    try:
        await asyncio.wait_for(running.stop(), timeout)
    except asyncio.TimeoutError:
        out = io.StringIO()
        for task in asyncio.all_tasks():
            task.print_stack(file=out)
        raise AssertionError(f"the sandbox did not stop within {timeout}s; tasks:\n"
                             f"{out.getvalue()}") from None


@pytest_asyncio.fixture
async def cluster(isolated_home: Path, monkeypatch: pytest.MonkeyPatch
                  ) -> AsyncIterator[Cluster]:
    """A running sandbox with a fast kubelet and one node, a client and `Actions` on it
    (tests/fast_cluster.py); KUBECONFIG points at it."""
    from kubetui.cluster.actions import Actions
    from tests.fast_cluster import Cluster, open_cluster

    running, client = await open_cluster(isolated_home, monkeypatch)
    c = Cluster(running, client, Actions(client))
    c.node()
    try:
        yield c
    finally:
        await client.close()
        await stop_sandbox(running)


@dataclass
class KubectlResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def kubectl(tmp_path: Path) -> Callable[..., object]:
    """Run the real kubectl (fresh --cache-dir each test) against $KUBECONFIG.

    Async: `await kubectl("get", "pods")`, so the in-process sandbox keeps serving while
    kubectl runs. Skips the test when kubectl is not installed."""
    if KUBECTL is None:
        pytest.skip("kubectl is not installed on this machine")
    import asyncio

    cache = tmp_path / "kubectl-cache"

    async def run(*args: str, input: str | None = None, timeout: float = 60,
                  check: bool = True) -> KubectlResult:
        proc = await asyncio.create_subprocess_exec(
            KUBECTL, f"--cache-dir={cache}", *args,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
        out, err = await asyncio.wait_for(
            proc.communicate(input.encode() if input is not None else None), timeout)
        res = KubectlResult(proc.returncode or 0, out.decode(), err.decode())
        if check and res.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({res.returncode}):\n"
                                 f"{res.stderr}{res.stdout}")
        return res

    return run
