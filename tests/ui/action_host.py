"""A host app for the action keys: one live table of a kind with the keys wired as the app
wires them, and an $EDITOR script for the edit tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Footer

from kubetui.cluster import kubeconfig
from kubetui.kinds import Kind
from kubetui.render import columns_for
from kubetui.ui.actions_ui import ACTION_BINDINGS, ACTIONS, ActionKeys, ActionRunner
from kubetui.ui.resource_table import ResourceTable
from kubetui.ui.session import Session
from kubetui.ui.views import Feed, root_view
from tests.ui.app_helpers import FAST as FAST_STORE


class ActionsHost(ActionKeys, App[None]):
    """One live table of `kind` with the action keys, wired as the app wires them (see
    `ActionKeys`); notifications are recorded."""

    BINDINGS = [*ACTION_BINDINGS]

    def __init__(self, kind: Kind, namespace: str = "default", readonly: bool = False,
                 ceiling: int = 1000, drain: dict[str, float] | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.namespace = namespace
        self.readonly = readonly
        self.ceiling = ceiling
        self.drain_options = drain or {}
        self.notes: list[tuple[str, str]] = []  # (severity, message)
        self.session: Session | None = None
        self.feed: Feed | None = None

    def compose(self) -> ComposeResult:
        yield ResourceTable(id="main")
        yield Footer()

    @property
    def table(self) -> ResourceTable:
        return self.query_one(ResourceTable)

    async def on_mount(self) -> None:
        config = kubeconfig.load()
        self.session = await Session.open(config, config.current, FAST_STORE)
        self.action_runner = ActionRunner(self, self.session, self.readonly, self.ceiling,
                                          self.drain_options)
        self.table.set_columns(columns_for(self.kind.kind, self.kind.group))
        self.table.focus()
        self.feed = Feed(self.session.store, root_view(self.kind, self.namespace),
                         self.table.apply, lambda _: None, lambda _: None)
        self.refresh_bindings()

    async def on_unmount(self) -> None:
        if self.feed is not None:
            self.feed.close()
        if self.session is not None:
            await self.session.close()

    def action_context(self) -> tuple[ResourceTable, Kind | None, str]:
        return self.table, self.kind, self.namespace

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.actions_check(action) if action in ACTIONS else True

    def notify(self, message: str, *, title: str = "", severity: str = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        self.notes.append((severity, message))
        super().notify(message, title=title, severity=severity,  # type: ignore[arg-type]
                       timeout=timeout, markup=markup)

    def noted(self, words: str) -> str | None:
        return next((m for _, m in self.notes if words in m), None)

    def names(self) -> list[str]:
        return [self.table.entry_at(i).name for i in range(self.table.row_count)]


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
