"""The shell, attach and debug keys as a person uses them: kubetui on a pseudo-terminal
(`pty_harness`), the sandbox as the cluster. The terminal is handed over to the container
and taken back with the table as it was (filter and cursor)."""

from __future__ import annotations

from typing import Any

from tests.cluster.test_exec import terminal_sizes  # noqa: F401 (fixture)
from tests.fast_cluster import Cluster
from tests.ui.pty_harness import PtyApp
from tests.waiting import wait_for

PODS = ("", "pods")


def pod_doc(name: str, image: str = "nginx:1.25", **container: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": image, **container}]}}


def phase(cluster: Cluster, name: str) -> str:
    pod = next((p for p in cluster.store.iter(PODS) if p["metadata"]["name"] == name), {})
    return (pod.get("status") or {}).get("phase", "")


async def pods_running(cluster: Cluster, *docs: dict[str, Any]) -> None:
    for doc in docs:
        cluster.create(doc)
    await wait_for(lambda: all(phase(cluster, d["metadata"]["name"]) == "Running"
                               for d in docs), timeout=30)


def prompt_after_interrupt(lines: list[str], prompt: str) -> bool:
    """A prompt on a line after the last `^C` (the remote tty echoes ctrl-c so)."""
    marks = [i for i, line in enumerate(lines) if "^C" in line]
    return bool(marks) and any(line.startswith(prompt) for line in lines[marks[-1] + 1:])


async def test_shell_types_through_and_gives_the_table_back_as_it_was(
        cluster: Cluster, terminal_sizes: list[tuple[int, int]]) -> None:
    await pods_running(cluster, pod_doc("web-1"), pod_doc("web-2"), pod_doc("web-3"),
                       pod_doc("db-1"))
    app = await PtyApp.start("-n", "default", "-c", "pods")
    try:
        await app.wait_text("web-3")
        app.type("/web\r")  # a filter, kept after the shell
        await app.wait_until(lambda: "db-1" not in app.screen_text(), "the filter")
        await app.wait_until(lambda: app.cursor_on("web-1", "web-2", "web-3"), "the cursor on web-1")
        app.type("j")  # the cursor on the third row: web-3
        await app.wait_until(lambda: app.cursor_on("web-2", "web-1", "web-3"), "the cursor on web-2")
        app.type("j")
        await app.wait_until(lambda: app.cursor_on("web-3", "web-1", "web-2"), "the cursor on web-3")
        app.type("s")
        await app.wait_text("root@web-3:/#")
        assert (120, 32) in terminal_sizes  # the remote tty got this terminal's size

        app.type("echo typed-through-kubetui\r")
        await app.wait_line("typed-through-kubetui")

        app.resize(100, 30)  # SIGWINCH: the resize channel carries the new size
        await wait_for(lambda: (100, 30) in terminal_sizes)

        app.type("sleep 600\r")
        await app.wait_text("sleep 600")
        app.type(b"\x03")  # ctrl-c goes to the remote side, not to kubetui
        await app.wait_until(lambda: prompt_after_interrupt(app.lines(), "root@web-3:/#"),
                             "a prompt after ^C")
        app.type("echo after-interrupt\r")
        await app.wait_line("after-interrupt", timeout=20)
        assert app.proc.returncode is None

        app.type("exit 3\r")
        await app.wait_text("exited with code 3")
        # The table back, repainted at the terminal's new width: the namespace pane hides
        # below 110 columns), the filter still on.
        await app.wait_until(lambda: "web-2" in app.screen_text() and "kube-system" not in
                             app.screen_text(), "the table at 100 columns")
        text = await app.wait_text("/web")
        assert "db-1" not in text
        app.type("d")  # describe: of the row the cursor is on
        await app.wait_until(lambda: any(line.startswith("Name:") and line.endswith("web-3")
                                         for line in app.lines()), "describe of web-3")
    finally:
        assert await app.close() == 0


async def test_no_shell_offers_a_debug_container_and_opens_a_shell_in_it(
        cluster: Cluster) -> None:
    await pods_running(cluster, pod_doc("static", "gcr.io/distroless/static:nonroot"))
    app = await PtyApp.start("-n", "default", "-c", "pods")
    try:
        await app.wait_text("static")
        app.type("s")
        await app.wait_text("No shell in app")
        await app.wait_text("has no shell (tried bash, sh)")
        unfocused = app.look(" Debug ")
        app.type("\t")  # from Cancel (focused first) to Debug
        await app.wait_until(lambda: app.look(" Debug ") != unfocused, "Debug focused")
        app.type("\r")
        await app.wait_text("/ #")  # busybox's sh in the debug container
        pod = cluster.store.get(PODS, "default", "static")
        [debugger] = pod["spec"]["ephemeralContainers"]
        assert debugger["image"] == "busybox" and debugger["targetContainerName"] == "app"
        assert debugger["name"].startswith("debugger-")
        app.type("echo inside-the-debugger\r")
        await app.wait_line("inside-the-debugger")
        app.type("exit\r")
        await app.wait_text(f"static/{debugger['name']} exited normally")
    finally:
        assert await app.close() == 0


async def test_attach_to_an_interactive_container_and_detach(cluster: Cluster) -> None:
    await pods_running(cluster, pod_doc("it", "busybox:1.36", command=["sh"], stdin=True,
                                        tty=True))
    app = await PtyApp.start("-n", "default", "-c", "pods")
    try:
        await app.wait_text("it")
        app.type("a")
        await app.wait_text("attached to it/app; ctrl-p ctrl-q detaches")
        app.type("echo attached-and-typing\r")
        await app.wait_line("attached-and-typing")
        app.type(b"\x10\x11")  # ctrl-p ctrl-q
        await app.wait_text("detached from it/app")
    finally:
        assert await app.close() == 0


async def test_a_cut_connection_gives_the_table_back_with_the_reason(
        cluster: Cluster) -> None:
    await pods_running(cluster, pod_doc("web-1"))
    app = await PtyApp.start("-n", "default", "-c", "pods")
    try:
        await app.wait_text("web-1")
        app.type("s")
        await app.wait_text("root@web-1:/#")
        cluster.running.sandbox.faults.drop_streams_every = 0.3
        await app.wait_text("shell in web-1/app: the connection was closed")  # (a toast
        # wraps the rest: "before the command ended")
        cluster.running.sandbox.faults.drop_streams_every = 0
        await app.wait_text("web-1  ")  # the table is back
    finally:
        assert await app.close() == 0


async def test_s_on_a_container_row_opens_a_shell_in_that_container(cluster: Cluster) -> None:
    await pods_running(cluster, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "two", "namespace": "default"},
        "spec": {"containers": [{"name": "main-ctr", "image": "nginx:1.25"},
                                {"name": "tool-ctr", "image": "busybox:1.36",
                                 "command": ["sleep", "3600"]}]}})
    app = await PtyApp.start("-n", "default", "-c", "pods")
    try:
        await app.wait_text("two")
        app.type("\r")  # the pod's containers
        await app.wait_text("Containers of pod default/two")
        await app.wait_text("tool-ctr")
        await app.wait_until(lambda: app.cursor_on("main-ctr", "tool-ctr"), "cursor on main-ctr")
        app.type("j")
        await app.wait_until(lambda: app.cursor_on("tool-ctr", "main-ctr"), "cursor on tool-ctr")
        app.type("s")  # no question which container: the row's, busybox's sh (nginx has bash)
        await app.wait_text("/ #")
        app.type("echo inside-the-tools\r")
        await app.wait_line("inside-the-tools")
        app.type("exit\r")
        await app.wait_text("shell in two/tool-ctr exited normally")
        await app.wait_text("Containers of pod default/two")  # the view it was opened from
        execs = [r.query for r in cluster.running.server.requests if r.path.endswith("/exec")]
        assert execs and all("container=tool-ctr" in q for q in execs)  # bash, then sh
    finally:
        assert await app.close() == 0
