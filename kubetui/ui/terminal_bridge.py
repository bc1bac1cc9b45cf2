"""The person's terminal joined to an exec or attach session while the TUI is suspended.

The terminal goes to raw mode, so every key (ctrl-c and ctrl-d included) reaches the remote
process as typed and the remote tty does the echoing and line editing; SIGWINCH sends the
new size on the resize channel. When the process ends (or the connection is cut) the
terminal's mode and the previous SIGWINCH handler are put back exactly, and the app
resumes and repaints its screen as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import termios
import tty
from collections.abc import Iterator

from kubetui.cluster.exec import ExecSession, Exit

__all__ = ["DETACH_OUTPUT", "DETACH_STDIN", "bridge"]


def terminal_size(fd: int) -> tuple[int, int]:
    try:
        size = os.get_terminal_size(fd)
    except OSError:
        return 80, 24
    return size.columns, size.lines


@contextlib.contextmanager
def raw_mode(fd: int) -> Iterator[None]:
    """Raw mode on `fd` when it is a terminal, its previous mode restored at the end."""
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    tty.setraw(fd, termios.TCSANOW)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextlib.contextmanager
def on_resize(loop: asyncio.AbstractEventLoop, fd: int, session: ExecSession) -> Iterator[None]:
    """SIGWINCH sends the terminal's new size; the previous handler is put back."""
    def handler(signum: int, frame: object) -> None:
        loop.call_soon_threadsafe(
            lambda: loop.create_task(session.resize(*terminal_size(fd))))

    previous = signal.signal(signal.SIGWINCH, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGWINCH, previous)


#: Keys that leave an attached process running: kubectl's ctrl-p ctrl-q when keys go to
#: it, ctrl-c when it only shows output.
DETACH_STDIN = b"\x10\x11"
DETACH_OUTPUT = b"\x03"


async def bridge(session: ExecSession, in_fd: int, out_fd: int,
                 detach: bytes = b"") -> Exit | None:
    """Join `in_fd`/`out_fd` (the terminal) to `session` until the remote process ends
    (its `Exit` comes back) or `detach` is typed (None comes back)."""
    loop = asyncio.get_running_loop()
    keys: asyncio.Queue[bytes] = asyncio.Queue()
    detached = asyncio.Event()
    recent = b""

    def readable() -> None:
        nonlocal recent
        try:
            data = os.read(in_fd, 65536)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(in_fd)
        recent = (recent + data)[-len(detach):] if detach else b""
        if detach and recent == detach:
            detached.set()
            return
        if session.stdin or not data:
            keys.put_nowait(data)

    async def forward_keys() -> None:
        while data := await keys.get():
            await session.send(data)
        await session.close_stdin()

    with raw_mode(in_fd), on_resize(loop, out_fd, session):
        await session.resize(*terminal_size(out_fd))
        loop.add_reader(in_fd, readable)
        sender = asyncio.create_task(forward_keys())
        shower = asyncio.create_task(_show(session, out_fd))
        stop = asyncio.create_task(detached.wait())
        try:
            await asyncio.wait((shower, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            loop.remove_reader(in_fd)
            for task in (sender, shower, stop):
                task.cancel()
            await asyncio.gather(sender, shower, stop, return_exceptions=True)
    return None if detached.is_set() else session.exit


async def _show(session: ExecSession, out_fd: int) -> None:
    async for _channel, data in session.output():
        _write_all(out_fd, data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:  # a non-blocking terminal that is full: wait for room
            select.select([], [fd], [])
            continue
        view = view[written:]
