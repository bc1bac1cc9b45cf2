"""Regenerate every SVG in screenshots/ from the real app on the demo scenario.

    python scripts/screenshots.py [--out screenshots] [--settle 25] [--record] [--only NAME..]

A demo sandbox (the one `kubetui --demo` starts) runs in this process; the app is built by
`make_app`, as the CLI builds it, and driven headless through `App.run_test` with the keys a
person would press (the scenes of scripts/scenes.py, which the snapshot tests play too);
each view is saved with `App.save_screenshot`. The user's own config file is not read (the
default theme and keys are shown). A view whose keys the app does not bind yet is skipped,
and said so. `--record` also saves the settled demo cluster for the snapshot tests
(tests/ui/scenes/demo.json); review their diffs, then `--snapshot-update` them.
Two pictures are not scenes (no snapshot test plays them): the Helm history, and the merged
table of two demo sandboxes at once (`--context prod-eu,prod-us`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's kubetui

from kubetui.config import Settings  # noqa: E402
from kubetui.sandbox.kubeconfig import merged_kubeconfig  # noqa: E402
from kubetui.sandbox.run import RunningSandbox, SandboxOptions  # noqa: E402
import yaml  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from kubetui.ui.app import KubetuiApp, make_app  # noqa: E402
from kubetui.ui.screens.helm_screens import HelmScreen, HistoryScreen  # noqa: E402
from scripts.scenes import (RECORDED, SCENES, SIZE, back_to_main, bound, record,  # noqa: E402
                            show, until)

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def helm(app: KubetuiApp, pilot: Pilot) -> None:
    """`:helm -A`, then enter on checkout: its history, the failed upgrade last."""
    await pilot.press("colon", *"helm -A", "enter")
    await until(lambda: isinstance(app.screen, HelmScreen) and len(app.screen.shown) >= 3)
    screen = app.screen
    assert isinstance(screen, HelmScreen)
    screen.table.move_cursor(row=[r.name for r in screen.shown].index("checkout"))
    await pilot.press("enter")
    await until(lambda: isinstance(app.screen, HistoryScreen) and len(app.screen.shown) == 3)


async def two_clusters(out: Path, settle: float) -> None:
    """`--context prod-eu,prod-us` on two demo sandboxes: the merged Deployments table."""
    with tempfile.TemporaryDirectory(prefix="kubetui-shots-") as tmp:
        sandboxes = [await RunningSandbox.start(SandboxOptions(
            scenario="demo", kubeconfig=f"{tmp}/{name}")) for name in ("eu", "us")]
        try:
            await asyncio.sleep(settle)
            path = Path(tmp) / "merged-kubeconfig"
            path.write_text(yaml.safe_dump(merged_kubeconfig(
                {"prod-eu": Path(tmp) / "eu", "prod-us": Path(tmp) / "us"})))
            app = make_app(Settings(kubeconfig=str(path), context="prod-eu,prod-us",
                                    all_namespaces=True,
                                    config_path=Path(tmp) / "no-config.yaml"))
            async with app.run_test(size=SIZE) as pilot:
                await show(app, pilot, "deploy")
                await pilot.pause(0.5)
                app.save_screenshot("multi-cluster.svg", str(out))
                print(f"screenshots: {out / 'multi-cluster.svg'}", flush=True)
        finally:
            for sandbox in sandboxes:
                await sandbox.stop()


async def take(out: Path, settle: float, record_to: Path | None,
               only: set[str] | None = None) -> list[str]:
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
            if record_to is not None:
                record_to.parent.mkdir(parents=True, exist_ok=True)
                record_to.write_text(json.dumps(record(sandbox.sandbox), indent=1) + "\n")
                print(f"screenshots: recorded the cluster in {record_to}", flush=True)
            app = make_app(Settings(kubeconfig=f"{tmp}/kubeconfig",
                                    config_path=Path(tmp) / "no-config.yaml"))
            async with app.run_test(size=SIZE) as pilot:
                shots = [(f"{scene.name}.svg", scene.needs, scene.play) for scene in SCENES]
                for name, needs, play in [*shots, ("helm.svg", None, helm)]:
                    if only is not None and name not in only:
                        continue
                    if needs is not None and not bound(needs):
                        skipped.append(name)
                        continue
                    await play(app, pilot)
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
    parser.add_argument("--record", action="store_true",
                        help=f"also save the settled cluster in {RECORDED}")
    parser.add_argument("--only", nargs="*", metavar="NAME",
                        help="only these pictures (e.g. helm.svg multi-cluster.svg)")
    args = parser.parse_args()
    only = set(args.only) if args.only else None
    skipped = asyncio.run(take(args.out, args.settle, RECORDED if args.record else None,
                               only))
    if only is None or "multi-cluster.svg" in only:
        asyncio.run(two_clusters(args.out, args.settle))
    for name in skipped:
        print(f"screenshots: skipped {name}: the app does not bind its key yet",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
