"""Workload actions through their keys against the sandbox: scale (and every kind of bad
input), restart, set image, delete and kill with marks; the cluster's state is read back
from the sandbox's store."""

from __future__ import annotations

from kubetui.cluster.actions import RESTARTED_AT
from kubetui.ui.screens.dialogs import ConfirmDialog, ScaleDialog, SetImageDialog
from tests.ui.app_helpers import names
from tests.fast_cluster import DEPLOY, POD, PODS, Cluster
from tests.ui.action_host import action_app, noted, opened
from tests.waiting import wait_for


def _scale_patches(cluster: Cluster) -> list[str]:
    return [r.path for r in cluster.running.server.mutating_requests()
            if r.path.endswith("/scale")]


async def test_scale_with_up_key_and_typed_digits(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=2)
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "web")
        await pilot.press("s")
        dialog = await wait_for(lambda: isinstance(app.screen, ScaleDialog) and app.screen)
        assert dialog.input.value == "2"
        assert "now 2 replicas" in str(dialog.query_one(".title").render())
        await pilot.press("up", "up", "down", "enter")
        await wait_for(lambda: cluster.deployment()["spec"]["replicas"] == 3)
        await wait_for(lambda: noted(app, "deployment.apps/web scaled to 3"))
        assert "PATCH /apis/apps/v1/namespaces/default/deployments/web/scale" in \
            noted(app, "scaled to 3")
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, ScaleDialog))
        await pilot.press("backspace", *"5", "enter")
        await wait_for(lambda: cluster.deployment()["spec"]["replicas"] == 5)
        await wait_for(lambda: len(cluster.live_pods()) == 5)  # the live view shows it


async def test_bad_scale_input_is_refused_in_the_dialog(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=2)
    app = action_app(DEPLOY, ceiling=50)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "web")
        for typed, reason in (("-1", "cannot be negative"), ("abc", "not a whole number"),
                              ("", "type a number"), ("51", "above the ceiling of 50")):
            await pilot.press("s")
            dialog = await wait_for(lambda: isinstance(app.screen, ScaleDialog)
                                    and app.screen)
            await pilot.press("backspace", *typed, "enter")
            error = dialog.query_one("#error")
            await wait_for(lambda: reason in str(error.render()), message=reason)
            assert app.screen is dialog  # still open: nothing was sent
            await pilot.press("escape")
            await wait_for(lambda: not isinstance(app.screen, ScaleDialog))
        assert _scale_patches(cluster) == []
        assert cluster.deployment()["spec"]["replicas"] == 2


async def test_scale_to_zero_asks_and_cancel_is_the_default(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=2)
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "web")
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, ScaleDialog))
        await pilot.press("backspace", "0", "enter")
        confirm = await wait_for(lambda: isinstance(app.screen, ConfirmDialog)
                                 and app.screen)
        assert "deployment.apps/web" in str(confirm.query_one("#body").render())
        await pilot.press("enter")  # Enter on the focused Cancel
        await wait_for(lambda: not isinstance(app.screen, ConfirmDialog))
        assert _scale_patches(cluster) == []
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, ScaleDialog))
        await pilot.press("backspace", "0", "enter")
        await wait_for(lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("right", "enter")
        await wait_for(lambda: cluster.deployment()["spec"]["replicas"] == 0)


async def test_restart_and_refusal_for_a_paused_deployment(cluster: Cluster) -> None:
    cluster.create_deployment()
    cluster.create_deployment("held", paused=True)
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "web", "held")
        app.main_table.select_uid(cluster.deployment("web")["metadata"]["uid"])
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("right", "enter")
        await wait_for(lambda: RESTARTED_AT in (cluster.deployment()["spec"]["template"]
                                                ["metadata"].get("annotations") or {}))
        await wait_for(lambda: noted(app, "deployment.apps/web restarted"))
        app.main_table.select_uid(cluster.deployment("held")["metadata"]["uid"])
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("right", "enter")
        await wait_for(lambda: noted(app, "can't restart paused deployment"))
        assert RESTARTED_AT not in (cluster.deployment("held")["spec"]["template"]
                                    ["metadata"].get("annotations") or {})


async def test_set_image_from_the_dialog(cluster: Cluster) -> None:
    cluster.create_deployment()
    app = action_app(DEPLOY)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "web")
        await pilot.press("i")
        dialog = await wait_for(lambda: isinstance(app.screen, SetImageDialog)
                                and app.screen)
        await pilot.press("enter")  # unchanged image: refused in the dialog
        await wait_for(lambda: "already runs" in str(dialog.query_one("#error").render()))
        dialog.query_one("#image").value = ""
        await pilot.press(*"nginx:1.26", "enter")
        await wait_for(lambda: cluster.deployment()["spec"]["template"]["spec"]
                       ["containers"][0]["image"] == "nginx:1.26")
        await wait_for(lambda: cluster.rolled_out() and {
            p["spec"]["containers"][0]["image"] for p in cluster.live_pods()} ==
            {"nginx:1.26"})


async def _pod(cluster: Cluster, name: str) -> None:
    await cluster.client.request("POST", "/api/v1/namespaces/default/pods", {
        "metadata": {"name": name}, "spec": {"containers": [{"name": "c",
                                                              "image": "busybox"}]}})


def _pods(cluster: Cluster) -> set[str]:
    return {p["metadata"]["name"] for p in cluster.store.iter(PODS)}


async def test_delete_marked_rows_after_confirmation(cluster: Cluster) -> None:
    for name in ("a", "b", "c"):
        await _pod(cluster, name)
    app = action_app(POD)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "a", "b", "c")
        await pilot.press("home", "space", "down", "space")  # marks a and b
        await pilot.press("ctrl+d")
        confirm = await wait_for(lambda: isinstance(app.screen, ConfirmDialog)
                                 and app.screen)
        body = str(confirm.query_one("#body").render())
        assert 'pod/a in namespace "default"' in body and "pod/b" in body
        assert "pod/c" not in body
        await pilot.press("escape")  # cancelled: nothing deleted
        await wait_for(lambda: not isinstance(app.screen, ConfirmDialog))
        assert _pods(cluster) == {"a", "b", "c"}
        await pilot.press("ctrl+d")
        await wait_for(lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("right", "enter")
        await wait_for(lambda: _pods(cluster) == {"c"})
        await wait_for(lambda: names(app) == ["c"])  # the live view shows it
        note = await wait_for(lambda: noted(app, "deleted pod/a, pod/b"))
        assert '"propagationPolicy":"Background"' in note


async def test_kill_asks_too_and_deletes_without_grace(cluster: Cluster) -> None:
    await _pod(cluster, "stuck")
    app = action_app(POD)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "stuck")
        await pilot.press("ctrl+k")
        await wait_for(lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("right", "enter")
        await wait_for(lambda: "stuck" not in _pods(cluster))
        assert '"gracePeriodSeconds":0' in await wait_for(lambda: noted(app, "killed pod/stuck"))


async def test_deleted_by_someone_else_is_said_in_words(cluster: Cluster) -> None:
    await _pod(cluster, "gone")
    app = action_app(POD)
    async with app.run_test(size=(120, 30)) as pilot:
        await opened(app, pilot, "gone")
        await pilot.press("ctrl+d")
        await wait_for(lambda: isinstance(app.screen, ConfirmDialog))
        await cluster.client.request("DELETE", "/api/v1/namespaces/default/pods/gone",
                                     {"gracePeriodSeconds": 0})
        await pilot.press("right", "enter")
        await wait_for(lambda: noted(app, "no longer exists: someone else deleted it"))
