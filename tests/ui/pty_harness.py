"""kubetui run as a person runs it: `python -m kubetui` in a subprocess on a pseudo-terminal
(its controlling terminal, so window-size changes send it SIGWINCH), its screen read back
through a terminal emulator (pyte). For what the headless pilot cannot do: hand the
terminal over to a shell and take it back."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import struct
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
ALT_SCREEN = re.compile(rb"(\x1b\[\?1049[hl])")
#: Synchronized output (mode 2026): asked about by Textual at start; a terminal that
#: answers "set" gets every frame between BEGIN and END, so a frame can be told apart.
SYNC_QUERY, SYNC_REPLY = b"\x1b[?2026$p", b"\x1b[?2026;2$y"
FRAME_END = re.compile(rb"(\x1b\[\?2026l)")


def _make_controlling() -> None:
    """In the child, after setsid: the pty on stdin becomes its controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyApp:
    """A running kubetui on a pty; `screen_text()` is what the person would see."""

    def __init__(self, proc: asyncio.subprocess.Process, master: int, cols: int,
                 rows: int, frames: bool = False) -> None:
        self.proc = proc
        self.master = master
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()  # everything the app wrote, for failure messages
        self.times: list[tuple[float, int]] = []
        #: With `frames`, the terminal answers Textual's synchronized-output query, and
        #: the screen as each frame left it is kept here (lines without trailing spaces).
        self.frames: list[list[str]] | None = [] if frames else None
        loop = asyncio.get_running_loop()
        loop.add_reader(master, self._readable)

    @classmethod
    async def start(cls, *args: str, cols: int = 120, rows: int = 32,
                    frames: bool = False) -> PtyApp:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
        for fixed in ("COLUMNS", "LINES"):  # (pytest-xdist sets them): the pty's size rules
            env.pop(fixed, None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kubetui", *args, stdin=slave, stdout=slave, stderr=slave,
            cwd=ROOT, env=env, start_new_session=True, preexec_fn=_make_controlling)
        os.close(slave)
        return cls(proc, master, cols, rows, frames)

    def _readable(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except OSError:
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self.master)
            return
        self.raw += data
        self.times.append((time.monotonic(), len(self.raw)))
        if self.frames is not None and SYNC_QUERY in data:
            self.type(SYNC_REPLY)
        # pyte has no alternate screen: entering or leaving it (the app starting, suspending
        # for a shell, resuming) shows a blank screen here, as the main screen was blank.
        for i, piece in enumerate(ALT_SCREEN.split(data)):
            if i % 2:
                self.screen.reset()
            elif self.frames is None:
                self.stream.feed(piece)
            else:
                for j, part in enumerate(FRAME_END.split(piece)):
                    self.stream.feed(part)
                    if j % 2:
                        self.frames.append(self.lines())

    def screen_text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    async def wait_until(self, condition: Callable[[], object], what: str,
                         timeout: float = 30) -> None:
        """`wait_for`, failing with the screen as it is at the end."""
        try:
            await wait_for(condition, timeout=timeout, message=what)
        except AssertionError as e:
            raise AssertionError(f"{e}; the screen:\n{self.screen_text()}\n(the last bytes "
                                 f"written: {bytes(self.raw[-300:])!r})") from None

    async def wait_quiet(self, quiet: float = 0.5, timeout: float = 30) -> None:
        """Wait until the app has written nothing for `quiet` seconds (it has drawn all
        it had to draw), so that the next frame is the answer to what is done next."""
        await self.wait_until(
            lambda: self.times and time.monotonic() - self.times[-1][0] >= quiet,
            f"{quiet} s without output", timeout)

    async def wait_text(self, text: str, timeout: float = 30) -> str:
        """Wait until `text` is on the screen (lines have no trailing spaces)."""
        await self.wait_until(lambda: text in self.screen_text(), f"{text!r} on the screen",
                              timeout)
        return self.screen_text()

    async def wait_line(self, text: str, timeout: float = 30) -> None:
        """Wait until a line of the screen is `text` (spaces around it aside)."""
        await self.wait_until(lambda: any(line.strip() == text for line in self.lines()),
                              f"a line {text!r}", timeout)

    def look(self, text: str) -> tuple[str, bool, bool] | None:
        """How the cell where `text` starts is drawn: background, reverse video, underline
        (None: not shown). The table's cursor row is drawn its own way (a background
        colour, or reverse video): compare rows to find it."""
        for y, line in enumerate(self.screen.display):
            x = line.find(text)
            if x >= 0:
                char = self.screen.buffer[y][x]
                return str(char.bg), bool(char.reverse), bool(char.underscore)
        return None

    def cursor_on(self, text: str, *others: str) -> bool:
        """Whether the row showing `text` is drawn unlike the rows showing `others`, which
        are drawn alike (the table's cursor row is `text`'s)."""
        mine = self.look(text)
        theirs = {self.look(other) for other in others}
        return mine is not None and None not in theirs and len(theirs) == 1 and \
            mine not in theirs

    def type(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def resize(self, cols: int, rows: int) -> None:
        """As a terminal window resized: the kernel sends SIGWINCH to the app."""
        self.screen.resize(rows, cols)
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    async def close(self) -> int | None:
        if os.environ.get("KUBETUI_PTY_DUMP"):
            Path(os.environ["KUBETUI_PTY_DUMP"]).write_bytes(bytes(self.raw))
            Path(os.environ["KUBETUI_PTY_DUMP"] + ".times").write_text(repr(self.times))
        if self.proc.returncode is None:
            self.type(b"\x03")  # ctrl+c quits kubetui
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        asyncio.get_running_loop().remove_reader(self.master)
        os.close(self.master)
        return self.proc.returncode
