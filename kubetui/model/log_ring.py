"""`Ring`: the log lines a log view keeps, the last `capacity` of them. No Textual:
`kubetui.ui.widgets.log_view` draws them."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from typing import TypeVar

from kubetui.cluster.logs import LogBatch, LogLine, Source

_T = TypeVar("_T")


class Ring:
    """The last `capacity` lines, addressed by absolute position (0 = the first line ever
    added): the view keeps its place while old lines fall out.

    The lines are kept by column (sources, times, texts, notes), not as `LogLine` tuples:
    a tuple subclass stays tracked by the garbage collector whatever it holds, and 100,000
    tracked lines made each full collection a 100 ms stall in the middle of a flood. The
    columns hold only strings, bools and the few shared `Source`s, which a collection
    passes over at list speed; a `LogLine` is made again for each line read back.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = max(1, capacity)
        self._sources: list[Source] = []
        self._times: list[str] = []
        self._texts: list[str] = []
        self._notes: list[bool] = []
        self._head = 0  # where the oldest line is, once full
        self.total = 0  # lines ever added
        self.dropped = 0  # lines that fell out

    def __len__(self) -> int:
        return len(self._texts)

    @property
    def first(self) -> int:
        """Absolute position of the oldest line kept."""
        return self.total - len(self._texts)

    def _slot(self, position: int) -> int:
        offset = position - self.first
        if not 0 <= offset < len(self._texts):
            raise IndexError(position)
        return (self._head + offset) % self.capacity

    def __getitem__(self, position: int) -> LogLine:
        i = self._slot(position)
        return LogLine(self._sources[i], self._times[i], self._texts[i], self._notes[i])

    def text(self, position: int) -> str:
        """The text of the line at `position` (no `LogLine` made)."""
        return self._texts[self._slot(position)]

    def extend(self, lines: list[LogLine]) -> int:
        """Add lines; return how many old ones fell out (or never got in)."""
        return self.add(LogBatch.of(lines))

    def add(self, batch: LogBatch) -> int:
        """Add a batch's lines; return how many old ones fell out (or never got in)."""
        count, cap = len(batch), self.capacity
        self.total += count
        new = (batch.sources, batch.times, batch.texts, batch.notes)
        columns = self._columns()
        room = cap - len(self._texts)
        if room > 0:  # not full yet: the oldest line is at 0
            for column, values in zip(columns, new):
                column.extend(values[:room])
            count -= room
        if count <= 0:
            return 0
        if count >= cap:
            for column, values in zip(columns, new):
                column[:] = values[-cap:]
            self._head = 0
        else:
            head, end = self._head, self._head + count
            for column, values in zip(columns, new):
                values = values[-count:]
                if end <= cap:
                    column[head:end] = values
                else:
                    column[head:] = values[:cap - head]
                    column[:end - cap] = values[cap - head:]
            self._head = end % cap
        self.dropped += count
        return count

    def clear(self) -> None:
        for column in self._columns():
            column.clear()
        self._head = 0
        self.total = self.dropped = 0

    def __iter__(self) -> Iterator[LogLine]:
        return map(LogLine, self._oldest_first(self._sources), self._oldest_first(self._times),
                   self._oldest_first(self._texts), self._oldest_first(self._notes))

    def texts(self) -> Iterator[str]:
        """The texts, oldest first."""
        return self._oldest_first(self._texts)

    def sourced_texts(self) -> Iterator[tuple[Source, str]]:
        """(source, text) of each line, oldest first."""
        return zip(self._oldest_first(self._sources), self.texts())

    def source(self, position: int) -> Source:
        return self._sources[self._slot(position)]

    def _columns(self) -> tuple[list[Source], list[str], list[str], list[bool]]:
        return self._sources, self._times, self._texts, self._notes

    def _oldest_first(self, column: list[_T]) -> Iterator[_T]:
        return chain(islice(column, self._head, None), islice(column, self._head))
