"""Live views: watch events appear without a key pressed; the header tells the watch's
health (live, reconnecting, stale) as the sandbox misbehaves."""

from __future__ import annotations

from tests.ui.app_helpers import Api, app_for, header_text, live, names, until


def status_of(app, name: str) -> str | None:
    table = app.main_table
    for i in range(table.row_count):
        entry = table.entry_at(i)
        if entry.name == name:
            return entry.cells[2]
    return None


async def test_pods_added_changed_and_deleted_appear_by_themselves(sandbox, api: Api) -> None:
    await api.pod("first")
    app = app_for()
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        await until(lambda: names(app) == ["first"])
        await api.pod("second")
        await until(lambda: names(app) == ["first", "second"], message="pod added")
        assert status_of(app, "second") == "Pending"  # no node yet
        await api.node("node-1")  # scheduled, then started by the kubelet
        await until(lambda: status_of(app, "second") == "Running", timeout=20,
                    message="status change")
        await api.delete("/api/v1/namespaces/default/pods/first")
        await until(lambda: names(app) == ["second"], timeout=20, message="pod deleted")


async def test_header_shows_reconnecting_then_live_then_stale(sandbox, api: Api) -> None:
    await api.pod("first")
    app = app_for()
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        sandbox.sandbox.faults.error_rate = 1.0  # every re-watch fails
        sandbox.server.drop_watches()
        await until(lambda: "reconnecting: " in header_text(app), message="reconnecting")
        sandbox.sandbox.faults.error_rate = 0.0
        await until(lambda: "● live" in header_text(app), message="live again")
        assert names(app) == ["first"]
        await sandbox.server.stop()
        await until(lambda: "stale for" in header_text(app), message="stale")
        assert "cannot reach the server" in header_text(app)
        assert names(app) == ["first"]  # what was known stays on screen


async def test_watch_drops_every_half_second_keep_the_view_right(sandbox, api: Api) -> None:
    app = app_for()
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        sandbox.sandbox.faults.drop_watches_every = 0.5
        for i in range(5):
            await api.pod(f"pod-{i}")
        await until(lambda: names(app) == [f"pod-{i}" for i in range(5)], timeout=20)
        sandbox.sandbox.faults.drop_watches_every = 0
