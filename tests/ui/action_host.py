"""The real app opened on one kind for the action tests (as `make_app` builds it, so through
the real bindings, read-only gate and runner), its recorded notifications, and an $EDITOR
script for the edit tests."""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from kubetui.config import default_config_path
from kubetui.kinds import Kind
from kubetui.ui.app import KubetuiApp
from tests.ui.app_helpers import app_for, names
from tests.waiting import wait_for


def action_app(kind: Kind, namespace: str = "default", readonly: bool = False,
               ceiling: int | None = None) -> KubetuiApp:
    """The app as `make_app` builds it (so the real bindings, read-only gate and runner),
    opening on `kind` in `namespace` ("" for the context's) as `-c`/`-n` would; a
    `ceiling` is written to the config file as `scale_ceiling`. Its notifications are
    recorded (`notes`)."""
    if ceiling is not None:
        config = default_config_path()
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(f"scale_ceiling: {ceiling}\n")
    app = app_for(view=kind.plural, namespace=namespace or None, readonly=readonly)
    recorded: list[tuple[str, str]] = []
    shown = app.notify

    def notify(message: str, **options: Any) -> None:
        recorded.append((options.get("severity", "information"), message))
        shown(message, **options)

    app.notify = notify  # type: ignore[method-assign]
    _NOTES[app] = recorded
    return app


_NOTES: weakref.WeakKeyDictionary[KubetuiApp, list[tuple[str, str]]] = \
    weakref.WeakKeyDictionary()


def notes(app: KubetuiApp) -> list[tuple[str, str]]:
    """The app's notifications so far: (severity, message)."""
    return _NOTES[app]


def noted(app: KubetuiApp, words: str) -> str | None:
    """The first notification holding `words`."""
    return next((m for _, m in notes(app) if words in m), None)


async def opened(app: KubetuiApp, pilot: Any, *rows: str) -> None:
    """Wait until the app is connected and its table shows `rows`."""
    await wait_for(lambda: app.action_runner is not None and set(rows) <= set(names(app)))
    await pilot.pause()


def editor_script(folder: Path, steps: list[dict[str, Any]]) -> Path:
    """An $EDITOR that applies `steps[n]` on its n-th run and keeps what it was shown in
    `shown-<n>.yaml`. A step: {"replace": [old, new]}, {"append": text}, {"keep": true},
    {"write": text}, optionally {"wait_for": filename} before saving."""
    import json
    import sys

    (folder / "steps.json").write_text(json.dumps(steps))
    script = folder / "editor.py"
    script.write_text(f"""#!{sys.executable}
import json, pathlib, sys, time
here = pathlib.Path({str(folder)!r})
steps = json.loads((here / "steps.json").read_text())
count = here / "count"
n = int(count.read_text()) if count.exists() else 0
count.write_text(str(n + 1))
target = pathlib.Path(sys.argv[-1])
text = target.read_text()
(here / f"shown-{{n}}.yaml").write_text(text)
step = steps[n]
if "wait_for" in step:
    deadline = time.time() + 10
    while not (here / step["wait_for"]).exists() and time.time() < deadline:
        time.sleep(0.02)
if "replace" in step:
    text = text.replace(step["replace"][0], step["replace"][1], 1)
if "append" in step:
    text += step["append"]
if "write" in step:
    text = step["write"]
target.write_text(text)
""")
    script.chmod(0o755)
    return script
