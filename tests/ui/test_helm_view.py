"""`:helm`: the releases of the cluster's Helm storage, live, with history, values,
manifest, notes, diff and the objects of a release, as a person opens them."""

from __future__ import annotations

from datetime import datetime, timezone

from textual.widgets import DataTable

from kubetui.helm.records import release_object
from kubetui.sandbox.scenarios import helm_releases
from kubetui.ui.screens.helm_screens import HelmScreen, HistoryScreen, ObjectsScreen
from kubetui.ui.screens.object_screens import DescribeScreen
from kubetui.ui.screens.text_screen import TextScreen
from tests.ui.app_helpers import Api, app_for, live, until


def _rows(app) -> list[tuple[str, ...]]:
    table = app.screen.query_one(DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def _title(app) -> str:
    return str(app.screen.query_one("#helm-title").render())


async def test_helm_view_lists_releases_live_and_opens_what_they_hold(sandbox,
                                                                      api: Api) -> None:
    now = datetime.now(timezone.utc)
    for ns in ("monitoring", "payments"):
        await api.namespace(ns)
    for release in helm_releases.checkout(now):
        await api.create("/api/v1/namespaces/payments/secrets", release_object(release))
    app = app_for(all_namespaces=True)
    async with app.run_test(size=(180, 45)) as pilot:
        await live(app, "pods")
        await pilot.press(":", *"helm", "enter")
        await until(lambda: isinstance(app.screen, HelmScreen) and _rows(app))
        assert _rows(app)[0][:6] == ("checkout", "payments", "3", "failed",
                                     "checkout-0.6.0", "1.9.0")
        # Live: a release installed now appears without reopening the view.
        await api.create("/api/v1/namespaces/monitoring/secrets",
                         release_object(helm_releases.grafana(now)[0]))
        await until(lambda: [r[0] for r in _rows(app)] == ["grafana", "checkout"]
                    or [r[0] for r in _rows(app)] == ["checkout", "grafana"])
        assert "Helm releases · all namespaces · 2" in _title(app)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=[r[0] for r in _rows(app)].index("checkout"))
        # enter: the history, oldest first, the failed upgrade last.
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, HistoryScreen) and len(_rows(app)) == 3)
        assert [(r[0], r[2]) for r in _rows(app)] == [
            ("1", "superseded"), ("2", "deployed"), ("3", "failed")]
        assert "context deadline exceeded" in _rows(app)[2][5]
        app.screen.query_one(DataTable).move_cursor(row=2)
        await pilot.press("v")
        await until(lambda: isinstance(app.screen, TextScreen))
        assert "tag: 1.9.0-never-ready" in app.screen.view.text
        assert "repository" not in app.screen.view.text  # user-supplied only
        await pilot.press("escape", "V")
        await until(lambda: isinstance(app.screen, TextScreen))
        assert "repository: ghcr.io/acme/checkout" in app.screen.view.text
        await pilot.press("escape", "m")
        await until(lambda: isinstance(app.screen, TextScreen))
        assert "image: \"ghcr.io/acme/checkout:1.9.0-never-ready\"" in app.screen.view.text
        await pilot.press("escape", "n")
        await until(lambda: isinstance(app.screen, TextScreen))
        assert app.screen.view.text == "checkout is listening on :8080"
        # d: the diff with the previous revision.
        await pilot.press("escape", "d")
        await until(lambda: isinstance(app.screen, TextScreen))
        diff = app.screen.view.text
        assert "-  tag: 1.8.0" in diff and "+  tag: 1.9.0-never-ready" in diff
        # Mark revision 1, then diff it with revision 3.
        await pilot.press("escape")
        app.screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("space")
        await until(lambda: _rows(app)[0][0] == "1*")
        app.screen.query_one(DataTable).move_cursor(row=2)
        await pilot.press("d")
        await until(lambda: isinstance(app.screen, TextScreen))
        assert "revisions 1 → 3" in str(app.screen.query_one("#detail-title").render())
        assert "-  tag: 1.7.0" in app.screen.view.text
        # o: the release's objects; enter describes one from the cluster.
        await pilot.press("escape", "o")
        await until(lambda: isinstance(app.screen, ObjectsScreen))
        assert _rows(app) == [("Service", "payments", "checkout"),
                              ("Deployment", "payments", "checkout")]
        await pilot.press("enter")
        await until(lambda: isinstance(app.screen, DescribeScreen))
        # Back out to the release list; an uninstall removes the release from it.
        await pilot.press("escape", "escape", "escape")
        await until(lambda: isinstance(app.screen, HelmScreen))
        for revision in (1, 2, 3):
            await api.delete(f"/api/v1/namespaces/payments/secrets/"
                             f"sh.helm.release.v1.checkout.v{revision}")
        await until(lambda: [r[0] for r in _rows(app)] == ["grafana"])
