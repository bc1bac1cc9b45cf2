"""`--context east,west,gone` (and `:ctx *`) on two sandboxes at once: one merged table
with a CONTEXT column, each context's health in the header, the failing one's error shown
while the others go on, and an action on a row acting on that row's cluster only."""

from __future__ import annotations

from pathlib import Path

from kubetui.ui.screens.dialogs import ConfirmDialog
from tests.cluster.test_multi_context import merged_with_a_dead_context
from tests.conftest import start_sandbox, stop_sandbox
from tests.ui.app_helpers import app_for, header_text, names, until


def _rows(app) -> list[tuple[str, str]]:
    table = app.main_table
    return sorted((table.entry_at(i).row.cells[0], table.entry_at(i).name)
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
                         if table.entry_at(i).row.cells[0] == "west"
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
                         if table.entry_at(i).row.cells[0] == "west")
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
