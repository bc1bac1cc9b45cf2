"""`a` applies a YAML file: path prompt, server-side dry run shown, then the real apply."""

from __future__ import annotations

from pathlib import Path

from kubetui.ui.screens.dialogs import ConfirmDialog, PromptDialog
from tests.ui.app_helpers import names
from tests.fast_cluster import DEPLOY, Cluster, web_and_settings
from tests.ui.action_host import action_app, noted
from tests.waiting import wait_for


async def test_apply_shows_the_dry_run_then_applies(cluster: Cluster, tmp_path: Path) -> None:
    cluster.create_deployment(replicas=1)
    (tmp_path / "app.yaml").write_text(web_and_settings(replicas=3))
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.action_runner is not None and "web" in names(app))
        await pilot.press("ctrl+o")  # apply (`a` is attach and ctrl+a the aliases, as in k9s)
        prompt = await wait_for(lambda: isinstance(app.screen, PromptDialog) and app.screen)
        prompt.query_one("#answer").value = str(tmp_path / "missing.yaml")
        await pilot.press("enter")
        await wait_for(lambda: "no such file" in str(prompt.query_one("#error").render()))
        prompt.query_one("#answer").value = str(tmp_path / "app.yaml")
        await pilot.press("enter")
        confirm = await wait_for(lambda: isinstance(app.screen, ConfirmDialog)
                                 and app.screen)
        body = str(confirm.query_one("#body").render())
        assert "deployment.apps/web configured (server dry run)" in body
        assert "configmap/settings created (server dry run)" in body
        assert "+  replicas: 3" in body
        assert cluster.deployment()["spec"]["replicas"] == 1  # the dry run changed nothing
        await pilot.press("right", "enter")
        await wait_for(lambda: cluster.deployment()["spec"]["replicas"] == 3)
        await wait_for(lambda: noted(app, "configmap/settings serverside-applied"))
    assert cluster.store.get(("", "configmaps"), "default", "settings")["data"] == \
        {"level": "debug"}


async def test_a_bad_file_is_reported_and_nothing_applied(cluster: Cluster,
                                                          tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: [\n")
    before = len(cluster.running.server.mutating_requests())
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.action_runner is not None)
        await pilot.press("ctrl+o")  # apply (`a` is attach and ctrl+a the aliases, as in k9s)
        prompt = await wait_for(lambda: isinstance(app.screen, PromptDialog) and app.screen)
        prompt.query_one("#answer").value = str(tmp_path / "bad.yaml")
        await pilot.press("enter")
        await wait_for(lambda: noted(app, "the file is not valid YAML"))
    assert len(cluster.running.server.mutating_requests()) == before


async def test_tab_completes_the_path_in_the_apply_dialog(cluster: Cluster,
                                                          tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    for name in ("web-deployment.yaml", "web-service.yaml", "db.yaml"):
        (manifests / name).write_text(web_and_settings(replicas=1))
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.action_runner is not None)
        await pilot.press("ctrl+o")
        prompt = await wait_for(lambda: isinstance(app.screen, PromptDialog) and app.screen)
        field = prompt.query_one("#answer")
        field.value = str(tmp_path / "man")
        field.cursor_position = len(field.value)
        await pilot.press("tab")  # the one directory: completed, with its /
        assert field.value == f"{manifests}/"
        await pilot.press("w", "tab")  # two files start with web-: as far as they agree
        assert field.value == f"{manifests}/web-"
        error = str(prompt.query_one("#error").render())
        assert "web-deployment.yaml" in error and "web-service.yaml" in error
        await pilot.press("s", "tab")
        assert field.value == f"{manifests}/web-service.yaml"
        assert prompt.focused is field  # tab completed; it did not move the focus
