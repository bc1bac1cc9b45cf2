"""kubetui in a real pseudo-terminal, read back through a terminal emulator (pyte): what a
person sees, after bytes written the way a terminal or an SSH link delivers them."""

from __future__ import annotations

import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from fcntl import ioctl
from pathlib import Path

import pyte


class Terminal:
    """`python -m kubetui.cli ARGS` on a `width`x`height` pseudo-terminal. Everything it
    writes is kept (`output`) and fed to an emulated screen (`lines`)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path | None = None,
                 width: int = 120, height: int = 40) -> None:
        self.width, self.height = width, height
        master, slave = pty.openpty()
        ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.proc = subprocess.Popen([sys.executable, "-m", "kubetui.cli", *args],
                                     stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=cwd, close_fds=True)
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.ByteStream(self.screen)
        self.closed = False

    def pump(self, timeout: float = 0.05) -> int:
        """Read what is waiting (up to `timeout` for the first byte); bytes read."""
        total = 0
        while not self.closed:
            ready, _, _ = select.select([self.master], [], [], timeout if not total else 0)
            if not ready:
                break
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                data = b""
            if not data:
                self.closed = True
                break
            self.output += data
            self.stream.feed(data)
            total += len(data)
        return total

    def write(self, data: bytes) -> None:
        """`data` in ONE write: it reaches the app in one read, as a burst over SSH does."""
        os.write(self.master, data)

    @property
    def lines(self) -> list[str]:
        return list(self.screen.display)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def wait(self, condition: Callable[[Terminal], bool], message: str,
             timeout: float = 45) -> None:
        deadline = time.monotonic() + timeout
        while not condition(self):
            if time.monotonic() > deadline or self.closed:
                raise AssertionError(f"{message}; the screen:\n{self.text}")
            self.pump(0.1)

    def wait_for(self, text: str, timeout: float = 45) -> None:
        self.wait(lambda t: text in t.text, f"{text!r} never showed", timeout)

    def close(self) -> int:
        """Quit (ctrl+c) if still running; the exit code."""
        try:
            if self.proc.poll() is None and not self.closed:
                self.write(b"\x03")
                deadline = time.monotonic() + 20
                while self.proc.poll() is None and time.monotonic() < deadline:
                    self.pump(0.1)
            if self.proc.poll() is None:
                self.proc.kill()
            return self.proc.wait(timeout=10)
        finally:
            os.close(self.master)


def demo_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a kubetui started from the tests: this tree first on the path,
    a private temp dir, an xterm."""
    temp = tmp / "tmp"
    temp.mkdir(exist_ok=True)
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "TERM": "xterm-256color", "TMPDIR": str(temp), "PYTHONPATH": path,
            **extra}
