"""Nothing from the cluster reaches the terminal raw (issue 11).

Hostile strings (terminal title, OSC 52 clipboard write, clear screen, a C1 CSI, Rich
markup) are put where anyone with write access to a namespace can put them: annotations,
container args, env and image, ConfigMap and Secret data, event reason and message, a
Deployment's change-cause, log lines, a server error message (a name echoed in a 404), an
exec plugin's stderr. The real app runs with a driver that records every byte it would
send to the terminal; every Screen class of kubetui.ui (found by walking the subclasses,
so a new screen fails `test_every_screen_has_an_opener` until it gets an opener here) is
opened with the pilot, and the bytes must hold none of the injected sequences, while the
visible form of the hostile text does show where the screen displays outside text.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.drivers.headless_driver import HeadlessDriver
from textual.screen import Screen
from textual.widgets import DataTable

import kubetui.ui
from kubetui.cluster.actions import Ref
from kubetui.cluster.portforward import Target
from kubetui.helm.records import release_object
from kubetui.k9s.plugins import PluginInput
from kubetui.kinds import builtin
from kubetui.ui.aliases import AliasesScreen
from kubetui.sandbox.scenarios import helm_releases
from kubetui.ui.app import KubetuiApp
from kubetui.ui.messages import MessagesScreen
from kubetui.ui.partial_update import CellScreen
from kubetui.ui.screens.containers_screen import ContainersScreen
from kubetui.ui.screens.contexts import ContextPicker
from kubetui.ui.screens.dialogs import (ChoiceDialog, ConfirmDialog, PluginInputsDialog,
                                       PortForwardDialog, PromptDialog, ScaleDialog,
                                       SetImageDialog)
from kubetui.ui.screens.events_screen import EventsScreen
from kubetui.ui.screens.helm_screens import HelmScreen, HistoryScreen, ObjectsScreen
from kubetui.ui.screens.help import HelpScreen
from kubetui.ui.screens.log_screen import ContainerDialog, LogScreen
from kubetui.ui.screens.main_screen import MainScreen
from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen
from kubetui.ui.screens.portforwards_screen import PortForwardsScreen
from kubetui.ui.screens.problems_screen import ProblemsScreen
from kubetui.ui.screens.pulses_screen import PulsesScreen
from kubetui.ui.screens.rollout_screen import RolloutScreen
from kubetui.ui.screens.xray_screen import XrayScreen
from kubetui.ui.screens.text_screen import TextScreen
from kubetui.ui.widgets.resource_table import ResourceTable
from tests.ui.app_helpers import Api, app_for, header_text, live, until
from tests.ui.test_app_navigation import command, select

MARK = "pwned"
#: Log views drop whole escape sequences ("pwned" with them) and show the rest; the other
#: views make the sequences visible. Markup stays literal everywhere.
SHOWN = "[bold]loud[/bold]"
HOSTILE = f"\x1b]0;{MARK}\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\x9b31m{SHOWN}\x1b[H"
#: What must never be written: the sequences above, as the terminal would read them.
#: (A lone BEL is Textual's own: it ends the OSC 22 that sets the pointer shape.)
FORBIDDEN = ("\x1b]0;", "\x1b]52;", "\x1b[2J", "\x9b", f"{MARK}\x07", "cHduZWQ=\x07")
DEPLOY, CONFIGMAP, SECRET, POD = (builtin("Deployment"), builtin("ConfigMap"),
                                  builtin("Secret"), builtin("Pod"))


class RecordingDriver(HeadlessDriver):
    """The headless driver, except that the app renders to it as to a terminal and every
    write is kept in `app.written`."""

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self._app.written.append(data)  # type: ignore[attr-defined]


def recording_app(**settings: Any) -> KubetuiApp:
    app = app_for(**settings)
    app.driver_class = RecordingDriver
    app.written = []  # type: ignore[attr-defined]
    return app


def screen_classes() -> set[type[Screen]]:
    """Every Screen (ModalScreen included) defined in kubetui.ui, bases named _x aside."""
    for info in pkgutil.walk_packages(kubetui.ui.__path__, "kubetui.ui."):
        importlib.import_module(info.name)
    found: set[type[Screen]] = set()
    stack: list[type] = [Screen]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("kubetui.ui.") and not sub.__name__.startswith("_"):
                found.add(sub)
    return found


def assert_clean(app: KubetuiApp, since: int, what: str, shows_outside_text: bool) -> None:
    out = "".join(app.written[since:])  # type: ignore[attr-defined]
    assert out, f"{what}: nothing was drawn"
    leaked = [seq for seq in FORBIDDEN if seq in out]
    assert not leaked, f"{what}: the terminal got {leaked!r}"
    if shows_outside_text:
        assert _shown(out), f"{what}: the hostile text was not shown"


def _shown(out: str) -> bool:
    return MARK in out or SHOWN in out


async def drawn(app: KubetuiApp, pilot: Any, since: int) -> None:
    """Let the screen reach the terminal: until the hostile text is drawn, or a while."""
    with contextlib.suppress(AssertionError, TimeoutError):
        await until(lambda: _shown("".join(app.written[since:])), timeout=5)  # type: ignore
    await pilot.pause()


# ----- the hostile cluster --------------------------------------------------------------

async def hostile_world(api: Api, sandbox: Any, tmp: Path) -> dict[str, Any]:
    await api.node("node-1")
    await api.create("/api/v1/namespaces/default/pods", {
        "metadata": {"name": "evil", "annotations": {"note": HOSTILE}},
        "spec": {"nodeName": "node-1", "containers": [
            {"name": "main", "image": "busybox", "args": ["echo", HOSTILE],
             "env": [{"name": "EVIL", "value": HOSTILE}]},
            {"name": "side", "image": "busybox"}]}})
    await api.create("/api/v1/namespaces/default/configmaps",
                     {"metadata": {"name": "evil-cm"}, "data": {"payload": HOSTILE}})
    await api.create("/api/v1/namespaces/default/secrets",
                     {"metadata": {"name": "evil-secret"}, "stringData": {"payload": HOSTILE}})
    pod = (await api.client.request("GET", "/api/v1/namespaces/default/pods/evil"))
    await api.create("/api/v1/namespaces/default/events", {
        "metadata": {"name": "evil.1"}, "type": "Warning", "reason": f"Bad{HOSTILE}",
        "message": HOSTILE, "count": 1,
        "involvedObject": {"kind": "Pod", "namespace": "default", "name": "evil",
                           "uid": pod["metadata"]["uid"], "apiVersion": "v1"},
        "source": {"component": "kubelet"}})
    labels = {"app": "evil-deploy"}
    await api.create("/apis/apps/v1/namespaces/default/deployments", {
        "metadata": {"name": "evil-deploy",
                     "annotations": {"kubernetes.io/change-cause": HOSTILE}},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                     {"name": "main", "image": f"nginx{HOSTILE}"}]}}}})
    release = helm_releases.checkout(datetime.now(timezone.utc))[0]
    release["namespace"] = "default"
    release["chart"]["metadata"]["appVersion"] = HOSTILE
    release["info"].update(description=HOSTILE, notes=HOSTILE)
    release["manifest"] = yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": HOSTILE}})
    await api.create("/api/v1/namespaces/default/secrets", release_object(release))
    manifest = tmp / "evil.yaml"
    manifest.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": "evil-cm"},
                                        "data": {"payload": f"changed {HOSTILE}"}}))
    return {"manifest": manifest, "logs": sandbox.sandbox.logs}


# ----- how each screen is opened ------------------------------------------------------------

Opener = Callable[[KubetuiApp, Any, dict[str, Any]], Awaitable[bool]]


async def _on_screen(app: KubetuiApp, cls: type[Screen]) -> None:
    await until(lambda: isinstance(app.screen, cls), message=f"{cls.__name__} open")


async def _close(app: KubetuiApp, pilot: Any) -> None:
    while len(app.screen_stack) > 1:
        app.pop_screen()
        await pilot.pause()


async def press_on(app: KubetuiApp, pilot: Any, view: tuple[str, str], row: str | None,
                   key: str, cls: type[Screen]) -> None:
    """`:view`, the cursor on `row`, `key`: as a person opens `cls`."""
    await command(pilot, view[0])
    await live(app, view[1])
    if row is not None:
        await select(app, row)
    await pilot.press(key)
    await _on_screen(app, cls)


async def open_describe(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("pods", "pods"), "evil", "d", DescribeScreen)
    await until(lambda: app.screen.loads > 0 and MARK in app.screen.view.text)
    return True


async def open_yaml(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    assert app.session is not None
    app.push_screen(YamlScreen(app.session.store, SECRET, "default", "evil-secret"))
    await _on_screen(app, YamlScreen)
    await until(lambda: app.screen.loads > 0)
    await pilot.press("x")  # revealed: the decoded hostile value
    await until(lambda: MARK in app.screen.view.text)
    return True


async def open_events(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    assert app.session is not None
    app.push_screen(EventsScreen(app.session.store, "default"))
    await _on_screen(app, EventsScreen)
    await until(lambda: any(t.row_count for t in app.screen.query(ResourceTable)))
    return True


async def open_logs(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("pods", "pods"), "evil", "l", LogScreen)
    await until(lambda: app.screen.view.line_count > 0)
    world["logs"].append(("default", "evil", "main"), f"log line {HOSTILE}")  # as it follows
    await until(lambda: any(SHOWN in line.text for line in app.screen.view.ring))
    return True


async def open_containers(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await open_logs(app, pilot, world)
    await pilot.press("a")
    await _on_screen(app, ContainerDialog)
    return False  # container names are validated by the server: nothing hostile to show


async def open_rollout(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    assert app.action_runner is not None
    runner = app.action_runner
    app.push_screen(RolloutScreen(runner.actions, runner.session.store,
                                  Ref(DEPLOY, "default", "evil-deploy"), runner.readonly))
    await _on_screen(app, RolloutScreen)
    await until(lambda: app.screen.state is not None and app.screen.state.history)
    return True


async def open_confirm(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await open_prompt(app, pilot, world)
    await pilot.press(*str(world["manifest"]), "enter")
    await _on_screen(app, ConfirmDialog)  # the apply plan, with its diff
    return True


async def open_prompt(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("cm", "configmaps"), None, "ctrl+o", PromptDialog)
    return False


async def open_scale(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("deploy", "deployments"), "evil-deploy", "s", ScaleDialog)
    return False


async def open_set_image(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("deploy", "deployments"), "evil-deploy", "i",
                   SetImageDialog)
    return True


async def open_choice(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("pods", "pods"), "evil", "s", ChoiceDialog)  # 2 containers
    return False  # container names are validated by the server: nothing hostile to show


async def open_port_forward(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("deploy", "deployments"), "evil-deploy", "F",
                   PortForwardDialog)
    return False  # port names are validated by the server too


async def open_plugin_inputs(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    # A plugins.yaml copied from someone else: its labels, defaults and options.
    app.push_screen(PluginInputsDialog(f"Plugin {HOSTILE}", [
        PluginInput("text", "string", label=HOSTILE, default=HOSTILE),
        PluginInput("flag", "bool", label=HOSTILE),
        PluginInput("choice", "dropdown", label=HOSTILE, default=HOSTILE,
                    options=(HOSTILE,))]))
    await _on_screen(app, PluginInputsDialog)
    return True


async def open_port_forwards(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    assert app.session is not None  # a forward whose reason echoes a hostile pod name
    forward = await app.session.forwards.start(Target(POD, "default", f"x{HOSTILE}"), 80)
    app.push_screen(PortForwardsScreen(app.session.forwards))
    await _on_screen(app, PortForwardsScreen)
    await until(lambda: any(t.row_count == 1 for t in app.screen.query(DataTable)))
    await until(lambda: "gone" in str(app.screen.table.get_row_at(0)))
    await app.session.forwards.stop(forward)
    return True


async def open_contexts(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    app.push_screen(ContextPicker(app.kubeconfig.contexts, app.context_name))
    await _on_screen(app, ContextPicker)
    return True


def _cells_show(table: ResourceTable) -> bool:
    return any(MARK in cell or SHOWN in cell for i in range(table.row_count)
               for cell in table.entry_at(i).cells)


async def open_problems(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("pods", "pods"), None, "exclamation_mark", ProblemsScreen)
    app.screen.index.grace = 0.0
    await until(lambda: app.screen.table.row_count > 0
                or app.screen.table.empty_text.startswith("No problems"))
    with contextlib.suppress(AssertionError):  # if the hostile image's pull error shows
        await until(lambda: _cells_show(app.screen.table), timeout=5)
    return _cells_show(app.screen.table)


async def open_pulses(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await command(pilot, "pulses")
    await _on_screen(app, PulsesScreen)
    await until(lambda: app.screen.kinds.row_count > 0)
    return False  # kinds and counts only


async def open_xray(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await command(pilot, "xray deploy")
    await _on_screen(app, XrayScreen)
    await until(lambda: app.screen.loads > 0 and app.screen.table.row_count > 0)
    with contextlib.suppress(AssertionError):  # the hostile image, on its container's line
        await until(lambda: _cells_show(app.screen.table), timeout=10)
    return _cells_show(app.screen.table)


async def open_containers_of_pod(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await press_on(app, pilot, ("pods", "pods"), "evil", "enter", ContainersScreen)
    await until(lambda: app.screen.table.row_count == 2)
    return False  # names, states and images the server validated


async def open_help(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await pilot.press("question_mark")
    await _on_screen(app, HelpScreen)
    return False


async def open_main(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await command(pilot, "cm")  # the main screen (a CellScreen) redrawn with another view
    await live(app, "configmaps")
    await select(app, "evil-cm")
    return False  # names are validated by the server


async def open_aliases(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await pilot.press("ctrl+a")
    await _on_screen(app, AliasesScreen)
    return False  # kinds come from discovery: no hostile one in the sandbox


async def open_messages(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    app.notify(f"the server said {HOSTILE}", severity="error")  # outside text, kept
    await command(pilot, "messages")
    await _on_screen(app, MessagesScreen)
    return True


async def open_helm(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await command(pilot, "helm")
    await _on_screen(app, HelmScreen)
    await until(lambda: app.screen.shown)
    return True  # the chart's app version


async def open_history(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await open_helm(app, pilot, world)
    await pilot.press("enter")
    await _on_screen(app, HistoryScreen)
    await until(lambda: app.screen.shown)
    return True  # the revision's description


async def open_release_objects(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await open_history(app, pilot, world)
    await pilot.press("o")
    await _on_screen(app, ObjectsScreen)
    return True  # an object's name, from the manifest


async def open_text(app: KubetuiApp, pilot: Any, world: dict[str, Any]) -> bool:
    await open_history(app, pilot, world)
    await pilot.press("n")
    await _on_screen(app, TextScreen)
    return True  # the release's notes


OPENERS: dict[type[Screen], Opener] = {
    CellScreen: open_main, MainScreen: open_main, AliasesScreen: open_aliases, MessagesScreen: open_messages,
    DescribeScreen: open_describe, YamlScreen: open_yaml, EventsScreen: open_events,
    LogScreen: open_logs, ContainerDialog: open_containers, RolloutScreen: open_rollout,
    ConfirmDialog: open_confirm, PromptDialog: open_prompt, ScaleDialog: open_scale,
    SetImageDialog: open_set_image, ContextPicker: open_contexts, HelpScreen: open_help,
    ProblemsScreen: open_problems, PulsesScreen: open_pulses, XrayScreen: open_xray,
    ContainersScreen: open_containers_of_pod,
    ChoiceDialog: open_choice, PortForwardDialog: open_port_forward,
    PortForwardsScreen: open_port_forwards, PluginInputsDialog: open_plugin_inputs,
    HelmScreen: open_helm, HistoryScreen: open_history, ObjectsScreen: open_release_objects,
    TextScreen: open_text,
}


def test_every_screen_has_an_opener() -> None:
    missing = sorted(c.__qualname__ for c in screen_classes() - set(OPENERS))
    assert not missing, f"add an opener to tests/ui/test_injection.py for {missing}"


def hostile_kubeconfig(sandbox: Any, home: Path) -> Path:
    """The sandbox's kubeconfig plus a context whose name and namespace are hostile."""
    path = Path(sandbox.kubeconfig)
    doc = yaml.safe_load(path.read_text())
    ctx = doc["contexts"][0]
    doc["contexts"].append({"name": f"other{HOSTILE}",
                            "context": {**ctx["context"], "namespace": HOSTILE}})
    out = home / "hostile.kubeconfig"
    out.write_text(yaml.safe_dump(doc))
    return out


@pytest.mark.timeout(170)
async def test_no_view_writes_injected_sequences(sandbox, api: Api, isolated_home: Path,
                                                 tmp_path: Path) -> None:
    world = await hostile_world(api, sandbox, tmp_path)
    app = recording_app(kubeconfig_path=hostile_kubeconfig(sandbox, isolated_home))
    async with app.run_test(headless=False, size=(160, 45)) as pilot:
        await live(app, "pods")
        await select(app, "evil")
        await pilot.pause()
        assert_clean(app, 0, "the pods table", shows_outside_text=False)
        for cls, opener in sorted(OPENERS.items(), key=lambda kv: kv[0].__name__):
            since = len(app.written)
            shows = await opener(app, pilot, world)
            await drawn(app, pilot, since)
            assert_clean(app, since, cls.__name__, shows)
            await _close(app, pilot)
        # a server error: a 404 that echoes the hostile name, in a screen and a toast
        since = len(app.written)
        app.push_screen(DescribeScreen(app.session.store, POD, "default", f"x{HOSTILE}"))
        await until(lambda: app.screen.loads > 0 and app.screen.error)
        assert app.action_runner is not None
        await app.action_runner.run("scale", [Ref(DEPLOY, "default", f"x{HOSTILE}")])
        await until(lambda: any(MARK in n.message for n in app._notifications))
        await drawn(app, pilot, since)
        assert_clean(app, since, "server errors", shows_outside_text=True)


async def test_plugin_stderr_does_not_reach_the_terminal(isolated_home: Path) -> None:
    """An exec credential plugin that fails with escapes on stderr: the header and the
    notification say so, drawn safely."""
    plugin = isolated_home / "plugin.py"
    plugin.write_text(f"import sys\nsys.stderr.write({HOSTILE!r})\nsys.exit(1)\n")
    kubeconfig = isolated_home / "plugin.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
        "users": [{"name": "u", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable,
            "args": [str(plugin)], "interactiveMode": "Never"}}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]}))
    app = recording_app(kubeconfig_path=kubeconfig)
    async with app.run_test(headless=False, size=(160, 45)) as pilot:
        await until(lambda: "failed" in header_text(app), message="the plugin's failure shown")
        await until(lambda: app._notifications, message="a notification")
        await drawn(app, pilot, 0)
        assert_clean(app, 0, "plugin stderr", shows_outside_text=True)
