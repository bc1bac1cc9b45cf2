"""What kubetui writes to the terminal when little changes (issue 17: over SSH every byte
counts): a tick of the ages writes the characters that changed, not the rows."""

from __future__ import annotations

import re

from textual._compositor import CompositorUpdate
from textual.screen import Screen

from kubetui.cluster.store import Batch
from kubetui.ui.partial_update import CellScreen
from tests.ui.table_helpers import Clock, TableApp, pod
from tests.waiting import wait_for

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class WrittenApp(TableApp):
    """A table on the app's screen class, keeping what each screen update would write."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.written: list[str] = []

    def get_default_screen(self) -> Screen:
        return CellScreen(id="_default")

    def _display(self, screen: Screen, renderable: object) -> None:
        if isinstance(renderable, CompositorUpdate):
            self.written.append(renderable.render_segments(self.console))
        super()._display(screen, renderable)  # type: ignore[arg-type]

    def text_written(self) -> str:
        """The characters written since the last call, escape sequences left out."""
        text = "".join(_CONTROL.sub("", chunk) for chunk in self.written)
        self.written.clear()
        return text


def rows(*entries) -> Batch:
    return Batch(upserts=list(entries), deletes=[], reset=False)


async def test_a_tick_writes_the_changed_characters_of_the_ages() -> None:
    clock = Clock()
    app = WrittenApp(clock)
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.table
        table.apply(Batch(upserts=[pod(i, name=f"checkout-{i}", age_s=50) for i in range(5)],
                          deletes=[], reset=True))
        await pilot.pause()
        assert "checkout-4" in app.text_written()
        clock.now += 1  # 50s -> 51s on every row
        table.refresh_ages()
        await wait_for(lambda: app.written)
        await pilot.pause()
        assert app.text_written() == "1" * 5
        for _ in range(3):  # nothing changed: nothing written
            table.refresh_ages()
            await pilot.pause()
        assert app.text_written() == ""


async def test_a_status_change_writes_its_cell_and_a_heartbeat_nothing() -> None:
    clock = Clock()
    app = WrittenApp(clock)
    async with app.run_test(size=(100, 20)) as pilot:
        table = app.table
        table.apply(Batch(upserts=[pod(i, age_s=3600) for i in range(5)], deletes=[],
                          reset=True))
        await pilot.pause()
        app.text_written()
        table.apply(rows(pod(3, age_s=3600, rv="2")))  # a new resourceVersion, same row
        await pilot.pause()
        await pilot.pause()
        assert app.text_written() == ""
        table.apply(rows(pod(3, age_s=3600, status="Evicted", rv="3")))
        await wait_for(lambda: app.written)
        await pilot.pause()
        assert app.text_written() == "Evicted"  # over "Running": every letter differs
        assert "Evicted" in table.render_line(4).text
