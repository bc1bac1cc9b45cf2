"""k9s's aliases, hotkeys and plugins, written as k9s's README shows them, at work in the
app: typed, pressed, listed in help, refused in read-only mode, and a plugin running a
real command with its variables."""

from __future__ import annotations

import textwrap
from pathlib import Path

from textual.widgets import OptionList

from kubetui.cluster import kubeconfig as kubeconfigs
from kubetui.ui.aliases import AliasesScreen
from kubetui.ui.app import KubetuiApp
from kubetui.ui.screens.dialogs import ConfirmDialog, PluginInputsDialog
from kubetui.ui.screens.text_screen import TextScreen
from tests.ui.app_helpers import Api, app_for, header_text, live, names, until
from tests.ui.test_metrics_columns import cells, pinned_pod


def _k9s(home: Path, name: str, text: str) -> None:
    folder = home / ".config" / "k9s"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text))


async def _select(app: KubetuiApp, name: str) -> None:
    await until(lambda: name in names(app), message=f"{name} shown")
    table = app.main_table
    assert table.select_uid(next(table.entry_at(i).uid for i in range(table.row_count)
                                 if table.entry_at(i).name == name))


def _notes(app: KubetuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def _fred_and_blee(api: Api) -> None:
    """What the README's `fred: pod fred app=blee` alias shows: blee-1, not other."""
    await api.namespace("fred")
    await api.pod("blee-1", namespace="fred", labels={"app": "blee"})
    await api.pod("other", namespace="fred", labels={"app": "other"})


async def test_aliases_and_hotkeys(sandbox, api: Api, isolated_home: Path) -> None:
    _k9s(isolated_home, "aliases.yaml", """\
        aliases:
          dd: apps/v1/deployments
          fred: pod fred app=blee
        """)
    _k9s(isolated_home, "hotkeys.yaml", """\
        hotKeys:
          shift-2:
            shortCut:    Shift-2
            description: View deployments
            command:     deploy
          taken:
            shortCut:    d
            description: Not this one
            command:     svc
          mine:
            shortCut:    y
            override:    true
            description: Services, not YAML
            command:     svc
        """)
    await _fred_and_blee(api)
    await api.deployment("web")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("colon", *"dd", "enter")
        await live(app, "deployments")
        await until(lambda: names(app) == ["web"])
        await pilot.press("colon", *"fred", "enter")
        await live(app, "pods")
        await until(lambda: names(app) == ["blee-1"])
        assert "fred" in header_text(app)
        assert app.main_table.filter.text == "-l app=blee"
        # The hotkey: Shift-2 is `@`; it is listed with its description.
        assert any(b.binding.description == "View deployments"
                   for b in app.active_bindings.values())
        await pilot.press("at")
        await live(app, "deployments")
        # `d` is describe: the hotkey is left out and said so; `y` is taken over.
        hotkeys_file = isolated_home / ".config" / "k9s" / "hotkeys.yaml"
        await until(lambda: any(f"{hotkeys_file}: 'taken': key d is already used" in n
                                for n in _notes(app)))
        await pilot.press("y")
        await live(app, "services")


async def test_the_aliases_view_lists_the_users_own_aliases(sandbox, api: Api,
                                                            isolated_home: Path) -> None:
    _k9s(isolated_home, "aliases.yaml", """\
        aliases:
          dd: apps/v1/deployments
          fred: pod fred app=blee
        """)
    config = isolated_home / ".config" / "kubetui" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("aliases:\n  sv: v1/services\n")
    await _fred_and_blee(api)
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("ctrl+a")
        screen = await until(lambda: isinstance(app.screen, AliasesScreen) and app.screen)
        aliases_file = isolated_home / ".config" / "k9s" / "aliases.yaml"
        mine = [(r.names, r.resource, r.source) for r in screen.shown if r.source]
        assert mine == [(("dd",), "deployments.apps", str(aliases_file)),
                        (("fred",), "pod fred app=blee", str(aliases_file)),
                        (("sv",), "services", str(config))]
        shown = [str(screen.query_one(OptionList).get_option_at_index(i).prompt)
                 for i in range(3)]
        assert "pod fred app=blee  (yours: ~/.config/k9s/aliases.yaml)" in shown[1]
        # Filtered like the others, by name, command or file; enter runs the alias.
        await pilot.press(*"blee")
        assert [r.names for r in screen.shown] == [("fred",)]
        await pilot.press("enter")
        await live(app, "pods")
        await until(lambda: names(app) == ["blee-1"])
        assert app.main_table.filter.text == "-l app=blee"
        await pilot.press("ctrl+a")
        screen = await until(lambda: isinstance(app.screen, AliasesScreen) and app.screen)
        await pilot.press(*"config.yaml")
        assert [r.names for r in screen.shown] == [("sv",)]
        await pilot.press("enter")
        await live(app, "services")


async def test_k9s_per_context_files_are_named_as_unread(sandbox, api: Api,
                                                         isolated_home: Path) -> None:
    info = kubeconfigs.load(None).context(kubeconfigs.load(None).current)
    folder = isolated_home / ".local" / "share" / "k9s" / "clusters" / info.cluster / \
        info.name
    folder.mkdir(parents=True)
    (folder / "hotkeys.yaml").write_text("hotKeys: {}\n")
    app = app_for()
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        await until(lambda: any(f"{folder / 'hotkeys.yaml'}: k9s's file for context "
                                f"{info.name!r} is not read by kubetui" in n
                                for n in _notes(app)))


async def test_a_plugin_runs_a_real_command_on_the_selected_row(
        sandbox, api: Api, isolated_home: Path) -> None:
    _k9s(isolated_home, "plugins.yaml", """\
        plugins:
          where:
            shortCut: Shift-W
            description: Where is it
            scopes: [po]
            background: true
            command: sh
            args:
              - -c
              - echo "ns=$NAMESPACE name=$NAME ctx=$CONTEXT ready=${COL-READY} res=$RESOURCE_NAME"
          wipe:
            shortCut: Shift-X
            description: Wipe it
            dangerous: true
            scopes: [all]
            command: "false"
          broken:
            shortCut: Meta-Q
            scopes: [all]
            command: echo
        """)
    await api.pod("web-1")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        # A malformed entry is reported with file and entry; the app runs on.
        plugins_file = isolated_home / ".config" / "k9s" / "plugins.yaml"
        await until(lambda: any(f"{plugins_file}: 'broken'" in n for n in _notes(app)))
        await _select(app, "web-1")
        descriptions = {b.binding.description: b.enabled for b in app.active_bindings.values()}
        assert descriptions.get("Where is it (plugin)") is True
        palette = [c.title for c in app.get_system_commands(app.screen)]
        assert "Where is it (plugin)" in palette  # the command palette lists it too
        await pilot.press("W")
        await until(lambda: isinstance(app.screen, TextScreen), timeout=30)
        context = app.context_name
        assert app.screen.view.text.split() == [
            "ns=default", "name=web-1", f"ctx={context}", "ready=0/1", "res=pods"]
        assert "finished" in str(app.screen.query_one("#detail-title").render())
        await pilot.press("escape")
        # Out of scope on another view: shown disabled, and does nothing.
        await pilot.press("colon", *"svc", "enter")
        await live(app, "services")
        descriptions = {b.binding.description: b.enabled for b in app.active_bindings.values()}
        assert descriptions.get("Where is it (plugin)") is False


async def test_a_plugin_sees_the_selected_row_s_metrics_columns(
        sandbox, api: Api, isolated_home: Path) -> None:
    """CPU and MEM are joined into the table's rows, not the store's entries: the
    plugin's column variables are the row's as drawn."""
    _k9s(isolated_home, "plugins.yaml", """\
        plugins:
          use:
            shortCut: Shift-W
            description: Its use
            scopes: [po]
            background: true
            command: sh
            args:
              - -c
              - echo "cpu=${COL-CPU} mem=${COL-MEM} status=${COL-STATUS}"
        """)
    await api.node("node-1")
    await pinned_pod(api, "web-1", "1500m", "700Mi")
    app = app_for()
    async with app.run_test(size=(200, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: cells(app, "web-1", "CPU") not in (None, ("",), ("-",)), 20,
                    "the pod's metrics")
        await _select(app, "web-1")
        drawn = cells(app, "web-1", "CPU", "MEM", "STATUS")
        assert drawn is not None and drawn[0].endswith("m") and drawn[1].endswith("Mi")
        await pilot.press("W")
        await until(lambda: isinstance(app.screen, TextScreen), timeout=30)
        assert app.screen.view.text.split() == [
            f"cpu={drawn[0]}", f"mem={drawn[1]}", f"status={drawn[2]}"]


async def test_plugin_inputs_are_asked_and_pipes_feed_the_output(
        sandbox, api: Api, isolated_home: Path) -> None:
    _k9s(isolated_home, "plugins.yaml", """\
        plugins:
          greet:
            shortCut: Ctrl-Y
            description: Greet it
            scopes: [po]
            background: true
            command: sh
            args: [-c, 'echo "$INPUT_GREETING $NAME loud=$INPUT_LOUD env=$INPUT_ENV"']
            inputs:
              - {name: greeting, label: Greeting, type: string, required: true}
              - {name: loud, type: bool, default: true}
              - {name: env, type: dropdown, required: true, default: staging,
                 options: [dev, staging]}
          sorted:
            shortCut: Shift-5
            description: Sorted letters
            scopes: [po]
            background: true
            overwriteOutput: true
            command: sh
            args: [-c, "printf 'b\\nc\\na\\n'"]
            pipes: ["sort -r", "head -n 2"]
        """)
    await api.pod("web-1")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await _select(app, "web-1")
        assert not any("plugins.yaml" in n for n in _notes(app))
        await pilot.press("ctrl+y")
        dialog = await until(lambda: isinstance(app.screen, PluginInputsDialog)
                             and app.screen)
        assert dialog.values() == {"greeting": "", "loud": "true", "env": "staging"}
        await pilot.press("enter")  # the greeting is required: refused in the dialog
        await until(lambda: "Greeting is required" in str(
            dialog.query_one("#error").render()))
        await pilot.press(*"hello", "enter")
        confirm = await until(lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert "echo \"hello web-1 loud=true env=staging\"" in confirm.body
        await pilot.press("right", "enter")
        await until(lambda: isinstance(app.screen, TextScreen), timeout=30)
        assert app.screen.view.text.strip() == "hello web-1 loud=true env=staging"
        await pilot.press("escape")
        await until(lambda: app.screen is app.screen_stack[0])
        await pilot.press("percent_sign")  # through two pipes; the output is the notification
        await until(lambda: "c\nb" in _notes(app), timeout=30)
        assert app.screen is app.screen_stack[0]


async def test_readonly_refuses_dangerous_plugins(sandbox, api: Api,
                                                  isolated_home: Path) -> None:
    _k9s(isolated_home, "plugins.yaml", """\
        plugins:
          look:
            shortCut: Shift-3
            description: Look
            scopes: [all]
            background: true
            command: echo
            args: [$NAME]
          wipe:
            shortCut: Shift-4
            description: Wipe
            dangerous: true
            scopes: [all]
            background: true
            command: touch
            args: [/nonexistent-dir-k9s-test/ran]
        """)
    await api.pod("web-1")
    app = app_for(readonly=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await _select(app, "web-1")
        shown = {b.binding.description for b in app.active_bindings.values()}
        assert "Look (plugin)" in shown and "Wipe (plugin)" not in shown
        assert app.check_action("k9s_plugin", ("wipe",)) is False
        await pilot.press("dollar_sign")
        await pilot.press("number_sign")
        await until(lambda: isinstance(app.screen, TextScreen), timeout=30)
        assert app.screen.view.text.strip() == "web-1"
        assert not any("Wipe" in n or "touch" in n for n in _notes(app))


def test_a_foreground_plugin_runs_with_kubetui_suspended(isolated_home: Path,
                                                         tmp_path: Path) -> None:
    """In a real terminal: the plugin gets the terminal, kubetui comes back after it."""
    import os
    import pty
    import select
    import struct
    import subprocess
    import sys
    import termios
    import time
    from fcntl import ioctl

    out = tmp_path / "plugin-ran"
    _k9s(isolated_home, "plugins.yaml", f"""\
        plugins:
          mark:
            shortCut: Shift-W
            description: Mark it
            scopes: [pods]
            command: sh
            args: [-c, 'tty -s && echo "$NAMESPACE/$NAME on a terminal" > {out}']
        """)
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    proc = subprocess.Popen([sys.executable, "-m", "kubetui.cli", "--demo", "--scenario",
                             "demo", "-n", "shop"], stdin=slave, stdout=slave,
                            stderr=slave, env=env, close_fds=True)
    os.close(slave)
    output, step = b"", 0
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    output += os.read(master, 65536)
                except OSError:
                    break
            if step == 0 and b"live" in output and b"frontend-" in output:
                os.write(master, b"W")
                step = 1
            elif step == 1 and out.exists():
                time.sleep(0.5)  # kubetui takes the terminal back
                os.write(master, b":q\r")
                step = 2
        code = proc.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert step == 2, output[-3000:]
    ran = out.read_text().strip()
    assert ran.startswith("shop/") and ran.endswith(" on a terminal"), ran
    assert code == 0 and b"Traceback" not in output
