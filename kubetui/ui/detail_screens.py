"""Describe and YAML: the screens that show one object live (events: `events_screen.py`).

Each screen takes the context's `WatchStore` (its `client` does the reads), the `Kind`, the
namespace and the name, so the app pushes one with a single call. The screens follow the
store rather than polling: a change of the object's resourceVersion (or, for describe, an
event about it) schedules one re-read, debounced, so a burst of updates costs one request.

Text is drawn by `TextView`, a line-API widget that styles only the lines on screen: a
5,000-line object scrolls as fast as a 50-line one. `/` searches it (n/N move between
matches).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from kubetui import clock
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.related import Described, fetch_described
from kubetui.cluster.store import Batch, Entry, Health, Subscription, WatchStore
from kubetui.kinds import Kind, builtin
from kubetui.render.describe import describe
from kubetui.render.yaml_text import MASK, decode_secret, to_yaml
from kubetui.render.sanitize import visible
from kubetui.ui.safe import SafeStatic

__all__ = ["DescribeScreen", "TextView", "YamlScreen"]

EVENT_KIND = builtin("Event", "")

Highlighter = Callable[[str], Text]


# ----- the text widget ----------------------------------------------------------------------

class TextView(ScrollView, can_focus=True):
    """Read-only lines, scrollable both ways, styled lazily, with a search.

    `highlighter` turns one line into a styled `Text`; it is called only for lines drawn,
    and its results are cached until the text changes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("ctrl+f", "page_down", "Page down", show=False),
        Binding("ctrl+b", "page_up", "Page up", show=False),
        Binding("left,h", "sideways(-1)", "Page left", show=False),
        Binding("right,l", "sideways(1)", "Page right", show=False),
        Binding("w", "toggle_wrap", "Wrap", id="detail.wrap"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"text-view--match", "text-view--current"}
    DEFAULT_CSS = """
    TextView {
        height: 1fr;
        background: $surface;
        & > .text-view--match { background: $warning 40%; }
        & > .text-view--current { background: $accent; color: $text; text-style: bold; }
    }
    """

    def __init__(self, highlighter: Highlighter | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._highlighter = highlighter
        self._lines: list[str] = []
        self._styled: LRUCache[int, Text] = LRUCache(512)
        self._query = ""
        self._matches: list[tuple[int, int, int]] = []  # (line, start, end)
        self._current = -1
        self.wrap = False
        #: With wrap on, each screen row: (line index, first cell of the line shown).
        self._rows: list[tuple[int, int]] = []

    # -- content
    @property
    def lines(self) -> list[str]:
        return self._lines

    @property
    def text(self) -> str:
        return "\n".join(self._lines)

    def set_text(self, text: str) -> None:
        """Show `text` (sanitised: outside text is drawn here), keeping the scroll position
        (clamped) and the search."""
        self._lines = visible(text.expandtabs(8), lines=True).rstrip("\n").split("\n")
        self._styled.clear()
        self._layout()
        self._find(keep_line=True)
        self.refresh()

    # -- wrapping, and sideways by a page (a column at a time reads nothing)
    def action_sideways(self, direction: int) -> None:
        page = self.scrollable_content_region.width
        self.scroll_to(x=max(0, self.scroll_x + direction * page), animate=False, force=True)

    def action_toggle_wrap(self) -> None:
        """Wrap long lines at the edge, or scroll sideways to read them."""
        top = self._line_at(round(self.scroll_y))
        self.wrap = not self.wrap
        self._layout()
        row = bisect_left(self._rows, (top, 0)) if self.wrap else top
        self.scroll_to(x=0, y=row, animate=False, force=True)
        self.refresh()

    def on_resize(self) -> None:
        if self.wrap:
            self._layout()

    def _layout(self) -> None:
        if not self.wrap:
            self._rows = []
            width = max((cell_len(line) for line in self._lines), default=0)
            self.virtual_size = Size(width, len(self._lines))
            return
        width = max(1, self.scrollable_content_region.width)
        self._rows = [(i, start) for i, line in enumerate(self._lines)
                      for start in range(0, max(1, cell_len(line)), width)]
        self.virtual_size = Size(width, len(self._rows))

    def _line_at(self, row: int) -> int:
        """The line drawn on screen row `row` (counted from the top of the text)."""
        if not self.wrap:
            return row
        return self._rows[min(row, len(self._rows) - 1)][0] if self._rows else 0

    def _row_of(self, line: int, cell: int) -> int:
        """The screen row showing cell `cell` of line `line`."""
        if not self.wrap:
            return line
        return max(0, bisect_right(self._rows, (line, cell)) - 1)

    # -- search
    @property
    def matches(self) -> list[tuple[int, int, int]]:
        return self._matches

    @property
    def current_match(self) -> tuple[int, int, int] | None:
        return self._matches[self._current] if self._matches else None

    def search(self, query: str) -> int:
        """Highlight every case-insensitive occurrence of `query` and go to the first one
        at or after the top of the screen. Returns the number of matches."""
        self._query = query
        self._find(keep_line=False)
        self.refresh()
        return len(self._matches)

    def next_match(self, step: int = 1) -> tuple[int, int, int] | None:
        if not self._matches:
            return None
        self._current = (self._current + step) % len(self._matches)
        self._show_current()
        self.refresh()
        return self.current_match

    def _find(self, keep_line: bool) -> None:
        old = self.current_match
        self._matches = []
        if self._query:
            needle = re.compile(re.escape(self._query), re.IGNORECASE)
            self._matches = [(i, m.start(), m.end()) for i, line in enumerate(self._lines)
                             for m in needle.finditer(line)]
        if not self._matches:
            self._current = -1
            return
        anchor = old[0] if keep_line and old else self._line_at(round(self.scroll_y))
        self._current = next((i for i, m in enumerate(self._matches) if m[0] >= anchor), 0)
        if not keep_line:
            self._show_current()

    def _show_current(self) -> None:
        line, start, end = self._matches[self._current]
        width, height = self.scrollable_content_region.size
        row = self._row_of(line, start)
        y = self.scroll_y if self.scroll_y <= row < self.scroll_y + height \
            else max(0, row - height // 2)
        x = 0 if self.wrap else self.scroll_x if (
            self.scroll_x <= start and end <= self.scroll_x + width) else max(0, end - width + 1)
        self.scroll_to(x=x, y=y, animate=False, force=True)

    # -- drawing
    def _line_text(self, index: int) -> Text:
        text = self._styled.get(index)
        if text is None:
            line = self._lines[index]
            text = self._highlighter(line) if self._highlighter else Text(line)
            self._styled[index] = text
        if self._matches and self._query:
            text = text.copy()
            match_style = self.get_component_rich_style("text-view--match")
            current_style = self.get_component_rich_style("text-view--current")
            current = self.current_match
            for m in self._matches:
                if m[0] == index:
                    text.stylize(current_style if m == current else match_style, m[1], m[2])
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if self.wrap:
            if scroll_y + y >= len(self._rows):
                return Strip.blank(width, self.rich_style)
            index, scroll_x = self._rows[scroll_y + y]
        else:
            index = scroll_y + y
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        text = self._line_text(index)
        strip = Strip(text.render(self.app.console, end=""), text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, None).apply_style(self.rich_style)


# ----- highlighters -------------------------------------------------------------------------

_KEY = Style(color="cyan", bold=True)
_WARNING = Style(color="red", bold=True)
_STRING = Style(color="green")
_LITERAL = Style(color="magenta")
_MASKED = Style(color="yellow", bold=True)
_DESCRIBE_KEY = re.compile(r"^(\s*)([A-Za-z][\w .()/-]*:)(?=\s|$)")
_DESCRIBE_WARNING = re.compile(r"^\s+Warning\s")
_YAML_KEY = re.compile(r"^(\s*(?:- )*)([^\s#'\"][^:]*|\"[^\"]*\"|'[^']*'):(?=\s|$)")
_YAML_LITERAL = re.compile(r"^(-?\d+(\.\d+)?|true|false|null)$")


def describe_highlighter(line: str) -> Text:
    """Keys in cyan; Warning event rows red, so trouble stands out."""
    text = Text(line)
    if _DESCRIBE_WARNING.match(line):
        text.stylize(_WARNING)
    elif m := _DESCRIBE_KEY.match(line):
        text.stylize(_KEY, m.start(2), m.end(2))
    return text


def yaml_highlighter(line: str) -> Text:
    """Keys, quoted strings, numbers/booleans and masked values in YAML."""
    text = Text(line)
    value_start = 0
    if m := _YAML_KEY.match(line):
        text.stylize(_KEY, m.start(2), m.end(2))
        value_start = m.end() + 1
    value = line[value_start:].strip()
    if value.startswith("- "):
        value = value[2:]
    start = line.find(value, value_start) if value else -1
    if start < 0:
        return text
    if value.strip("'\"") == MASK:
        text.stylize(_MASKED, start, start + len(value))
    elif value[:1] in ("'", '"'):
        text.stylize(_STRING, start, start + len(value))
    elif _YAML_LITERAL.match(value):
        text.stylize(_LITERAL, start, start + len(value))
    return text


# ----- the screens showing one object -------------------------------------------------------

class _ObjectScreen(Screen[None]):
    """What Describe and YAML share: title, text, search, and following the object."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="detail.close"),
        Binding("slash", "search", "Search", id="detail.search"),
        Binding("n", "next_match", "Next", id="detail.next"),
        Binding("N", "previous_match", "Previous", id="detail.previous"),
    ]
    DEFAULT_CSS = """
    _ObjectScreen #detail-title { height: 1; background: $panel; color: $text; padding: 0 1; }
    _ObjectScreen #detail-search { dock: bottom; display: none; border: none; height: 1;
                                   padding: 0 1; }
    _ObjectScreen #detail-search.-open { display: block; }
    """
    #: Seconds to wait for more changes before re-reading the object.
    DEBOUNCE: ClassVar[float] = 0.2
    VIEW: ClassVar[str] = ""
    highlighter: ClassVar[Highlighter | None] = None

    def __init__(self, store: WatchStore, kind: Kind, namespace: str, name: str) -> None:
        super().__init__()
        self.store = store
        self.kind = kind
        self.namespace = namespace if kind.namespaced else ""
        self.object_name = name
        self.obj: dict | None = None
        self.error: str | None = None
        self.deleted = False
        self.loads = 0  # completed reads: how tests (and a status line) tell a refresh
        self._health = "syncing"
        self._subs: list[Subscription] = []
        self._timer: Timer | None = None

    # -- layout
    def compose(self) -> ComposeResult:
        yield SafeStatic(self._title(), id="detail-title")
        yield TextView(type(self).highlighter, id="detail-text")
        yield Input(placeholder="search", id="detail-search")
        yield Footer()

    @property
    def view(self) -> TextView:
        return self.query_one("#detail-text", TextView)

    def _title(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        parts = [f"{self.VIEW} {self.kind.resource}/{where}{self.object_name}"]
        if self.deleted:
            parts.append("deleted")
        elif self.error:
            parts.append(self.error)
        elif self.loads == 0:
            parts.append("loading…")
        elif self._health != "live":
            parts.append(self._health)
        return "  ·  ".join(parts)

    def _update_title(self) -> None:
        self.query_one("#detail-title", Static).update(self._title())

    # -- life cycle
    def on_mount(self) -> None:
        self.view.focus()
        self.view.set_text(f"Loading {self.kind.resource} {self.object_name}…")  # a slow server
        self._subs.append(self.store.subscribe(self.kind, self.namespace or None,
                                               self._on_objects, self._on_health))
        self.load()

    def on_unmount(self) -> None:
        for sub in self._subs:
            sub.close()
        self._subs.clear()

    def _on_health(self, health: Health) -> None:
        self._health = health.state
        self._update_title()

    def _on_objects(self, batch: Batch) -> None:
        entry = next((e for e in batch.upserts if self._is_ours(e)), None)
        if entry is not None:
            if self.obj is None and self.loads == 0:
                return  # the first read is on its way
            if self.obj is None or entry.rv != self.obj["metadata"].get("resourceVersion"):
                self.schedule_load()
        elif batch.reset and self.obj is not None:
            self._gone()
        elif self.obj is not None and self.obj["metadata"].get("uid") in batch.deletes:
            self._gone()

    def _is_ours(self, entry: Entry) -> bool:
        return entry.name == self.object_name and entry.namespace == self.namespace

    def _gone(self) -> None:
        self.deleted = True
        self._update_title()

    def schedule_load(self) -> None:
        """Re-read soon; changes arriving meanwhile ride on the same read."""
        if self._timer is None:
            self._timer = self.set_timer(self.DEBOUNCE, self._fire)

    def _fire(self) -> None:
        self._timer = None
        self.load()

    @work(exclusive=True, group="detail-load", exit_on_error=False)
    async def load(self) -> None:
        try:
            await self.fetch()
        except ClusterError as e:
            self.error = str(e)
            self.deleted = e.status == 404
            if self.loads == 0:  # nothing read yet: the error instead of "Loading…"
                self.view.set_text(str(e))
        else:
            self.error, self.deleted = None, False
            self.render_text()
        self.loads += 1
        self._update_title()

    async def fetch(self) -> None:
        """Read what the screen shows into attributes (raise ClusterError on failure)."""
        raise NotImplementedError

    def render_text(self) -> None:
        """Show what `fetch` read."""
        raise NotImplementedError

    # -- actions
    def action_close(self) -> None:
        search = self.query_one("#detail-search", Input)
        if search.has_class("-open"):
            self._close_search(clear=True)
        else:
            self.dismiss()

    def action_search(self) -> None:
        search = self.query_one("#detail-search", Input)
        search.add_class("-open")
        search.focus()

    def action_next_match(self) -> None:
        self._report(self.view.next_match(1))

    def action_previous_match(self) -> None:
        self._report(self.view.next_match(-1))

    def _report(self, match: tuple[int, int, int] | None) -> None:
        if match is None and self.view.matches == []:
            self.notify("No matches", severity="warning", timeout=2)

    @on(Input.Changed, "#detail-search")
    def _search_typed(self, event: Input.Changed) -> None:
        self.view.search(event.value)

    @on(Input.Submitted, "#detail-search")
    def _search_done(self, event: Input.Submitted) -> None:
        if event.value and not self.view.matches:
            self.notify(f"Not found: {event.value}", severity="warning", timeout=2)
        self._close_search(clear=False)

    def _close_search(self, clear: bool) -> None:
        search = self.query_one("#detail-search", Input)
        search.remove_class("-open")
        if clear:
            search.value = ""
            self.view.search("")
        self.view.focus()


class DescribeScreen(_ObjectScreen):
    """`kubectl describe` of one object, its events included, kept current."""

    VIEW = "Describe"
    highlighter = staticmethod(describe_highlighter)

    def __init__(self, store: WatchStore, kind: Kind, namespace: str, name: str) -> None:
        super().__init__(store, kind, namespace, name)
        self._described: Described | None = None

    def on_mount(self) -> None:
        super().on_mount()
        # Events about the object arrive without the object changing (a BackOff repeats).
        # Cluster-scoped objects' events may live in any namespace.
        self._subs.append(self.store.subscribe(EVENT_KIND, self.namespace or None,
                                               self._on_events, lambda health: None))

    def _on_events(self, batch: Batch) -> None:
        # A reset lists what the first read already saw (or a relist): not news.
        if not batch.reset and any(self._is_about_us(e) for e in batch.upserts):
            self.schedule_load()

    def _is_about_us(self, event: Entry) -> bool:
        return self.obj is not None and event.ref == self.obj["metadata"].get("uid")

    async def fetch(self) -> None:
        self._described = await fetch_described(self.store.client, self.kind,
                                                self.namespace, self.object_name)
        self.obj = self._described.obj

    def render_text(self) -> None:
        d = self._described
        assert d is not None
        self.view.set_text(describe(self.kind.kind, d.obj, d.events, d.related,
                                    clock.local_now()))


class YamlScreen(_ObjectScreen):
    """The object as `kubectl get -o yaml` prints it; `x` reveals a Secret's values
    (decoded, as k9s shows them) or masks them again; a new screen starts masked."""

    VIEW = "YAML"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "toggle_secrets", "Reveal/mask secrets", id="detail.reveal"),
    ]
    highlighter = staticmethod(yaml_highlighter)

    def __init__(self, store: WatchStore, kind: Kind, namespace: str, name: str) -> None:
        super().__init__(store, kind, namespace, name)
        self.revealed = False

    async def fetch(self) -> None:
        self.obj = await self.store.client.get(self.kind, self.namespace, self.object_name)

    def render_text(self) -> None:
        if self.obj is not None:
            obj = decode_secret(self.obj) if self.revealed else self.obj
            self.view.set_text(to_yaml(obj, reveal_secrets=self.revealed))

    def action_toggle_secrets(self) -> None:
        if self.kind.key != ("", "secrets"):
            self.notify("Only a Secret has values to reveal", timeout=2)
            return
        self.revealed = not self.revealed
        self.render_text()
        self.notify("Secret values revealed: x masks them again" if self.revealed
                    else "Secret values masked", severity="warning" if self.revealed
                    else "information", timeout=3)
