"""The pure side of the resource table: rows in sort order with a filter (`RowModel`),
what `/` typed means (`RowFilter`), per-column sort keys and which columns fit the screen.
No Textual here (rich's cell widths only), so it is tested and benchmarked on its own;
`kubetui.ui.widgets.resource_table` draws it.

What is kept per row (well under 1 KiB beyond the store's `Entry`): one `RowData` (the
entry, the cells shown, its sort key, its lower-cased filter text, when it arrived) and two
slots (key and text) in the sorted lists of all rows, two more in the filtered ones. A
view's extra cells (CPU and MEM) are joined in by `RowModel.join` as a row comes in: the
cells shown are then one plain tuple (of strings, which the garbage collector stops
tracking), not a second entry and row per object.

- Order: a list of sort keys kept sorted with `bisect`; a key ends with the uid, so keys are
  unique and an update moves one key. A reversed sort reads the same list from the end.
  Beside it, at the same indices, each row's filter text (`SortedRows`), so that a filter
  scans the texts in C, without a dict lookup per row.
- Filter: with a filter set, a second `SortedRows` holds only the rows that pass it. Typing
  one more letter of a substring only scans those (`RowFilter.narrows`).
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter, contains, itemgetter, not_
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size

from kubetui.quantity import parse_quantity
from kubetui.render.age import format_age
from kubetui.render.model import Column
from kubetui.render.sanitize import one_line
from kubetui.selectors import LabelRequirement, parse_requirements

if TYPE_CHECKING:
    from kubetui.cluster.store import Entry


# --------------------------------------------------------------------------------------
# Filters


def parse_selector(text: str) -> tuple[LabelRequirement, ...]:
    """Parse a label selector as kubectl's `-l` takes it (the API server's grammar).
    Raises ValueError with the server's words."""
    try:
        return tuple(parse_requirements(text))
    except ValueError as exc:
        raise ValueError(f"invalid label selector: {exc}") from None


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

    def mask(self, texts: list[str]) -> Iterator[object]:
        """`matches` over many row texts, truthy where a row passes, looping in C; not for
        a label selector, which needs the rows' labels."""
        found: Iterator[object] = (map(self.pattern.search, texts) if self.pattern is not None
                                   else map(contains, texts, repeat(self.needle)))
        return map(not_, found) if self.invert else found

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
#: G is "go to bottom"; shift-f port-forwards and shift-d adds a debug container (k9s).
_RESERVED_LETTERS = frozenset("GFD")


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


def sort_binding_id(column: str) -> str:
    """The binding id of the key sorting by `column`, for the config file's keymap: no
    spaces (`NOMINATED NODE` -> `table.sort.nominated-node`)."""
    return "table.sort." + "-".join(column.lower().split())


# --------------------------------------------------------------------------------------
# The row model: everything the widget knows about rows and their order.

NAMESPACE_COLUMN = "NAMESPACE"
#: Columns showing the age of `Entry.created` (an Event's is when it was last seen).
_ENTRY_TIME = frozenset({"AGE", "LAST SEEN"})
_NS_INDEX = -1  # `Slot.index` of the namespace column, which is not one of the row's cells


@dataclass(slots=True)
class Slot:
    """A column as the table lays it out."""

    name: str
    index: int  # position in Row.cells, or _NS_INDEX
    sort: str
    priority: int
    age: bool  # the cell depends on the time: re-rendered live
    created: bool  # the creation age: rendered from Entry.created
    natural: int = 0  # width its content asks for (capped)
    width: int = 0  # width given after fitting the screen


Cells = tuple[str, ...]
#: The cells a row shows, from its entry: its own, or with a view's extra cells joined in.
Join = Callable[["Entry"], Cells]
KeyFunction = Callable[["Entry", Cells, float], tuple]


def own_cells(entry: Entry) -> Cells:
    return entry.cells


def key_function(slot: Slot | None) -> KeyFunction:
    """The sort key of an entry showing `cells` for a sort column (None: by name). A key
    is (primary, name, namespace, uid): ties go by name, and the uid makes every key
    unique. `seen` is when the row was rendered, for ages that only exist as text ("5m")."""
    if slot is None:
        return lambda e, cells, seen: (e.name, e.name, e.namespace, e.uid)
    if slot.index == _NS_INDEX:
        return lambda e, cells, seen: (e.namespace, e.name, e.namespace, e.uid)
    i = slot.index
    if slot.sort == "age":  # by the moment the age counts from: youngest first
        created = slot.created

        def age_key(e: Entry, cells: Cells, seen: float) -> tuple:
            if created and e.created is not None:
                return ((0, -e.created), e.name, e.namespace, e.uid)
            cell = cells[i] if i < len(cells) else ""
            seconds = duration_seconds(cell)
            primary = (1, cell) if seconds is None else (0, seconds - seen)
            return (primary, e.name, e.namespace, e.uid)
        return age_key
    cell_key = _CELL_KEYS.get(slot.sort, _text_key)

    def key(e: Entry, cells: Cells, seen: float) -> tuple:
        return (cell_key(cells[i] if i < len(cells) else ""), e.name, e.namespace, e.uid)
    return key


class RowData:
    """Per-row state on the UI side: the store's entry and the cells shown (`RowModel.join`
    of it: the entry's own when nothing is joined); `seen` is when the row was rendered
    (about when it arrived), which lets time-dependent cells other than AGE ("5m ago")
    move on."""

    __slots__ = ("entry", "cells", "key", "text", "seen")

    def __init__(self, entry: Entry, cells: Cells, key: tuple, text: str,
                 seen: float) -> None:
        self.entry = entry
        self.cells = cells
        self.key = key
        self.text = text
        self.seen = seen


#: Rows added at once from which `SortedRows.add_many` merges rather than inserts.
_BULK = 32


class SortedRows:
    """Sort keys in ascending order, and each row's filter text at the same index."""

    __slots__ = ("keys", "texts")

    def __init__(self, keys: list[tuple], texts: list[str]) -> None:
        self.keys = keys
        self.texts = texts

    @classmethod
    def build(cls, rows: Iterable[RowData]) -> SortedRows:
        ordered = sorted(rows, key=attrgetter("key"))
        return cls(list(map(attrgetter("key"), ordered)),
                   list(map(attrgetter("text"), ordered)))

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: tuple, text: str) -> None:
        i = bisect_left(self.keys, key)
        self.keys.insert(i, key)
        self.texts.insert(i, text)

    def add_many(self, pairs: list[tuple[tuple, str]]) -> None:
        """Add many (key, text) rows: the new ones sorted, then each run of old rows
        between two of them copied over in one slice, instead of an insertion (a move of
        every row after it) per new row: a list's page into tens of thousands of rows.
        As many new rows as a quarter of those held (a list's rows arriving) are sorted
        in with them instead, in one sort that merges the two (half the time)."""
        if len(pairs) < _BULK:
            for key, text in pairs:
                self.add(key, text)
            return
        if len(pairs) * 4 >= len(self.keys):
            keys = self.keys + [key for key, _ in pairs]
            texts = self.texts + [text for _, text in pairs]
            order = sorted(range(len(keys)), key=keys.__getitem__)
            self.keys = [keys[i] for i in order]
            self.texts = [texts[i] for i in order]
            return
        pairs.sort(key=itemgetter(0))
        keys, texts = self.keys, self.texts
        merged_keys: list[tuple] = []
        merged_texts: list[str] = []
        start = 0
        for key, text in pairs:
            i = bisect_left(keys, key, start)
            merged_keys += keys[start:i]
            merged_texts += texts[start:i]
            merged_keys.append(key)
            merged_texts.append(text)
            start = i
        merged_keys += keys[start:]
        merged_texts += texts[start:]
        self.keys, self.texts = merged_keys, merged_texts

    def discard(self, key: tuple) -> None:
        keys = self.keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            del keys[i]
            del self.texts[i]

    def replace(self, old: tuple, key: tuple, text: str | None) -> None:
        """The row keyed `old` (if present) is now keyed `key` (`old` itself if the sort
        key did not change) with `text`; `text` None drops it. An unchanged key is updated
        in place, sparing two list insertions."""
        keys = self.keys
        i = bisect_left(keys, old)
        if i < len(keys) and keys[i] == old:
            if key is old and text is not None:
                self.texts[i] = text
                return
            del keys[i]
            del self.texts[i]
        if text is not None:
            self.add(key, text)

    def subset(self, mask: Iterable[object]) -> SortedRows:
        """The rows where `mask` (one value per row, in order) is truthy."""
        flags = list(mask)
        return SortedRows(list(compress(self.keys, flags)), list(compress(self.texts, flags)))


class RowModel:
    """Rows keyed by uid, in sort order, with a filter; every change is O(log n) plus a
    list insertion (a memmove)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.join: Join = own_cells
        self.rows: dict[str, RowData] = {}
        self.slots: list[Slot] = []
        self.filter = RowFilter()
        self.sort_column = "NAME"
        self.reverse = False
        self._show_namespace = False
        self._key: KeyFunction = key_function(None)
        self._text_indices: tuple[int, ...] = ()
        self._text_last = -1
        self._text_cells = _tuple_getter(())
        self._all = SortedRows([], [])
        self._shown: SortedRows | None = None  # the rows passing the filter; None: no filter

    # -- reading
    @property
    def view(self) -> list[tuple]:
        """The shown rows' sort keys, ascending."""
        return (self._all if self._shown is None else self._shown).keys

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

    def cell_text(self, data: RowData, slot: Slot, now: float) -> str:
        """A cell as shown at `now`: ages move on with the clock."""
        entry = data.entry
        if slot.index == _NS_INDEX:
            return entry.namespace
        cells = data.cells
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
    def configure(self, columns: Sequence[Column], show_namespace: bool,
                  join: Join | None = None) -> None:
        """New columns or namespace column: every key and filter text is recomputed. `join`
        gives the cells a row shows under `columns` when they are more than its entry's
        own (a view's metrics), each time the row comes in again: an entry's cells change
        with its entry (`upsert`), the joined ones when it is upserted again unchanged."""
        self.join = join or own_cells
        slots = [Slot(NAMESPACE_COLUMN, _NS_INDEX, "text", 0, False, False)] \
            if show_namespace else []
        for i, column in enumerate(columns):
            created = column.age and column.sort == "age" and column.name in _ENTRY_TIME
            slots.append(Slot(column.name, i, column.sort, column.priority, column.age,
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
            data.key = self._key(data.entry, data.cells, data.seen)
        self._all = SortedRows.build(self.rows.values())
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
        shown = list(map(self.join, entries))
        self.rows = {e.uid: RowData(e, cells, key(e, cells, when), text, when)
                     for e, cells, when, text in zip(entries, shown, seen,
                                                     self._texts(entries, shown))}
        self._all = SortedRows.build(self.rows.values())
        self._refilter(narrow=False)

    def upsert(self, entry: Entry) -> None:
        now = self.clock()
        cells = self.join(entry)
        key, text = self._key(entry, cells, now), self._text(entry, cells)
        data = self.rows.get(entry.uid)
        if data is None:
            self.rows[entry.uid] = RowData(entry, cells, key, text, now)
            self._all.add(key, text)
            if self._shown is not None and self.filter.matches(text, entry.labels):
                self._shown.add(key, text)
            return
        if key == data.key:
            key = data.key  # the lists hold this very object; index_of tests identity
        self._all.replace(data.key, key, text)
        if self._shown is not None:
            self._shown.replace(data.key, key,
                                text if self.filter.matches(text, entry.labels) else None)
        data.entry, data.cells, data.key, data.text, data.seen = entry, cells, key, text, now

    def upsert_many(self, entries: Iterable[Entry]) -> None:
        """`upsert` of each entry, the new rows added to the order at once."""
        fresh: dict[str, Entry] = {}
        for entry in entries:
            if entry.uid in self.rows:
                self.upsert(entry)
            else:
                fresh[entry.uid] = entry  # the last of one uid wins, as one by one
        if len(fresh) < _BULK:
            for entry in fresh.values():
                self.upsert(entry)
            return
        now, key, rows = self.clock(), self._key, self.rows
        new = list(fresh.values())
        shown = list(map(self.join, new))
        added = []
        for entry, cells, text in zip(new, shown, self._texts(new, shown)):
            data = rows[entry.uid] = RowData(entry, cells, key(entry, cells, now), text, now)
            added.append(data)
        self._all.add_many([(d.key, d.text) for d in added])
        if self._shown is not None:
            matches = self.filter.matches
            self._shown.add_many([(d.key, d.text) for d in added
                                  if matches(d.text, d.entry.labels)])

    def remove(self, uid: str) -> bool:
        data = self.rows.pop(uid, None)
        if data is None:
            return False
        self._all.discard(data.key)
        if self._shown is not None:
            self._shown.discard(data.key)
        return True

    # -- internals
    def _refilter(self, narrow: bool) -> None:
        row_filter = self.filter
        if not row_filter.active:
            self._shown = None
            return
        source = self._shown if narrow and self._shown is not None else self._all
        if row_filter.selector is None:
            self._shown = source.subset(row_filter.mask(source.texts))
            return
        rows, matches = self.rows, row_filter.matches
        self._shown = source.subset(matches(text, rows[key[-1]].entry.labels)
                                    for key, text in zip(source.keys, source.texts))

    def _sort_slot(self) -> Slot | None:
        return next((s for s in self.slots if s.name == self.sort_column), None)

    def _texts(self, entries: list[Entry], shown: list[Cells]) -> list[str]:
        """`_text` of many entries at once, showing `shown`, without a call per entry in
        the usual case."""
        cells_of, last = self._text_cells, self._text_last
        if not all(len(cells) > last for cells in shown):
            return [self._text(e, cells) for e, cells in zip(entries, shown)]
        if self._show_namespace:
            return [("\n".join(cells_of(cells)) + "\n" + e.namespace).lower()
                    for e, cells in zip(entries, shown)]
        return ["\n".join(cells_of(cells)).lower() for cells in shown]

    def _text(self, entry: Entry, cells: Cells) -> str:
        """The lower-cased text a filter searches: shown cells one per line, no ages."""
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


# --------------------------------------------------------------------------------------
# Layout: which columns fit and how wide they are.

GAP = 2  # spaces between columns
GUTTER = 1  # the mark column at the left
_CAPS = {"NAME": 64, NAMESPACE_COLUMN: 32}
_CAP = 40
_MIN_FLEX = 10  # NAME and other long text columns shrink down to this before any is dropped
SAMPLE = 256  # rows sampled across the whole view when measuring widths


def column_cap(slot: Slot) -> int:
    """The widest a column's natural width may grow."""
    return _CAPS.get(slot.name, _CAP)


#: Columns a person reads first; any other default column gives way before them.
ESSENTIAL = frozenset({"NAME", NAMESPACE_COLUMN, "STATUS", "READY", "RESTARTS", "AGE"})
#: Essential columns that still go before the names are cut short, first to last.
GIVE_WAY = ("AGE", "RESTARTS", "READY")
_NAME_COMFORT = 24  # a name cut in the middle to this still reads (prefix…suffix)


def fit_columns(slots: list[Slot], width: int, wide: bool) -> list[Slot]:
    """The columns that fit in `width` cells, their widths set. What gives way, in order:
    wide-only columns unless `wide` (highest priority first); the other non-essential
    columns, shrunk; NAME cut in the middle down to a comfortable width; non-essential
    columns dropped from the right; AGE, RESTARTS, READY dropped; NAME and NAMESPACE
    shrunk to their floor; the rest dropped from the right (NAME stays)."""
    chosen = [s for s in slots if wide or s.priority == 0]
    for s in chosen:
        s.width = s.natural

    def total() -> int:
        return GUTTER + sum(s.width for s in chosen) + GAP * max(0, len(chosen) - 1)

    def shrink(candidates: list[Slot], floor: Callable[[Slot], int]) -> None:
        while total() > width:
            shrinkable = [s for s in candidates if s in chosen and s.width > floor(s)]
            if not shrinkable:
                return
            widest = max(shrinkable, key=lambda s: s.width)
            widest.width -= min(widest.width - floor(widest), total() - width)

    def drop(candidates: list[Slot]) -> None:
        for s in candidates:
            if total() <= width:
                return
            chosen.remove(s)

    while total() > width and any(s.priority > 0 for s in chosen):
        worst = max(s.priority for s in chosen)
        chosen.remove([s for s in chosen if s.priority == worst][-1])
    others = [s for s in chosen if s.name not in ESSENTIAL]
    names = [s for s in chosen if s.name in ("NAME", NAMESPACE_COLUMN)]
    shrink(others, _floor)
    shrink([s for s in names if s.name == "NAME"],
           lambda s: max(_floor(s), min(s.natural, _NAME_COMFORT)))
    drop(others[::-1])
    drop([s for name in GIVE_WAY for s in chosen if s.name == name])
    shrink(names, _floor)
    drop([s for s in chosen if s.name != "NAME"][::-1])
    if chosen and total() > width:  # even NAME alone is too wide: truncate it
        chosen[0].width = max(1, chosen[0].width - (total() - width))
    return chosen


def _floor(slot: Slot) -> int:
    return max(_MIN_FLEX, len(slot.name) + 1)


def fit_name(text: str, width: int) -> str:
    """A name padded or cut to `width` cells, cut in the middle so that its end stays: the
    pods of one ReplicaSet differ only there (`checkout-g7z…l59-bq9ml`)."""
    if len(text) <= width or not text.isascii() or width < 4:
        return fit_text(text, width)
    keep = width - 1
    _, sep, last = text.rpartition("-")
    tail = min(keep - 1, max(keep // 2, len(sep + last) if sep else 0))
    return text[: keep - tail] + "…" + text[len(text) - tail:]


def fit_text(text: str, width: int) -> str:
    """`text` padded or cut to exactly `width` cells, an ellipsis marking a cut."""
    text = one_line(text)
    if text.isascii():
        if len(text) <= width:
            return text.ljust(width)
        return text[: width - 1] + "…" if width > 0 else ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 0 else ""
