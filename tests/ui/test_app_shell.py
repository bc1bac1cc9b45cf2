"""The app shell against a sandbox: opening, header, namespace pane, tabs, help, palette,
the read-only gate and the config file."""

from __future__ import annotations

import re

from pathlib import Path

import pytest
from textual import events
from textual.binding import Binding

from kubetui.config import ConfigFileError, Settings
from kubetui.model.actions import MUTATING
from kubetui.model.views import TABS
from kubetui.ui.app import KubetuiApp
from kubetui.ui.screens.help import HelpScreen
from kubetui.ui.screens.object_screens import DescribeScreen
from kubetui.ui.widgets.header import TabStrip
from tests.ui.app_helpers import (FAST, Api, app_for, crumbs_text, header_text, live,
                                  names, until)



async def test_opens_on_the_kubeconfig_context_and_namespace(sandbox, api: Api) -> None:
    await api.namespace("shop")
    await api.pod("web-1", "default")
    await api.pod("cart-1", "shop")
    app = app_for()
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        await until(lambda: names(app) == ["web-1"])
        text = header_text(app)
        assert "kubetui-sandbox" in text and sandbox.url in text
        assert "ns default" in text and "view pods" in text and "v1.32" in text
        assert crumbs_text(app) == "pods(default)"
        # kubectl's columns with CPU and memory (metrics.k8s.io) before the wide ones, as
        # many as fit: the pod's percentages go first when there is no room for all.
        shown = app.main_table.shown_columns
        assert shown[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "CPU", "MEM"]
        assert shown[7:] == [c for c in ["%CPU/R", "%CPU/L", "%MEM/R", "IP", "NODE",
                                         "NOMINATED NODE", "READINESS GATES"]
                             if c in shown[7:]]
        assert "%MEM/L" not in shown and "READINESS GATES" in shown


async def test_header_fits_one_line_at_80_columns(sandbox, api: Api) -> None:
    await api.pod("web-1", "default")
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await live(app, "pods")
        header = app.header
        assert header.size.height == 1
        text = header_text(app)
        assert len(text) <= header.content_size.width
        assert "kubetui-sandbox" in text and "ns default" in text and "view pods" in text
        assert "live" in text and "v1.32" not in text  # the version gave way
        from textual.widgets._footer import FooterKey

        def shown() -> set[str]:
            return {k.description for k in app.screen.query(FooterKey)
                    if k.region.right <= 80 - len(" ^p palette")}
        await until(lambda: {"Command", "Filter", "Help", "Back"} <= shown(),
                    message="the footer's essentials")
        await pilot.resize_terminal(60, 24)
        await until(lambda: sandbox.url not in header_text(app), message="then the server")
        assert "view pods" in header_text(app) and header.size.height == 1
        await pilot.resize_terminal(160, 45)
        await until(lambda: sandbox.url in header_text(app) and "v1.32" in header_text(app),
                    message="both come back")


async def test_header_keeps_one_line_at_60_columns_with_problems(sandbox, api: Api) -> None:
    await api.pod("web-1", "default")  # never scheduled: a problem
    app = app_for()
    async with app.run_test(size=(60, 24)) as pilot:
        await live(app, "pods")
        await until(lambda: re.search(r"! \d", header_text(app)), message="the count")
        await pilot.pause()
        header = app.header
        assert header.size.height == 1, header_text(app)
        text = header_text(app)
        assert len(text) <= header.content_size.width
        assert "view pods" in text and "live" in text and "problems" not in text


async def test_namespace_and_all_namespaces_from_settings(sandbox, api: Api) -> None:
    await api.namespace("shop")
    await api.pod("web-1", "default")
    await api.pod("cart-1", "shop")
    app = app_for(namespace="shop")
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        await until(lambda: names(app) == ["cart-1"])
        assert "ns shop" in header_text(app)
    app = app_for(all_namespaces=True)
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: sorted(names(app)) == ["cart-1", "web-1"])
        assert "ns all" in header_text(app)
        assert app.main_table.shown_columns[0] == "NAMESPACE"
        await pilot.press("1")  # a tab keeps the namespace
        assert "ns all" in header_text(app)


async def test_tabs_switch_the_main_table(sandbox, api: Api) -> None:
    await api.deployment("web", replicas=1)
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        strip = app.query_one(TabStrip)
        for tab in TABS[1:]:
            await pilot.press(tab.key)
            await live(app, tab.kind.plural)
            assert strip.current == TABS.index(tab)
            assert crumbs_text(app) == f"{tab.kind.plural}(default)"
        await pilot.press("2")
        await until(lambda: names(app) == ["web"])
        assert "ready" not in [c.lower() for c in app.main_table.shown_columns[:1]]
        await pilot.click(TabStrip, offset=(3, 0))  # " 1 Pods" is the first tab
        await live(app, "pods")


async def test_namespace_pane_follows_width_and_switches_namespace(sandbox, api: Api) -> None:
    await api.namespace("shop")
    await api.pod("cart-1", "shop")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        pane = app.pane
        assert pane.display
        await until(lambda: pane.row_count >= 2)  # default, shop (+ the system ones)
        pane_names = [pane.entry_at(i).name for i in range(pane.row_count)]
        pane.focus()
        await pilot.pause()
        pane.select_uid(pane.entry_at(pane_names.index("shop")).uid)
        await pilot.press("enter")
        await live(app, "pods")
        await until(lambda: names(app) == ["cart-1"])
        assert "ns shop" in header_text(app)
        assert app.main_table.has_focus
        await pilot.resize_terminal(80, 24)
        await until(lambda: not pane.display)
        await pilot.press("ctrl+n")
        assert pane.display and pane.has_focus
        await pilot.press("ctrl+n")
        assert not pane.display and app.main_table.has_focus


async def test_help_lists_every_binding_of_the_view(shared_sandbox) -> None:
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("question_mark")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        by_id = {row.binding_id: row for row in screen.rows}
        assert by_id["app.command"].keys == ":"
        assert by_id["app.filter"].keys == "/"
        assert by_id["app.back"].keys == "esc"
        assert by_id["table.cursor_down"].keys == "↓, j"
        assert by_id["table.sort.name"].keys == "N"  # k9s's shift+N
        assert "table.sort.restarts" in by_id and "app.tab.deployments" in by_id
        # k9s's C and M sort by CPU and MEM; other columns take their first free letter.
        assert (by_id["table.sort.cpu"].keys, by_id["table.sort.mem"].keys) == ("C", "M")
        # D and F are not sort letters: k9s's shift-d (debug container) and shift-f
        # (port-forward) act on pods.
        assert by_id["table.sort.nominated-node"].keys == "B"
        assert not [i for i in by_id if " " in i]  # ids name keys in the config file
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_help_groups_bindings_once_per_source(shared_sandbox) -> None:
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await pilot.press("question_mark")
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        headings = [row.where for row in screen.rows]
        groups = [w for i, w in enumerate(headings) if not i or headings[i - 1] != w]
        assert groups == ["view", "table", "app"]
        lines = [line.strip() for line in screen._content().plain.splitlines()]
        assert [line for line in lines if line in groups] == groups  # each heading once
        app_rows = {row.description: row for row in screen.rows if row.where == "app"}
        assert app_rows["Command"].keys == ":" and app_rows["Filter"].keys == "/"


async def test_command_palette_lists_actions(shared_sandbox) -> None:
    app = app_for()
    async with app.run_test(size=(160, 45)):
        await live(app, "pods")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Filter", "Command", "Show deployments", "Describe", "Help"} <= set(titles)
        command = next(c for c in app.get_system_commands(app.screen)
                       if c.title == "Show services")
        await command.callback()
        await live(app, "services")


class WithMutatingAction(KubetuiApp):
    """A stand-in for the actions to come: one mutating binding, one that is not."""

    BINDINGS = [Binding("ctrl+d", "delete", "Delete", id="test.delete"),
                Binding("ctrl+t", "harmless", "Harmless", id="test.harmless")]
    deleted = 0

    def action_delete(self) -> None:
        self.deleted += 1

    def action_harmless(self) -> None:
        """Nothing."""


@pytest.mark.parametrize("readonly", [False, True])
async def test_readonly_hides_and_refuses_mutating_actions(sandbox, readonly: bool) -> None:
    assert "delete" in MUTATING
    app = app_for()
    app = WithMutatingAction(Settings(store=FAST, readonly=readonly), app.user_config,
                             app.kubeconfig)
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        shown = {b.binding.id for b in app.screen.active_bindings.values()}
        assert "test.harmless" in shown
        assert ("test.delete" in shown) is not readonly
        await pilot.press("ctrl+d")
        assert app.deleted == (0 if readonly else 1)
        assert ("READ-ONLY" in header_text(app)) is readonly


async def test_readonly_from_the_config_file(sandbox, isolated_home: Path) -> None:
    config = isolated_home / ".config" / "kubetui" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("readonly: true\ntheme: nord\nkeymap:\n  app.filter: ctrl+f\n")
    app = app_for()
    assert app.readonly
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        assert app.theme == "nord"
        await pilot.press("ctrl+f")
        assert app.prompt.is_open and app.prompt.mode == "/"


@pytest.mark.parametrize("text, problem", [
    ("keymap: [a, b]\n", "'keymap' must map binding ids to keys"),
    ("keymap:\n  app.nope: x\n", "unknown binding id 'app.nope'"),
    ('keymap:\n  app.filter: "not a key!!"\n',
     "keymap entry app.filter: 'not a key!!' is not a key name"),
    ("keymap:\n  app.filter: ctrl+f,ctrl+nope\n", "app.filter: 'ctrl+nope' is not a key"),
    ("keymap:\n  app.filter: hyper+f\n", None),  # a known modifier: accepted
    ("theme: no-such-theme\n", "unknown theme 'no-such-theme'"),
    ("readonly: maybe\n", "'readonly' must be true or false"),
    ("colour: red\n", "unknown setting 'colour'"),
    ("keymap: {a: [\n", "is not valid YAML (line 2)"),
])
async def test_a_bad_config_file_is_named(sandbox, tmp_path: Path, text: str,
                                          problem: str | None) -> None:
    path = tmp_path / "kubetui.yaml"
    path.write_text(text)
    if problem is None:
        assert app_for(config_path=path).user_config.keymap
        return
    with pytest.raises(ConfigFileError) as err:
        app_for(config_path=path)
    assert str(path) in str(err.value) and problem in str(err.value)


async def test_describe_yaml_and_events_open_over_the_table(sandbox, api: Api) -> None:
    from kubetui.ui.screens.events_screen import EventsScreen
    from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen
    await api.pod("web-1")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: names(app) == ["web-1"])
        for key, screen in (("d", DescribeScreen), ("y", YamlScreen)):
            await pilot.press(key)
            assert isinstance(app.screen, screen) and app.screen.object_name == "web-1"
            await pilot.press("escape")
            await until(lambda: app.screen is app.screen_stack[0])
        await pilot.press("colon", "e", "v", "enter")
        await until(lambda: isinstance(app.screen, EventsScreen))
        assert app.screen.namespace == "default"


async def test_l_opens_the_logs_of_the_selected_pod(sandbox, api: Api) -> None:
    from kubetui.ui.screens.log_screen import LogScreen
    from tests.ui.log_helpers import (texts)

    await api.pod("talker")
    logs = sandbox.sandbox.logs
    key = ("default", "talker", "main")
    logs.start(key)
    logs.append(key, "hello from talker")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: names(app) == ["talker"])
        await pilot.press("l")
        await until(lambda: isinstance(app.screen, LogScreen))
        await until(lambda: "hello from talker" in texts(app.screen.view))
        logs.append(key, "and a new line")
        await until(lambda: "and a new line" in texts(app.screen.view))
        await pilot.press("escape")
        await until(lambda: app.screen is app.screen_stack[0])


async def test_main_table_keys_are_hidden_over_other_views(sandbox, api: Api) -> None:
    """Over a pushed view, `0`, `l`, `y`... would act on the table behind it: they are
    neither shown nor run there."""
    from kubetui.ui.screens.object_screens import DescribeScreen

    await api.pod("web-1")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: names(app) == ["web-1"])
        await pilot.press("d")
        await until(lambda: isinstance(app.screen, DescribeScreen))
        shown = {ab.binding.action for ab in app.screen.active_bindings.values()
                 if ab.enabled and ab.binding.show}
        namespace = app.namespace
        await pilot.press("0", "l")
        assert isinstance(app.screen, DescribeScreen)  # no log screen pushed over it
        assert app.namespace == namespace  # `0` did not switch the table behind
        assert not shown & {"all_namespaces", "logs", "yaml"}


def test_every_built_in_key_is_a_known_key_name() -> None:
    """The check the keymap gets would accept every key kubetui binds itself."""
    from kubetui.ui.widgets.prompt_bar import PromptBar
    from kubetui.ui.key_names import unknown_key
    from kubetui.ui.widgets.resource_table import ResourceTable
    from tests.ui.test_injection import screen_classes

    classes = {KubetuiApp, ResourceTable, PromptBar, *screen_classes()}
    keys = {b.key for cls in classes for b in cls.BINDINGS if isinstance(b, Binding)}
    assert len(keys) > 30
    assert [k for k in sorted(keys) if unknown_key(k)] == []


async def test_notifications_never_cover_a_dialog_and_can_be_read_again(
        shared_sandbox) -> None:
    from textual.widgets._toast import Toast

    from kubetui.ui.messages import MessagesScreen

    def toasts() -> list[str]:
        return [str(t.render()) for t in app.screen.query(Toast)]

    app = app_for()
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await live(app, "pods")
        await pilot.press("colon", *"nosuchkind", "enter")
        await until(lambda: any("nosuchkind" in t for t in toasts()),
                    message="the error shown")
        await pilot.press("question_mark")  # a dialog: the toast goes, none comes over it
        await until(lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        assert toasts() == []
        app.notify("lost the watch of pods", severity="warning")  # while it is open
        await pilot.pause()
        assert toasts() == []
        await pilot.press("escape")  # closed: the held one shows
        await until(lambda: any("lost the watch" in t for t in toasts()),
                    message="held notification shown")
        await pilot.press("colon", *"messages", "enter")
        screen = await until(lambda: isinstance(app.screen, MessagesScreen) and app.screen)
        text = str(screen.query_one("#messages-text").render())
        lines = text.splitlines()
        assert "lost the watch of pods" in lines[0] and "warning" in lines[0]
        assert "nosuchkind" in lines[1] and "error" in lines[1]


async def test_mouse_selects_rows_opens_on_double_click_and_scrolls(sandbox,
                                                                   api: Api) -> None:
    await api.namespace("shop")
    for i in range(60):
        await api.pod(f"web-{i:02d}")
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: len(names(app)) == 60)
        table, pane = app.main_table, app.pane
        await pilot.click(table, offset=(5, 3))  # header is line 0: the third row
        assert table.selected_entry is not None and table.selected_entry.name == "web-02"
        before = table.scroll_y  # the wheel scrolls the rows, not the cursor (no public
        for _ in range(3):  # Pilot method for it in Textual 8.2.8)
            await pilot._post_mouse_events([events.MouseScrollDown], table, offset=(5, 5))
        await until(lambda: table.scroll_y > before, message="the wheel scrolled")
        assert table.selected_entry.name == "web-02"
        shop = next(i for i in range(pane.row_count) if pane.entry_at(i).name == "shop")
        await pilot.click(pane, offset=(3, shop + 1 - round(pane.scroll_y)))
        assert pane.selected_entry is not None and pane.selected_entry.name == "shop"
        assert app.view is not None and app.view.namespace == "default"  # one click: no switch
        await pilot.double_click(pane, offset=(3, shop + 1 - round(pane.scroll_y)))
        await until(lambda: app.view is not None and app.view.namespace == "shop",
                    message="double click opened the namespace")


async def test_c_copies_names_in_tables_and_the_view_in_describe(sandbox, api: Api) -> None:
    """k9s's `c`: the cursor's name, or every marked one; on nodes `c` still cordons."""
    await api.node("node-1")
    for name in ("web-1", "web-2", "web-3"):
        await api.pod(name)
    app = app_for()
    async with app.run_test(size=(160, 45)) as pilot:
        await live(app, "pods")
        await until(lambda: len(names(app)) == 3)
        await pilot.press("c")
        assert app.clipboard == "web-1"
        assert "Copied 1 name: web-1" in app.message_log.notes[-1].message
        await pilot.press("space", "j", "space", "c")  # two marked rows
        assert app.clipboard == "web-1\nweb-2"
        await pilot.press("d")  # describe: the whole text, or the search match's line
        await until(lambda: isinstance(app.screen, DescribeScreen)
                    and app.screen.view.text.startswith("Name:"))
        await pilot.press("c")
        assert app.clipboard == app.screen.view.text
        await pilot.press("slash", *"Status", "enter", "c")
        assert app.clipboard.startswith("Status:")
        await pilot.press("escape")
        await pilot.press("colon", *"nodes", "enter")
        await live(app, "nodes")
        await pilot.press("c")  # cordons, as in k9s
        await until(lambda: app.main_table.selected_entry is not None and "Scheduling"
                    "Disabled" in app.main_table.selected_entry.cells[1],
                    message="node-1 cordoned")
        assert app.clipboard.startswith("Status:")  # nothing copied
        # Cordon acts at once and offers the undo (README: ask before acting).
        note = next(n for n in reversed(app.message_log.notes) if n.title == "Cordon")
        assert note.message.endswith("ctrl+z within 8 s: uncordon node/node-1")
        await pilot.press("ctrl+z")
        await until(lambda: "SchedulingDisabled" not in app.main_table.selected_entry
                    .cells[1], message="node-1 uncordoned by the undo")
        await pilot.press("ctrl+z")  # nothing left to undo: the key does nothing
        assert not app.message_log.notes[-1].message.startswith("node/node-1 cordoned")


def test_the_problem_count_gives_way_after_the_server_on_a_narrow_header() -> None:
    from kubetui.ui.widgets.header import Header, Status
    header = Header()

    def line(width: int) -> str:
        return header.line(width).plain.replace("\u00a0", " ")

    header.status = Status(context="kubetui-sandbox", server="https://127.0.0.1:6443",
                           version="v1.32.4", namespace="default", view="pods", problems=0)
    assert line(200).endswith("no problems") and "v1.32.4" in line(200)
    assert line(56).endswith("no problems")
    assert len(line(50)) <= 50 and "problems" not in line(50) and "view pods" in line(50)
    header.status = Status(context="kubetui-sandbox", namespace="default", view="pods",
                           problems=3)
    assert line(58).endswith("! 3 problems")
    assert line(50).endswith("! 3") and len(line(50)) <= 50 and "view pods" in line(50)
