"""One upgraded streaming connection (exec, attach or port-forward): ordered sending from
sync callbacks, and the registry the fault switch cuts connections through."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from aiohttp import WSMessage, WSMsgType, web


class Session:
    """Wraps a prepared WebSocketResponse. `send` may be called from sync code (a
    process writing output); messages go out in order from one writer task. Bulk senders
    (port-forward) await `drain` so that a fast source does not queue up a whole
    transfer in memory."""

    HIGH_WATER = 64  # messages queued before `drain` waits

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, kind: str,
                 target: str) -> None:
        self.ws, self.request, self.kind, self.target = ws, request, kind, target
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._drained = asyncio.Event()
        self._writer = asyncio.create_task(self._write_loop())
        self.dropped = False

    def send(self, data: bytes) -> None:
        self._queue.put_nowait(data)

    async def drain(self) -> None:
        while self._queue.qsize() > self.HIGH_WATER and not self._writer.done():
            self._drained.clear()
            await self._drained.wait()

    async def _write_loop(self) -> None:
        try:
            while (data := await self._queue.get()) is not None:
                await self.ws.send_bytes(data)
                if self._queue.qsize() <= self.HIGH_WATER // 2:
                    self._drained.set()
        except (ConnectionResetError, RuntimeError):
            pass  # the client went away; the reader sees it too
        finally:
            self._drained.set()

    async def close(self) -> None:
        """Send what is queued, then a normal close."""
        self._queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._writer, 10)
        with contextlib.suppress(Exception):
            await self.ws.close()

    def drop(self) -> None:
        """Cut the connection at once, as a broken network does (no close frame)."""
        self.dropped = True
        self._writer.cancel()
        transport = self.request.transport
        if transport is not None:
            transport.abort()


@dataclass
class Sessions:
    """The open streaming connections of one server."""

    open: set[Session] = field(default_factory=set)

    def add(self, s: Session) -> None:
        self.open.add(s)

    def discard(self, s: Session) -> None:
        self.open.discard(s)

    def drop_all(self) -> int:
        n = 0
        for s in list(self.open):
            s.drop()
            n += 1
        self.open.clear()
        return n


def message_bytes(msg: WSMessage) -> bytes:
    """A data message's bytes: clients send binary messages, and some (the Python client
    writing str to stdin) text ones, which the server reads alike."""
    if msg.type == WSMsgType.BINARY:
        return msg.data
    if msg.type == WSMsgType.TEXT:
        return msg.data.encode()
    return b""
