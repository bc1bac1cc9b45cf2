"""The dialogs alone: what they tell a person before anything is sent."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Select

from kubetui.cluster.actions import Container
from kubetui.ui.screens.dialogs import SetImageDialog
from tests.waiting import wait_for


async def test_set_image_dialog_names_the_container_it_edits_and_its_keys() -> None:
    containers = [Container("migrate", "flyway:10", init=True), Container("app", "web:1.4"),
                  Container("proxy", "envoy:1.30")]
    app: App[None] = App()
    async with app.run_test(size=(120, 30)) as pilot:
        dialog = SetImageDialog("deployment.apps/web", containers)
        await app.push_screen(dialog)
        await wait_for(lambda: dialog.is_mounted and dialog.focused is dialog.field)

        def text(selector: str) -> str:
            return str(dialog.query_one(selector).render())
        assert text("#editing") == "Editing the image of container app (now web:1.4)"
        assert dialog.field.value == "web:1.4"
        assert "tab: to the container list" in text(".hint") and "esc cancels" in text(".hint")
        dialog.query_one("#container", Select).value = 2
        await wait_for(lambda: "proxy" in text("#editing"))
        assert text("#editing") == "Editing the image of container proxy (now envoy:1.30)"
        assert dialog.field.value == "envoy:1.30"
        dialog.query_one("#container", Select).value = 0
        await wait_for(lambda: "init container migrate" in text("#editing"))
        await pilot.press("escape")
