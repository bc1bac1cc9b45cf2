"""Events you can read: the whole message of the selected event, `/` filter, Warnings only
(`t`), Enter goes to the object, `v` shows the selection's events; against the sandbox."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from kubetui.ui.screens.events_screen import EventsScreen
from tests.ui.app_helpers import Api, app_for, live, names, until


LONG = ("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/"
        "control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 "
        "Preemption is not helpful for scheduling, 3 No preemption victims found for "
        "incoming pod. The end of this message is well beyond any terminal's edge.")


async def post_event(api: Api, name: str, about: dict, type_: str, reason: str,
                     message: str, seen_ago: int = 0) -> None:
    meta = about["metadata"]
    stamp = (datetime.now(timezone.utc) - timedelta(seconds=seen_ago)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    await api.create("/api/v1/namespaces/default/events", {
        "metadata": {"name": name},
        "involvedObject": {"kind": about["kind"], "name": meta["name"],
                           "namespace": "default", "uid": meta["uid"], "apiVersion": "v1"},
        "type": type_, "reason": reason, "message": message,
        "source": {"component": "default-scheduler"}, "count": 3,
        "firstTimestamp": stamp, "lastTimestamp": stamp})


async def open_events(app, pilot) -> EventsScreen:
    """`:ev` over the live pods view."""
    await live(app, "pods")
    await pilot.press("colon", "e", "v", "enter")
    return await until(lambda: isinstance(app.screen, EventsScreen) and app.screen)


def shown(screen: EventsScreen) -> list[str]:
    table = screen.view.table
    return [table.entry_at(i).name for i in range(table.row_count)]


async def test_events_read_whole_filter_warnings_and_go_to_the_object(sandbox,
                                                                       api: Api) -> None:
    web = await api.pod("web-1")
    db = await api.pod("db-1")
    await post_event(api, "web-1.a", web, "Warning", "FailedScheduling", LONG)
    await post_event(api, "db-1.a", db, "Normal", "Scheduled", "Successfully assigned")
    app = app_for()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_events(app, pilot)
        # (the sandbox's scheduler adds its own events about these node-less pods)
        await until(lambda: {"web-1.a", "db-1.a"} <= set(shown(screen)))
        table = screen.view.table
        assert table.select_uid(table.entry_at(shown(screen).index("web-1.a")).uid)
        # The whole message, though the table's column cuts it at the edge.
        await until(lambda: LONG in screen.view.detail.replace("\n", " ")
                    or LONG in screen.view.detail)
        assert "Warning FailedScheduling · pod/web-1" in screen.view.detail
        assert "count 3" in screen.view.detail

        await pilot.press("t")  # Warnings only
        await until(lambda: "db-1.a" not in shown(screen))
        assert "web-1.a" in shown(screen)
        assert {table.entry_at(i).cells[1] for i in range(table.row_count)} == {"Warning"}
        await pilot.press("t")
        await until(lambda: {"web-1.a", "db-1.a"} <= set(shown(screen)))
        await pilot.press("slash", *"Successfully")
        await until(lambda: shown(screen) == ["db-1.a"])
        await pilot.press("enter")  # closes the filter, keeps it
        await pilot.press("enter")  # goes to the object
        await until(lambda: app.screen is app.screen_stack[0])
        await until(lambda: app.main_table.selected_entry is not None
                    and app.main_table.selected_entry.name == "db-1")
        assert app.view is not None and app.view.kind.kind == "Pod"

        # v: the events of the selection only.
        await until(lambda: names(app) == ["db-1", "web-1"])
        assert app.main_table.select_uid(web["metadata"]["uid"])
        await pilot.press("v")
        screen = await until(lambda: isinstance(app.screen, EventsScreen) and app.screen)
        await until(lambda: "web-1.a" in shown(screen))
        assert all(n.startswith("web-1.") for n in shown(screen))
        assert screen.involved == ("Pod", "web-1", web["metadata"]["uid"])


async def test_newest_first_by_the_second_though_last_seen_reads_the_same(sandbox,
                                                                         api: Api) -> None:
    web = await api.pod("web-1")
    await post_event(api, "a-older", web, "Normal", "Pulled", "first", seen_ago=12 * 60 + 50)
    await post_event(api, "b-newer", web, "Normal", "Pulled", "second", seen_ago=12 * 60 + 5)
    app = app_for()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_events(app, pilot)
        await until(lambda: {"a-older", "b-newer"} <= set(shown(screen)))
        ours = [n for n in shown(screen) if n in ("a-older", "b-newer")]
        assert ours == ["b-newer", "a-older"]  # by time, not by name
        table = screen.view.table
        seen = {table.entry_at(i).name: table._model.cell_text(
            table._model.rows[table.entry_at(i).uid], table._model.slots[0], time.time())
            for i in range(table.row_count)}
        assert seen["a-older"] == seen["b-newer"] == "12m"  # both read the same
