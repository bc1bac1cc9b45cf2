"""Go's text/tabwriter and kubectl's PrefixWriter, which every describer writes through; the
types a describer is made of."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime



Related = dict[str, list[dict]]


def tabwrite(text: str, padding: int = 2) -> str:
    """Align tab-separated cells as Go's tabwriter.Init(w, 0, 8, padding, ' ', 0) does."""
    lines = [line.split("\t") for line in text.split("\n")]
    widths: list[int] = []
    out: list[str] = []

    def write_lines(start: int, end: int) -> None:
        for cells in lines[start:end]:
            out.append("".join(cell.ljust(widths[j]) if j < len(widths) else cell
                               for j, cell in enumerate(cells)))

    def block(start: int, end: int) -> None:
        column = len(widths)
        line = start
        while line < end:
            if column >= len(lines[line]) - 1:
                line += 1
                continue
            write_lines(start, line)  # lines before this column's block
            start, width = line, 0
            while line < end and column < len(lines[line]) - 1:
                width = max(width, len(lines[line][column]) + padding)
                line += 1
            widths.append(width)
            block(start, line)
            widths.pop()
            start = line
        write_lines(start, end)

    block(0, len(lines))
    return "\n".join(out)


class Writer:
    """kubectl's PrefixWriter over a tabwriter: two spaces of indent per level."""

    def __init__(self) -> None:
        self._done: list[str] = []
        self._pending: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._pending.append("  " * level + text)

    def flush(self) -> None:
        """Align what was written so far on its own (kubectl flushes before events)."""
        if self._pending:
            self._done.append(tabwrite("".join(self._pending)))
            self._pending = []

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


Describer = Callable[[Writer, dict, list[dict], Related, datetime], None]
