"""`ResourceTable`: the resource list that stays fast at 50,000 rows.

Textual's DataTable builds and measures every row; at tens of thousands of rows a paint takes
seconds and an update hundreds of milliseconds. This widget uses the line API instead
(`ScrollView` + `render_line`): Textual asks only for the lines on screen, and a line is
rebuilt only when its row, the layout, the cursor, a mark or a live age changed.

Rows, their order and filter, sort keys and column fitting are `kubetui.model.rows` (no
Textual); this module draws them. Strips are kept only for recently drawn rows (an LRU).
After a batch the widget compares what each screen line showed before with what it shows
now and refreshes only the lines that differ. When rows arrive above the viewport the scroll
offset moves with them (silently), so the rows on screen stay put and rows changing off
screen write nothing to the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from math import ceil
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
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

from kubetui.clock import time as wall_time
from kubetui.model.rows import (GAP, GUTTER, SAMPLE, Cells, Join, RowData, RowFilter,
                                RowModel, Slot, column_cap, fit_columns, fit_name, fit_text,
                                sort_binding_id, sort_letters)
from kubetui.render.model import Column

if TYPE_CHECKING:
    from kubetui.cluster.store import Batch, Entry


@dataclass(frozen=True, slots=True)
class _Painted:
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
        /* The cursor row is its row in reverse video: as readable as the rows around
           it in every theme, in 16 colours and with NO_COLOR (only its text style is
           taken). Unfocused (the other table), it is underlined. */
        & > .resource-table--cursor { text-style: underline; }
        &:focus > .resource-table--cursor { text-style: bold reverse; }
        & > .resource-table--marked { color: $text-accent; text-style: bold; }
        & > .resource-table--failed { color: $text-error; text-style: bold; }
        & > .resource-table--pending { color: $text-warning; }
        & > .resource-table--done { color: $text-muted; }
        & > .resource-table--terminating { color: $text-secondary; }
        & > .resource-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    #: Seconds between live age updates of the visible rows.
    AGE_INTERVAL: ClassVar[float] = 1.0
    _MARK = "▌"

    @dataclass
    class Selected(Message):
        """Enter (or a double click) on a row."""

        table: ResourceTable
        entry: Entry

        @property
        def control(self) -> ResourceTable:
            return self.table

    @dataclass
    class Highlighted(Message):
        """The cursor is on a different object (moved, or its row went away)."""

        table: ResourceTable
        entry: Entry | None

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(self, *, clock: Callable[[], float] = wall_time, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._model = RowModel(clock)
        self._columns: list[Column] = []
        self._join: Join | None = None
        self._wide = False
        self._show_namespace = False
        self._shown_slots: list[Slot] = []
        self._layout_version = 0
        self._line_width = 0
        self._cursor: str | None = None
        self._cursor_hint = 0  # last display index of the cursor, for when its row goes
        #: Until the user moves the cursor, it stays on the first row, at the top of the
        #: screen, however the rows arrive (a list's later pages sort before its first).
        self._at_top = True
        self._marks: set[str] = set()
        #: uid -> (cells drawn, (layout, width, cursor, mark, health, ages), strip)
        self._strips: LRUCache[str, tuple[Cells, tuple, Strip]] = LRUCache(256)
        self._header: tuple[tuple, Strip] | None = None
        self._styles: dict[tuple, Style] = {}
        self._empty_text = ""
        self._sort_letters: dict[str, str] | None = None  # as last bound (_bind_sort_keys)
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

    def marked_entries(self) -> list[Entry]:
        """The marked rows, in display order."""
        if not self._marks:
            return []
        rows = (self.entry_at(i) for i in range(self.row_count))
        return [e for e in rows if e.uid in self._marks]

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

    def cells_at(self, index: int) -> Cells:
        """The cells of the row at display position `index`, one per column: its entry's
        with what `set_columns`'s `join` adds (CPU, MEM)."""
        return self._model.rows[self._model.uid_at(index)].cells

    @property
    def selected_cells(self) -> Cells | None:
        data = self._model.rows.get(self._cursor) if self._cursor else None
        return data.cells if data else None

    def set_columns(self, columns: Sequence[Column], wide: bool = False,
                    join: Join | None = None) -> None:
        """Columns as `render.columns_for` gives them; `wide` shows priority > 0 ones too.
        `join` gives a row's cells under `columns` when its entry's own are not all of
        them (a view's metrics joined in, `RowModel.configure`). Rows already held are
        re-keyed for the new columns."""
        self._columns, self._wide, self._join = list(columns), wide, join
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
            model.upsert_many(batch.upserts)
        changed = {e.uid for e in batch.upserts}
        self._settle(before, changed, full=batch.reset)

    def clear(self) -> None:
        """Forget every row, mark and the cursor (a new view)."""
        self._model.reset(())
        self._marks.clear()
        self._cursor, self._cursor_hint, self._at_top = None, 0, True
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
        """Repaint the time-dependent cells of visible rows that read differently now, and
        of those only the characters that changed: an idle screen writes a few bytes per
        row (issue 17)."""
        if not any(s.age for s in self._shown_slots):
            return
        now = self.clock()
        uids = self._visible_uids()
        stale = [line for line, uid in enumerate(uids)
                 if (hit := self._strips.get(uid)) is None
                 or hit[1][-1] != self._ages(self._model.rows[uid], now)]
        self._refresh_updates(uids, stale)

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
        if self._line_width != self.scrollable_content_region.width:
            # Textual paints a widget at its new size before its Resize handler runs:
            # fit the columns now, so that first frame is not laid out for the old size.
            self._measure()
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
        health = data.entry.health
        now = self.clock()
        cursor, marked = uid == self._cursor, uid in self._marks
        ages = self._ages(data, now)
        stamp = (self._layout_version, width, cursor, marked, health, ages)
        hit = self._strips.get(uid)
        if hit is not None and hit[0] is data.cells and hit[1] == stamp:
            return hit[2]
        cells = [(fit_name if slot.name == "NAME" else fit_text)(
                     self._model.cell_text(data, slot, now), slot.width)
                 for slot in self._shown_slots]
        text = fit_text((self._MARK if marked else " ") + (" " * GAP).join(cells), width)
        style = self._row_style(health, cursor, marked)
        strip = Strip([Segment(text, style)], width)
        self._strips.discard(uid)  # LRUCache.set keeps an existing key's old value
        self._strips[uid] = (data.cells, stamp, strip)
        return strip

    def _ages(self, data: RowData, now: float) -> tuple[str, ...]:
        return tuple(self._model.cell_text(data, s, now) for s in self._shown_slots if s.age)

    def _header_strip(self, width: int) -> Strip:
        model = self._model
        stamp = (self._layout_version, width, model.sort_column, model.reverse)
        if self._header is not None and self._header[0] == stamp:
            return self._header[1]
        arrow = "↓" if model.reverse else "↑"
        names = [fit_text(s.name + (arrow if s.name == model.sort_column else ""), s.width)
                 for s in self._shown_slots]
        text = fit_text(" " + (" " * GAP).join(names), width)
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
            if cursor:  # its text style only: a health or mark colour stays
                c = self._component("resource-table--cursor")
                style += Style(bold=c.bold, reverse=c.reverse, underline=c.underline)
            self._styles[key] = style
        return style

    # ----------------------------------------------------------------- layout
    def _reconfigure(self) -> None:
        before = self._frame()
        self._model.configure(self._columns, self._show_namespace, self._join)
        self._bind_sort_keys()
        self._measure()
        self._settle(before, set(), full=True)

    def _bind_sort_keys(self) -> None:
        """Shift+letter per column, k9s's letters where it has them. Textual has no public
        way to change a widget's bindings after mount: rebuild them from the class's.
        Not when the letters are those already bound: each change of bindings rebuilds the
        footer (start-up sets the same columns more than once)."""
        bindings = self._merged_bindings.copy() if self._merged_bindings else None
        if bindings is None:
            return
        letters = sort_letters(s.name for s in self._model.slots)
        if letters == self._sort_letters:
            return
        self._sort_letters = letters
        for column, letter in letters.items():
            binding = Binding(f"{letter},shift+{letter.lower()}", f"sort('{column}')",
                              f"Sort {column.lower()}", show=False, key_display=letter,
                              id=sort_binding_id(column))
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
            slot.natural = min(len(slot.name) + 1, column_cap(slot))
        n = len(model)
        indices = set(range(self._top, min(n, self._top + self._page)))
        indices.update(range(0, n, max(1, n // SAMPLE)))
        self._grow(slots, (model.uid_at(i) for i in indices))
        self._fit()

    def _grow(self, slots: list[Slot], uids: Iterable[str]) -> bool:
        now, rows, grew = self.clock(), self._model.rows, False
        for uid in uids:
            data = rows[uid]
            for slot in slots:
                text = self._model.cell_text(data, slot, now)
                size = len(text) if text.isascii() else cell_len(text)
                if size > slot.natural:
                    slot.natural = min(size, column_cap(slot))
                    grew = True
        return grew

    def _grow_to_visible(self) -> None:
        if self._grow(self._model.slots, self._visible_uids()):
            self._fit()
            self.refresh()

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
    def _frame(self) -> _Painted:
        return _Painted(self._top, tuple(self._visible_uids()), self._cursor)

    def _settle(self, before: _Painted | None, changed: set[str], full: bool,
                follow_cursor: bool = False) -> None:
        """After rows changed: put the cursor back on its object (or where its row was),
        keep what was on screen in place, and repaint only the lines that differ.
        `follow_cursor` brings the cursor into view (the order changed under it)."""
        model = self._model
        n = len(model)
        index = 0 if self._at_top and n else model.index_of(self._cursor)
        if index is None and n:
            index = min(self._cursor_hint, n - 1)
        old_cursor = self._cursor
        self._cursor = model.uid_at(index) if index is not None else None
        self._cursor_hint = index or 0

        page = self._page
        top = 0 if self._at_top else \
            self._top if before is None else self._anchored_top(before)
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
                     or uid in moved]
            updated = [line for line in range(min(page, len(after.uids)))
                       if line not in dirty and after.uids[line] in changed]
            shown = [after.uids[line] for line in dirty + updated if line < len(after.uids)]
            if self._grow(model.slots, shown):
                self._fit()
                self.refresh()
            else:
                self._refresh_lines(dirty)
                self._refresh_updates(after.uids, updated)
        if self._cursor != old_cursor:
            self.post_message(self.Highlighted(self, self.selected_entry))

    def _anchored_top(self, before: _Painted) -> int:
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
        self._at_top = False
        old, old_index = self._cursor, self.cursor_index
        self._cursor, self._cursor_hint = self._model.uid_at(index), index
        top, page = self._top, self._page
        if not top <= index < top + page:
            # Scrolled here, not through `scroll_to`: Textual redraws the whole screen
            # for a scroll; every line of this widget is all that changed.
            self._set_rows(n, index if index < top else index - page + 1)
            if self._grow(self._model.slots, self._visible_uids()):
                self._fit()
            self.refresh()
        else:
            lines = [i - top for i in (old_index, index) if i is not None]
            self._refresh_lines(lines)
        if self._cursor != old:
            self.post_message(self.Highlighted(self, self.selected_entry))

    def _refresh_uids(self, uids: set[str]) -> None:
        self._refresh_lines([line for line, uid in enumerate(self._visible_uids())
                             if uid in uids])

    def _refresh_updates(self, uids: Sequence[str], lines: list[int]) -> None:
        """Refresh the cells of rows updated in place that read differently from what
        was drawn: a status change repaints its STATUS cell, a heartbeat nothing."""
        spans: dict[tuple[int, int], list[int]] = {}
        for line in lines:
            for span in self._damage(uids[line]):
                spans.setdefault(span, []).append(line)
        for (x, width), damaged in spans.items():
            self._refresh_lines(damaged, x, width)

    def _damage(self, uid: str) -> list[tuple[int, int]]:
        """The (x, width) spans of the row of `uid` that changed since it was drawn, one
        per changed cell, from its first changed character to its last; (0, 0) is the
        whole line (its style changed)."""
        hit = self._strips.get(uid)
        if hit is None:
            return [(0, 0)]
        old, new = hit[2], self._row_strip(uid, self._line_width)
        if old == new:
            return []
        old_text, new_text = old.text, new.text
        if (_first_style(old) != _first_style(new) or not old_text.isascii()
                or not new_text.isascii() or len(old_text) != len(new_text)):
            return [(0, 0)]
        spans = []
        for x, width in self._spans():
            changed = [i for i in range(x, x + width) if old_text[i:i + 1] != new_text[i:i + 1]]
            if changed:
                spans.append((changed[0], changed[-1] + 1 - changed[0]))
        return spans

    def _spans(self) -> Iterator[tuple[int, int]]:
        """(x, width) of each shown column on a row, as `_row_strip` lays them out."""
        x = GUTTER
        for slot in self._shown_slots:
            yield x, slot.width
            x += slot.width + GAP

    def _refresh_lines(self, lines: Iterable[int], x: int = 0, width: int = 0) -> None:
        """Refresh screen lines (0 = first row under the header), merged into runs; only
        the cells from `x`, `width` wide, when a width is given."""
        width = width or max(self._line_width, self.size.width)
        start = prev = None
        for line in sorted(set(lines)):
            if prev is not None and line == prev + 1:
                prev = line
                continue
            if start is not None:
                self.refresh(Region(x, start + 1, width, prev - start + 1))
            start = prev = line
        if start is not None:
            self.refresh(Region(x, start + 1, width, prev - start + 1))

    def _click_header(self, x: int) -> None:
        edge = GUTTER
        for slot in self._shown_slots:
            if x < edge + slot.width + GAP:
                self.sort_by(slot.name)
                return
            edge += slot.width + GAP


def _thumb(height: int, virtual: int, top: int) -> tuple[int, int] | None:
    """Where a vertical scrollbar of `height` cells draws its thumb, in eighths of a cell
    (as Textual's ScrollBar.render_bar does); None when there is nothing to scroll."""
    if virtual <= height or height <= 0:
        return None
    thumb = max(1.0, height * height / virtual)
    start = int((height - thumb) * top / (virtual - height) * 8)
    return start, start + ceil(thumb * 8)


def _first_style(strip: Strip) -> Style | None:
    """A row's style (its strip is one segment)."""
    return next((segment.style for segment in strip), None)


def _line_uid(uids: tuple[str, ...], line: int) -> str | None:
    return uids[line] if line < len(uids) else None
