"""`ResourceTable`: the resource list that stays fast at 50,000 rows.

Textual's DataTable builds and measures every row; at tens of thousands of rows a paint takes
seconds and an update hundreds of milliseconds. This widget uses the line API instead
(`ScrollView` + `render_line`): Textual asks only for the lines on screen, and a line is
rebuilt only when its row, the layout, the cursor, a mark or a live age changed.

What is kept per row (the UI side, well under 1 KiB beyond the store's `Entry`):
one `_RowData` (the entry, its sort key, its lower-cased filter text, when it arrived) and
one or two slots in sorted lists. Strips are kept only for recently drawn rows (an LRU).

- Order: a list of sort keys kept sorted with `bisect`; a key ends with the uid, so keys are
  unique and an update moves one key. A reversed sort reads the same list from the end.
- Filter: with a filter set, a second sorted list holds only the keys that pass it.
- Output: after a batch the widget compares what each screen line showed before with what it
  shows now and refreshes only the lines that differ. When rows arrive above the viewport the
  scroll offset moves with them (silently), so the rows on screen stay put and rows changing
  off screen write nothing to the terminal.
"""

from __future__ import annotations

import re
import time
from math import ceil
from operator import itemgetter
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from kubetui.quantity import parse_quantity
from kubetui.render.age import format_age
from kubetui.render.model import Column, Row

if TYPE_CHECKING:
    from kubetui.cluster.store import Batch, Entry


# --------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True, slots=True)
class LabelRequirement:
    """One term of a label selector: `k=v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`."""

    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!exists"
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if self.op in ("=", "in"):
            return value is not None and value in self.values
        if self.op in ("!=", "notin"):  # as in Kubernetes, a missing label satisfies these
            return value is None or value not in self.values
        return (value is not None) == (self.op == "exists")


_SET_TERM = re.compile(r"([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)")
_EQ_TERM = re.compile(r"([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)")
_EXISTS_TERM = re.compile(r"(!?)\s*([\w./-]+)")


def parse_selector(text: str) -> tuple[LabelRequirement, ...]:
    """Parse a label selector as kubectl's `-l` takes it. Raises ValueError."""
    terms: list[str] = []
    depth, start = 0, 0
    for i, char in enumerate(text):  # split on commas outside parentheses
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    requirements = []
    for term in (t.strip() for t in terms):
        if m := _SET_TERM.fullmatch(term):
            values = frozenset(v.strip() for v in m[3].split(",") if v.strip())
            requirements.append(LabelRequirement(m[1], m[2], values))
        elif m := _EQ_TERM.fullmatch(term):
            op = "!=" if m[2] == "!=" else "="
            requirements.append(LabelRequirement(m[1], op, frozenset((m[3],))))
        elif m := _EXISTS_TERM.fullmatch(term):
            requirements.append(LabelRequirement(m[2], "!exists" if m[1] else "exists"))
        else:
            raise ValueError(f"invalid label selector term {term!r}")
    return tuple(requirements)


_REGEX_CHARS = frozenset(".^$*+?()[]{}|\\")


@dataclass(frozen=True, slots=True)
class RowFilter:
    """What `/` typed means, parsed once per keystroke.

    - `-l sel`: a label selector on the entry's labels (`app=web,tier!=db,env in (a,b)`).
    - `!text`: the rest of the filter, inverted.
    - text with a regex metacharacter (`.^$*+?()[]{}|\\`) that compiles: a case-insensitive
      regular expression searched in the row, `^` and `$` anchoring at cell boundaries;
      `10.0.0.1` as a regex still finds the literal.
    - anything else (including a regex that does not compile): a case-insensitive substring.
    The row text is the cells one per line (the namespace too when shown), ages excluded:
    they change every second and would make a filter's result drift.
    """

    text: str = ""
    needle: str = ""
    pattern: re.Pattern[str] | None = None
    selector: tuple[LabelRequirement, ...] | None = None
    invert: bool = False
    error: str = ""

    @classmethod
    def parse(cls, text: str) -> RowFilter:
        body = text.strip()
        if body.startswith("-l") and (len(body) == 2 or body[2].isspace()):
            try:
                return cls(text=text, selector=parse_selector(body[2:].strip()))
            except ValueError as exc:
                return cls(text=text, selector=(), error=str(exc))
        invert = body.startswith("!")
        body = body[1:] if invert else body
        if not body:
            return cls(text=text)
        if _REGEX_CHARS.intersection(body):
            try:
                pattern = re.compile(body, re.IGNORECASE | re.MULTILINE)
                return cls(text=text, pattern=pattern, invert=invert)
            except re.error:
                pass
        return cls(text=text, needle=body.lower(), invert=invert)

    @property
    def active(self) -> bool:
        return bool(self.needle or self.pattern or self.selector is not None)

    def matches(self, text: str, labels: Mapping[str, str]) -> bool:
        if self.selector is not None:
            return not self.error and all(r.matches(labels) for r in self.selector)
        if self.pattern is not None:
            found = self.pattern.search(text) is not None
        else:
            found = self.needle in text
        return found != self.invert

    def narrows(self, previous: RowFilter) -> bool:
        """Whether every row passing this filter passed `previous` (typing one more letter):
        then only the rows shown now need testing, not all of them."""
        return (bool(self.needle) and bool(previous.needle) and not self.invert
                and not previous.invert and previous.needle in self.needle)


# --------------------------------------------------------------------------------------
# Sort keys. Every key of one column has the same shape, so comparisons never mix types:
# (0, value...) for a parsed cell; a cell that does not parse ("<none>") is (1, text) or,
# for numbers and quantities whose first order is descending, (-1, text): either way it
# comes last in the column's first order.

_NUMBER = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)")
_RATIO = re.compile(r"\s*(\d+)\s*/\s*(\d+)")
_DURATION = re.compile(r"(?:\d+[ydhms])+")
_DURATION_PART = re.compile(r"(\d+)([ydhms])")
_SECONDS = {"y": 365 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


def duration_seconds(text: str) -> int | None:
    """Seconds in a kubectl short duration ("5m12s", "2d5h"); None if it is not one."""
    text = text.strip()
    if not _DURATION.fullmatch(text):
        return None
    return sum(int(n) * _SECONDS[unit] for n, unit in _DURATION_PART.findall(text))


def _number_key(cell: str) -> tuple:
    m = _NUMBER.match(cell)  # "3 (5m ago)" sorts as 3
    return (0, float(m[1])) if m else (-1, cell)


def _ratio_key(cell: str) -> tuple:
    m = _RATIO.match(cell)
    if not m:
        return (1, cell)
    ready, total = int(m[1]), int(m[2])
    return (0, ready / total if total else 0.0, total)


def _quantity_key(cell: str) -> tuple:
    try:
        return (0, parse_quantity(cell.strip()))
    except ValueError:
        return (-1, cell)


def _text_key(cell: str) -> str:
    return cell


_CELL_KEYS: dict[str, Callable[[str], object]] = {
    "number": _number_key, "ratio": _ratio_key, "quantity": _quantity_key,
}


#: k9s's shift-letters for the columns it knows (internal/view/table.go, pod.go, dp.go);
#: other columns take the first free letter of their name.
_K9S_SORT_LETTERS = {"NAME": "N", "AGE": "A", "NAMESPACE": "P", "READY": "R", "STATUS": "S",
                     "RESTARTS": "T", "CPU": "C", "MEM": "M", "IP": "I", "NODE": "O",
                     "UP-TO-DATE": "U", "AVAILABLE": "L"}
_RESERVED_LETTERS = frozenset("G")  # G is "go to bottom"


def sort_letters(names: Iterable[str]) -> dict[str, str]:
    """Column name -> the upper-case letter that sorts by it (shift+letter)."""
    taken: set[str] = set(_RESERVED_LETTERS)
    letters: dict[str, str] = {}
    names = list(names)
    for name in names:
        letter = _K9S_SORT_LETTERS.get(name)
        if letter and letter not in taken:
            letters[name] = letter
            taken.add(letter)
    for name in names:
        if name in letters:
            continue
        free = [c for c in name.upper() if c.isalpha() and c not in taken]
        free = free or [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in taken]
        if free:
            letters[name] = free[0]
            taken.add(free[0])
    return letters


# --------------------------------------------------------------------------------------
# The row model: no Textual, everything the widget knows about rows and their order.

NAMESPACE_COLUMN = "NAMESPACE"
_NS_INDEX = -1  # `_Slot.index` of the namespace column, which is not one of the row's cells


@dataclass(slots=True)
class _Slot:
    """A column as the table lays it out."""

    name: str
    index: int  # position in Row.cells, or _NS_INDEX
    sort: str
    priority: int
    age: bool  # the cell depends on the time: re-rendered live
    created: bool  # the creation age: rendered from Entry.created
    natural: int = 0  # width its content asks for (capped)
    width: int = 0  # width given after fitting the screen


KeyFunction = Callable[["Entry", float], tuple]


def key_function(slot: _Slot | None) -> KeyFunction:
    """The sort key of an entry for a sort column (None: by name). A key is
    (primary, name, namespace, uid): ties go by name, and the uid makes every key unique.
    `seen` is when the row was rendered, for ages that only exist as text ("5m")."""
    if slot is None:
        return lambda e, seen: (e.name, e.name, e.namespace, e.uid)
    if slot.index == _NS_INDEX:
        return lambda e, seen: (e.namespace, e.name, e.namespace, e.uid)
    i = slot.index
    if slot.sort == "age":  # by the moment the age counts from: youngest first
        created = slot.created

        def age_key(e: Entry, seen: float) -> tuple:
            if created and e.created is not None:
                return ((0, -e.created), e.name, e.namespace, e.uid)
            cell = e.row.cells[i] if i < len(e.row.cells) else ""
            seconds = duration_seconds(cell)
            primary = (1, cell) if seconds is None else (0, seconds - seen)
            return (primary, e.name, e.namespace, e.uid)
        return age_key
    cell_key = _CELL_KEYS.get(slot.sort, _text_key)

    def key(e: Entry, seen: float) -> tuple:
        cells = e.row.cells
        return (cell_key(cells[i] if i < len(cells) else ""), e.name, e.namespace, e.uid)
    return key


class _RowData:
    """Per-row state on the UI side; `seen` is when the row was rendered (about when it
    arrived), which lets time-dependent cells other than AGE ("5m ago") move on."""

    __slots__ = ("entry", "key", "text", "seen")

    def __init__(self, entry: Entry, key: tuple, text: str, seen: float) -> None:
        self.entry = entry
        self.key = key
        self.text = text
        self.seen = seen


class RowModel:
    """Rows keyed by uid, in sort order, with a filter; every change is O(log n) plus a
    list insertion (a memmove)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.rows: dict[str, _RowData] = {}
        self.slots: list[_Slot] = []
        self.filter = RowFilter()
        self.sort_column = "NAME"
        self.reverse = False
        self._show_namespace = False
        self._key: KeyFunction = key_function(None)
        self._text_indices: tuple[int, ...] = ()
        self._text_last = -1
        self._text_cells = _tuple_getter(())
        self._all: list[tuple] = []  # every key, ascending
        self._shown: list[tuple] | None = None  # keys passing the filter; None: no filter

    # -- reading
    @property
    def view(self) -> list[tuple]:
        return self._all if self._shown is None else self._shown

    def __len__(self) -> int:
        return len(self.view)

    def uid_at(self, index: int) -> str:
        view = self.view
        return view[len(view) - 1 - index if self.reverse else index][-1]

    def index_of(self, uid: str | None) -> int | None:
        """Display index of `uid`, or None if it is absent or filtered out."""
        data = self.rows.get(uid) if uid is not None else None
        if data is None:
            return None
        view = self.view
        i = bisect_left(view, data.key)
        if i == len(view) or view[i] is not data.key:
            return None
        return len(view) - 1 - i if self.reverse else i

    def cell_text(self, data: _RowData, slot: _Slot, now: float) -> str:
        """A cell as shown at `now`: ages move on with the clock."""
        entry = data.entry
        if slot.index == _NS_INDEX:
            return entry.namespace
        cells = entry.row.cells
        cell = cells[slot.index] if slot.index < len(cells) else ""
        if not slot.age:
            return cell
        if slot.created and entry.created is not None:
            return format_age(now - entry.created)
        elapsed = now - data.seen
        if elapsed < 1:
            return cell
        return _DURATION.sub(lambda m: format_age(duration_seconds(m[0]) + elapsed), cell)

    # -- configuring
    def configure(self, columns: Sequence[Column], show_namespace: bool) -> None:
        """New columns or namespace column: every key and filter text is recomputed."""
        slots = [_Slot(NAMESPACE_COLUMN, _NS_INDEX, "text", 0, False, False)] \
            if show_namespace else []
        for i, column in enumerate(columns):
            created = column.age and column.sort == "age" and column.name == "AGE"
            slots.append(_Slot(column.name, i, column.sort, column.priority, column.age,
                               created))
        self.slots = slots
        self._show_namespace = show_namespace
        self._text_indices = tuple(s.index for s in slots if not s.age and s.index >= 0)
        self._text_last = max(self._text_indices, default=-1)
        self._text_cells = _tuple_getter(self._text_indices)
        if self.sort_column not in {s.name for s in slots}:
            self.sort_column, self.reverse = "NAME", False
        self._key = key_function(self._sort_slot())
        self.reset([d.entry for d in self.rows.values()], keep_seen=True)

    def set_sort(self, column: str, reverse: bool) -> None:
        if column not in {s.name for s in self.slots}:
            raise ValueError(f"no column {column!r}")
        self.sort_column, self.reverse = column, reverse
        self._key = key_function(self._sort_slot())
        for data in self.rows.values():
            data.key = self._key(data.entry, data.seen)
        self._all = sorted([d.key for d in self.rows.values()])
        self._refilter(narrow=False)

    def set_filter(self, row_filter: RowFilter) -> None:
        narrow = row_filter.narrows(self.filter)
        self.filter = row_filter
        self._refilter(narrow)

    # -- changing
    def reset(self, entries: Iterable[Entry], keep_seen: bool = False) -> None:
        """Replace every row; on the first list of a big cluster this is the wait before
        the first paint, hence the comprehensions."""
        now = self.clock()
        entries = list(entries)
        old = self.rows if keep_seen else {}
        seen = [data.seen if (data := old.get(e.uid)) else now for e in entries]
        key = self._key
        self.rows = {e.uid: _RowData(e, key(e, when), text, when)
                     for e, when, text in zip(entries, seen, self._texts(entries))}
        self._all = sorted([d.key for d in self.rows.values()])
        self._refilter(narrow=False)

    def upsert(self, entry: Entry) -> None:
        now = self.clock()
        key, text = self._key(entry, now), self._text(entry)
        data = self.rows.get(entry.uid)
        if data is None:
            self.rows[entry.uid] = _RowData(entry, key, text, now)
            insort(self._all, key)
            if self._shown is not None and self.filter.matches(text, entry.labels):
                insort(self._shown, key)
            return
        if key == data.key:
            key = data.key  # the lists hold this very object; index_of tests identity
        else:
            _remove(self._all, data.key)
            insort(self._all, key)
        if self._shown is not None:
            if _contains(self._shown, data.key):
                _remove(self._shown, data.key)
            if self.filter.matches(text, entry.labels):
                insort(self._shown, key)
        data.entry, data.key, data.text, data.seen = entry, key, text, now

    def remove(self, uid: str) -> bool:
        data = self.rows.pop(uid, None)
        if data is None:
            return False
        _remove(self._all, data.key)
        if self._shown is not None and _contains(self._shown, data.key):
            _remove(self._shown, data.key)
        return True

    # -- internals
    def _refilter(self, narrow: bool) -> None:
        row_filter = self.filter
        if not row_filter.active:
            self._shown = None
            return
        source = self._shown if narrow and self._shown is not None else self._all
        rows = self.rows
        if row_filter.needle:  # the common case, inlined: no call per row
            needle, keep = row_filter.needle, not row_filter.invert
            self._shown = [key for key in source if (needle in rows[key[-1]].text) == keep]
            return
        matches = row_filter.matches
        self._shown = [key for key in source
                       if matches((data := rows[key[-1]]).text, data.entry.labels)]

    def _sort_slot(self) -> _Slot | None:
        return next((s for s in self.slots if s.name == self.sort_column), None)

    def _texts(self, entries: list[Entry]) -> list[str]:
        """`_text` of many entries at once, without a call per entry in the usual case."""
        cells_of, last = self._text_cells, self._text_last
        if not all(len(e.row.cells) > last for e in entries):
            return [self._text(e) for e in entries]
        if self._show_namespace:
            return [("\n".join(cells_of(e.row.cells)) + "\n" + e.namespace).lower()
                    for e in entries]
        return ["\n".join(cells_of(e.row.cells)).lower() for e in entries]

    def _text(self, entry: Entry) -> str:
        """The lower-cased text a filter searches: shown cells one per line, no ages."""
        cells = entry.row.cells
        if len(cells) > self._text_last:
            parts = self._text_cells(cells)
        else:  # a row shorter than its columns
            parts = tuple(cells[i] for i in self._text_indices if i < len(cells))
        text = "\n".join(parts)
        if self._show_namespace:
            text += "\n" + entry.namespace
        return text.lower()


def _tuple_getter(indices: tuple[int, ...]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """`itemgetter(*indices)` that always returns a tuple (it is the fastest way in)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    return lambda cells: tuple(cells[i] for i in indices)


def _contains(keys: list[tuple], key: tuple) -> bool:
    i = bisect_left(keys, key)
    return i < len(keys) and keys[i] == key


def _remove(keys: list[tuple], key: tuple) -> None:
    del keys[bisect_left(keys, key)]


# --------------------------------------------------------------------------------------
# Layout: which columns fit and how wide they are.

_GAP = 2  # spaces between columns
_GUTTER = 1  # the mark column at the left
_CAPS = {"NAME": 64, NAMESPACE_COLUMN: 32}
_CAP = 40
_MIN_FLEX = 10  # NAME and other long text columns shrink down to this before any is dropped
_SAMPLE = 256  # rows sampled across the whole view when measuring widths


def fit_columns(slots: list[_Slot], width: int, wide: bool) -> list[_Slot]:
    """The columns that fit in `width` cells, their widths set: wide-only columns dropped
    unless `wide`, then the highest priority ones, then the widest columns shrunk, and only
    then columns dropped from the right (NAME stays)."""
    chosen = [s for s in slots if wide or s.priority == 0]
    for s in chosen:
        s.width = s.natural

    def total() -> int:
        return _GUTTER + sum(s.width for s in chosen) + _GAP * max(0, len(chosen) - 1)

    while total() > width and any(s.priority > 0 for s in chosen):
        worst = max(s.priority for s in chosen)
        chosen.remove([s for s in chosen if s.priority == worst][-1])
    while total() > width:
        shrinkable = [s for s in chosen if s.width > _floor(s)]
        if shrinkable:
            widest = max(shrinkable, key=lambda s: s.width)
            widest.width -= min(widest.width - _floor(widest), total() - width)
            continue
        droppable = [s for s in chosen if s.name != "NAME"]
        if not droppable:
            break
        chosen.remove(droppable[-1])
    if chosen and total() > width:  # even NAME alone is too wide: truncate it
        chosen[0].width = max(1, chosen[0].width - (total() - width))
    return chosen


def _floor(slot: _Slot) -> int:
    return max(_MIN_FLEX, len(slot.name) + 1)


def fit_text(text: str, width: int) -> str:
    """`text` padded or cut to exactly `width` cells, an ellipsis marking a cut."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    if text.isascii():
        if len(text) <= width:
            return text.ljust(width)
        return text[: width - 1] + "…" if width > 0 else ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""


# --------------------------------------------------------------------------------------
# The widget


@dataclass(frozen=True, slots=True)
class _Frame:
    """What the screen showed: enough to tell which lines a change touched."""

    top: int
    uids: tuple[str, ...]
    cursor: str | None


class ResourceTable(ScrollView, can_focus=True):
    """A table of Kubernetes objects fed by watch-store batches; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False,
                id="table.page_down"),
        Binding("home,g", "first", "Top", show=False, id="table.first"),
        Binding("end,G", "last", "Bottom", show=False, id="table.last"),
        Binding("enter", "select", "Select", show=False, id="table.select"),
        Binding("space", "toggle_mark", "Mark", id="table.mark"),
        Binding("ctrl+space", "mark_range", "Mark range", show=False, id="table.mark_range"),
        Binding("ctrl+backslash", "clear_marks", "Clear marks", show=False,
                id="table.clear_marks"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header", "resource-table--cursor", "resource-table--marked",
        "resource-table--pending", "resource-table--failed", "resource-table--done",
        "resource-table--terminating", "resource-table--empty",
    }

    DEFAULT_CSS = """
    ResourceTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
        & > .resource-table--header { text-style: bold; background: $panel; }
        & > .resource-table--cursor {
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .resource-table--cursor {
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .resource-table--marked { color: $text-accent; text-style: bold; }
        & > .resource-table--failed { color: $text-error; }
        & > .resource-table--pending { color: $text-warning; }
        & > .resource-table--done { color: $text-muted; }
        & > .resource-table--terminating { color: $text-secondary; }
        & > .resource-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    #: Seconds between live age updates of the visible rows.
    AGE_INTERVAL: ClassVar[float] = 1.0
    _MARK = "▌"

    class Selected(Message):
        """Enter (or a double click) on a row."""

        def __init__(self, table: ResourceTable, entry: Entry) -> None:
            super().__init__()
            self.table = table
            self.entry = entry

        @property
        def control(self) -> ResourceTable:
            return self.table

    class Highlighted(Message):
        """The cursor is on a different object (moved, or its row went away)."""

        def __init__(self, table: ResourceTable, entry: Entry | None) -> None:
            super().__init__()
            self.table = table
            self.entry = entry

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(self, *, clock: Callable[[], float] = time.time, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._model = RowModel(clock)
        self._columns: list[Column] = []
        self._wide = False
        self._show_namespace = False
        self._shown_slots: list[_Slot] = []
        self._layout_version = 0
        self._line_width = 0
        self._cursor: str | None = None
        self._cursor_hint = 0  # last display index of the cursor, for when its row goes
        self._marks: set[str] = set()
        self._strips: LRUCache[str, tuple[Row, tuple, Strip]] = LRUCache(256)
        self._header: tuple[tuple, Strip] | None = None
        self._styles: dict[tuple, Style] = {}
        self._empty_text = ""
        self._thumb: tuple[int, int] | None = None  # the scrollbar thumb as last drawn

    # ----------------------------------------------------------------- public API
    @property
    def clock(self) -> Callable[[], float]:
        return self._model.clock

    @property
    def row_count(self) -> int:
        """Rows passing the filter."""
        return len(self._model)

    @property
    def total_count(self) -> int:
        return len(self._model.rows)

    @property
    def selected_uid(self) -> str | None:
        return self._cursor

    @property
    def selected_entry(self) -> Entry | None:
        data = self._model.rows.get(self._cursor) if self._cursor else None
        return data.entry if data else None

    @property
    def cursor_index(self) -> int | None:
        return self._model.index_of(self._cursor)

    @property
    def marked_uids(self) -> frozenset[str]:
        return frozenset(self._marks)

    @property
    def sort_column(self) -> str:
        return self._model.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._model.reverse

    @property
    def filter(self) -> RowFilter:
        return self._model.filter

    @property
    def show_namespace(self) -> bool:
        return self._show_namespace

    @show_namespace.setter
    def show_namespace(self, value: bool) -> None:
        if value != self._show_namespace:
            self._show_namespace = value
            self._reconfigure()

    @property
    def empty_text(self) -> str:
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        """Shown when there are no rows: "Loading…", "No pods in namespace x"."""
        if text != self._empty_text:
            self._empty_text = text
            if not len(self._model):
                self.refresh()

    @property
    def shown_columns(self) -> list[str]:
        """Names of the columns that fit on screen now."""
        return [s.name for s in self._shown_slots]

    def entry_at(self, index: int) -> Entry:
        """The entry at display position `index` (after filter and sort)."""
        return self._model.rows[self._model.uid_at(index)].entry

    def set_columns(self, columns: Sequence[Column], wide: bool = False) -> None:
        """Columns as `render.columns_for` gives them; `wide` shows priority > 0 ones too.
        Rows already held are re-keyed for the new columns."""
        self._columns, self._wide = list(columns), wide
        self._reconfigure()

    def apply(self, batch: Batch) -> None:
        """Apply a store batch: O(changes × log n), repainting only lines that changed."""
        before = self._frame()
        model = self._model
        if batch.reset:
            model.reset(batch.upserts)
            self._marks.intersection_update(model.rows)
            self._measure()
        else:
            for uid in batch.deletes:
                if model.remove(uid):
                    self._marks.discard(uid)
            for entry in batch.upserts:
                model.upsert(entry)
        changed = {e.uid for e in batch.upserts}
        self._settle(before, changed, full=batch.reset)

    def clear(self) -> None:
        """Forget every row, mark and the cursor (a new view)."""
        self._model.reset(())
        self._marks.clear()
        self._cursor, self._cursor_hint = None, 0
        self._settle(None, set(), full=True)

    def set_filter(self, text: str) -> None:
        """Filter rows as `/` does; see `RowFilter`. The cursor keeps its object if it
        still passes, else goes to the first row."""
        row_filter = RowFilter.parse(text)
        if row_filter == self._model.filter:
            return
        before = self._frame()
        self._model.set_filter(row_filter)
        if self._model.index_of(self._cursor) is None:
            self._cursor_hint = 0
        self._measure()
        self._settle(before, set(), full=True)

    def sort_by(self, column: str, reverse: bool | None = None) -> None:
        """Sort by `column`; `reverse=None` flips the order when it is already the sort
        column, else starts in the column's natural order (biggest first for numbers)."""
        model = self._model
        if reverse is None:
            if column == model.sort_column:
                reverse = not model.reverse
            else:
                slot = next((s for s in model.slots if s.name == column), None)
                reverse = slot is not None and slot.sort in ("number", "quantity")
        before = self._frame()
        model.set_sort(column, reverse)
        self._settle(before, set(), full=True, follow_cursor=True)

    def select_uid(self, uid: str) -> bool:
        """Put the cursor on `uid` if it is shown; returns whether it is."""
        index = self._model.index_of(uid)
        if index is not None:
            self._move_to(index)
        return index is not None

    def toggle_mark(self, uid: str) -> None:
        if uid in self._marks:
            self._marks.remove(uid)
        elif uid in self._model.rows:
            self._marks.add(uid)
        self._refresh_uids({uid})

    def clear_marks(self) -> None:
        shown = set(self._marks)
        self._marks.clear()
        self._refresh_uids(shown)

    def refresh_ages(self) -> None:
        """Repaint visible rows whose time-dependent cells read differently now."""
        age_slots = [s for s in self._shown_slots if s.age]
        if not age_slots:
            return
        now = self.clock()
        dirty = []
        for line, uid in enumerate(self._visible_uids()):
            hit = self._strips.get(uid)
            ages = self._ages(self._model.rows[uid], now)
            if hit is None or hit[1][-1] != ages:
                dirty.append(line)
        self._refresh_lines(dirty)

    # ----------------------------------------------------------------- actions
    def action_cursor_up(self) -> None:
        self._move_by(-1)

    def action_cursor_down(self) -> None:
        self._move_by(1)

    def action_page_up(self) -> None:
        self._move_by(-self._page)

    def action_page_down(self) -> None:
        self._move_by(self._page)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        self._move_to(len(self._model) - 1)

    def action_select(self) -> None:
        entry = self.selected_entry
        if entry is not None:
            self.post_message(self.Selected(self, entry))

    def action_toggle_mark(self) -> None:
        if self._cursor is not None:
            self.toggle_mark(self._cursor)

    def action_mark_range(self) -> None:
        """k9s's ctrl+space: mark every row between the last marked one and the cursor."""
        cursor = self.cursor_index
        marked = [i for uid in self._marks
                  if (i := self._model.index_of(uid)) is not None]
        if cursor is None or not marked:
            return
        anchor = min(marked, key=lambda i: abs(i - cursor))
        lo, hi = sorted((anchor, cursor))
        span = {self._model.uid_at(i) for i in range(lo, hi + 1)}
        self._marks |= span
        self._refresh_uids(span)

    def action_clear_marks(self) -> None:
        self.clear_marks()

    def action_sort(self, column: str) -> None:
        self.sort_by(column)

    # ----------------------------------------------------------------- events
    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(self.AGE_INTERVAL, self.refresh_ages)

    def on_resize(self, event: events.Resize) -> None:
        self._measure()
        self._settle(None, set(), full=True, follow_cursor=True)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            self._click_header(event.x)
            return
        index = self._top + event.y - 1
        if 0 <= index < len(self._model):
            self._move_to(index)
            if event.chain == 2:
                self.action_select()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()
        self._header = None

    def watch_show_vertical_scrollbar(self) -> None:
        """The scrollbar takes width without a Resize event: fit the columns again."""
        self._fit()
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if round(old) != round(new):
            self._sync_scrollbar()
            self._grow_to_visible()

    # ----------------------------------------------------------------- rendering
    def render_line(self, y: int) -> Strip:
        width = self._line_width
        if y == 0:
            return self._header_strip(width)
        model = self._model
        index = self._top + y - 1
        if index < len(model):
            return self._row_strip(model.uid_at(index), width)
        if not len(model) and y == 2:
            return self._empty_strip(width)
        return Strip.blank(width, self.rich_style)

    def _row_strip(self, uid: str, width: int) -> Strip:
        data = self._model.rows[uid]
        entry = data.entry
        now = self.clock()
        cursor, marked = uid == self._cursor, uid in self._marks
        ages = self._ages(data, now)
        stamp = (self._layout_version, width, cursor, marked, ages)
        hit = self._strips.get(uid)
        if hit is not None and hit[0] is entry.row and hit[1] == stamp:
            return hit[2]
        cells = [fit_text(self._model.cell_text(data, slot, now), slot.width)
                 for slot in self._shown_slots]
        text = fit_text((self._MARK if marked else " ") + (" " * _GAP).join(cells), width)
        style = self._row_style(entry.row.health, cursor, marked)
        strip = Strip([Segment(text, style)], width)
        self._strips.discard(uid)  # LRUCache.set keeps an existing key's old value
        self._strips[uid] = (entry.row, stamp, strip)
        return strip

    def _ages(self, data: _RowData, now: float) -> tuple[str, ...]:
        return tuple(self._model.cell_text(data, s, now) for s in self._shown_slots if s.age)

    def _header_strip(self, width: int) -> Strip:
        model = self._model
        stamp = (self._layout_version, width, model.sort_column, model.reverse)
        if self._header is not None and self._header[0] == stamp:
            return self._header[1]
        arrow = "↓" if model.reverse else "↑"
        names = [fit_text(s.name + (arrow if s.name == model.sort_column else ""), s.width)
                 for s in self._shown_slots]
        text = fit_text(" " + (" " * _GAP).join(names), width)
        strip = Strip([Segment(text, self._component("resource-table--header"))], width)
        self._header = (stamp, strip)
        return strip

    def _empty_strip(self, width: int) -> Strip:
        model = self._model
        if model.filter.error:
            text = f"Filter: {model.filter.error}"
        elif model.rows and model.filter.active:
            text = f"No rows match /{model.filter.text}"
        else:
            text = self._empty_text
        return Strip([Segment(fit_text("  " + text, width),
                              self._component("resource-table--empty"))], width)

    def _component(self, name: str) -> Style:
        key = (name,)
        if key not in self._styles:
            self._styles[key] = self.get_component_rich_style(name)
        return self._styles[key]

    def _row_style(self, health: str, cursor: bool, marked: bool) -> Style:
        key = (health, cursor, marked)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            if health != "ok":
                style += self._component(f"resource-table--{health}")
            if marked:
                style += self._component("resource-table--marked")
            if cursor:  # the cursor's background; a health or mark colour stays
                cursor_style = self._component("resource-table--cursor")
                style += cursor_style if health == "ok" and not marked else Style(
                    bgcolor=cursor_style.bgcolor, bold=cursor_style.bold)
            self._styles[key] = style
        return style

    # ----------------------------------------------------------------- layout
    def _reconfigure(self) -> None:
        before = self._frame()
        self._model.configure(self._columns, self._show_namespace)
        self._bind_sort_keys()
        self._measure()
        self._settle(before, set(), full=True)

    def _bind_sort_keys(self) -> None:
        """Shift+letter per column, k9s's letters where it has them. Textual has no public
        way to change a widget's bindings after mount: rebuild them from the class's."""
        bindings = self._merged_bindings.copy() if self._merged_bindings else None
        if bindings is None:
            return
        letters = sort_letters(s.name for s in self._model.slots)
        for column, letter in letters.items():
            binding = Binding(f"{letter},shift+{letter.lower()}", f"sort('{column}')",
                              f"Sort {column.lower()}", show=False, key_display=letter,
                              id=f"table.sort.{column.lower()}")
            for one in Binding.make_bindings([binding]):
                bindings.key_to_bindings.setdefault(one.key, []).append(one)
        self._bindings = bindings
        self.refresh_bindings()

    def _measure(self) -> None:
        """Natural column widths from the visible rows and an even sample of the rest, then
        fit them to the screen. Widths grow later when wider rows scroll into view."""
        model = self._model
        slots = model.slots
        for slot in slots:
            slot.natural = min(len(slot.name) + 1, self._cap(slot))
        n = len(model)
        indices = set(range(self._top, min(n, self._top + self._page)))
        indices.update(range(0, n, max(1, n // _SAMPLE)))
        self._grow(slots, (model.uid_at(i) for i in indices))
        self._fit()

    def _grow(self, slots: list[_Slot], uids: Iterable[str]) -> bool:
        now, rows, grew = self.clock(), self._model.rows, False
        for uid in uids:
            data = rows[uid]
            for slot in slots:
                text = self._model.cell_text(data, slot, now)
                size = len(text) if text.isascii() else cell_len(text)
                if size > slot.natural:
                    slot.natural = min(size, self._cap(slot))
                    grew = True
        return grew

    def _grow_to_visible(self) -> None:
        if self._grow(self._model.slots, self._visible_uids()):
            self._fit()
            self.refresh()

    @staticmethod
    def _cap(slot: _Slot) -> int:
        return _CAPS.get(slot.name, _CAP)

    def _fit(self) -> None:
        self._line_width = self.scrollable_content_region.width
        self._shown_slots = fit_columns(self._model.slots, self._line_width, self._wide)
        self._layout_version += 1

    @property
    def _page(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    @property
    def _top(self) -> int:
        return round(self.scroll_y)

    def _visible_uids(self) -> list[str]:
        model, top = self._model, self._top
        return [model.uid_at(i) for i in range(top, min(len(model), top + self._page))]

    # ----------------------------------------------------------------- cursor & repaint
    def _frame(self) -> _Frame:
        return _Frame(self._top, tuple(self._visible_uids()), self._cursor)

    def _settle(self, before: _Frame | None, changed: set[str], full: bool,
                follow_cursor: bool = False) -> None:
        """After rows changed: put the cursor back on its object (or where its row was),
        keep what was on screen in place, and repaint only the lines that differ.
        `follow_cursor` brings the cursor into view (the order changed under it)."""
        model = self._model
        n = len(model)
        index = model.index_of(self._cursor)
        if index is None and n:
            index = min(self._cursor_hint, n - 1)
        old_cursor = self._cursor
        self._cursor = model.uid_at(index) if index is not None else None
        self._cursor_hint = index or 0

        page = self._page
        top = self._top if before is None else self._anchored_top(before)
        jumped = self._cursor != old_cursor or follow_cursor
        if jumped and index is not None and not top <= index < top + page:
            top = index - page // 2
        self._set_rows(n, max(0, min(top, n - page)))

        if full or before is None:
            self._strips.clear()
            self.refresh()
            self._grow_to_visible()
        else:
            after = self._frame()
            moved = {old_cursor, self._cursor} if old_cursor != self._cursor else set()
            dirty = [line for line in range(page)
                     if (uid := _line_uid(after.uids, line)) != _line_uid(before.uids, line)
                     or uid in changed or uid in moved]
            shown = [after.uids[line] for line in dirty if line < len(after.uids)]
            if self._grow(model.slots, shown):
                self._fit()
                self.refresh()
            else:
                self._refresh_lines(dirty)
        if self._cursor != old_cursor:
            self.post_message(self.Highlighted(self, self.selected_entry))

    def _anchored_top(self, before: _Frame) -> int:
        """The scroll offset that keeps the anchor row (the cursor if it was on screen,
        else the top row) on the same screen line."""
        anchor = before.cursor if before.cursor in before.uids else (
            before.uids[0] if before.uids else None)
        if anchor is None:
            return before.top
        old_line = before.uids.index(anchor)
        new_index = self._model.index_of(anchor)
        if new_index is None:
            return before.top
        return new_index - old_line

    def _set_rows(self, count: int, top: int) -> None:
        """Set the row count and scroll offset without Textual repainting the whole widget
        (it does for any change of `virtual_size` or `scroll_y`): the caller refreshes the
        lines that changed. The scrollbar is redrawn only when its thumb would look
        different; only a scrollbar that must appear or go needs a real layout."""
        if top != self._top:
            self.set_reactive(Widget.scroll_y, float(top))
            self.set_reactive(Widget.scroll_target_y, float(top))
        size = Size(self._line_width, count + 1)
        height = self.scrollable_content_region.height
        if (size.height > height) != (self.virtual_size.height > height):
            self.virtual_size = size
            self._sync_scrollbar()
            return
        self.set_reactive(Widget.virtual_size, size)
        if self.show_vertical_scrollbar and _thumb(height, size.height, top) != self._thumb:
            self._sync_scrollbar()

    def _sync_scrollbar(self) -> None:
        self._scroll_update(self.virtual_size)  # Textual's own scrollbar geometry update
        self.vertical_scrollbar.position = self._top
        height = self.scrollable_content_region.height
        self._thumb = _thumb(height, self.virtual_size.height, self._top)

    def _move_by(self, delta: int) -> None:
        index = self.cursor_index
        self._move_to((0 if delta > 0 else len(self._model)) if index is None
                      else index + delta)

    def _move_to(self, index: int) -> None:
        n = len(self._model)
        if not n:
            return
        index = max(0, min(index, n - 1))
        old, old_index = self._cursor, self.cursor_index
        self._cursor, self._cursor_hint = self._model.uid_at(index), index
        top, page = self._top, self._page
        if index < top:
            self.scroll_to(y=index, animate=False, force=True)
        elif index >= top + page:
            self.scroll_to(y=index - page + 1, animate=False, force=True)
        else:
            lines = [i - top for i in (old_index, index) if i is not None]
            self._refresh_lines(lines)
        if self._cursor != old:
            self.post_message(self.Highlighted(self, self.selected_entry))

    def _refresh_uids(self, uids: set[str]) -> None:
        self._refresh_lines([line for line, uid in enumerate(self._visible_uids())
                             if uid in uids])

    def _refresh_lines(self, lines: Iterable[int]) -> None:
        """Refresh screen lines (0 = first row under the header), merged into runs."""
        width = max(self._line_width, self.size.width)
        start = prev = None
        for line in sorted(set(lines)):
            if prev is not None and line == prev + 1:
                prev = line
                continue
            if start is not None:
                self.refresh(Region(0, start + 1, width, prev - start + 1))
            start = prev = line
        if start is not None:
            self.refresh(Region(0, start + 1, width, prev - start + 1))

    def _click_header(self, x: int) -> None:
        edge = _GUTTER
        for slot in self._shown_slots:
            if x < edge + slot.width + _GAP:
                self.sort_by(slot.name)
                return
            edge += slot.width + _GAP


def _thumb(height: int, virtual: int, top: int) -> tuple[int, int] | None:
    """Where a vertical scrollbar of `height` cells draws its thumb, in eighths of a cell
    (as Textual's ScrollBar.render_bar does); None when there is nothing to scroll."""
    if virtual <= height or height <= 0:
        return None
    thumb = max(1.0, height * height / virtual)
    start = int((height - thumb) * top / (virtual - height) * 8)
    return start, start + ceil(thumb * 8)


def _line_uid(uids: tuple[str, ...], line: int) -> str | None:
    return uids[line] if line < len(uids) else None
