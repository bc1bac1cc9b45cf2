"""Each view the README shows, compared with its approved picture: a change to what a person
sees shows up as an SVG diff in review.

The scenes are the screenshot script's (scripts/scenes.py), played on the recorded demo
cluster at the moment it was recorded, so every picture is the same on every run. After an
intended change: `python -m pytest tests/ui/test_snapshots.py --snapshot-update`, then
review the SVGs in the diff (pytest-textual-snapshot's report shows old and new side by
side when one differs).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from kubetui.config import Settings
from kubetui.ui.app import make_app
from scripts.scenes import SCENES, SIZE, Scene, bound
from tests.ui.conftest import RecordedCluster


async def settled(pilot: Pilot, quiet: float = 1.1, timeout: float = 20.0) -> None:
    """Until the screen stays the same for `quiet` seconds (once-a-second counters such as
    the log view's lines/s have come to rest)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    before = pilot.app.export_screenshot()
    while True:
        await pilot.pause(quiet)
        now = pilot.app.export_screenshot()
        if now == before:
            return
        if loop.time() > deadline:
            raise AssertionError(f"the screen kept changing for {timeout:.0f} s")
        before = now


@pytest.mark.parametrize("scene", SCENES, ids=lambda scene: scene.name)
def test_scene(scene: Scene, recorded_cluster: RecordedCluster, frozen_clock: datetime,
               snap_compare, tmp_path: Path) -> None:
    if scene.needs is not None and not bound(scene.needs):
        pytest.skip(f"the app does not bind {scene.needs!r} yet")
    app = make_app(Settings(kubeconfig=str(recorded_cluster.kubeconfig),
                            config_path=tmp_path / "no-config.yaml"))

    async def play(pilot: Pilot) -> None:
        await scene.play(pilot.app, pilot)
        for field in pilot.app.screen.query(Input):  # a blinking cursor is a coin toss
            field.cursor_blink = False
        if scene.steady is not None:
            scene.steady(pilot.app)
        await settled(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=play)
