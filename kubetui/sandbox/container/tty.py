"""A pseudo-terminal's line discipline in cooked mode, as a shell behind `kubectl exec -it`
sees it: typed characters are echoed, Enter ends a line (echoed as CR LF), Backspace, ^U
and ^W edit the line, ^C interrupts the foreground command, ^D on an empty line is end of
input, arrow keys and other escape sequences are swallowed. Output gets LF -> CR LF, as a
terminal's `onlcr` does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

CTRL_C, CTRL_D, CTRL_U, CTRL_W, ESC = 0x03, 0x04, 0x15, 0x17, 0x1B
BACKSPACES = (0x7F, 0x08)


class Terminal:
    """Between a client's raw keystrokes (`feed`) and a process reading lines."""

    def __init__(self, write: Callable[[bytes], None], width: int = 80,
                 height: int = 24) -> None:
        self._write = write
        self.width, self.height = width, height
        self._lines: asyncio.Queue[bytes] = asyncio.Queue()
        self._line = bytearray()
        self._esc = 0  # 0: none, 1: after ESC, 2: inside a CSI sequence
        self._hung_up = False
        self.on_interrupt: Callable[[], None] | None = None

    # ----- the client's side --------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        for b in data:
            self._key(b)

    def _key(self, b: int) -> None:
        if self._esc == 1:
            self._esc = 2 if b in (ord("["), ord("O")) else 0
            return
        if self._esc == 2:
            if 0x40 <= b <= 0x7E:
                self._esc = 0
            return
        if b == ESC:
            self._esc = 1
        elif b in (0x0D, 0x0A):
            self._write(b"\r\n")
            self._lines.put_nowait(bytes(self._line) + b"\n")
            self._line.clear()
        elif b in BACKSPACES:
            if self._line:
                self._erase(1)
        elif b == CTRL_U:
            self._erase(len(self._line.decode(errors="replace")))
        elif b == CTRL_W:
            text = self._line.decode(errors="replace")
            keep = text.rstrip()
            keep = keep[:keep.rfind(" ") + 1] if " " in keep else ""
            self._erase(len(text) - len(keep))
        elif b == CTRL_C:
            self._write(b"^C\r\n")
            self._line.clear()
            if self.on_interrupt is not None:
                self.on_interrupt()
        elif b == CTRL_D:
            if not self._line:
                self._lines.put_nowait(b"")
        elif b == 0x09 or b >= 0x20:
            self._line.append(b)
            self._write(bytes([b]))

    def _erase(self, chars: int) -> None:
        """Remove `chars` characters (not bytes) from the end of the line, on screen too."""
        for _ in range(chars):
            if not self._line:
                break
            del self._line[-1]
            while self._line and (self._line[-1] & 0xC0) == 0x80:  # a UTF-8 continuation
                del self._line[-1]
            if self._line and self._line[-1] >= 0xC0:
                del self._line[-1]
            self._write(b"\x08 \x08")

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height

    def hang_up(self) -> None:
        """The client went away: every read from now on is end of input."""
        self._hung_up = True
        self._lines.put_nowait(b"")

    # ----- the process's side -------------------------------------------------------------

    def output(self, data: bytes) -> None:
        self._write(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))

    async def readline(self) -> bytes:
        if self._hung_up and self._lines.empty():
            return b""
        line = await self._lines.get()
        if self._hung_up and not line:
            self._lines.put_nowait(b"")  # stays at end of input
        return line

    read_some = readline

    async def read_all(self) -> bytes:
        out = bytearray()
        while line := await self.readline():
            out += line
        return bytes(out)
