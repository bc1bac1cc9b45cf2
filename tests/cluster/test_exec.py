"""kubetui's own exec/attach client against the sandbox's pods/exec and pods/attach: a tty
shell (bash, else sh), exit codes, a container with no shell, attach to a container's
interactive main process, resize, and a connection cut by the fault switch."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kubetui.cluster.errors import ClusterError
from kubetui.cluster.exec import STDOUT, ExecSession, NoShell, open_shell
from kubetui.sandbox.container import tty as sandbox_tty
from tests.fast_cluster import Cluster
from tests.waiting import wait_for


def pod_doc(name: str, image: str = "nginx:1.25", **container: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
            "spec": {"containers": [{"name": "app", "image": image, **container}]}}


async def running_pod(cluster: Cluster, name: str, image: str = "nginx:1.25",
                      **container: Any) -> None:
    cluster.create(pod_doc(name, image, **container))
    await wait_for(lambda: cluster.store.get(("", "pods"), "default", name)
                   .get("status", {}).get("phase") == "Running", timeout=30)


class Screen:
    """What a session printed so far, read in the background of the test."""

    def __init__(self, session: ExecSession) -> None:
        self.session = session
        self.text = b""

    async def until(self, needle: bytes, timeout: float = 15) -> bytes:
        async def read() -> None:
            async for _channel, data in self.session.output():
                self.text += data
                if needle in self.text:
                    return
        if needle not in self.text:
            try:
                await asyncio.wait_for(read(), timeout)
            except asyncio.TimeoutError:
                raise AssertionError(f"{needle!r} never came; got {self.text!r}") from None
        assert needle in self.text, f"the session ended; got {self.text!r}"
        return self.text


async def test_shell_runs_bash_where_the_image_has_it_and_reports_the_exit_code(
        cluster: Cluster) -> None:
    await running_pod(cluster, "web-1")
    session = await open_shell(cluster.client, "default", "web-1", "app")
    screen = Screen(session)
    await session.send(b"echo $0; hostname\r")
    text = await screen.until(b"\nweb-1")
    assert b"\nbash" in text
    await session.send(b"exit 3\r")
    async for _ in session.output():
        pass
    assert session.exit is not None and session.exit.code == 3
    await session.close()


async def test_shell_falls_back_to_sh_on_a_minimal_image(cluster: Cluster) -> None:
    await running_pod(cluster, "tools", "busybox:1.36", command=["sleep", "3600"])
    session = await open_shell(cluster.client, "default", "tools", "app")
    screen = Screen(session)
    await session.send(b"echo shell=$0\r")
    assert b"shell=sh" in await screen.until(b"shell=sh")
    await session.send(b"exit\r")
    async for _ in session.output():
        pass
    assert session.exit is not None and session.exit.ok
    await session.close()


async def test_a_command_without_tty_returns_its_exit_code_and_output(
        cluster: Cluster) -> None:
    await running_pod(cluster, "web-2")
    session = await ExecSession.open(cluster.client, "default", "web-2", "app",
                                     ["sh", "-c", "echo out; exit 5"], tty=False,
                                     stdin=False)
    chunks = [(channel, data) async for channel, data in session.output()]
    assert (STDOUT, b"out\n") in chunks or b"".join(d for _, d in chunks) == b"out\n"
    assert session.exit is not None and session.exit.code == 5
    assert session.exit.describe() == "exited with code 5"
    await session.close()


async def test_no_shell_in_a_distroless_container(cluster: Cluster) -> None:
    await running_pod(cluster, "static", "gcr.io/distroless/static:nonroot")
    with pytest.raises(NoShell, match="has no shell .tried bash, sh."):
        await open_shell(cluster.client, "default", "static", "app")


async def test_exec_in_a_missing_pod_is_refused_in_words(cluster: Cluster) -> None:
    with pytest.raises(ClusterError, match='Not found: exec of pods "ghost"'):
        await open_shell(cluster.client, "default", "ghost", "app")


async def test_attach_to_an_interactive_main_process(cluster: Cluster) -> None:
    await running_pod(cluster, "it", "busybox:1.36", command=["sh"], stdin=True, tty=True)
    session = await ExecSession.open(cluster.client, "default", "it", "app", attach=True)
    screen = Screen(session)
    await session.send(b"echo hello-from-attach\r")
    # The tty's echo of the line, then what the shell printed on a line of its own.
    text = await screen.until(b"echo hello-from-attach\r\nhello-from-attach\r\n")
    assert text.startswith(b"/ # ")  # the prompt came first: attach reached the shell
    await session.close()


@pytest.fixture
def terminal_sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The sizes the sandbox's container terminals were given (resize channel)."""
    sizes: list[tuple[int, int]] = []
    original = sandbox_tty.Terminal.resize

    def recording(self: sandbox_tty.Terminal, width: int, height: int) -> None:
        sizes.append((width, height))
        original(self, width, height)

    monkeypatch.setattr(sandbox_tty.Terminal, "resize", recording)
    return sizes


async def test_resize_reaches_the_remote_terminal(
        cluster: Cluster, terminal_sizes: list[tuple[int, int]]) -> None:
    await running_pod(cluster, "web-3")
    session = await open_shell(cluster.client, "default", "web-3", "app")
    await session.resize(132, 43)
    await wait_for(lambda: (132, 43) in terminal_sizes)
    await session.close()


async def test_a_cut_stream_ends_the_session_with_the_reason(cluster: Cluster) -> None:
    await running_pod(cluster, "web-4")
    session = await open_shell(cluster.client, "default", "web-4", "app")
    cluster.running.sandbox.faults.drop_streams_every = 0.3
    async for _ in session.output():
        pass
    assert session.exit is not None and session.exit.code is None
    assert "closed before the command ended" in session.exit.describe()
    await session.close()


async def test_rbac_forbidding_exec_is_a_403_in_words(cluster: Cluster) -> None:
    await running_pod(cluster, "web-5")
    cluster.running.sandbox.faults.rbac = "readonly"  # a view-only role: no create
    with pytest.raises(ClusterError) as refused:
        await open_shell(cluster.client, "default", "web-5", "app")
    assert refused.value.status == 403
    assert str(refused.value).startswith(
        'Forbidden: you may not create exec of pods "web-5" in namespace "default"')
    with pytest.raises(ClusterError, match="Forbidden: you may not create attach"):
        await ExecSession.open(cluster.client, "default", "web-5", "app", attach=True)
