"""`o` opens the rollout view: followed live to completion and to ProgressDeadlineExceeded,
history with change-cause and images, a diff of two revisions, undo, pause and resume."""

from __future__ import annotations

from textual.widgets import OptionList

from kubetui.cluster.rollout import REVISION
from kubetui.ui.app import KubetuiApp
from kubetui.ui.screens.dialogs import ConfirmDialog
from kubetui.ui.screens.rollout_screen import RolloutScreen
from tests.ui.app_helpers import names
from tests.fast_cluster import DEPLOY, Cluster
from tests.ui.action_host import action_app, noted
from tests.waiting import wait_for


async def _rollout_view(app: KubetuiApp, pilot, revisions: int = 0  # noqa: ANN001
                        ) -> RolloutScreen:
    """`o` on web; with `revisions`, once the view shows that many."""
    await wait_for(lambda: app.action_runner is not None and "web" in names(app))
    await pilot.press("o")
    view = await wait_for(lambda: isinstance(app.screen, RolloutScreen) and app.screen)
    if revisions:
        await wait_for(lambda: view.state is not None and len(view.state.history) == revisions)
    return view


async def _two_revisions(cluster: Cluster) -> None:
    """web rolled out at nginx:1.25, then at nginx:1.26."""
    cluster.create_deployment()
    await wait_for(cluster.rolled_out)
    await cluster.set_image_directly("nginx:1.26")
    await wait_for(lambda: len(cluster.replica_sets()) == 2 and cluster.rolled_out())


async def test_follows_a_rollout_to_completion(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=3)
    await wait_for(cluster.rolled_out)
    app = action_app(DEPLOY)
    async with app.run_test(size=(140, 45)) as pilot:
        view = await _rollout_view(app, pilot)
        await wait_for(lambda: "successfully rolled out" in view.status_text)
        assert "maxSurge 1" in view.status_text and "maxUnavailable 0" in view.status_text
        seen: set[str] = set()

        def watch() -> bool:
            seen.add(view.status_text.splitlines()[0])
            return "successfully rolled out" in view.status_text and cluster.rolled_out() \
                and len(cluster.replica_sets()) == 2

        await cluster.set_image_directly("nginx:1.26", cause="bump")
        await wait_for(watch, timeout=20)
        assert any(line.startswith('Waiting for deployment "web" rollout to finish')
                   for line in seen), seen
        replica_sets = str(view.query_one("#replicasets").render())
        assert replica_sets.startswith("new ") and "old " in replica_sets
        history = view.query_one(OptionList)
        labels = [str(history.get_option_at_index(i).prompt)
                  for i in range(history.option_count)]
        assert labels[0].split() == ["2", "nginx:1.26", "bump", "(current)"]
        assert labels[1].split()[:2] == ["1", "nginx:1.25"]
        history.highlighted = 1
        await pilot.press("d")
        diff = str(view.query_one("#diff").render())
        assert "-  - image: nginx:1.26" in diff and "+  - image: nginx:1.25" in diff
        await pilot.press("b")  # revision 1 becomes the base; diff 2 against it
        history.highlighted = 0
        await pilot.press("d")
        diff = str(view.query_one("#diff").render())
        assert diff.startswith("--- revision 1\n+++ revision 2")


async def test_first_down_arrow_highlights_the_previous_revision(cluster: Cluster) -> None:
    await _two_revisions(cluster)
    app = action_app(DEPLOY)
    async with app.run_test(size=(140, 45)) as pilot:
        view = await _rollout_view(app, pilot, revisions=2)
        history = view.query_one(OptionList)
        assert history.highlighted == 0  # the current revision, on top
        await pilot.press("d")
        assert str(view.query_one("#diff").render()).startswith("Revision 2 is the one")
        await pilot.press("down")
        await pilot.press("d")
        diff = str(view.query_one("#diff").render())
        assert "-  - image: nginx:1.26" in diff and "+  - image: nginx:1.25" in diff
        await cluster.set_image_directly("nginx:1.27")  # a live update keeps the choice
        await wait_for(lambda: view.state is not None and len(view.state.history) == 3)
        assert history.highlighted_option is not None
        assert history.highlighted_option.id == "1"


async def test_shows_progress_deadline_exceeded_as_a_failure(cluster: Cluster) -> None:
    cluster.create_deployment(replicas=2, progressDeadlineSeconds=1)
    await wait_for(cluster.rolled_out)
    app = action_app(DEPLOY)
    async with app.run_test(size=(140, 45)) as pilot:
        view = await _rollout_view(app, pilot)
        await cluster.set_image_directly("app:never-ready")
        await wait_for(lambda: "exceeded its progress deadline" in view.status_text,
                       timeout=15)
        assert view.status_text.startswith(
            'FAILED  error: deployment "web" exceeded its progress deadline')
        assert view.query_one("#progress").has_class("failed")


async def test_undo_pause_and_resume_from_the_view(cluster: Cluster) -> None:
    await _two_revisions(cluster)
    app = action_app(DEPLOY)
    async with app.run_test(size=(140, 45)) as pilot:
        view = await _rollout_view(app, pilot, revisions=2)
        await pilot.press("u")
        confirm = await wait_for(lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        body = str(confirm.query_one("#body").render())  # the revision, and what changes
        assert str(confirm.query_one(".title").render()) == \
            "Roll deployment.apps/web back to revision 1?"
        assert "from revision 2 to revision 1" in body
        assert "image of app: nginx:1.26 -> nginx:1.25" in body
        await pilot.press("right", "enter")
        await wait_for(lambda: cluster.deployment()["metadata"]["annotations"][REVISION]
                       == "3" and cluster.rolled_out())
        assert cluster.deployment()["spec"]["template"]["spec"]["containers"][0][
            "image"] == "nginx:1.25"
        await wait_for(lambda: "(current)" in str(
            view.query_one(OptionList).get_option_at_index(0).prompt) and
            "nginx:1.25" in str(view.query_one(OptionList).get_option_at_index(0).prompt))
        await pilot.press("p")  # acts at once; the notification offers the undo
        await wait_for(lambda: cluster.deployment()["spec"].get("paused") is True)
        await wait_for(lambda: "PAUSED" in view.status_text)
        assert noted(app, "ctrl+z within 8 s: resume deployment.apps/web")
        await pilot.press("P")
        await wait_for(lambda: not cluster.deployment()["spec"].get("paused"))
        assert noted(app, "ctrl+z within 8 s: pause deployment.apps/web")
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, RolloutScreen))
