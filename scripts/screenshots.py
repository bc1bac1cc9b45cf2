"""Regenerate every SVG in screenshots/ from the real app on the demo scenario.

    python scripts/screenshots.py [--out screenshots] [--settle 25]

A demo sandbox (the one `kubetui --demo` starts) runs in this process; the app is built by
`make_app`, as the CLI builds it, and driven headless through `App.run_test` with the keys a
person would press; each view is saved with `App.save_screenshot`. The user's own config
file is not read (the default theme and keys are shown). A view whose keys the app does not
bind yet is skipped, and said so.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's kubetui

from textual.binding import Binding  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.widgets import OptionList  # noqa: E402

from kubetui.config import Settings  # noqa: E402
from kubetui.sandbox.run import RunningSandbox, SandboxOptions  # noqa: E402
from kubetui.ui.app import KubetuiApp, make_app  # noqa: E402
from kubetui.ui.screens.dialogs import ScaleDialog  # noqa: E402
from kubetui.ui.screens.help import HelpScreen  # noqa: E402
from kubetui.ui.screens.log_screen import LogScreen  # noqa: E402
from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen  # noqa: E402
from kubetui.ui.screens.rollout_screen import RolloutScreen  # noqa: E402

SIZE = (150, 40)
OUT = Path(__file__).resolve().parent.parent / "screenshots"

Shot = Callable[[KubetuiApp, Pilot], Awaitable[None]]


async def until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"screenshots: gave up waiting ({timeout:.0f} s)")
        await asyncio.sleep(0.05)


def bound(action: str) -> bool:
    """Whether the app binds `action` (the actions are wired in as they land)."""
    return any(isinstance(b, Binding) and b.action == action for b in KubetuiApp.BINDINGS)


async def show(app: KubetuiApp, pilot: Pilot, command: str, row: str | None = None) -> None:
    """`:command`, wait for its rows, and put the cursor on the row named `row`."""
    await pilot.press("colon", *command, "enter")
    table = app.main_table
    await until(lambda: app.feed is not None and app.feed.health.state == "live"
                and table.row_count > 0)
    if row is not None:
        names = {table.entry_at(i).name: table.entry_at(i).uid for i in range(table.row_count)}
        uid = next(uid for name, uid in names.items() if name.startswith(row))
        table.select_uid(uid)
    await pilot.pause()


async def pods(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "pods -A", "api-")


async def drill_down(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "deploy payments", "checkout")
    await pilot.press("enter")
    await until(lambda: len(app.stack) == 2 and app.main_table.row_count > 0)


async def logs(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "deploy shop", "api")
    await pilot.press("l")
    await until(lambda: isinstance(app.screen, LogScreen) and app.screen.view.line_count > 40)
    await pilot.press("J")  # JSON lines shown pretty: level, message, then the fields


async def scale(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "deploy shop", "frontend")
    await pilot.press("s")
    await until(lambda: isinstance(app.screen, ScaleDialog))
    await pilot.press("up", "up")


async def rollout(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "deploy payments", "checkout")
    await pilot.press("o")
    await until(lambda: isinstance(app.screen, RolloutScreen)
                and app.screen.query_one(OptionList).option_count >= 2)
    app.screen.query_one(OptionList).highlighted = 1  # revision 1, the one that worked
    await pilot.press("d")  # what undoing to it would change


async def describe(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "pods shop", "recommendations")
    await pilot.press("d")
    await until(lambda: isinstance(app.screen, DescribeScreen) and app.screen.obj is not None)


async def yaml(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "deploy shop", "api")
    await pilot.press("y")
    await until(lambda: isinstance(app.screen, YamlScreen) and app.screen.obj is not None)


async def help_(app: KubetuiApp, pilot: Pilot) -> None:
    await show(app, pilot, "pods shop")
    await pilot.press("question_mark")
    await until(lambda: isinstance(app.screen, HelpScreen))


#: file name -> (the action it needs bound, how to get there)
SHOTS: dict[str, tuple[str | None, Shot]] = {
    "pods.svg": (None, pods),
    "drill-down.svg": (None, drill_down),
    "logs-json.svg": (None, logs),
    "scale-dialog.svg": ("scale", scale),
    "rollout.svg": ("rollout", rollout),
    "describe.svg": (None, describe),
    "yaml.svg": (None, yaml),
    "help.svg": (None, help_),
}


async def back_to_main(app: KubetuiApp, pilot: Pilot) -> None:
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


async def take(out: Path, settle: float) -> list[str]:
    """Save every shot whose keys are bound; returns the names of those skipped."""
    out.mkdir(parents=True, exist_ok=True)
    skipped = []
    with tempfile.TemporaryDirectory(prefix="kubetui-shots-") as tmp:
        sandbox = await RunningSandbox.start(SandboxOptions(
            scenario="demo", kubeconfig=f"{tmp}/kubeconfig"))
        try:
            # The demo's workloads come up as a real cluster's do: let them (crash loops
            # back off, the stuck rollout waits) before the first picture.
            await asyncio.sleep(settle)
            app = make_app(Settings(kubeconfig=f"{tmp}/kubeconfig",
                                    config_path=Path(tmp) / "no-config.yaml"))
            async with app.run_test(size=SIZE) as pilot:
                await until(lambda: app.session is not None)
                for name, (needs, shot) in SHOTS.items():
                    if needs is not None and not bound(needs):
                        skipped.append(name)
                        continue
                    await shot(app, pilot)
                    await pilot.pause(0.3)
                    app.save_screenshot(name, str(out))
                    print(f"screenshots: {out / name}", flush=True)
                    await back_to_main(app, pilot)
        finally:
            await sandbox.stop()
    return skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--settle", type=float, default=25.0,
                        help="seconds the demo runs before the first picture")
    args = parser.parse_args()
    skipped = asyncio.run(take(args.out, args.settle))
    for name in skipped:
        print(f"screenshots: skipped {name}: the app does not bind its key yet",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
