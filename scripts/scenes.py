"""The views the README shows, as scenes: the keys a person presses to get to each one.

One definition for two users: `scripts/screenshots.py` plays them on a live demo sandbox
and saves the README's pictures; `tests/ui/test_snapshots.py` plays them on a recorded demo
cluster (tests/ui/scenes/demo.json, written by `screenshots.py --record`) at the moment it
was recorded, and compares each screen with its approved SVG. This module also records and
reloads that cluster.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import OptionList

from kubetui.cluster.portforward import Target, free_port
from kubetui.kinds import builtin
from kubetui.sandbox.apiserver.store import now_rfc3339
from kubetui.sandbox.core import Sandbox
from kubetui.ui.app import KubetuiApp
from kubetui.ui.screens.dialogs import ScaleDialog
from kubetui.ui.screens.help import HelpScreen
from kubetui.ui.screens.log_screen import LogScreen
from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen
from kubetui.ui.screens.portforwards_screen import PortForwardsScreen
from kubetui.ui.screens.rollout_screen import RolloutScreen

SIZE = (150, 40)
RECORDED = Path(__file__).resolve().parent.parent / "tests" / "ui" / "scenes" / "demo.json"


async def until(condition: Callable[[], object], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"scenes: gave up waiting ({timeout:.0f} s)")
        await asyncio.sleep(0.05)


def bound(action: str) -> bool:
    """Whether the app binds `action` (the actions are wired in as they land)."""
    return any(isinstance(b, Binding) and b.action == action for b in KubetuiApp.BINDINGS)


async def show(app: KubetuiApp, pilot: Pilot, command: str, row: str | None = None) -> None:
    """`:command`, wait for its rows, and put the cursor on the row named `row`."""
    await until(lambda: app.session is not None)
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
    # A Deployment of one pod: with several, lines of different pods interleave in the
    # order their streams happen to arrive, which no fixed picture can show.
    await show(app, pilot, "deploy payments", "event-worker")
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


#: The port-forward scene's forwards: (kind, namespace, name, remote port, the local port
#: asked for, as typed in shift-f's dialog as LOCAL:REMOTE). The admin Deployment's pod
#: cannot pull its image: its forward waits, "reconnecting".
FORWARDS = (("Service", "shop", "frontend", 80, 8080),
            ("Pod", "data", "postgres-0", 5432, 5432),
            ("Deployment", "shop", "admin", 8080, 8081))


async def portforwards(app: KubetuiApp, pilot: Pilot) -> None:
    """Three forwards started (a Service, a pod, a workload with no ready pod), then
    `:pf`. A local port already taken is replaced by a free one, as the dialog does."""
    await show(app, pilot, "svc -A")  # connected
    assert app.session is not None
    for kind, namespace, name, remote, local in FORWARDS:
        await app.session.forwards.start(Target(builtin(kind), namespace, name), remote,
                                         free_port("127.0.0.1", local))
    await pilot.press("colon", *"pf", "enter")
    await until(lambda: isinstance(app.screen, PortForwardsScreen)
                and app.screen.table.row_count == len(FORWARDS))


def asked_ports(app: KubetuiApp) -> None:
    """The forwards shown on the local ports the scene asked for, whichever the system
    gave (a port taken on this machine must not change the snapshot)."""
    assert app.session is not None
    for forward, (*_, local) in zip(app.session.forwards.forwards, FORWARDS):
        forward.local_port = local


@dataclass(frozen=True)
class Scene:
    name: str  # the picture's file name without .svg
    needs: str | None  # the action the app must bind for the scene to exist
    play: Callable[[KubetuiApp, Pilot], Awaitable[None]]
    #: What the snapshot test makes fixed that the machine chooses (masks), or None.
    steady: Callable[[KubetuiApp], None] | None = None


SCENES = [
    Scene("pods", None, pods),
    Scene("drill-down", None, drill_down),
    Scene("logs-json", None, logs),
    Scene("scale-dialog", "scale", scale),
    Scene("rollout", "rollout", rollout),
    Scene("describe", None, describe),
    Scene("yaml", None, yaml),
    Scene("help", None, help_),
    Scene("portforwards", None, portforwards, steady=asked_ports),
]


async def back_to_main(app: KubetuiApp, pilot: Pilot) -> None:
    """The main view again, with no forward left running (the header would count it)."""
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()
    if app.session is not None:
        await app.session.forwards.stop_all()


# ----- the recorded cluster ----------------------------------------------------------------

#: Log lines kept per container instance: more than a screen, less than a large file.
LOG_TAIL = 200
NAMESPACES = ("", "namespaces")


def record(sb: Sandbox) -> dict[str, Any]:
    """Every object of `sb` and the tail of every container's logs, with the moment they
    were taken."""
    objects = [{"resource": list(key), "object": obj}
               for key in sorted(sb.store.resources()) for obj in sb.store.iter(key)]
    objects.sort(key=lambda o: (o["resource"] != list(NAMESPACES), o["resource"],
                                o["object"]["metadata"].get("namespace", ""),
                                o["object"]["metadata"]["name"]))
    logs = []
    for pod in sb.store.iter(("", "pods")):
        spec, meta = pod.get("spec") or {}, pod["metadata"]
        for c in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
            key = (meta["namespace"], meta["name"], c["name"])
            logs.append({
                "container": list(key), "running": sb.logs.running(key),
                **{which: [[line.time.isoformat(), line.text]
                           for line in sb.logs.lines(key, previous)[-LOG_TAIL:]]
                   for which, previous in (("current", False), ("previous", True))
                   if sb.logs.has(key, previous)}})
    logs.sort(key=lambda entry: entry["container"])
    return {"now": now_rfc3339(), "objects": objects, "logs": logs}


def replay(sb: Sandbox, state: dict[str, Any]) -> None:
    """Put a recorded cluster into `sb` (run without controllers, so nothing moves): the
    objects as they were (uid, creation time, generation, deletion mark included) and
    their logs."""
    store = sb.store
    for entry in state["objects"]:
        key, obj = tuple(entry["resource"]), entry["object"]
        meta = obj["metadata"]
        namespace = meta.get("namespace", "")
        if store.find(key, namespace, meta["name"]) is not None:  # a fresh cluster's own
            store.delete(key, namespace, meta["name"])
        stored = store.create(key, obj, namespaced=bool(namespace))
        # The store stamps these on create, as an API server does; a recording keeps its own.
        for field in ("creationTimestamp", "generation", "deletionTimestamp"):
            if field in meta:
                stored["metadata"][field] = meta[field]
    for entry in state["logs"]:
        key = tuple(entry["container"])
        for which in ("previous", "current"):
            if which in entry:
                sb.logs.start(key)
                for stamp, text in entry[which]:
                    sb.logs.append(key, text, datetime.fromisoformat(stamp))
        if not entry["running"]:
            sb.logs.stop(key)


def recorded_now(state: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(state["now"].replace("Z", "+00:00"))
