"""The action keys in the real app (`make_app`): an action through its key in the
Deployments tab, and a `--readonly` run pressing every mutating key in every view that
has them, during which the sandbox receives no mutating request."""

from __future__ import annotations

from kubetui.ui.actions.keys import ACTION_BINDINGS
from kubetui.ui.app import KubetuiApp
from kubetui.ui.screens.dialogs import ScaleDialog
from kubetui.ui.screens.rollout_screen import RolloutScreen
from tests.ui.app_helpers import app_for, live, names
from tests.fast_cluster import Cluster
from tests.waiting import wait_for


MUTATING_KEYS = sorted({b.key for b in ACTION_BINDINGS if b.action != "rollout"})


def _enabled_actions(app: KubetuiApp) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}


async def test_scale_from_the_deployments_tab(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=1)
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("2")  # the Deployments tab
        await live(app, "deployments")
        await wait_for(lambda: names(app) == ["web"])
        assert {"scale", "restart", "edit", "delete", "rollout"} <= _enabled_actions(app)
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, ScaleDialog))
        await pilot.press("up", "enter")
        await wait_for(lambda: cluster.deployment()["spec"]["replicas"] == 2)
        await pilot.press("1")  # pods: no scale there, kill instead
        await live(app, "pods")
        assert "scale" not in _enabled_actions(app)
        assert "kill" in _enabled_actions(app)


async def test_readonly_hides_every_mutating_key_and_sends_nothing(cluster: Cluster) -> None:
    cluster.create_deployment()
    await wait_for(cluster.rolled_out)
    app = app_for(readonly=True)
    async with app.run_test(size=(160, 45)) as pilot:
        for tab, kind in (("1", "pods"), ("2", "deployments")):
            await pilot.press(tab)
            await live(app, kind)
            await wait_for(lambda: names(app))
            assert _enabled_actions(app) & {b.action for b in ACTION_BINDINGS} <= {"rollout"}
            await pilot.press("space")
            for key in MUTATING_KEYS:
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is app.screen_stack[0], key
        await pilot.press("o")  # the rollout view opens; its changes are refused
        view = await wait_for(lambda: isinstance(app.screen, RolloutScreen) and app.screen)
        await wait_for(lambda: view.state is not None)
        for key in ("u", "U", "p", "P", *MUTATING_KEYS):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is view, key
        await pilot.press("escape")
        await pilot.press("colon", *"no", "enter")
        await live(app, "nodes")
        await wait_for(lambda: names(app) == ["node-1"])
        for key in MUTATING_KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is app.screen_stack[0], key
    assert cluster.running.server.mutating_requests() == []
