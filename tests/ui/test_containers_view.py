"""Enter on a pod shows its containers with state, last termination and CPU/MEM; `l` on
a container row opens that container's logs. Against the sandbox."""

from __future__ import annotations

from kubetui.ui.screens.containers_screen import ContainersScreen
from kubetui.ui.screens.log_screen import LogScreen
from tests.ui.app_helpers import Api, app_for, live, names, until


def row(screen: ContainersScreen, name: str) -> dict[str, str] | None:
    table = screen.table
    columns = [c.name for c in table._columns]
    for i in range(table.row_count):
        entry = table.entry_at(i)
        if entry.name == name:
            return dict(zip(columns, entry.cells))
    return None


async def test_enter_on_a_pod_shows_its_containers_and_l_their_logs(sandbox,
                                                                     api: Api) -> None:
    await api.node("node-1")
    await api.create("/api/v1/namespaces/default/pods", {
        "metadata": {"name": "web-1"},
        "spec": {"nodeName": "node-1",
                 "initContainers": [{"name": "migrate", "image": "busybox"}],
                 "containers": [
                     {"name": "app", "image": "nginx",
                      "ports": [{"containerPort": 80}],
                      "readinessProbe": {"tcpSocket": {"port": 80}},
                      "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
                     {"name": "crasher", "image": "ghcr.io/acme/tool:crashloop"}]}})
    app = app_for()
    async with app.run_test(size=(200, 40)) as pilot:
        await live(app, "pods")
        await until(lambda: names(app) == ["web-1"])
        await pilot.press("enter")
        screen = await until(lambda: isinstance(app.screen, ContainersScreen) and app.screen)
        await until(lambda: (r := row(screen, "migrate")) and r["STATE"] == "terminated"
                    and r["LAST TERMINATION"].startswith("exit 0 (Completed)"), 30)
        assert row(screen, "migrate")["TYPE"] == "init"
        app_row = await until(lambda: (r := row(screen, "app")) and r["READY"] == "true"
                              and r["CPU"].endswith("m") and r, 30, "app running, measured")
        assert app_row["PORTS"] == "80/TCP" and app_row["PROBES"] == "readiness:tcp :80"
        assert app_row["MEM"].endswith("Mi")
        # The crash loop, live: restarts climb, and the last exit is told.
        await until(lambda: (r := row(screen, "crasher")) and int(r["RESTARTS"]) >= 1
                    and r["LAST TERMINATION"].startswith("exit 1"), 60, "a restart")

        assert screen.table.select_uid(next(
            screen.table.entry_at(i).uid for i in range(screen.table.row_count)
            if screen.table.entry_at(i).name == "app"))
        await pilot.press("l")
        logs = await until(lambda: isinstance(app.screen, LogScreen) and app.screen)
        assert logs.target.container == "app" and logs.target.name == "web-1"
        await pilot.press("escape")
        await until(lambda: app.screen is screen)
        await pilot.press("escape")
        await until(lambda: app.screen is app.screen_stack[0])
