"""`LogScreen`: the logs of a pod or a workload, with kubectl's choices on k9s's keys.

`LogScreen(client, target, store=..., options=..., capacity=...)`: the screen owns a
`LogFeed` (kubetui.cluster.logs) and a `LogView`, and restarts the feed whenever a choice
that the server applies changes (container, previous, tail, time window). Everything else
(timestamps, wrap, JSON, search, filter) is the view's and needs no request.

Keys (k9s's where it has them): `0` tail, `1` head (the whole log), `2`-`6` the last 1m,
5m, 15m, 30m, 1h; `T` cycles the tail length; `p` previous instance; `a` container choice;
`t` timestamps; `w` wrap; `J` JSON pretty; `s` autoscroll; `/` search, `n`/`N` next and
previous match, `F` filter to the matches; `ctrl+s` save; `c` copy the lines on screen
(OSC 52: the terminal's clipboard, through SSH too); `esc` clears the search, then goes
back.

Saved logs go to `$XDG_STATE_HOME/kubetui/logs/` (`~/.local/state/kubetui/logs/` when the
variable is unset): logs are state worth keeping, and the working directory of an SSH
session is often not writable or not where the person will look.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kubetui.cluster.client import ClusterClient
from kubetui.cluster.logs import (ENDED, FAILED, STREAMING, WAITING, LogBatch, LogFeed,
                                  LogOptions, LogSettings, LogTarget)
from kubetui.cluster.store import WatchStore
from kubetui.private_files import write_private
from kubetui.ui.ordered_input import OrderedInput
from kubetui.ui.widgets.log_view import DEFAULT_CAPACITY, LogView
from kubetui.ui.widgets.safe import SafeStatic, safe

#: `T` cycles through these (None: the whole log).
TAIL_LENGTHS: tuple[int | None, ...] = (100, 500, 1000, 5000, None)
#: k9s's since keys: 2-6.
SINCE_KEYS: dict[str, int] = {"2": 60, "3": 300, "4": 900, "5": 1800, "6": 3600}
ALL, ALL_INIT = "\0all", "\0all+init"


def save_dir() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "kubetui" / "logs"


def _since_words(seconds: int) -> str:
    return f"{seconds // 3600}h" if seconds >= 3600 else f"{seconds // 60}m"


class ContainerDialog(ModalScreen[str | None]):
    """Pick all containers, all with the init ones, or one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    ContainerDialog { align: center middle; }
    ContainerDialog > OptionList { width: 50; height: auto; max-height: 80%;
                                   border: round $accent; }
    """

    def __init__(self, containers: list[str], inits: list[str], current: str) -> None:
        super().__init__()
        self._options = [Option("all containers", id=ALL)]
        if inits:
            self._options.append(Option("all containers + init containers", id=ALL_INIT))
        self._options += [Option(safe(name), id=name) for name in containers]
        self._options += [Option(safe(f"{name} (init)"), id=name) for name in inits]
        self._current = current

    def compose(self) -> ComposeResult:
        options = OptionList(*self._options)
        options.border_title = "Container"
        yield options

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [o.id for o in self._options]
        options.highlighted = ids.index(self._current) if self._current in ids else 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class LogScreen(Screen[None]):
    """Logs of `target`; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="logs.back"),
        Binding("slash", "search", "Search", key_display="/", id="logs.search"),
        Binding("n", "next_match", "Next", show=False, id="logs.next"),
        Binding("N", "previous_match", "Previous match", show=False, id="logs.previous_match"),
        Binding("F", "filter", "Filter", id="logs.filter"),
        Binding("p", "previous", "Previous", id="logs.previous"),
        Binding("a", "containers", "Containers", id="logs.containers"),
        Binding("t", "timestamps", "Timestamps", id="logs.timestamps"),
        Binding("w", "wrap", "Wrap", id="logs.wrap"),
        Binding("J", "json", "JSON", id="logs.json"),
        Binding("s", "autoscroll", "Autoscroll", id="logs.autoscroll"),
        Binding("0", "tail", "Tail", id="logs.tail"),
        Binding("1", "head", "Head", show=False, id="logs.head"),
        *(Binding(key, f"since({seconds})", _since_words(seconds), show=False,
                  id=f"logs.since_{_since_words(seconds)}")
          for key, seconds in SINCE_KEYS.items()),
        Binding("T", "tail_length", "Tail length", show=False, id="logs.tail_length"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
        Binding("c", "copy", "Copy", id="logs.copy"),
    ]

    DEFAULT_CSS = """
    LogScreen { layout: vertical; }
    LogScreen > #log-title { height: 1; background: $panel; color: $foreground;
                             text-style: bold; padding: 0 1; }
    LogScreen > #log-search { display: none; height: 3; }
    LogScreen > #log-search.-active { display: block; }
    LogScreen > #log-status { height: 1; background: $panel; color: $text-muted;
                              padding: 0 1; }
    """

    #: Seconds between status line updates (not per batch: a flood must not cost more).
    STATUS_INTERVAL: ClassVar[float] = 0.5

    def __init__(self, client: ClusterClient, target: LogTarget, *,
                 store: WatchStore | None = None, options: LogOptions | None = None,
                 capacity: int = DEFAULT_CAPACITY, settings: LogSettings | None = None,
                 name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.client = client
        self.target = target
        self.store = store
        self.options = options or LogOptions(container=target.container)
        self.settings = settings or LogSettings()
        self.capacity = capacity
        self.feed: LogFeed | None = None
        self.received = 0  # lines taken from the feed since the last restart
        self.errors: list[str] = []
        self.rate = 0.0
        self._tail = self.options.tail
        self._rate_mark = (time.monotonic(), 0)

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield SafeStatic(id="log-title")
        yield LogView(self.capacity, id="log-view")
        yield OrderedInput(placeholder="search (regex when it has one of .^$*+?()[]{}|\\)",
                           id="log-search")
        yield SafeStatic(id="log-status")

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def on_mount(self) -> None:
        self.view.focus()
        self._start()
        self.set_interval(self.STATUS_INTERVAL, self._tick)

    async def on_unmount(self) -> None:
        if self.feed is not None:
            await self.feed.stop()

    # ----------------------------------------------------------------- the feed
    def _start(self) -> None:
        """(Re)start the feed with the current options; the view starts empty."""
        old = self.feed
        if old is not None:
            asyncio.get_running_loop().create_task(old.stop())
        self.view.clear()
        self.received, self.errors = 0, []
        self._rate_mark = (time.monotonic(), 0)
        aggregated = not self.target.is_pod or self.options.container is None
        self.view.set_flags(show_tags=aggregated and not self._single_container())
        self.feed = LogFeed(self.client, self.target, self.options, self._on_batch,
                            store=self.store, settings=self.settings)
        self.feed.start()
        self._update_status()

    def _single_container(self) -> bool:
        """A pod target known to have one container: no tags needed."""
        feed = self.feed
        return (self.target.is_pod and feed is not None and len(feed.containers) == 1
                and not self.options.init_containers)

    def _on_batch(self, batch: LogBatch) -> None:
        view = self.view
        if batch.texts:
            self.received += len(batch)
            view.append(batch)
        if batch.problems:
            self.errors.extend(batch.problems)
            self._update_status()
        if self.view.show_tags and self._single_container():
            view.set_flags(show_tags=False)

    def _restart(self, **changes: object) -> None:
        self.options = replace(self.options, **changes)  # type: ignore[arg-type]
        self._start()

    # ----------------------------------------------------------------- status
    def _tick(self) -> None:
        now = time.monotonic()
        then, count = self._rate_mark
        if now > then:
            self.rate = (self.received - count) / (now - then)
        self._rate_mark = (now, self.received)
        self._update_status()

    def status_text(self) -> str:
        """The status line: what, which container, following or paused, counts, rate,
        problems."""
        view, opts, feed = self.view, self.options, self.feed
        container = opts.container or ("all containers + init" if opts.init_containers
                                       else "all containers")
        window = ("previous instance" if opts.previous
                  else f"last {_since_words(opts.since)}" if opts.since
                  else f"tail {opts.tail}" if opts.tail is not None else "whole log")
        parts = [container, window,
                 "following" if view.follow else "paused",
                 f"{view.line_count:,} lines"]
        if view.filtering:
            parts.append(f"{view.shown_count:,} shown")
        parts.append(f"dropped {view.dropped:,}" if view.dropped else "dropped 0")
        parts.append(f"{self.rate:,.0f} lines/s")
        if feed is not None:
            counts = feed.counts()
            streams = [f"{counts[s]} {s}" for s in (STREAMING, WAITING, ENDED, FAILED)
                       if counts.get(s)]
            if streams:
                parts.append(", ".join(streams))
        if self.errors:
            parts.append(f"errors {len(self.errors)}: {self.errors[-1]}")
        return " · ".join(parts)

    def _update_status(self) -> None:
        target = self.target
        title = f"Logs {target.namespace}/{target.describe()}"
        if self.view.search_text:
            title += f"  /{self.view.search_text}"
        self.query_one("#log-title", Static).update(title)
        self.query_one("#log-status", Static).update(self.status_text())

    # ----------------------------------------------------------------- search
    def action_search(self) -> None:
        box = self.query_one("#log-search", Input)
        box.value = self.view.search_text
        box.add_class("-active")
        self.set_focus(box)  # at once: the keys after `/` may already be queued

    @on(Input.Submitted, "#log-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.input.remove_class("-active")
        self.view.focus()
        found = self.view.set_search(event.value)
        if event.value and not found:
            self.notify(f"Not found: {event.value}", severity="warning")
        self._update_status()

    def action_next_match(self) -> None:
        if not self.view.next_match() and self.view.search_text:
            self.notify("No more matches below", timeout=2)

    def action_previous_match(self) -> None:
        if not self.view.previous_match() and self.view.search_text:
            self.notify("No more matches above", timeout=2)

    def action_filter(self) -> None:
        self.view.set_filter(not self.view.filtering)
        self._update_status()

    def action_back(self) -> None:
        box = self.query_one("#log-search", Input)
        if box.has_class("-active"):
            box.remove_class("-active")
            self.view.focus()
        elif self.view.search_text or self.view.filtering:
            self.view.set_filter(False)
            self.view.set_search("")
            self._update_status()
        else:
            self.dismiss()

    # ----------------------------------------------------------------- view toggles
    def action_timestamps(self) -> None:
        self.view.set_flags(timestamps=not self.view.timestamps)

    def action_wrap(self) -> None:
        self.view.set_flags(wrap=not self.view.wrap)

    def action_json(self) -> None:
        self.view.set_flags(pretty=not self.view.pretty)

    def action_autoscroll(self) -> None:
        view = self.view
        if view.follow:
            view.follow = False
        else:
            view.action_last()
        self._update_status()

    # ----------------------------------------------------------------- server choices
    def action_previous(self) -> None:
        self._restart(previous=not self.options.previous)

    def action_tail(self) -> None:
        self._restart(tail=self._tail, since=None, previous=False)

    def action_head(self) -> None:
        self._restart(tail=None, since=None, previous=False)

    def action_since(self, seconds: int) -> None:
        self._restart(since=seconds, tail=None, previous=False)

    def action_tail_length(self) -> None:
        index = TAIL_LENGTHS.index(self._tail) if self._tail in TAIL_LENGTHS else -1
        self._tail = TAIL_LENGTHS[(index + 1) % len(TAIL_LENGTHS)]
        self.notify(f"Tail {self._tail if self._tail is not None else 'all'} lines",
                    timeout=2)
        self._restart(tail=self._tail, since=None)

    def action_containers(self) -> None:
        feed = self.feed
        containers = feed.containers if feed else []
        inits = feed.init_containers if feed else []
        current = self.options.container or (ALL_INIT if self.options.init_containers
                                             else ALL)
        self.app.push_screen(ContainerDialog(containers, inits, current),
                             self.choose_container)

    def choose_container(self, choice: str | None) -> None:
        if choice is None:
            return
        if choice in (ALL, ALL_INIT):
            self._restart(container=None, init_containers=choice == ALL_INIT)
        else:
            self._restart(container=choice, init_containers=False)

    # ----------------------------------------------------------------- out
    async def action_save(self) -> Path | None:
        """Write the lines shown (the filter applied) to a file under `save_dir()`."""
        view, t = self.view, self.target
        text = "".join(view.plain(line) + "\n" for line in view.lines())
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = re.sub(r"[^\w.-]+", "_", f"{t.namespace}_{t.kind.kind.lower()}-{t.name}")
        try:
            path = await asyncio.to_thread(_write, save_dir(), f"{name}_{stamp}", text)
        except OSError as e:
            self.notify(f"Could not save the log: {e}", severity="error")
            return None
        self.notify(f"Saved {text.count(chr(10)):,} lines to {path}", timeout=8)
        return path

    def action_copy(self) -> None:
        """The current search match's line, else the lines on screen (OSC 52)."""
        view = self.view
        match = view.current if view.current is not None and \
            view.current >= view.ring.first else None
        lines = [view.ring[match]] if match is not None else view.visible_lines()
        self.app.copy_to_clipboard("\n".join(view.plain(line) for line in lines))
        what = "the matching line" if match is not None else f"{len(lines)} lines"
        self.notify(f"Copied {what} to the clipboard (OSC 52)", timeout=3)


def _write(folder: Path, stem: str, text: str) -> Path:
    """A new 0600 file `stem.log` (`stem-2.log`, ... when saved again within the second)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        path = folder / (f"{stem}.log" if n == 1 else f"{stem}-{n}.log")
        try:
            return write_private(path, text, exclusive=True)
        except FileExistsError:
            n += 1
