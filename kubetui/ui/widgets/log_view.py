"""`LogView`: a log pane that takes 50,000 lines a second and stays responsive.

Textual's RichLog renders and keeps a Strip per line (kilobytes each). This widget keeps the
lines' strings only (about 300 bytes for a 140-character line) in a fixed-size ring and uses
the line API (`ScrollView` + `render_line`): Textual asks for the lines on screen and a strip
is built only for those (kept while the line stays on screen and the look the same). Wrapping is
worked out for the visible lines alone: with wrap on, the scroll position counts log lines,
not screen rows.

- Ring: `capacity` lines; what falls out of it is counted in `dropped` and shown.
- Follow (autoscroll): on while the view is at the end; scrolling up pauses it, coming back
  to the end (End, G, scrolling down) resumes it. While paused, new lines and lines falling
  out of the ring do not move what is on screen.
- Search: a case-insensitive substring, or a regular expression when the text has a regex
  character and compiles; matches are highlighted on the visible lines only, `next_match`
  and `previous_match` move between matching lines. The filter shows only matching lines
  (the list of their ring positions is kept up to date as lines arrive).
- JSON lines can be shown pretty: level (coloured), message, then the other fields as
  key=value. Anything that is not a JSON object is shown as it came.
- Control characters and ANSI escapes in log text never reach the terminal.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import orjson
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from kubetui.cluster.logs import LogBatch, LogLine, Source
from kubetui.model.log_ring import Ring
from kubetui.render.sanitize import strip_ansi

DEFAULT_CAPACITY = 100_000

#: Tag colours, handed out to sources in order of appearance.
_PALETTE = ("cyan", "magenta", "green", "yellow", "bright_blue", "bright_red",
            "bright_cyan", "bright_magenta", "bright_green", "orange1", "orchid",
            "spring_green2")
_LEVELS = {"trace": "dim", "debug": "bright_black", "info": "green", "notice": "cyan",
           "warn": "yellow", "warning": "yellow", "error": "red", "err": "red",
           "fatal": "bold red", "critical": "bold red", "panic": "bold red"}
_LEVEL_KEYS = ("level", "lvl", "severity", "levelname", "log.level")
_MESSAGE_KEYS = ("msg", "message", "log", "text")
_REGEX_CHARS = frozenset(".^$*+?()[]{}|\\")
_MATCH = Style(color="black", bgcolor="yellow")
_CURRENT = Style(color="black", bgcolor="dark_orange", bold=True)
_NOTE = Style(color="bright_black", italic=True)
_TIME = Style(color="bright_black")
_FIELD = Style(color="bright_black")
_MESSAGE = Style(bold=True)


def compile_search(text: str) -> re.Pattern[str] | None:
    """The pattern `/text` means (see the module docstring); None for an empty text."""
    if not text:
        return None
    if _REGEX_CHARS.intersection(text):
        try:
            return re.compile(text, re.IGNORECASE)
        except re.error:
            pass
    return re.compile(re.escape(text), re.IGNORECASE)


def clean(text: str) -> str:
    """Log text safe for the terminal: ANSI sequences dropped, tabs as four spaces, other
    control characters made visible (the one sanitiser, `strip_ansi`)."""
    return strip_ansi(text.replace("\t", "    "))


def pretty_json(text: str) -> list[tuple[str, Style | None]] | None:
    """A JSON object line as (text, style) pieces: level, message, then key=value fields;
    None for anything else."""
    if not text.startswith("{"):
        return None
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict):
        return None
    pieces: list[tuple[str, Style | None]] = []
    level = next((clean(str(doc.pop(k))) for k in _LEVEL_KEYS if k in doc), None)
    if level is not None:
        colour = _LEVELS.get(level.lower())
        pieces.append((f"{level.upper():<5} ", Style.parse(colour) if colour else None))
    message = next((doc.pop(k) for k in _MESSAGE_KEYS if k in doc), None)
    if message is not None:
        pieces.append((clean(str(message)), _MESSAGE))
    for key, value in doc.items():
        shown = value if isinstance(value, str) else orjson.dumps(value).decode()
        pieces.append((f"  {clean(key)}=", _FIELD))
        pieces.append((clean(shown), None))
    return pieces


def _highlight(pieces: list[tuple[str, Style | None]], spans: list[tuple[int, int]],
               mark: Style) -> Iterator[tuple[str, Style | None]]:
    """The pieces with the character `spans` (over their joined text) in `mark`."""
    pos = 0
    spans = [s for s in spans if s[1] > s[0]]
    k = 0
    for text, style in pieces:
        end = pos + len(text)
        cut = pos
        while k < len(spans) and spans[k][0] < end:
            start, stop = max(spans[k][0], cut), min(spans[k][1], end)
            if start > cut:
                yield text[cut - pos:start - pos], style
            yield text[start - pos:stop - pos], (style + mark) if style else mark
            cut = stop
            if spans[k][1] <= end:
                k += 1
            else:
                break
        if cut < end:
            yield text[cut - pos:], style
        pos = end


def _insert_at(pieces: list[tuple[str, Style | None]], at: int,
               insert: tuple[str, Style | None]) -> list[tuple[str, Style | None]]:
    """`pieces` with `insert` placed at character `at` of their joined text."""
    out: list[tuple[str, Style | None]] = []
    pos, done = 0, False
    for text, style in pieces:
        if not done and pos + len(text) > at:
            out += [(text[:at - pos], style), insert, (text[at - pos:], style)]
            done = True
        else:
            out.append((text, style))
        pos += len(text)
    return out if done else [*out, insert]


@dataclass(frozen=True, slots=True)
class _Look:
    """Everything a line's strip depends on besides the line itself."""

    width: int
    style: Style  # the widget's own: background and colour
    wrap: bool
    timestamps: bool
    tags: bool
    tag_width: int
    pretty: bool
    search: str


class LogView(ScrollView, can_focus=True):
    """A bounded, searchable, filterable log pane; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "line_up", "Up", show=False, id="logs.up"),
        Binding("down,j", "line_down", "Down", show=False, id="logs.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="logs.page_up"),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False,
                id="logs.page_down"),
        Binding("home,g", "first", "Top", show=False, id="logs.top"),
        Binding("end,G", "last", "End (follow)", show=False, id="logs.end"),
        Binding("left,h", "left", "Left", show=False, id="logs.left"),
        Binding("right,l", "right", "Right", show=False, id="logs.right"),
    ]

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.ring = Ring(capacity)
        self.follow = True
        self.wrap = False
        self.timestamps = False
        self.show_tags = False
        self.pretty = False
        self._search_text = ""
        self._search: re.Pattern[str] | None = None
        self.filtering = False
        self._shown: list[int] = []  # with the filter on: absolute positions shown
        self._shown_start = 0  # entries before this index of `_shown` fell out of the ring
        self.current: int | None = None  # absolute position of the current search match
        self._colours: dict[Source, Style] = {}
        self._tag_width = 0
        self._widest = 0  # widest line seen (cells), for horizontal scrolling
        # Strips of the lines on screen (only those: the strips of a flood's lines die with
        # the screen update that showed them, before the garbage collector sees them).
        self._strips: dict[int, list[Strip]] = {}
        self._look: _Look | None = None
        self._frame: tuple[tuple, list[tuple[int, int]]] | None = None
        self._paint: tuple[_Look, list[tuple[int, int]]] | None = None  # in render_lines

    # ----------------------------------------------------------------- public API
    @property
    def dropped(self) -> int:
        return self.ring.dropped

    @property
    def line_count(self) -> int:
        """Lines held (all of them, whatever the filter)."""
        return len(self.ring)

    @property
    def shown_count(self) -> int:
        return len(self._shown) - self._shown_start if self.filtering else len(self.ring)

    @property
    def search_text(self) -> str:
        return self._search_text

    def append(self, batch: LogBatch) -> None:
        """Take a batch of lines (the only way lines come in)."""
        if not batch.texts:
            return
        ring = self.ring
        top_before = self._position_at(self._top) if not self.follow else None
        start = ring.total
        for source in dict.fromkeys(batch.sources):  # new sources in order of appearance
            if source not in self._colours:
                self._colours[source] = Style(
                    color=_PALETTE[len(self._colours) % len(_PALETTE)])
                self._tag_width = max(self._tag_width, len(source.tag))
        self._widest = max(self._widest, max(map(len, batch.texts)))
        dropped = ring.add(batch)
        if self.filtering and self._search is not None:
            search, searched = self._search.search, self._searched
            self._shown.extend(start + i for i, (source, text)
                               in enumerate(zip(batch.sources, batch.texts))
                               if search(searched(source, text)))
            self._prune_shown()
        if self.follow:
            self._to_end()
        elif dropped or top_before is not None:
            self._keep_top(top_before)
        self._sync_size()
        self.refresh()

    def clear(self) -> None:
        self.ring.clear()
        self._shown, self._shown_start = [], 0
        self.current = None
        self._strips.clear()
        self._widest = 0
        self.follow = True
        self._sync_size()
        self.scroll_to(0, 0, animate=False, force=True)
        self.refresh()

    def set_flags(self, *, wrap: bool | None = None, timestamps: bool | None = None,
                  pretty: bool | None = None, show_tags: bool | None = None) -> None:
        if wrap is not None:
            self.wrap = wrap
        if timestamps is not None:
            self.timestamps = timestamps
        if pretty is not None:
            self.pretty = pretty
        if show_tags is not None:
            self.show_tags = show_tags
        self._sync_size()
        if self.follow:
            self._to_end()
        self.refresh()

    def set_search(self, text: str) -> bool:
        """Search for `text` ("" clears); the current match becomes the nearest one at or
        above the bottom of the view. Returns whether anything matches."""
        self._search_text = text
        self._search = compile_search(text)
        self.current = None
        if self.filtering:
            self._refilter()
        found = False
        if self._search is not None:
            bottom = min(self.shown_count - 1, self._top + self._page - 1)
            found = self._jump(bottom, -1, inclusive=True) or self._jump(bottom, 1)
        self.refresh()
        return found

    def set_filter(self, on: bool) -> None:
        """Show only the lines matching the search (all lines while there is none)."""
        position = self.current if self.current is not None else self._position_at(self._top)
        self.filtering = on
        self._refilter()
        if self.follow:
            self._to_end()
        elif position is not None:
            self._scroll_to_position(position)
        self.refresh()

    def next_match(self) -> bool:
        """The next matching line below the current one (down, towards newer lines)."""
        return self._step(1)

    def previous_match(self) -> bool:
        return self._step(-1)

    def lines(self) -> Iterator[LogLine]:
        """The lines shown (the filter applied), oldest first."""
        if self.filtering:
            ring = self.ring
            return (ring[p] for p in self._shown[self._shown_start:])
        return iter(self.ring)

    def plain(self, line: LogLine) -> str:
        """A line as text, with the tag and timestamp when they are shown (not pretty: a
        saved or copied line is what the container wrote)."""
        parts = []
        if self.show_tags:
            parts.append(f"[{line.source.tag}]")
        if self.timestamps and line.time:
            parts.append(line.time)
        parts.append(line.text)
        return " ".join(parts)

    def visible_lines(self) -> list[LogLine]:
        """The log lines on screen now, top to bottom."""
        positions = dict.fromkeys(position for position, _ in self._now()[1])
        return [self.ring[position] for position in positions]

    # ----------------------------------------------------------------- actions
    def action_line_up(self) -> None:
        self._scroll_lines(-1)

    def action_line_down(self) -> None:
        self._scroll_lines(1)

    def action_page_up(self) -> None:
        self._scroll_lines(-max(1, self._page - 1))

    def action_page_down(self) -> None:
        self._scroll_lines(max(1, self._page - 1))

    def action_first(self) -> None:
        self.follow = False
        self.scroll_to(y=0, animate=False, force=True)

    def action_last(self) -> None:
        self.follow = True
        self._to_end()
        self.refresh()

    def action_left(self) -> None:  # by a page: a column at a time reads nothing
        self.scroll_to(x=max(0, self.scroll_x - self._sideways_page()), animate=False,
                       force=True)

    def action_right(self) -> None:
        self.scroll_to(x=self.scroll_x + self._sideways_page(), animate=False, force=True)

    def _sideways_page(self) -> int:
        """The view's width less a few columns kept in sight for continuity."""
        return max(8, self.scrollable_content_region.width - 4)

    # ----------------------------------------------------------------- events
    def on_resize(self, event: events.Resize) -> None:
        self._sync_size()
        if self.follow:
            self._to_end()
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        """The person scrolled (wheel, scrollbar, keys): at the end means follow."""
        super().watch_scroll_y(old, new)
        self.follow = round(new) >= self._max_top

    # ----------------------------------------------------------------- rendering
    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual asks for the rows of one screen update in turn: the look and the layout
        (the size and style are each a walk over the DOM) are worked out once for all."""
        self._paint = self._now()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def render_line(self, y: int) -> Strip:
        look, rows = self._paint or self._now()
        if y >= len(rows):
            return Strip.blank(look.width, look.style)
        position, piece = rows[y]
        strips = self._line_strips(position, look)
        strip = strips[min(piece, len(strips) - 1)]
        if look.wrap:
            return strip.extend_cell_length(look.width, look.style)
        x = round(self.scroll_x)
        return strip.crop_extend(x, x + look.width, look.style)

    def _now(self) -> tuple[_Look, list[tuple[int, int]]]:
        """The look, and (absolute position, wrapped piece) of each screen row top to
        bottom, laid out again only when something they depend on changed."""
        region = self.scrollable_content_region
        look = self._current_look(region.width)
        height, n, top = max(1, region.height), self.shown_count, self._top
        key = (top, n, height, self.ring.total, self.follow, look, self._shown_start)
        if self._frame is None or self._frame[0] != key:
            rows = self._layout(look, top, n, height)
            strips = self._strips
            self._strips = {p: strips[p] for p, _ in rows if p in strips}
            self._frame = (key, rows)
        return look, self._frame[1]

    def _layout(self, look: _Look, top: int, n: int,
                height: int) -> list[tuple[int, int]]:
        if not look.wrap:
            return [(self._position(i), 0) for i in range(top, min(n, top + height))]
        rows: list[tuple[int, int]] = []
        if self.follow:  # anchored at the bottom: the newest line's last row is the last
            i = n - 1
            while i >= 0 and len(rows) < height:
                position = self._position(i)
                pieces = len(self._line_strips(position, look))
                rows[:0] = [(position, p) for p in range(pieces)]
                i -= 1
            return rows[-height:]
        i = top
        while i < n and len(rows) < height:
            position = self._position(i)
            rows.extend((position, p) for p in range(len(self._line_strips(position, look))))
            i += 1
        return rows[:height]

    def _line_strips(self, position: int, look: _Look) -> list[Strip]:
        hit = self._strips.get(position)
        current = position == self.current
        if hit is not None and not current:
            return hit
        line = self.ring[position]
        strip = Strip(list(self._segments(line, current, look.style)))
        if look.wrap and strip.cell_length > look.width > 0:
            length = strip.cell_length
            cuts = [*range(look.width, length, look.width), length]
            strips = list(strip.divide(cuts))
        else:
            strips = [strip]
        if not current:
            self._strips[position] = strips
        return strips

    def _searched(self, source: Source, text: str) -> str:
        """What a search looks in: the line as shown, its tag included (issue 17: a pod
        name on screen that `/` said it could not find)."""
        return f"{clean(source.tag).ljust(self._tag_width)} {text}" if self.show_tags else text

    def _segments(self, line: LogLine, current: bool, base: Style) -> Iterator[Segment]:
        tag: list[tuple[str, Style | None]] = []
        if self.show_tags:
            tag = [(clean(line.source.tag).ljust(self._tag_width) + " ",
                    self._colours.get(line.source, Style()))]
        pieces: list[tuple[str, Style | None]] | None = None
        if line.note:
            pieces = [(clean(line.text), _NOTE)]
        elif self.pretty:
            pieces = pretty_json(line.text)
        if pieces is None:
            pieces = [(clean(line.text), None)]
        pieces = tag + pieces
        if self._search is not None:
            joined = "".join(text for text, _ in pieces)
            spans = [m.span() for m in self._search.finditer(joined)]
            if spans:
                pieces = list(_highlight(pieces, spans, _CURRENT if current else _MATCH))
        if self.timestamps:  # after the tag, before the text; not searched
            stamp = ((line.time[:23] + "Z" if line.time else "").ljust(25), _TIME)
            cut = sum(len(t) for t, _ in tag)
            pieces = _insert_at(pieces, cut, stamp)
        for text, style in pieces:
            if text:
                yield Segment(text, base + style if style else base)

    def _current_look(self, width: int) -> _Look:
        look = _Look(width, self.rich_style, self.wrap, self.timestamps, self.show_tags,
                     self._tag_width, self.pretty, self._search_text)
        if look != self._look:
            self._look = look
            self._strips.clear()
        return self._look

    # ----------------------------------------------------------------- positions
    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height)

    @property
    def _top(self) -> int:
        return round(self.scroll_y)

    @property
    def _max_top(self) -> int:
        return max(0, self.shown_count - self._page)

    def _position(self, index: int) -> int:
        """Absolute ring position of display index `index`."""
        if self.filtering:
            return self._shown[self._shown_start + index]
        return self.ring.first + index

    def _index_of(self, position: int) -> int:
        """Display index of the line at `position`, or of the first shown after it."""
        if self.filtering:
            return bisect_left(self._shown, position, self._shown_start) - self._shown_start
        return max(0, position - self.ring.first)

    def _position_at(self, index: int) -> int | None:
        return self._position(index) if 0 <= index < self.shown_count else None

    def _refilter(self) -> None:
        self._shown, self._shown_start = [], 0
        if self.filtering and self._search is not None:
            search, first, searched = self._search.search, self.ring.first, self._searched
            self._shown = [first + i for i, (source, text)
                           in enumerate(self.ring.sourced_texts())
                           if search(searched(source, text))]
        elif self.filtering:
            self._shown = list(range(self.ring.first, self.ring.total))
        self._sync_size()

    def _prune_shown(self) -> None:
        first = self.ring.first
        start = bisect_left(self._shown, first, self._shown_start)
        self._shown_start = start
        if start > 4096 and start > len(self._shown) // 2:
            del self._shown[:start]
            self._shown_start = 0

    def _sync_size(self) -> None:
        """The virtual size without a full layout (as ResourceTable does): rows = lines."""
        width = self.scrollable_content_region.width
        if not self.wrap:
            extra = (self._tag_width + 1 if self.show_tags else 0) + \
                (25 if self.timestamps else 0)
            width = max(width, self._widest + extra)
        size = Size(width, self.shown_count)
        if size != self.virtual_size:
            self.virtual_size = size

    def _set_top(self, top: int) -> None:
        top = max(0, min(top, self._max_top))
        if top != self._top:
            self.set_reactive(Widget.scroll_y, float(top))
            self.set_reactive(Widget.scroll_target_y, float(top))
            self._scroll_update(self.virtual_size)
            self.vertical_scrollbar.position = top

    def _to_end(self) -> None:
        self._sync_size()
        self._set_top(self._max_top)

    def _keep_top(self, position: int | None) -> None:
        """While paused: the line that was at the top stays there."""
        self._sync_size()
        if position is None or position < self.ring.first:
            self._set_top(0)
        else:
            self._set_top(self._index_of(position))

    def _scroll_lines(self, delta: int) -> None:
        top = max(0, min(self._top + delta, self._max_top))
        self.follow = top >= self._max_top
        self.scroll_to(y=top, animate=False, force=True)
        if self.follow:
            self.refresh()

    def _scroll_to_position(self, position: int) -> None:
        index = self._index_of(position)
        top, page = self._top, self._page
        if not top <= index < top + page:
            top = index - page // 2
        top = max(0, min(top, self._max_top))
        self.follow = False
        self._set_top(top)
        self.refresh()

    # ----------------------------------------------------------------- search
    def _step(self, direction: int) -> bool:
        if self._search is None or not self.shown_count:
            return False
        if self.current is not None and self.current >= self.ring.first:
            start = self._index_of(self.current)
        else:
            start = self._top + (self._page - 1 if direction < 0 else 0)
        return self._jump(start, direction)

    def _jump(self, start: int, direction: int, inclusive: bool = False) -> bool:
        """Make the first matching line from display index `start` (excluded unless
        `inclusive`) in `direction` the current match and scroll to it."""
        assert self._search is not None
        search, n = self._search.search, self.shown_count
        index = start if inclusive else start + direction
        while 0 <= index < n:
            position = self._position(index)
            if search(self._searched(self.ring.source(position), self.ring.text(position))):
                self.current = position
                self._scroll_to_position(position)
                return True
            index += direction
        return False

