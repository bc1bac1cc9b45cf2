"""Exec and attach: a process's stdin, stdout, stderr and terminal size over one WebSocket.

kubetui speaks the API server's channel protocol itself (no kubectl). It offers
`v5.channel.k8s.io` first, then `v4.channel.k8s.io`, as kubectl 1.30+ does. Every binary
message starts with a channel byte: 0 stdin, 1 stdout, 2 stderr, 3 error (one `Status`
when the process ends: `Success`, or `Failure` with reason `NonZeroExitCode` and the code
as an `ExitCode` cause, or another failure in words), 4 resize (`{"Width":…,"Height":…}`).
v5 adds 255, "close channel N", with which the client says stdin is done.

No Textual: the terminal side (raw mode, SIGWINCH) is the UI's bridge; tests drive a
session directly.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from kubetui.cluster import paths
from kubetui.cluster.client import ClusterClient
from kubetui.cluster.errors import ClusterError
from kubetui.kinds import builtin

__all__ = ["SHELLS", "Exit", "ExecSession", "NoShell", "STDERR", "STDOUT", "open_shell"]

POD = builtin("Pod")
V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
PROTOCOLS = (V5, V4)
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
#: Tried in order, as k9s does: bash where the image has it, else sh.
SHELLS: tuple[tuple[str, ...], ...] = (("bash",), ("sh",))
#: How long a new shell may stay silent before it is taken as started (a shell on a tty
#: prints its prompt at once; a missing binary fails at once).
START_WINDOW = 1.0
#: Words of a runtime that could not start the command (containerd/runc and the sandbox).
_NOT_FOUND = ("executable file not found", "no such file or directory", "not found in $path")


@dataclass(frozen=True)
class Exit:
    """How the process ended: `code` (None when the server gave none, e.g. a cut
    connection) and the server's words when it was not a plain exit."""

    code: int | None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.code == 0

    def describe(self) -> str:
        if self.code == 0:
            return "exited normally"
        if self.code is not None:
            return f"exited with code {self.code}"
        return self.message or "ended without an exit status"


class NoShell(Exception):
    """The container has none of SHELLS (a distroless image): a debug container helps."""


def exit_from_status(status: dict[str, Any]) -> Exit:
    """An `Exit` from the error channel's Status."""
    if status.get("status") == "Success":
        return Exit(0)
    message = str(status.get("message") or "")
    if status.get("reason") == "NonZeroExitCode":
        for cause in (status.get("details") or {}).get("causes") or ():
            if cause.get("reason") == "ExitCode":
                with contextlib.suppress(TypeError, ValueError):
                    return Exit(int(cause.get("message")), message)
    return Exit(None, message or "the command failed")


def not_found(exit: Exit) -> bool:
    """Whether the command could not be started because it does not exist."""
    text = exit.message.lower()
    return exit.code in (126, 127) or any(words in text for words in _NOT_FOUND)


class ExecSession:
    """One exec or attach connection. Read `output()` until it ends, then `exit`."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, tty: bool,
                 stdin: bool = True) -> None:
        self.ws = ws
        self.tty = tty
        self.stdin = stdin
        self.v5 = ws.protocol == V5
        self.exit: Exit | None = None
        self._pending: list[tuple[int, bytes]] = []  # read while probing the start

    @classmethod
    async def open(cls, client: ClusterClient, namespace: str, pod: str, container: str,
                   command: Sequence[str] = (), *, attach: bool = False, tty: bool = True,
                   stdin: bool = True) -> ExecSession:
        """Connect to `command` run in (or, `attach`, to the main process of) a container.
        A refusal (403, 404, not running) raises ClusterError."""
        query = [("container", container), ("stdout", "true"),
                 ("stderr", "false" if tty else "true"), ("stdin", _flag(stdin)),
                 ("tty", _flag(tty))]
        if not attach:
            query += [("command", part) for part in command]
        path = paths.object_path(POD, namespace, pod, "attach" if attach else "exec")
        return cls(await client.websocket(path, query, PROTOCOLS), tty, stdin)

    async def output(self) -> AsyncIterator[tuple[int, bytes]]:
        """(channel, bytes) of stdout and stderr until the stream ends; then `exit` is
        set (from the Status, or `Exit(None, why)` when the connection was cut)."""
        pending, self._pending = self._pending, []
        for item in pending:
            yield item
        while self.exit is None:
            item = await self._receive()
            if item is not None:
                yield item

    async def _receive(self) -> tuple[int, bytes] | None:
        """The next stdout/stderr frame, or None (and `exit` set when it ended)."""
        msg = await self.ws.receive()
        if msg.type == aiohttp.WSMsgType.BINARY and msg.data:
            channel, data = msg.data[0], msg.data[1:]
            if channel in (STDOUT, STDERR):
                # The server opens with an empty frame on its first channel: not output.
                return (channel, data) if data else None
            if channel == ERROR:
                self.exit = self._status(data)
            return None
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                        aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
            if self.exit is None:
                self.exit = Exit(None, "the connection was closed before the command "
                                       "ended" + _close_reason(msg))
        return None

    @staticmethod
    def _status(data: bytes) -> Exit:
        try:
            status = orjson.loads(data)
        except orjson.JSONDecodeError:
            return Exit(None, data.decode(errors="replace").strip())
        return exit_from_status(status) if isinstance(status, dict) else Exit(None)

    async def started(self, window: float = START_WINDOW) -> bool:
        """Wait until the process shows it runs (some output) or ends; False when it ended
        before printing anything (a missing command). Output read meanwhile is kept for
        `output()`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + window
        while self.exit is None and not self._pending:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return True
            try:
                item = await asyncio.wait_for(self._receive(), remaining)
            except asyncio.TimeoutError:
                return True
            if item is not None:
                self._pending.append(item)
        return bool(self._pending) or bool(self.exit and self.exit.ok)

    async def send(self, data: bytes) -> None:
        """Bytes to the process's stdin (keys as typed, ctrl-c and ctrl-d included)."""
        if data and not self.ws.closed:
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await self.ws.send_bytes(bytes((STDIN,)) + data)

    async def resize(self, width: int, height: int) -> None:
        if self.tty and not self.ws.closed:
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await self.ws.send_bytes(bytes((RESIZE,)) + orjson.dumps(
                    {"Width": width, "Height": height}))

    async def close_stdin(self) -> None:
        """End of input (v5's close signal; v4 has no way to say it)."""
        if self.v5 and not self.ws.closed:
            with contextlib.suppress(ConnectionError, aiohttp.ClientError):
                await self.ws.send_bytes(bytes((CLOSE, STDIN)))

    async def close(self) -> None:
        await self.ws.close()

    async def __aenter__(self) -> ExecSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def open_shell(client: ClusterClient, namespace: str, pod: str, container: str,
                     shells: Sequence[Sequence[str]] = SHELLS) -> ExecSession:
    """A tty shell in a container: the first of `shells` that starts. Raises NoShell when
    none exists there, ClusterError when the exec is refused."""
    tried = []
    for shell in shells:
        session = await ExecSession.open(client, namespace, pod, container, shell)
        if await session.started():
            return session
        await session.close()
        assert session.exit is not None
        if not not_found(session.exit):
            raise ClusterError(f"{shell[0]} in {pod}/{container} failed at once: "
                               f"{session.exit.describe()}")
        tried.append(shell[0])
    raise NoShell(f"container {container!r} of pod {pod!r} has no shell "
                  f"(tried {', '.join(tried)})")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _close_reason(msg: aiohttp.WSMessage) -> str:
    extra = msg.extra if isinstance(msg.extra, str) else ""
    if msg.type == aiohttp.WSMsgType.ERROR and msg.data is not None:
        extra = str(msg.data)
    return f" ({extra})" if extra else ""
