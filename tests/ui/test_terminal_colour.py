"""Colour in a real terminal: none at all under NO_COLOR (no-color.org), and a cursor row
that stands out in 16 colours as in 256 (reverse video)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.terminal import Terminal, demo_env

_SGR = re.compile(rb"\x1b\[([0-9;:]*)m")
_COLOUR_PARAMS = {*range(30, 39), *range(40, 49), *range(90, 98), *range(100, 108)}


def sgr_params(output: bytes) -> set[int]:
    """Every SGR parameter the program sent (38;5;245 counts as 38, 5 and 245)."""
    return {int(p) for m in _SGR.finditer(output) for p in re.split(rb"[;:]", m[1]) if p}


def cursor_rows(term: Terminal) -> list[int]:
    """Screen lines drawn in reverse video across the table (the cursor row)."""
    buffer = term.screen.buffer
    return [y for y in range(term.height)
            if sum(buffer[y][x].reverse for x in range(term.width)) > term.width // 2]


def run_demo(tmp_path: Path, **env: str) -> Terminal:
    term = Terminal(["--demo"], demo_env(tmp_path, **env), width=120, height=30)
    term.wait_for("live")
    term.wait(lambda t: "Running" in t.text, "pods listed")
    return term


def test_no_color_sends_no_colour_and_keeps_the_cursor_visible(tmp_path: Path) -> None:
    term = run_demo(tmp_path, NO_COLOR="1")
    try:
        term.wait(lambda t: len(cursor_rows(t)) == 1, "one row in reverse video")
        sent = sgr_params(bytes(term.output))
        assert not sent & _COLOUR_PARAMS, sorted(sent & _COLOUR_PARAMS)
        assert 7 in sent and 1 in sent  # reverse and bold do the work
        term.write(b"j")  # the cursor moves: still one reverse row, one line lower
        first = cursor_rows(term)[0]
        term.wait(lambda t: cursor_rows(t) == [first + 1], "the cursor moved down")
    finally:
        assert term.close() == 0


@pytest.mark.parametrize("terminal", ["xterm", "xterm-256color"])
def test_cursor_row_is_reverse_video_in_16_and_256_colours(tmp_path: Path,
                                                           terminal: str) -> None:
    term = run_demo(tmp_path, TERM=terminal, COLORTERM="")
    try:
        term.wait(lambda t: len(cursor_rows(t)) == 1, "one row in reverse video")
        sent = sgr_params(bytes(term.output))
        assert sent & _COLOUR_PARAMS  # colours are used here
        if terminal == "xterm":  # 16 colours: no 256-colour or truecolor sequences
            assert not re.search(rb"\x1b\[[0-9;]*[34]8;[25];", bytes(term.output))
    finally:
        assert term.close() == 0
