"""Safe by default: `--readonly` hides and disables every mutating binding (the sandbox
receives no mutating request while all of them are pressed), and a user whom RBAC forbids
writes is told "you may not …" before anything is sent."""

from __future__ import annotations

from kubetui.ui.actions.keys import ACTION_BINDINGS
from kubetui.ui.screens.rollout_screen import RolloutScreen
from tests.ui.app_helpers import names
from tests.fast_cluster import DEPLOY, NODE, POD, Cluster
from tests.ui.action_host import action_app, noted, notes
from tests.waiting import wait_for


MUTATING_KEYS = sorted({b.key for b in ACTION_BINDINGS if b.action != "rollout"})


def _pod(cluster: Cluster, name: str) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": name, "namespace": "default"},
                    "spec": {"containers": [{"name": "c", "image": "busybox"}]}})


async def test_readonly_run_pressing_every_mutating_key_sends_no_write(
        cluster: Cluster) -> None:
    cluster.create_deployment()
    _pod(cluster, "lonely")
    await wait_for(cluster.rolled_out)
    for kind, name, namespace in ((DEPLOY, "web", "default"), (POD, "lonely", "default"),
                                  (NODE, "node-1", "")):
        app = action_app(kind, namespace, readonly=True)
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_for(lambda: app.action_runner is not None and name in names(app))
            await pilot.pause()
            shown = {b.binding.action for b in app.screen.active_bindings.values()
                     if b.enabled}
            assert not shown & {b.action for b in ACTION_BINDINGS} - {"rollout"}, shown
            await pilot.press("space")  # a marked row too
            for key in MUTATING_KEYS:
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is app.screen_stack[0], key  # no dialog opened
            if kind is DEPLOY:  # the rollout view may open; its changes may not
                await pilot.press("o")
                view = await wait_for(lambda: isinstance(app.screen, RolloutScreen)
                                      and app.screen)
                await wait_for(lambda: view.state is not None)
                for key in ("u", "U", "p", "P"):
                    await pilot.press(key)
                    await pilot.pause()
                    assert app.screen is view
                await pilot.press("escape")
            await pilot.pause()
    assert cluster.running.server.mutating_requests() == []


async def test_rbac_readonly_user_is_told_you_may_not(cluster: Cluster) -> None:
    cluster.create_deployment()
    cluster.running.sandbox.faults.rbac = "readonly"
    app = action_app(DEPLOY)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(lambda: app.action_runner is not None and "web" in names(app))
        await pilot.press("s")
        note = await wait_for(lambda: noted(app, "you may not"))
        assert note.startswith('you may not patch deployments.apps/scale "web" in '
                               'namespace "default"')
        assert app.screen is app.screen_stack[0]  # no dialog: refused before asking
        for key in ("r", "e", "i", "ctrl+d"):
            count = len(notes(app))
            await pilot.press(key)
            await wait_for(lambda: len(notes(app)) > count and "you may not" in
                           notes(app)[-1][1], message=key)
    assert cluster.running.server.mutating_requests() == []
    assert cluster.deployment()["spec"]["replicas"] == 2
