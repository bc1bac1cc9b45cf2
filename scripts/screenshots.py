"""Regenerate every SVG in screenshots/ from the real app on the demo scenario.

    python scripts/screenshots.py [--out screenshots] [--settle 25] [--record]

A demo sandbox (the one `kubetui --demo` starts) runs in this process; the app is built by
`make_app`, as the CLI builds it, and driven headless through `App.run_test` with the keys a
person would press (the scenes of scripts/scenes.py, which the snapshot tests play too);
each view is saved with `App.save_screenshot`. The user's own config file is not read (the
default theme and keys are shown). A view whose keys the app does not bind yet is skipped,
and said so. `--record` also saves the settled demo cluster for the snapshot tests
(tests/ui/scenes/demo.json); review their diffs, then `--snapshot-update` them.
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
from kubetui.sandbox.run import RunningSandbox, SandboxOptions  # noqa: E402
from kubetui.ui.app import make_app  # noqa: E402
from scripts.scenes import RECORDED, SCENES, SIZE, back_to_main, bound, record  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "screenshots"


async def take(out: Path, settle: float, record_to: Path | None) -> list[str]:
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
                for scene in SCENES:
                    name = f"{scene.name}.svg"
                    if scene.needs is not None and not bound(scene.needs):
                        skipped.append(name)
                        continue
                    await scene.play(app, pilot)
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
    args = parser.parse_args()
    skipped = asyncio.run(take(args.out, args.settle, RECORDED if args.record else None))
    for name in skipped:
        print(f"screenshots: skipped {name}: the app does not bind its key yet",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
