"""On start, the context's last view, namespace and filter come back (k9s habit), from a
state file under XDG_STATE_HOME; --no-restore, -n and -A win."""

from __future__ import annotations

import json
from pathlib import Path

from kubetui.cli import _settings, build_parser
from kubetui.view_state import state_path
from tests.ui.app_helpers import Api, app_for, crumbs_text, live, names, until


async def test_the_last_view_namespace_and_filter_come_back(sandbox, api: Api,
                                                            isolated_home: Path) -> None:
    await api.namespace("shop")
    await api.deployment("web", "shop", replicas=1)
    await api.deployment("cart", "shop", replicas=1)
    app = app_for(restore=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("colon", *"deploy shop", "enter")
        await live(app, "deployments")
        await pilot.press("slash", *"web", "enter")
        await until(lambda: names(app) == ["web"])
    saved = json.loads(state_path().read_text())
    assert str(state_path()).startswith(str(isolated_home / ".local" / "state"))
    assert saved == {"kubetui-sandbox": {"resource": "deployments.apps", "namespace": "shop",
                                         "filter": "web"}}

    app = app_for(restore=True)  # a new start: the same view
    async with app.run_test(size=(160, 45)):
        await live(app, "deployments")
        await until(lambda: names(app) == ["web"])
        assert crumbs_text(app).startswith("deployments(shop)")
        assert app.main_table.filter.text == "web"

    app = app_for(restore=True, namespace="default")  # -n wins for the namespace
    async with app.run_test(size=(160, 45)):
        await live(app, "deployments")
        assert crumbs_text(app).startswith("deployments(default)")

    app = app_for()  # --no-restore: pods, as always
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")


def test_the_cli_restores_unless_told_not_to() -> None:
    parser = build_parser()
    assert _settings(parser.parse_args([])).restore
    assert not _settings(parser.parse_args(["--no-restore"])).restore


def test_a_broken_state_file_is_no_saved_view(sandbox, isolated_home: Path) -> None:
    from kubetui.view_state import SavedView, load_view, save_view
    path = state_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert load_view("kubetui-sandbox") is None
    save_view("a", SavedView("pods", None))
    save_view("b", SavedView("nodes", None, "gpu"))
    assert load_view("a") == SavedView("pods", None)
    assert load_view("b") == SavedView("nodes", None, "gpu")
