"""`--context east,west,gone` (and `:ctx *`) on two sandboxes at once: one merged table
with a CONTEXT column, each context's health in the header, the failing one's error shown
while the others go on, and an action on a row acting on that row's cluster only; the
namespace pane, CPU/MEM, `:problems` (and the header's count) and `:helm` over both
clusters; shell and port-forward through the row's cluster."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from kubetui.helm.records import release_object
from kubetui.kinds import builtin
from kubetui.sandbox.apiserver.verbs import delete
from kubetui.sandbox.metrics import CPU_ANNOTATION, MEMORY_ANNOTATION
from kubetui.sandbox.run import RunningSandbox
from kubetui.sandbox.scenarios import helm_releases
from kubetui.sandbox.scenarios.objects import add_node, create
from kubetui.ui.screens.dialogs import ConfirmDialog, PortForwardDialog
from kubetui.ui.screens.helm_screens import HelmScreen, HistoryScreen
from kubetui.ui.screens.object_screens import YamlScreen
from kubetui.ui.screens.portforwards_screen import PortForwardsScreen
from kubetui.ui.screens.problems_screen import ProblemsScreen
from tests.cluster.test_multi_context import merged_with_a_dead_context
from tests.conftest import start_sandbox, stop_sandbox
from tests.fast_cluster import FAST_CONTROL_PLANE
from tests.ui.app_helpers import app_for, header_text, names, until
from tests.ui.pty_harness import PtyApp
from tests.ui.test_actions_inside import http_get
from tests.waiting import wait_for


def _rows(app) -> list[tuple[str, str]]:
    table = app.main_table
    return sorted((table.entry_at(i).cells[0], table.entry_at(i).name)
                  for i in range(table.row_count))


async def test_merged_table_across_two_clusters(tmp_path: Path) -> None:
    east = await start_sandbox(tmp_path / "east.kubeconfig")
    west = await start_sandbox(tmp_path / "west.kubeconfig")
    try:
        path = merged_with_a_dead_context(tmp_path, {"east": tmp_path / "east.kubeconfig",
                                             "west": tmp_path / "west.kubeconfig"})
        from kubetui.sandbox.scenarios.objects import create

        for running, extra in ((east, "east-only"), (west, "west-only")):
            for name in ("web", extra):
                create(running.sandbox, {"apiVersion": "v1", "kind": "Pod", "metadata": {
                    "name": name, "namespace": "default"},
                    "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        assert app_for(path, context="east,west,gone").multi_contexts == ["east", "west",
                                                                          "gone"]
        # One context first; `:ctx *` then shows them all in one table.
        app = app_for(path, context="east")
        async with app.run_test(size=(180, 40)) as pilot:
            await until(lambda: sorted(names(app)) == ["east-only", "web"])
            assert app._columns[0].name != "CONTEXT"
            await pilot.press("colon", *"ctx *", "enter")
            await until(lambda: _rows(app) == [("east", "east-only"), ("east", "web"),
                                               ("west", "web"), ("west", "west-only")],
                        timeout=20)
            assert app._columns[0].name == "CONTEXT"
            await until(lambda: "● east" in header_text(app) and "● west" in header_text(app))
            assert "gone" in header_text(app) and "✕ gone" in header_text(app)
            # The cursor on west's "web": delete acts on west only.
            table = app.main_table
            index = next(i for i in range(table.row_count)
                         if table.entry_at(i).cells[0] == "west"
                         and table.entry_at(i).name == "web")
            assert table.select_uid(table.entry_at(index).uid)
            await until(lambda: app.context_name == "west")
            await pilot.press("ctrl+d")
            await until(lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press("right", "enter")
            await until(lambda: "web" not in {p["metadata"]["name"] for p in
                                              west.sandbox.store.list(("", "pods"),
                                                                      "default")[0]})
            assert {p["metadata"]["name"] for p in
                    east.sandbox.store.list(("", "pods"), "default")[0]} == {"web",
                                                                            "east-only"}
            await until(lambda: _rows(app) == [("east", "east-only"), ("east", "web"),
                                               ("west", "west-only")])
            # One cluster going away leaves the other's rows and health alone.
            await stop_sandbox(west)
            west = None
            await until(lambda: "● west" not in header_text(app), timeout=20)
            assert "● east" in header_text(app)
            assert ("east", "web") in _rows(app)
    finally:
        await stop_sandbox(east)
        if west is not None:
            await stop_sandbox(west)


async def test_drilling_and_logs_follow_the_rows_cluster(tmp_path: Path) -> None:
    east = await start_sandbox(tmp_path / "east.kubeconfig", pace=0.05)
    west = await start_sandbox(tmp_path / "west.kubeconfig", pace=0.05)
    try:
        path = merged_with_a_dead_context(tmp_path, {"east": tmp_path / "east.kubeconfig",
                                             "west": tmp_path / "west.kubeconfig"})
        from kubetui.sandbox.scenarios.objects import add_node, create

        for running in (east, west):
            add_node(running.sandbox, "node-1", cpu=4, memory_gi=8, pods=110,
                     pod_cidr="10.244.1.0/24")
            labels = {"app": "web"}
            create(running.sandbox, {
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "default"},
                "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                         "template": {"metadata": {"labels": labels}, "spec": {
                             "containers": [{"name": "c", "image": "nginx"}]}}}})
        app = app_for(path, context="east,west")
        async with app.run_test(size=(180, 40)) as pilot:
            await until(lambda: app.connections is not None and app.feed is not None)
            await pilot.press("colon", *"deploy", "enter")
            await until(lambda: _rows(app) == [("east", "web"), ("west", "web")], timeout=20)
            table = app.main_table
            index = next(i for i in range(table.row_count)
                         if table.entry_at(i).cells[0] == "west")
            assert table.select_uid(table.entry_at(index).uid)
            await pilot.press("enter")
            await until(lambda: len(app.stack) == 2 and _rows(app)
                        and all(c == "west" for c, _ in _rows(app)), timeout=20)
            assert all(name.startswith("web-") for _, name in _rows(app))
            # Logs of a west pod are read from west.
            from kubetui.ui.screens.log_screen import LogScreen

            await pilot.press("l")
            await until(lambda: isinstance(app.screen, LogScreen))
            west_client = next(c.session.client for c in app.connections or ()
                               if c.context == "west" and c.session is not None)
            assert app.screen.client is west_client
    finally:
        await stop_sandbox(east)
        await stop_sandbox(west)


# ----- the namespace pane, metrics, problems, Helm, shell and port-forward across contexts

async def _fast_sandbox(path: Path) -> RunningSandbox:
    """A sandbox with a quick kubelet and one node, as the `cluster` fixture's."""
    running = await start_sandbox(path, controllers=False)
    running.sandbox.start_controllers(FAST_CONTROL_PLANE)
    add_node(running.sandbox, "node-1", cpu=8, memory_gi=32, pods=110,
             pod_cidr="10.244.1.0/24")
    return running


def _pod(name: str, image: str = "nginx:1.25", container: dict[str, Any] | None = None,
         **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": image,
                                     "ports": [{"name": "http", "containerPort": 80}],
                                     **(container or {})}],
                     **spec}}


def _running(running: RunningSandbox, name: str) -> bool:
    pod = running.sandbox.store.find(("", "pods"), "default", name) or {}
    return (pod.get("status") or {}).get("phase") == "Running"


def _row_of(app, context: str, name: str):
    table = app.main_table
    return next((table.entry_at(i) for i in range(table.row_count)
                 if table.entry_at(i).cells[0] == context
                 and table.entry_at(i).name == name), None)


def _cell(app, context: str, name: str, column: str) -> str | None:
    """A merged row's cell as the table draws it."""
    entry = _row_of(app, context, name)
    if entry is None:
        return None
    model = app.main_table._model
    slot = next(s for s in model.slots if s.name == column)
    return model.cell_text(model.rows[entry.uid], slot, 0.0)


def _pane(app) -> dict[str, tuple[str, ...]]:
    pane = app.pane
    return {pane.entry_at(i).name: pane.entry_at(i).cells
            for i in range(pane.row_count)}


def _helm_rows(app) -> list[tuple[str, ...]]:
    table = app.screen.query_one(DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


@contextlib.asynccontextmanager
async def _east_and_west(tmp_path: Path
                         ) -> AsyncIterator[tuple[RunningSandbox, RunningSandbox, Path]]:
    """Two quick sandboxes, and a kubeconfig naming them east and west (and gone)."""
    east = await _fast_sandbox(tmp_path / "east.kubeconfig")
    west = await _fast_sandbox(tmp_path / "west.kubeconfig")
    try:
        yield east, west, merged_with_a_dead_context(
            tmp_path, {"east": tmp_path / "east.kubeconfig",
                       "west": tmp_path / "west.kubeconfig"})
    finally:
        await stop_sandbox(east)
        await stop_sandbox(west)


async def test_namespaces_metrics_problems_and_helm_span_the_contexts(tmp_path: Path) -> None:
    async with _east_and_west(tmp_path) as (east, west, path):
        now = datetime.now(timezone.utc)
        for running, own, cpu, release in ((east, "shop", "120m", helm_releases.checkout),
                                           (west, "lab", "340m", helm_releases.grafana)):
            for namespace in (own, "payments", "monitoring"):
                create(running.sandbox, {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": namespace}})
            web = _pod("web")
            web["metadata"]["annotations"] = {CPU_ANNOTATION: cpu, MEMORY_ANNOTATION: "64Mi"}
            create(running.sandbox, web)
            create(running.sandbox, _pod(f"broken-{own}",
                                         "registry.example/app:imagepullbackoff"))
            for record in release(now):
                record = release_object(record)
                record["metadata"]["namespace"] = "payments" if release is \
                    helm_releases.checkout else "monitoring"
                create(running.sandbox, record)
        app = app_for(path, context="east,west,gone", all_namespaces=True)
        async with app.run_test(size=(200, 45)) as pilot:
            await until(lambda: _row_of(app, "east", "web") and _row_of(app, "west", "web"),
                        timeout=30)
            # The namespace pane: the union, with the contexts that have each.
            await until(lambda: {"shop", "lab", "default"} <= set(_pane(app)), timeout=20)
            # (Columns are fitted to the pane's width as it is painted: wait for a paint.)
            await until(lambda: app.pane.shown_columns == ["NAME", "CONTEXTS", "STATUS"],
                        timeout=10, message="the CONTEXTS column")
            assert _pane(app)["shop"][1] == "east" and _pane(app)["lab"][1] == "west"
            assert _pane(app)["default"][1:] == ("all", "Active")
            # A namespace gone from one cluster stays listed with the other's name only.
            delete(west.sandbox, builtin("Namespace"), "", "payments")
            await until(lambda: _pane(app)["payments"][1:] == ("east", "Active"), timeout=30)
            # CPU of each row from its own cluster's metrics.
            await until(lambda: _cell(app, "east", "web", "CPU") == "120m"
                        and _cell(app, "west", "web", "CPU") == "340m", timeout=30)
            # Choosing a namespace in the pane narrows every context to it; acting on one
            # there is refused (which cluster's?), with the way to do it.
            app.pane.focus()
            assert app.pane.select_uid("lab")
            await pilot.press("ctrl+d")
            await until(lambda: any("the namespace pane spans several contexts" in n.message
                                    for n in app._notifications))
            assert app.screen is app.screen_stack[0]  # no confirmation asked
            await pilot.press("enter")
            await until(lambda: app.namespace == "lab" and app.main_table.row_count == 0
                        and app.main_table.empty_text.startswith("No "), timeout=20)
            await app._set_namespace(None)
            await until(lambda: _row_of(app, "west", "web") is not None, timeout=20)

            # The header counts the problems of both clusters; :problems lists them by
            # context, names the one that could not connect, and goes to the row's cluster.
            await until(lambda: (m := re.search(r"! (\d+) problems", header_text(app)))
                        and int(m[1]) >= 2, 30, "the header's count over both clusters")
            await pilot.press("colon", *"problems", "enter")
            screen = await until(lambda: isinstance(app.screen, ProblemsScreen) and app.screen)
            await until(lambda: {("east", "broken-shop"), ("west", "broken-lab")} <= {
                (screen.table.entry_at(i).cells[0], screen.table.entry_at(i).name)
                for i in range(screen.table.row_count)}, timeout=30)
            assert "CONTEXT" in screen.table.shown_columns
            assert "gone: " in screen.title_text()
            count = int(re.search(r"! (\d+) problems", header_text(app))[1])
            assert count == screen.table.row_count
            west_row = next(screen.table.entry_at(i) for i in range(screen.table.row_count)
                            if screen.table.entry_at(i).name == "broken-lab")
            assert screen.table.select_uid(west_row.uid)
            await pilot.press("y")  # YAML of the problem, read from west's store
            await until(lambda: isinstance(app.screen, YamlScreen))
            assert app.screen.store is next(c.session.store for c in app.connections
                                            if c.context == "west")
            await pilot.press("escape")
            await until(lambda: app.screen is screen)
            await pilot.press("enter")
            await until(lambda: app.screen is app.screen_stack[0]
                        and app.main_table.selected_uid == west_row.uid, timeout=20)
            await until(lambda: app.context_name == "west")

            # :helm lists both clusters' releases, each read from its own cluster.
            await pilot.press("colon", *"helm -A", "enter")
            await until(lambda: isinstance(app.screen, HelmScreen) and len(_helm_rows(app)) == 2,
                        timeout=30)
            assert [r[:3] for r in _helm_rows(app)] == [("east", "checkout", "payments"),
                                                        ("west", "grafana", "monitoring")]
            assert "gone: " in str(app.screen.query_one("#helm-title").render())
            app.screen.query_one(DataTable).move_cursor(row=1)
            await pilot.press("enter")
            await until(lambda: isinstance(app.screen, HistoryScreen) and _helm_rows(app))
            assert {r[0] for r in _helm_rows(app)} == {"west"}
            assert app.screen.session.client is next(c.session.client for c in app.connections
                                                     if c.context == "west")


async def test_shell_and_port_forward_act_on_the_rows_cluster(tmp_path: Path) -> None:
    async with _east_and_west(tmp_path) as (east, west, path):
        # The same pod name in both clusters; the hostname and image tell them apart.
        for running, where, image in ((east, "east", "nginx:1.25"), (west, "west", "nginx:1.27")):
            create(running.sandbox, _pod("web", image, hostname=f"{where}-host"))
            create(running.sandbox, _pod("xterm", "busybox:1.36", hostname=f"{where}-tty",
                                         container={"command": ["sh"], "stdin": True,
                                                    "tty": True}))
        await wait_for(lambda: all(_running(r, n) for r in (east, west)
                                   for n in ("web", "xterm")), timeout=30)

        # Port-forward from the west row: the forward is west's, HTTP reaches west's pod.
        app = app_for(path, context="east,west", namespace="default")
        async with app.run_test(size=(180, 40)) as pilot:
            await until(lambda: _row_of(app, "east", "web") and _row_of(app, "west", "web"),
                        timeout=30)
            assert app.main_table.select_uid(_row_of(app, "west", "web").uid)
            await until(lambda: app.context_name == "west")
            await pilot.press("F")
            await until(lambda: isinstance(app.screen, PortForwardDialog))
            await pilot.press("enter")
            west_forwards = app.forward_managers()["west"]
            await until(lambda: west_forwards.forwards
                        and west_forwards.forwards[0].state == "active", timeout=20)
            assert app.forward_managers()["east"].forwards == []
            [forward] = west_forwards.forwards
            status, body = await http_get(forward.local_port)
            assert status == 200 and body.startswith("Hello from default/web") \
                and "(nginx:1.27)" in body
            await pilot.press("colon", *"pf", "enter")  # :pf names the forward's context
            screen = await until(lambda: isinstance(app.screen, PortForwardsScreen)
                                 and app.screen)
            await until(lambda: screen.table.row_count == 1)
            assert [str(c) for c in screen.table.get_row_at(0)][:2] == [
                "west", forward.local]
            await until(lambda: "1 port-forward" in header_text(app))
            await pilot.press("ctrl+c")
        assert app.farewell.startswith("kubetui: stopped 1 port-forward(s): ")
        # (A stream is recorded by the sandbox once it has ended.)
        await wait_for(lambda: [r for r in west.server.requests
                                if r.path.endswith("/pods/web/portforward")])
        assert not [r for r in east.server.requests if r.path.endswith("/portforward")]

        # The shell and attach, on a terminal: `hostname` answers from the row's cluster.
        pty = await PtyApp.start("--kubeconfig", str(path), "--context", "east,west",
                                 "-n", "default", "-c", "pods")
        try:
            def rows(name: str) -> list[str]:
                return [line for line in pty.lines() if f" {name} " in line]

            await pty.wait_until(lambda: len(rows("web")) == 2, "both clusters' web rows")
            pty.type("/west\r")  # only west's rows: the cursor on the first, web
            await pty.wait_until(lambda: len(rows("web")) == len(rows("xterm")) == 1
                                 and " west " in rows("web")[0], "the filter")
            pty.type("s")
            await pty.wait_text("root@west-host:/#")
            pty.type("hostname\r")
            await pty.wait_line("west-host")
            pty.type("exit\r")
            await pty.wait_text("shell in web/app exited normally")
            await pty.wait_until(lambda: pty.cursor_on("web", "xterm"), "the cursor on web")
            pty.type("j")
            await pty.wait_until(lambda: pty.cursor_on("xterm", "web"), "the cursor on xterm")
            pty.type("a")
            await pty.wait_text("attached to xterm/app; ctrl-p ctrl-q detaches")
            pty.type("hostname\r")
            await pty.wait_line("west-tty")
            pty.type(b"\x10\x11")  # ctrl-p ctrl-q
            await pty.wait_text("detached from xterm/app")
        finally:
            assert await pty.close() == 0
