"""The kubetui application: the layout, k9s-style navigation and the live main table.

State is a stack of `ViewState`s (views with their cursor, filter and sort): `:` commands and
tabs start a new stack, Enter pushes a drill-down, esc pops back to the frame as it was.
Store callbacks only post messages; the handlers below own what is shown.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

# No garbage collection while Textual, aiohttp and the app's modules load: they make some
# 55,000 objects that live as long as the process, which ~130 young and full collections
# traversed again and again, ~35 ms of CPU before the first rows (issue 19). After the
# imports below they are frozen (out of every later collection, as `tune_gc` does at
# mount, whose collection then has little left to traverse: ~15 ms less) and collection
# is on again. The few cycles the imports left as garbage (~1,600 objects) stay.
_COLLECTING = gc.isenabled()
gc.disable()

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.notifications import SeverityLevel
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, Screen

from kubetui import clock
from kubetui.cluster import kubeconfig as kubeconfigs
from kubetui.cluster.errors import ClusterError, ConfigError
from kubetui.cluster.kubeconfig import Kubeconfig
from kubetui.cluster.metrics import MetricsFeed
from kubetui.cluster.scope import REPLICASET
from kubetui.cluster.store import Batch, StreamHealth, Subscription
from kubetui.config import ConfigFileError, Settings, UserConfig, load_user_config
from kubetui.kinds import Kind, browsable, by_key, resolve
from kubetui.model.commands import (ALIAS_WORDS, CONTEXT_WORDS, HELM_WORDS, PORTFORWARD_WORDS,
                                    PROBLEM_WORDS, PULSE_WORDS, QUIT_WORDS, XRAY_WORDS,
                                    parse_command)
from kubetui.model.feed import Feed, ignore
from kubetui.model.metrics import MetricsJoin
from kubetui.model.multi import MergedNamespaces, is_multi, named_contexts, row_context, tagged
from kubetui.model.session import Session
from kubetui.model.views import (EVENT, NAMESPACE, POD, TABS, View, ViewState, drill_view,
                                 needs_object, root_view)
from kubetui.render import Column, columns_for, crd_columns, has_printer
from kubetui.render.metrics import WORKLOAD_KINDS, metric_columns
from kubetui.render.sanitize import visible
from kubetui.ui.actions.keys import ACTION_BINDINGS, ACTION_NAMES, ActionKeys
from kubetui.ui.key_names import unknown_key
from kubetui.ui.held_keys import HeldKeys, KeyHold
from kubetui.ui.messages import MESSAGE_WORDS, MessageLog, MessagesScreen, Note
from kubetui.ui.k9s_keys import K9sKeys
from kubetui.ui.multi_context import MultiContext
from kubetui.ui.screens.main_screen import MainScreen
from kubetui.ui.undo import UNDO_KEY
from kubetui.ui.widgets.header import Breadcrumbs, Header, TabStrip
from kubetui.ui.widgets.key_footer import KeyFooter
from kubetui.ui.widgets.prompt_bar import CommandSuggester, PromptBar
from kubetui.ui.widgets.resource_table import ResourceTable
from kubetui.view_state import SavedView, load_view, save_view

if TYPE_CHECKING:
    from kubetui.cluster.metrics import Reading
    from kubetui.model.problems import ProblemsFeed
    from kubetui.ui.screens.goto import GoTo
    from kubetui.ui.screens.object_screens import DescribeScreen, YamlScreen

# The other screens, the actions' runner, logs and the problem count are imported where they
# are first used: the first screen shows sooner without them (issue 19; see
# tests/test_startup_imports.py).

if _COLLECTING:
    gc.freeze()
    gc.enable()

#: Below this many columns the namespace pane hides itself (ctrl+n shows it anyway).
PANE_MIN_WIDTH = 110
PANE_COLUMNS = [c for c in columns_for("Namespace") if c.name != "AGE"]
_ALL_NAMESPACES = ("-a", "-A", "all", "*")


#: Allocations between young garbage collections; CPython's default is 700.
YOUNG_GC_THRESHOLD = 10_000
#: Seconds the header's problem count may take in one turn of the loop, and between turns
#: while it is unfinished.
COUNT_BUDGET = 0.008


#: App actions about the main table: over a pushed view (logs, describe, rollout...) they
#: would act on a table the person cannot see, so they are hidden and disabled there.
MAIN_SCREEN_ONLY = frozenset({"back", "all_namespaces", "describe", "yaml", "logs", "tab",
                              "toggle_namespaces", "toggle_wide", "aliases", "copy",
                              "problems", "events"})


def tune_gc() -> None:
    """Keep the garbage collector's pauses out of key-to-paint times; once per process.

    Under churn, watch events and frames allocate objects that live a few tens of
    milliseconds. At CPython's default threshold (a young collection every 700 allocations)
    they outlive two young collections, so they are promoted to the oldest generation and
    count towards the next full collection, which traverses every row: measured in the app
    at 50,000 pods with 1,000 events/s (bench/run.py's setup), a full collection of
    100-270 ms about every second, the cause of most filter keystrokes over 50 ms. With
    young collections every `YOUNG_GC_THRESHOLD` allocations those objects die young, and
    full collections become rare (none in a typing run; a young collection then takes up to
    ~30 ms at 50,000 rows, so a larger threshold costs more than it saves).
    `gc.freeze()` moves what start-up built since the imports' own freeze (this app, its
    screens and widgets), which lives as long as the process, out of every later
    collection; collecting first keeps the garbage made since then from being frozen with
    it. Rows are not frozen here: they die under churn.
    """
    if gc.get_threshold()[0] >= YOUNG_GC_THRESHOLD:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])


def freeze_rows() -> None:
    """Once a view's list is in: move what is alive now, chiefly its rows (at 50,000
    pods ~900,000 objects: entries, rows, sort keys), out of the collector's passes.

    Rows live until their object changes, so each full collection traversed all of them:
    ~450 ms of CPU at 50,000 pods, measured once every 10-40 s under churn, each a key's
    worth of lag. `gc.freeze()` itself is O(1) (it moves list heads). A frozen row that
    changes later is freed by its reference count as before; only garbage held in
    reference cycles at this moment is kept for good (bounded: what one moment holds)."""
    gc.freeze()


#: Seconds the server's kinds are trusted before `:` reads them again.
KINDS_MAX_AGE = 10.0


@dataclass
class FeedBatch(Message):
    generation: int
    batch: Batch


@dataclass
class FeedHealth(Message):
    generation: int
    health: StreamHealth


@dataclass
class FeedNote(Message):
    generation: int
    note: str


@dataclass
class MetricsRead(Message):
    generation: int
    reading: Reading
    context: str = ""  # a merged table's context ("" with one context)
    #: A merged table's rows whose cells the reading changed, joined when it was taken.
    rows: Batch | None = None


@dataclass
class PaneBatch(Message):
    """Namespaces for the side pane, from the pane feed of `generation`."""

    generation: int
    batch: Batch


@dataclass
class Connected(Message):
    attempt: int
    session: Session


@dataclass
class ConnectFailed(Message):
    attempt: int
    context: str
    error: str


class KubetuiApp(MultiContext, K9sKeys, ActionKeys, HeldKeys, App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "kubetui"

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: handled before the keys after them are sent to the focused widget, so
        # `:po<enter>` typed in one go lands in the prompt (see `check_action`).
        Binding("colon", "command_line", "Command", id="app.command", priority=True),
        Binding("slash", "filter", "Filter", id="app.filter", priority=True),
        Binding("escape", "back", "Back", id="app.back"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("0", "all_namespaces", "All ns", id="app.all_namespaces"),
        Binding("d", "describe", "Describe", id="app.describe"),
        Binding("y", "yaml", "YAML", id="app.yaml"),
        Binding("l", "logs", "Logs", id="app.logs"),
        Binding("v", "events", "Events", id="app.events"),
        Binding("exclamation_mark", "problems", "Problems", id="app.problems"),
        *(Binding(tab.key, f"tab({i})", f"Show {tab.label.lower()}", show=False,
                  id=f"app.tab.{tab.kind.plural}") for i, tab in enumerate(TABS)),
        Binding("ctrl+n", "toggle_namespaces", "Namespace pane", show=False,
                id="app.namespace_pane"),
        Binding("ctrl+w", "toggle_wide", "Wide columns", show=False, id="app.wide"),
        Binding("ctrl+a", "aliases", "Aliases", show=False, id="app.aliases"),
        Binding(UNDO_KEY, "undo", "Undo", id="app.undo"),
        # k9s: `c` copies, except on nodes, where it cordons (ACTION_BINDINGS).
        Binding("c", "copy", "Copy", id="app.copy"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit"),
        *ACTION_BINDINGS,
    ]

    def __init__(self, settings: Settings, user_config: UserConfig,
                 kubeconfig: Kubeconfig) -> None:
        # NO_COLOR (no-color.org): Textual alone would still draw in greys; native ANSI
        # mode makes its filter drop every colour, leaving bold, reverse, underline.
        super().__init__(ansi_color=True if os.environ.get("NO_COLOR") else None)
        self.key_hold = KeyHold()  # keys typed before their dialog opened (held_keys)
        self.settings = settings
        self.user_config = user_config
        self.kubeconfig = kubeconfig
        self.readonly = settings.readonly or user_config.readonly
        self.session: Session | None = None
        self.stack: list[ViewState] = []
        self.feed: Feed | None = None
        self._pane_feed: Feed | MergedNamespaces | None = None
        self._pane_generation = 0  # of the pane's feed: batches of older feeds are dropped
        self._generation = 0  # of the main feed: batches of older feeds are dropped
        self._attempt = 0  # of connections: a slow, superseded one is closed on arrival
        self.context_name = kubeconfig.current
        info = kubeconfig.context(self.context_name)
        self._first_namespace = None if settings.all_namespaces else (
            settings.namespace or info.namespace)
        self._pending_cursor: str | None = None
        self._pane_choice: bool | None = None  # None: by terminal width
        self._wide = True  # kubectl's -o wide columns, as many as fit
        self._columns: list[Column] = []
        self.message_log = MessageLog()
        self._join: MetricsJoin | None = None  # CPU/MEM columns of pods and nodes
        self._joins: dict[str, MetricsJoin] = {}  # a merged table's, by context
        self._metrics: MetricsFeed | None = None
        self._merged_metrics: list[MetricsFeed] = []  # a merged table's, one a context
        self._metric_subs: list[Subscription] = []  # what a workload's sums are taken over
        self._metrics_told: dict[str, str] = {}  # why metrics are absent, by context: once
        self._problems: list[ProblemsFeed] = []  # for the header's count (one a context)
        self._problems_scope: tuple[tuple[Session, ...], str | None] | None = None
        self._count_soon = False  # the count is unfinished: its next turn is set
        self._frozen = 0  # the feed generation whose rows were last frozen (freeze_rows)
        #: The generation whose feed, once listed, starts what the first rows need not
        #: wait for (metrics polls, the problem count's streams); 0: none pending.
        self._after_sync = 0
        #: Said on the terminal after the app has gone (the forwards it stopped).
        self.farewell = ""
        self.load_k9s()


    # ----------------------------------------------------------------- layout
    def get_default_screen(self) -> Screen:
        return MainScreen(self._fit_main)

    # ----------------------------------------------------------------- notifications
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast, from any screen or widget, passes the sanitiser here; messages carry
        outside text (server errors, names, plugin stderr), so markup is never read. Kept
        for `:messages`; held while a dialog or picker is open (it would cover it), shown
        when it closes."""
        message, title = visible(str(message), lines=True), visible(str(title))
        hold = isinstance(self.screen, ModalScreen)
        self.message_log.record(Note(time.time(), severity, title, message, timeout), hold)
        if not hold:
            super().notify(message, title=title, severity=severity, timeout=timeout,
                           markup=False)

    def push_screen(self, screen, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(screen, ModalScreen):  # a dialog comes up over nothing
            self.clear_notifications()
        return super().push_screen(screen, *args, **kwargs)

    def pop_screen(self) -> AwaitComplete:
        popped = super().pop_screen()
        if not isinstance(self.screen, ModalScreen):
            for note in self.message_log.release():
                super().notify(note.message, title=note.title, severity=note.severity,
                               timeout=note.timeout, markup=False)
        return popped

    def compose(self) -> ComposeResult:
        yield Header(id="header")
        yield TabStrip(TABS, id="tabs")
        yield Breadcrumbs(id="crumbs")
        with Horizontal(id="body"):
            yield ResourceTable(id="namespaces")
            yield ResourceTable(id="main")
        yield PromptBar(CommandSuggester(self._command_words, self._command_arguments),
                        self._prompt_changed, self._prompt_submitted, id="prompt")
        yield KeyFooter(compact=True)

    @property
    def header(self) -> Header:
        return self.screen_stack[0].query_one(Header)  # also while a view is pushed over it

    @property
    def main_table(self) -> ResourceTable:
        return self.screen_stack[0].query_one("#main", ResourceTable)  # also under a view

    @property
    def pane(self) -> ResourceTable:
        return self.screen_stack[0].query_one("#namespaces", ResourceTable)

    @property
    def prompt(self) -> PromptBar:
        return self.query_one(PromptBar)

    @property
    def view(self) -> View | None:
        return self.stack[-1].view if self.stack else None

    @property
    def namespace(self) -> str | None:
        """The namespace the views are in; None for all."""
        return self.stack[-1].view.namespace if self.stack else self._first_namespace

    def on_mount(self) -> None:
        tune_gc()
        self.set_keymap(self.user_config.keymap)
        if self.user_config.theme:
            self.theme = self.user_config.theme
        info = self.kubeconfig.context(self.context_name)
        self.header.update(context=info.name, server=info.server, namespace=self.namespace,
                           readonly=self.readonly, view="pods")
        self.pane.set_columns(PANE_COLUMNS)
        self.pane.empty_text = "…"
        self.main_table.empty_text = f"Connecting to {info.server}…"
        self._layout_pane(self.size.width)
        self.main_table.focus()
        self.set_interval(1.0, self._count_problems)
        self.set_interval(1.0, self._show_forwards)
        # The keys of the app and of the main table (which sees a key first) are taken.
        taken = {binding.key for node in (self, self.main_table)
                 for bindings in node._bindings.key_to_bindings.values()
                 for binding in bindings}
        self.report_k9s_problems([*self.k9s.problems, *self.bind_k9s_keys(taken)])
        if self.multi_contexts:
            self.connect_multi(",".join(self.multi_contexts))
        else:
            self._connect(self.context_name)

    def _show_forwards(self) -> None:
        from kubetui.model.portforwards import summary as forwards_summary

        managers = self.forward_managers()
        up = sum(m.up for m in managers.values())
        self._update_header(forwards=forwards_summary(up) if managers else "")

    def _update_header(self, **changes: object) -> None:
        """For the timers: the header, if the main screen still holds it (a timer may fire
        while the app is closing and its widgets are gone)."""
        for header in self.screen_stack[0].query(Header) if self.screen_stack else ():
            header.update(**changes)

    def _say_forwards_stop(self) -> None:
        """On quit: the forwards that quitting stops, named for the terminal."""
        forwards = [f for m in self.forward_managers().values() for f in m.forwards]
        if forwards:
            self.farewell = visible(f"kubetui: stopped {len(forwards)} port-forward(s): "
                                    + ", ".join(f.describe() for f in forwards))

    async def action_quit(self) -> None:
        self._say_forwards_stop()
        await super().action_quit()

    async def on_unmount(self) -> None:
        await self.close_sessions()
        self._close_feeds()
        if self.session is not None:
            await self.session.close()
            self.session = None

    def _fit_main(self, size: Size) -> None:
        """The main screen is about to be laid out at `size` (see main_screen)."""
        if self.screen_stack[0].query("#namespaces"):  # (composed)
            self._layout_pane(size.width)

    def _layout_pane(self, width: int) -> None:
        show = self._pane_choice if self._pane_choice is not None else width >= PANE_MIN_WIDTH
        pane = self.pane
        pane.display = show
        if not show and pane.has_focus:
            self.main_table.focus()

    # ----------------------------------------------------------------- read-only gate
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "k9s_plugin":  # hidden in read-only mode when dangerous, else greyed
            plugin = self.plugin_named(str(parameters[0])) if parameters else None
            if plugin is None or (self.readonly and plugin.dangerous):
                return False
            if self.screen is not self.screen_stack[0]:
                return False
            return None if self.plugin_refusal(plugin) else True
        if action == "k9s_hotkey":
            return self.screen is self.screen_stack[0] and not self.prompt.is_open
        if action in ACTION_NAMES:  # connected, on the main screen, and no `refusal`
            return self.actions_check(action)  # (read-only mode, a kind it does not fit)
        if action in ("command_line", "filter"):  # not over other screens, nor when typing
            return self.screen is self.screen_stack[0] and not self.prompt.is_open
        if action == "undo":  # on offer for a few seconds after a reversible action
            runner = self.action_runner
            offer = runner.undo_offer if runner is not None else None
            return offer is not None and offer.live
        if action == "copy" and self.screen is self.screen_stack[0]:
            table, kind, _ = self.action_context()
            return not (kind is not None and kind.key == ("", "nodes"))
        if action in MAIN_SCREEN_ONLY:  # they act on the main table, hidden from the
            return self.screen is self.screen_stack[0]  # views opened over it
        return True

    def action_context(self) -> tuple[ResourceTable, Kind | None, str]:
        """For ActionKeys: the focused table (the namespace pane, or the main view), its
        rows' kind, and the namespace a file is applied to."""
        namespace = self.namespace or (self.session.info.namespace if self.session
                                       else "default")
        if self.pane.has_focus:
            return self.pane, NAMESPACE, namespace
        return self.main_table, self.view.kind if self.view else None, namespace

    # ----------------------------------------------------------------- connecting
    def _connect(self, context: str) -> None:
        self._attempt += 1
        self.header.update(busy=f"connecting to {context}…")
        self.run_worker(self._open_session(self._attempt, context), group="connect",
                        exclusive=True, exit_on_error=False)

    async def _open_session(self, attempt: int, context: str) -> None:
        try:
            session = await Session.open(self.kubeconfig, context, self.settings.store,
                                         early=self._early_list(context))
        except (ConfigError, ClusterError) as e:
            self.post_message(ConnectFailed(attempt, context, str(e)))
            return
        self.post_message(Connected(attempt, session))

    async def on_connected(self, message: Connected) -> None:
        session = message.session
        if message.attempt != self._attempt:
            await session.close()
            return
        await self.close_sessions()  # leaving several contexts for one
        await self.on_connected_session(session)

    async def on_connected_session(self, session: Session) -> None:
        first = self.session is None and not self.stack
        old, self.session = self.session, session
        self._close_feeds()
        if old is not None:
            await old.close()
        self.context_name = session.info.name
        self.report_context_files([(session.info.cluster, session.info.name)])
        from kubetui.ui.actions.runner import ActionRunner

        self.action_runner = ActionRunner(self, session, self.readonly,
                                          scale_ceiling=self.user_config.scale_ceiling)
        namespace = self._first_namespace if first else session.info.namespace
        self.header.update(context=session.info.name, server=session.info.server,
                           version=session.version, busy="", problem="", health=None,
                           problems=None, contexts=self._context_states())
        if namespace:
            session.store.add_namespace(namespace)
        self.start_pane(lambda send: Feed(session.store, root_view(NAMESPACE, None), send,
                                          ignore, ignore))
        if self.stack:
            kind = self.stack[0].view.kind
            if by_key(*kind.key) is None:  # a custom kind the other cluster may not have
                kind = POD
        else:
            kind = self._first_kind(session)
        state = ViewState(root_view(kind, namespace))
        if first and self.settings.restore and not self.settings.view:
            state = self._restored(session, state)
        self.stack = [state]
        await self._show()

    def start_pane(self, make: Callable[[Callable[[Batch], None]], Feed | MergedNamespaces],
                   *extra: Column) -> None:
        """The namespace pane from a new feed, made by `make` from where its batches go;
        `extra` columns go after NAME (and widen the pane)."""
        if self._pane_feed is not None:
            self._pane_feed.close()
        self._pane_generation += 1
        generation = self._pane_generation
        pane = self.pane
        pane.clear()
        pane.set_columns([*PANE_COLUMNS[:1], *extra, *PANE_COLUMNS[1:]])
        pane.set_class(bool(extra), "-merged")
        self._pane_feed = make(lambda b: self.post_message(PaneBatch(generation, b)))

    def _early_list(self, context: str) -> tuple[Kind, str | None] | None:
        """The first connection's view, when it is known before the server's kinds are
        (a built-in kind: `--command`'s, else the saved view's, else pods). Session.open
        lists it while it asks for them."""
        if self.session is not None or self.stack:
            return None
        builtins = browsable()
        if self.settings.view:
            kind = resolve(self.settings.view, builtins)
            return (kind, self._first_namespace) if kind else None
        if self.settings.restore and (saved := load_view(context)) is not None:
            view = self._saved_view(saved, lambda name: resolve(name, builtins))
            return (view.kind, view.namespace) if view else None
        return POD, self._first_namespace

    def _first_kind(self, session: Session) -> Kind:
        """The kind `--command` names (pods when it names none the server has)."""
        name = self.settings.view
        kind = session.resolve(name) if name else None
        if name and kind is None:
            self.notify(f"the server has no resource type {name!r}", severity="error")
        return kind or POD

    def _restored(self, session: Session, default: ViewState) -> ViewState:
        """The view this context was left on (k9s habit); -n, -A or -c win."""
        saved = load_view(session.info.name)
        view = self._saved_view(saved, session.resolve) if saved else None
        if saved is None or view is None:
            return default
        if view.namespace:
            session.store.add_namespace(view.namespace)
        return ViewState(view, filter=saved.filter)

    def _saved_view(self, saved: SavedView, kind_named: Callable[[str], Kind | None]
                    ) -> View | None:
        """The view `saved` names, its kind found by `kind_named`; -n or -A choose its
        namespace."""
        kind = kind_named(saved.resource)
        if kind is None:
            return None
        explicit = self.settings.namespace or self.settings.all_namespaces
        return root_view(kind, self._first_namespace if explicit else saved.namespace)

    def _remember_view(self) -> None:
        """Save the root view (kind, namespace, filter) for the next start."""
        if self.session is None or not self.stack:
            return
        view = self.stack[0].view
        text = self.main_table.filter.text if len(self.stack) == 1 else self.stack[0].filter
        save_view(self.session.info.name, SavedView(view.kind.resource, view.namespace, text))

    def on_connect_failed(self, message: ConnectFailed) -> None:
        if message.attempt != self._attempt:
            return
        if self.session is None:
            self.header.update(busy="", problem=message.error)
            self.main_table.empty_text = message.error
        else:
            self.header.update(busy="")
        self.notify(message.error, title=f"Cannot connect to {message.context}",
                    severity="error", timeout=15)

    def _close_feeds(self) -> None:
        for feed in (self.feed, self._pane_feed, self._metrics, *self._merged_metrics,
                     *self._problems, *self._metric_subs):
            if feed is not None:
                feed.close()
        self.feed = self._pane_feed = self._metrics = None
        self._merged_metrics, self._problems, self._metric_subs = [], [], []
        self._problems_scope = None

    def _follow_problems(self) -> None:
        """Count the problems of the namespace scope shown, for the header (the streams
        are shared with the views; the count is taken once a second), over every
        connected context of a merged table."""
        from kubetui.model.problems import ProblemsFeed

        sessions = tuple(self.live_sessions().values())
        scope = (sessions, self.namespace) if sessions else None
        if scope == self._problems_scope:
            return
        for feed in self._problems:
            feed.close()
        self._problems_scope = scope
        self.header.update(problems=None)  # until the new scope is counted
        self._problems = [ProblemsFeed(s.store, self.namespace, lambda: None, ignore)
                          for s in sessions]

    def _count_problems(self, soon: bool = False) -> None:
        """Once a second; sooner while a count is unfinished. Each call looks at what
        changed for at most `COUNT_BUDGET`: the first count after the streams' lists (a
        reset of every pod) held the loop ~100 ms at 50,000 pods, while keys are pressed.
        The header shows only a finished count."""
        if self._count_soon and not soon:
            return
        self._count_soon = False
        feeds = self._problems
        if feeds and all(f.synced for f in feeds) and self.screen_stack:
            for feed in feeds:
                feed.index.update(clock.time(), budget=COUNT_BUDGET)
            if any(f.index.pending for f in feeds):
                self._count_soon = True
                self.set_timer(COUNT_BUDGET, lambda: self._count_problems(soon=True))
            else:
                self._update_header(problems=sum(len(f.index.current) for f in feeds))

    # ----------------------------------------------------------------- showing a view
    async def _show(self) -> None:
        """Show the top frame: columns, filter, sort, then its rows as they arrive."""
        session = self.session
        frame = self.stack[-1]
        view = frame.view
        for feed in (self.feed, self._metrics, *self._merged_metrics, *self._metric_subs):
            if feed is not None:
                feed.close()
        self.feed, self._metrics, self._merged_metrics, self._metric_subs = None, None, [], []
        self._generation += 1
        generation = self._generation
        table = self.main_table
        table.clear()
        self._columns = await self._columns_of(view.kind)
        self._join, self._joins = None, {}
        if session is not None and by_key(*view.kind.key) and metric_columns(view.kind.kind):
            columns = self._columns
            for context, each in self.live_sessions().items():  # a merged table: each row's own
                join = self._metrics_join(each, view)
                self._joins[context] = join
                columns = join.columns
                feed = MetricsFeed(
                    each.client, view.kind.kind == "Node", view.namespace,
                    lambda r, c=context, j=join: self._merged_reading(generation, r, c, j),
                    self.user_config.metrics_interval, shown=self._main_screen_shown,
                    namespaces=join.namespaces, containers=False)
                self._merged_metrics.append(feed)
            self._columns = columns
            if self.connections is None:
                self._join = self._joins.pop("")
                self._metrics = self._merged_metrics.pop()
        self._columns = self.merged_columns(self._columns)
        self._set_columns()
        table.show_namespace = view.all_namespaces
        table.set_filter(frame.filter)
        # The frame's own sort, else by name: a sort chosen in one view does not follow
        # into the next one (issue 17).
        column, reverse = frame.sort if frame.sort and frame.sort[0] in {
            c.name for c in self._columns} else ("NAME", False)
        table.sort_by(column, reverse)
        table.empty_text = "Loading…"
        self._pending_cursor = frame.cursor
        self._remember_view()
        self._show_chrome(health=None)
        if session is None:
            return
        if self.connections is not None:
            self._start_after_sync()
            self.feed = self.merged_feed(
                view, lambda b: self.post_message(FeedBatch(generation, b)),
                lambda h: self.post_message(FeedHealth(generation, h)), self._joins)
            return
        self._after_sync = generation
        self.feed = Feed(session.store, view,
                         lambda b: self.post_message(FeedBatch(generation, b)),
                         lambda h: self.post_message(FeedHealth(generation, h)),
                         lambda n: self.post_message(FeedNote(generation, n)))

    def _merged_reading(self, generation: int, reading: Reading, context: str,
                        join: MetricsJoin) -> None:
        """A merged table's reading is joined as it is taken, not when its message is
        handled: `MergedFeed` joins a context's rows as the store delivers them, so a
        batch joined to no reading yet, queued before this message, would otherwise land
        after it and leave its CPU and MEM blank until the next poll."""
        rows = tagged(context, join.joined(join.update(reading))) if context else None
        self.post_message(MetricsRead(generation, reading, context, rows))

    def _metrics_join(self, session: Session, view: View) -> MetricsJoin:
        """CPU/MEM columns for `view`: a workload's sum over its pods needs its pods (and
        a Deployment's ReplicaSets), followed on the session's shared streams."""
        kind = view.kind.kind
        if kind not in WORKLOAD_KINDS:
            return MetricsJoin(kind, self._columns)
        follow = [POD] + ([REPLICASET] if kind == "Deployment" else [])
        subs = [session.store.subscribe(k, view.namespace, ignore, ignore) for k in follow]
        self._metric_subs += subs
        pods = subs[0]
        replicasets = subs[1] if len(subs) > 1 else None
        return MetricsJoin(kind, self._columns, lambda: pods.entries().values(),
                           (lambda: replicasets.entries().values()) if replicasets else None)

    async def _columns_of(self, kind: Kind) -> list[Column]:
        """kubectl's columns; a custom resource's from its CRD's printer columns (the
        store renders its rows from the same ones)."""
        if (by_key(*kind.key) is not None or has_printer(kind.kind, kind.group)
                or self.session is None):
            return columns_for(kind.kind, kind.group)
        try:
            return crd_columns(await self.session.client.printer_columns(kind))
        except ClusterError:
            return crd_columns(None)

    def _show_chrome(self, **header: object) -> None:
        view = self.stack[-1].view
        root = self.stack[0].view.kind
        self.header.update(namespace=view.namespace, view=view.kind.title, **header)
        tab = next((i for i, t in enumerate(TABS) if t.kind.key == root.key), None)
        self.query_one(TabStrip).select(tab)
        self.query_one(Breadcrumbs).show([f.view.crumb for f in self.stack], note="",
                                         filter=self.main_table.filter.text)

    def _empty_text(self, view: View, health: StreamHealth) -> str:
        """What an empty table says: still loading, why nothing can be listed, or that
        there is nothing."""
        if health.state == "syncing":
            return "Loading…"
        if health.state != "live":
            return health.error or health.state
        where = "" if not view.kind.namespaced else (
            f" in namespace {view.namespace}" if view.namespace else " in any namespace")
        if view.scope is not None:
            return f"No {view.crumb}"
        return f"No {view.kind.title}{where}"

    def _feeds_shown(self, generation: int) -> bool:
        """Whether a feed's message of `generation` still has a main screen to go to: not
        after a view change, nor once the app is shutting down (its screens are going then,
        while the last messages of the streams are still in the queue)."""
        return generation == self._generation and self.is_running and bool(self.screen_stack)

    def on_feed_batch(self, message: FeedBatch) -> None:
        if not self._feeds_shown(message.generation) or self.view is None or self.feed is None:
            return
        table = self.main_table
        if self._join is not None:
            self._join.take(message.batch)
        table.apply(message.batch)
        if message.batch.reset:
            table.empty_text = self._empty_text(self.view, self.feed.health)
        if self._pending_cursor is not None:
            found = table.select_uid(self._pending_cursor)
            if found or self.feed.health.state == "live":
                self._pending_cursor = None

    def on_metrics_read(self, message: MetricsRead) -> None:
        if not self._feeds_shown(message.generation):
            return
        error = message.reading.error
        if message.rows is not None:  # a merged table: that context's rows, at once
            self.main_table.apply(message.rows)
        elif self._join is not None:
            self.run_worker(self._draw_metric_rows(self._join.updates(message.reading),
                                                   message.generation),
                            group="metric-rows", exclusive=True)
        else:
            return
        if error and error != self._metrics_told.get(message.context):  # once, not each poll
            self.notify(f"CPU and MEM show n/a: {error}", severity="warning", timeout=8,
                        title=f"No metrics in {message.context}" if message.context
                        else "No metrics")
        self._metrics_told[message.context] = error

    def _main_screen_shown(self) -> bool:
        """Whether the main table is on screen (no view pushed over it)."""
        return len(self.screen_stack) == 1

    async def _draw_metric_rows(self, batches: Iterator[Batch], generation: int) -> None:
        """Redraw the rows of a new reading a batch at a time, the event loop running
        between batches (keys, paints, watch events); a newer reading's drawing cancels
        this one (exclusive worker). Chained through `call_later` instead, the batches
        ran back to back while messages were queued: at 50,000 pods one stall of ~0.7 s
        of CPU (bench/problems_bench.py --stalls)."""
        for batch in batches:
            if not self._feeds_shown(generation):
                return
            self.main_table.apply(batch)
            await asyncio.sleep(0)

    def on_feed_health(self, message: FeedHealth) -> None:
        if self._feeds_shown(message.generation) and self.view is not None:
            if message.health.state == "live" and self._frozen != message.generation:
                self._frozen = message.generation
                freeze_rows()
            self.header.update(health=message.health)
            self.main_table.empty_text = self._empty_text(self.view, message.health)
            if message.health.state != "syncing" and self._after_sync == message.generation:
                self._after_sync = 0
                # After the paint that shows the view synced: started here, their dozen
                # requests (connections, TLS handshakes) went first, ~20 ms of CPU at
                # 1,000 pods before "live" reached the screen.
                self.call_after_refresh(self._start_after_synced, message.generation)

    def _start_after_synced(self, generation: int) -> None:
        if generation == self._generation:
            self._start_after_sync()

    def _start_after_sync(self) -> None:
        """Once the view's list is in (or has failed): its metrics polls and the streams
        of the header's problem count. Started with the view, their lists (a metrics list
        of every pod, thousands of events) would share the server and this process with
        the view's own and delay its first rows and its sync (issue 19)."""
        for feed in (self._metrics, *self._merged_metrics):
            if feed is not None:
                feed.start()
        self._follow_problems()

    def on_feed_note(self, message: FeedNote) -> None:
        if self._feeds_shown(message.generation):
            self.query_one(Breadcrumbs).show(note=message.note)

    def on_pane_batch(self, message: PaneBatch) -> None:
        if message.generation == self._pane_generation and \
                self._feeds_shown(self._generation):
            self.pane.apply(message.batch)

    def _save_frame(self) -> None:
        table = self.main_table
        self.stack[-1] = replace(self.stack[-1], cursor=table.selected_uid,
                                 filter=table.filter.text,
                                 sort=(table.sort_column, table.sort_reverse))

    async def _go(self, view: View) -> None:
        """A new stack with `view` at its root (`:` commands, tabs, namespaces)."""
        if self.session is None:
            self.notify("not connected", severity="warning")
            return
        self.stack = [ViewState(view)]
        await self._show()

    async def _set_namespace(self, namespace: str | None) -> None:
        if self.session is not None and namespace:
            self.session.store.add_namespace(namespace)
        kind = self.stack[0].view.kind if self.stack else POD
        if kind.key == NAMESPACE.key:
            kind = POD
        await self._go(root_view(kind, namespace))

    # ----------------------------------------------------------------- navigation
    def action_command_line(self) -> None:
        self.prompt.open(":", return_to=self.main_table)
        if self.session is not None:  # so that tab completes a CRD created a moment ago
            self.run_worker(self.session.refresh_kinds(KINDS_MAX_AGE), group="discovery",
                            exclusive=True, exit_on_error=False)

    def action_filter(self) -> None:
        self.prompt.open("/", self.main_table.filter.text, return_to=self.main_table)

    async def action_back(self) -> None:
        table = self.main_table
        if table.filter.text:  # as k9s: esc clears the filter first
            self._set_filter("")
        elif len(self.stack) > 1:
            self.stack.pop()
            await self._show()

    async def action_all_namespaces(self) -> None:
        await self._set_namespace(None)

    async def action_tab(self, index: int) -> None:
        await self._go(root_view(TABS[index].kind, self.namespace))

    def action_toggle_namespaces(self) -> None:
        self._pane_choice = not self.pane.display
        self._layout_pane(self.size.width)
        if self.pane.display:
            self.pane.focus()

    def action_toggle_wide(self) -> None:
        self._wide = not self._wide
        self._set_columns()

    def _set_columns(self) -> None:
        """The view's columns on the main table, its metrics joined into its rows."""
        self.main_table.set_columns(self._columns, wide=self._wide,
                                    join=self._join.cells if self._join else None)

    def action_help(self) -> None:
        from kubetui.ui.screens.help import HelpScreen, key_help

        rows = key_help(self.screen.active_bindings, self.get_key_display)
        title = self.view.crumb if self.view else "kubetui"
        self.push_screen(HelpScreen(title, rows))

    def action_describe(self) -> None:
        from kubetui.ui.screens.object_screens import DescribeScreen

        self._open_detail(DescribeScreen)

    def action_yaml(self) -> None:
        from kubetui.ui.screens.object_screens import YamlScreen

        self._open_detail(YamlScreen)

    def action_logs(self) -> None:
        """Logs of the selected pod, or of every pod of the selected workload/service."""
        entry, view = self.main_table.selected_entry, self.view
        if self.session is None or view is None or entry is None:
            return
        if not view.kind.has_logs:
            self.notify(f"{view.kind.kind}s have no logs", severity="warning")
            return
        from kubetui.cluster.logs import LogTarget
        from kubetui.ui.screens.log_screen import LogScreen

        target = LogTarget(view.kind, entry.namespace, entry.name)
        self.push_screen(LogScreen(self.session.client, target, store=self.session.store,
                                   capacity=self.user_config.log_buffer))

    def action_events(self) -> None:
        """The events about the selected object."""
        from kubetui.ui.screens.events_screen import EventsScreen

        entry, view = self.main_table.selected_entry, self.view
        if self.session is None or view is None or entry is None:
            return
        self.push_screen(EventsScreen(self.session.store, entry.namespace or None,
                                      involved=(view.kind.kind, entry.name, entry.uid)),
                         self._go_to_object)

    def action_problems(self) -> None:
        """Every unhealthy object in the current namespace scope (`:problems`)."""
        from kubetui.ui.screens.problems_screen import ProblemsScreen

        if self.session is None:
            self.notify("not connected", severity="warning")
            return
        self.push_screen(ProblemsScreen(self.session.store, self.namespace,
                                        log_buffer=self.user_config.log_buffer,
                                        connections=self.connections),
                         self._go_to_object)

    async def _go_to_object(self, target: GoTo | None) -> None:
        """Show an object chosen in another screen in its kind's view, cursor on it (a
        merged table's uid, `<context>/<uid>`, when it came from a merged view)."""
        if target is None or self.session is None:
            return
        namespace = target.namespace if target.kind.namespaced else self.namespace
        if namespace:
            self.session_of(target.uid).store.add_namespace(namespace)
        self.stack = [ViewState(root_view(target.kind, namespace), cursor=target.uid)]
        await self._show()

    def _open_detail(self, screen: type[DescribeScreen] | type[YamlScreen]) -> None:
        entry, view = self.main_table.selected_entry, self.view
        if self.session is None or view is None or entry is None:
            return
        self.push_screen(screen(self.session.store, view.kind, entry.namespace, entry.name))

    def _set_filter(self, text: str) -> None:
        self.main_table.set_filter(text)
        self.query_one(Breadcrumbs).show(filter=text)
        if not self.prompt.is_open:  # kept once typed, not at every key
            self._remember_view()

    @on(TabStrip.Chosen)
    async def _tab_clicked(self, message: TabStrip.Chosen) -> None:
        await self.action_tab(message.index)

    def _prompt_changed(self, mode: str, value: str) -> None:
        if mode == "/":
            self._set_filter(value)

    async def _prompt_submitted(self, mode: str, value: str) -> None:
        if mode == ":":
            await self._run_command(value)
        else:
            self._remember_view()

    async def on_resource_table_selected(self, message: ResourceTable.Selected) -> None:
        if message.table is self.pane:
            await self._set_namespace(message.entry.name)
            self.main_table.focus()
        else:
            await self._drill(message.entry.uid)

    async def _drill(self, uid: str) -> None:
        session, view = self.session, self.view
        entry = self.main_table.selected_entry
        if session is None or view is None or entry is None or entry.uid != uid:
            return
        if view.kind.key == POD.key:
            from kubetui.ui.screens.containers_screen import ContainersScreen

            self.push_screen(ContainersScreen(
                session.store, entry.namespace, entry.name, log_buffer=self.user_config.log_buffer,
                metrics_interval=self.user_config.metrics_interval, readonly=self.readonly))
            return
        obj = None
        if needs_object(view.kind):
            try:
                obj = await session.client.get(view.kind, entry.namespace, entry.name)
            except ClusterError as e:
                self.notify(str(e), severity="error")
                return
        if self.connections is not None:  # a merged row: the object's own uid owns
            entry = replace(entry, uid=row_context(entry.uid)[1])
        target = drill_view(view.kind, entry, view.namespace, obj)
        if target is None:
            return
        if target.namespace and target.kind.namespaced:
            session.store.add_namespace(target.namespace)
        self._save_frame()
        self.stack.append(ViewState(target))
        await self._show()

    # ----------------------------------------------------------------- commands
    async def _run_command(self, text: str) -> None:
        """A `:` line; a name from k9s's aliases.yaml stands for its resource, namespace,
        labels and filter (k9s's command-line aliases)."""
        line, loop = self.k9s.aliases.expand(text)
        if loop is not None:
            self.notify(loop, severity="error")
            return
        plain = parse_command(text)
        if line is None or plain is None or plain.word not in self.k9s.aliases.lines:
            await self._run_plain_command(text)
            return
        await self._run_plain_command(" ".join(w for w in (line.resource, line.namespace) if w))
        labels = f"-l {line.labels}" if line.labels else ""
        if line.filter or labels:
            self._set_filter(" ".join(w for w in (line.filter, labels) if w))

    async def _run_plain_command(self, text: str) -> None:
        command = parse_command(text)
        if command is None:
            return
        if command.word in QUIT_WORDS:
            self._say_forwards_stop()
            self.exit()
            return
        if command.word in MESSAGE_WORDS:
            self.push_screen(MessagesScreen(list(self.message_log.notes)))
            return
        if command.word in ALIAS_WORDS:
            self.action_aliases()
            return
        if command.word in PROBLEM_WORDS:
            self.action_problems()
            return
        if command.word in XRAY_WORDS:
            self._xray(command.arg)
            return
        if command.word in PULSE_WORDS:
            if self.session is not None:
                from kubetui.ui.screens.pulses_screen import PulsesScreen

                self.push_screen(PulsesScreen(
                    self.session.store, self.namespace, log_buffer=self.user_config.log_buffer,
                    metrics_interval=self.user_config.metrics_interval), self._go_to_object)
            return
        if command.word in CONTEXT_WORDS:
            if is_multi(command.arg):
                self.connect_multi(command.arg)
            elif command.arg:
                self._switch_context(command.arg)
            else:
                from kubetui.ui.screens.contexts import ContextPicker

                self.push_screen(ContextPicker(self.kubeconfig.contexts, self.context_name),
                                 self._context_picked)
            return
        session = self.session
        if session is None:
            self.notify("not connected", severity="warning")
            return
        if command.word in PORTFORWARD_WORDS:
            from kubetui.ui.screens.portforwards_screen import PortForwardsScreen

            self.push_screen(PortForwardsScreen(self.forward_managers()))
            return
        if command.word in HELM_WORDS:
            namespace = self.namespace if not command.arg else (
                None if command.arg in _ALL_NAMESPACES else command.arg)
            from kubetui.ui.screens.helm_screens import HelmScreen

            self.push_screen(HelmScreen(session, namespace, self.connections))
            return
        kind = session.resolve(command.word)
        if kind is None:  # perhaps a CRD created since we connected
            try:
                await session.rediscover()
            except ClusterError as e:
                self.notify(str(e), severity="error")
                return
            kind = session.resolve(command.word)
        if kind is None:
            self.notify(f"the server has no resource type {command.word!r}",
                        severity="error")
            return
        if kind.key == EVENT.key:  # a live stream, newest first, rather than a table
            from kubetui.ui.screens.events_screen import EventsScreen

            namespace = self.namespace if not command.arg else (
                None if command.arg in _ALL_NAMESPACES else command.arg)
            self.push_screen(EventsScreen(session.store, namespace), self._go_to_object)
            return
        if kind.key == NAMESPACE.key and command.arg:
            await self._set_namespace(None if command.arg in _ALL_NAMESPACES else command.arg)
            return
        namespace = self.namespace
        if command.arg:
            namespace = None if command.arg in _ALL_NAMESPACES else command.arg
            if namespace:
                session.store.add_namespace(namespace)
        await self._go(root_view(kind, namespace))

    def _xray(self, arg: str) -> None:
        """`:xray KIND [NAME]`: the tree of KIND's objects in the namespace scope."""
        if self.session is None:
            self.notify("not connected", severity="warning")
            return
        word, _, name = arg.partition(" ")
        kind = self.session.resolve(word) if word else None
        if kind is None:
            self.notify("xray what? e.g. :xray deploy, :xray sts redis, :xray svc",
                        severity="warning")
            return
        from kubetui.ui.screens.xray_screen import XrayScreen

        self.push_screen(XrayScreen(self.session.store, kind, self.namespace, name.strip()),
                         self._go_to_object)

    def _switch_context(self, name: str) -> None:
        try:
            self.kubeconfig.context(name)
        except ConfigError as e:
            self.notify(str(e), severity="error")
            return
        self._connect(name)

    def action_undo(self) -> None:
        if self.action_runner is not None:
            self.run_worker(self.action_runner.run_undo(), group="action",
                            exit_on_error=False)

    def action_copy(self) -> None:
        """The names of the marked rows of the focused table, else the cursor's (OSC 52)."""
        table, _, _ = self.action_context()
        entries = table.marked_entries() if table.marked_uids else \
            [e for e in [table.selected_entry] if e is not None]
        if not entries:
            self.notify("nothing to copy", severity="warning", timeout=3)
            return
        self.copy_to_clipboard("\n".join(e.name for e in entries))
        shown = ", ".join(e.name for e in entries[:3]) + (" …" if len(entries) > 3 else "")
        self.notify(f"Copied {len(entries)} name{'s' * (len(entries) > 1)}: {shown} "
                    "(OSC 52)", timeout=3)

    def action_aliases(self) -> None:
        if self.session is None:
            self.notify("not connected", severity="warning")
            return
        from kubetui.ui.aliases import AliasesScreen

        self.push_screen(AliasesScreen(browsable(self.session.kinds), self.k9s.aliases),
                         self._alias_picked)

    async def _alias_picked(self, resource: str | None) -> None:
        if resource:
            await self._run_command(resource)

    def _context_picked(self, name: str | None) -> None:
        if name and name != self.context_name:
            self._switch_context(name)

    def _command_words(self) -> Iterable[str]:
        kinds = browsable(self.session.kinds) if self.session else []
        return {*QUIT_WORDS, *CONTEXT_WORDS, *ALIAS_WORDS, *MESSAGE_WORDS, *PROBLEM_WORDS,
                *PULSE_WORDS, *XRAY_WORDS, *HELM_WORDS, *PORTFORWARD_WORDS,
                *self.k9s.aliases.lines,
                *(a for k in kinds for a in k.aliases)}

    def _command_arguments(self, word: str) -> Iterable[str]:
        if word in CONTEXT_WORDS:
            return [c.name for c in self.kubeconfig.contexts]
        if word in QUIT_WORDS or word in ALIAS_WORDS or word in MESSAGE_WORDS \
                or word in PROBLEM_WORDS or word in PULSE_WORDS or word in PORTFORWARD_WORDS:
            return []
        if word in XRAY_WORDS:
            return ["deploy", "sts", "ds", "rs", "job", "cj", "svc", "po"]
        return [self.pane.entry_at(i).name for i in range(self.pane.row_count)]

    # ----------------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from kubetui.ui.screens.help import key_help

        yield from super().get_system_commands(screen)
        for row in key_help(screen.active_bindings, self.get_key_display):
            if row.enabled:
                yield SystemCommand(row.description,
                                    f"{row.keys} · {row.where} · {row.binding_id}",
                                    partial(self.run_action, row.action, row.node))
        for context in self.kubeconfig.contexts:
            if context.name != self.context_name:
                yield SystemCommand(f"Switch to context {context.name}", context.server,
                                    partial(self._switch_context, context.name), discover=False)


def known_binding_ids() -> set[str]:
    """Ids a keymap may name (sort keys, made per column, are `table.sort.<column>`)."""
    from kubetui.ui.actions.keys import action_screens
    from kubetui.ui.screens.containers_screen import ContainersScreen
    from kubetui.ui.screens.contexts import ContextPicker
    from kubetui.ui.screens.helm_screens import HelmScreen, HistoryScreen, ObjectsScreen
    from kubetui.ui.screens.help import HelpScreen
    from kubetui.ui.screens.portforwards_screen import PortForwardsScreen
    from kubetui.ui.screens.problems_screen import ProblemsScreen
    from kubetui.ui.screens.pulses_screen import PulsesScreen
    from kubetui.ui.screens.xray_screen import XrayScreen

    classes = (KubetuiApp, ResourceTable, PromptBar, HelpScreen, ContextPicker, ProblemsScreen,
               ContainersScreen, PulsesScreen, XrayScreen, HelmScreen, HistoryScreen,
               ObjectsScreen, PortForwardsScreen, *action_screens())
    return {b.id for cls in classes for b in cls.BINDINGS
            if isinstance(b, Binding) and b.id}


def make_app(settings: Settings) -> KubetuiApp:
    """The app for `settings`: the CLI, `--demo` and the tests all start here. The config
    file and the kubeconfig are read now, so their errors (ConfigFileError, ConfigError,
    each naming its file) come before any screen is drawn."""
    user = load_user_config(settings.config_path)
    unknown = sorted(i for i in user.keymap
                     if i not in known_binding_ids() and not i.startswith("table.sort."))
    if unknown:
        raise ConfigFileError(f"config file {user.path}: keymap names an unknown binding id "
                              f"{unknown[0]!r} (press ? in kubetui to see the ids)")
    for binding_id, keys in user.keymap.items():
        if (key := unknown_key(keys)) is not None:
            raise ConfigFileError(f"config file {user.path}: keymap entry {binding_id}: "
                                  f"{key!r} is not a key name (examples: ctrl+f, f5, "
                                  f"question_mark, a)")
    several = is_multi(settings.context)
    config = kubeconfigs.load(settings.kubeconfig, None if several else settings.context)
    contexts = named_contexts(settings.context, config) if several else None
    if contexts:
        config.current = contexts[0]
    if not config.current:
        names = ", ".join(c.name for c in config.contexts) or "none"
        files = ", ".join(str(p) for p in config.files) or "the kubeconfig"
        raise ConfigError(f"{files} sets no current-context; pass --context "
                          f"(contexts: {names})")
    config.context(config.current)  # a current-context that is not defined
    app = KubetuiApp(settings, user, config)
    app.multi_contexts = contexts
    if user.theme and user.theme not in app.available_themes:
        raise ConfigFileError(f"config file {user.path}: unknown theme {user.theme!r} "
                              f"(themes: {', '.join(sorted(app.available_themes))})")
    return app


__all__ = ["KubetuiApp", "make_app", "tune_gc"]
