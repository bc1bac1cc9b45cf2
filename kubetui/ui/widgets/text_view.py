"""`TextView`: read-only lines, scrollable both ways, styled lazily, with a search; and the
highlighters that style describe output and YAML one line at a time.

It is a line-API widget that styles only the lines on screen: a 5,000-line object scrolls as
fast as a 50-line one. `/` searches it (n/N move between matches).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kubetui.render.sanitize import visible
from kubetui.render.yaml_text import MASK


__all__ = ["Highlighter", "TextView", "describe_highlighter", "yaml_highlighter"]

Highlighter = Callable[[str], Text]


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

    # `g`/`G` jump at once. Textual's own scroll_end animates after the next refresh, and a
    # scroll without `force` is dropped while the scrollbars are not laid out yet for new
    # text (G then did nothing, now and then).
    def action_scroll_home(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True, force=True)

    def action_scroll_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)

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


