"""`e` edit through a real $EDITOR (a script written in tmp_path): applied with the
resourceVersion it was read at; invalid YAML, a 422 and a 409 reopen the editor with the
person's text and the error on top; no change sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubetui.ui.app import KubetuiApp
from tests.ui.app_helpers import names
from tests.fast_cluster import DEPLOY, Cluster
from tests.ui.action_host import action_app, editor_script, noted, notes
from tests.waiting import wait_for


def _puts(cluster: Cluster) -> list[str]:
    return [r.method for r in cluster.running.server.mutating_requests() if r.method == "PUT"]


async def _edit(cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                steps: list[dict], during=None) -> KubetuiApp:  # noqa: ANN001
    monkeypatch.setenv("EDITOR", str(editor_script(tmp_path, steps)))
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.action_runner is not None and "web" in names(app))
        await pilot.press("e")
        if during is not None:
            await during()
        await wait_for(lambda: any(m.startswith(("deployment.apps/web edited", "Edit "))
                                   for _, m in notes(app)), timeout=20)
    return app


async def test_edit_applies_with_the_resource_version_read(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster.create_deployment(replicas=1)
    await wait_for(cluster.rolled_out)
    read_at = cluster.deployment()["metadata"]["resourceVersion"]
    app = await _edit(cluster, tmp_path, monkeypatch,
                      [{"replace": ["replicas: 1", "replicas: 4"]}])
    assert noted(app, "deployment.apps/web edited")
    assert cluster.deployment()["spec"]["replicas"] == 4
    [put] = [r for r in cluster.running.server.mutating_requests() if r.method == "PUT"]
    assert put.path == "/apis/apps/v1/namespaces/default/deployments/web"
    shown = (tmp_path / "shown-0.yaml").read_text()
    assert shown.startswith("# Please edit the object below.")
    assert f'resourceVersion: "{read_at}"' in shown


async def test_no_change_sends_nothing(cluster: Cluster, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cluster.create_deployment()
    app = await _edit(cluster, tmp_path, monkeypatch, [{"keep": True}])
    assert noted(app, "Edit cancelled, no changes made")
    assert _puts(cluster) == []


async def test_invalid_yaml_reopens_with_the_text_and_the_error(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster.create_deployment(replicas=1)
    await wait_for(cluster.rolled_out)
    app = await _edit(cluster, tmp_path, monkeypatch, [
        {"replace": ["replicas: 1", "replicas: [2"]},  # broken YAML
        {"replace": ["\n  replicas: [2", "\n  replicas: 2"]},  # fixed on the second go
    ])
    again = (tmp_path / "shown-1.yaml").read_text()
    assert "# Error: the file is not valid YAML" in again
    assert "replicas: [2" in again  # the person's text, not the original
    assert noted(app, "deployment.apps/web edited")
    assert cluster.deployment()["spec"]["replicas"] == 2
    assert len(_puts(cluster)) == 1


async def test_rejected_by_the_server_422_reopens_and_changes_nothing(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster.create_deployment(replicas=1)
    await wait_for(cluster.rolled_out)
    before = cluster.deployment()["metadata"]["resourceVersion"]
    app = await _edit(cluster, tmp_path, monkeypatch, [
        {"replace": ["replicas: 1", "replicas: -3"]}, {"keep": True}])
    again = (tmp_path / "shown-1.yaml").read_text()
    assert "# Error: the server refused the change as invalid" in again
    assert "replicas: -3" in again
    assert noted(app, "Edit cancelled, no valid changes were saved")
    assert cluster.deployment()["metadata"]["resourceVersion"] == before


async def test_stale_resource_version_409_reopens_the_editor(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster.create_deployment(replicas=1)
    await wait_for(cluster.rolled_out)

    async def someone_else_changes_it() -> None:
        await wait_for(lambda: (tmp_path / "shown-0.yaml").exists())
        await cluster.client.request(
            "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
            {"metadata": {"labels": {"owner": "someone-else"}}},
            content_type="application/merge-patch+json")
        (tmp_path / "go").write_text("")

    app = await _edit(cluster, tmp_path, monkeypatch, [
        {"replace": ["replicas: 1", "replicas: 5"], "wait_for": "go"}, {"keep": True}],
        during=someone_else_changes_it)
    again = (tmp_path / "shown-1.yaml").read_text()
    assert "# Error: deployment.apps/web" in again and "changed by someone else" in again
    assert "replicas: 5" in again  # no edit is lost
    assert noted(app, "Edit cancelled, no valid changes were saved")
    assert cluster.deployment()["spec"]["replicas"] == 1
    assert cluster.deployment()["metadata"]["labels"]["owner"] == "someone-else"


async def test_a_failing_editor_cancels(cluster: Cluster, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cluster.create_deployment()
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.action_runner is not None and "web" in names(app))
        await pilot.press("e")
        await wait_for(lambda: noted(app, "cannot run the editor"))
    assert _puts(cluster) == []
