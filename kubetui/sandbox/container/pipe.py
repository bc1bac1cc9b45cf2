"""Byte streams between the simulated processes and the connections that feed them."""

from __future__ import annotations

import asyncio
from typing import Protocol


class Input(Protocol):
    """What a process reads its stdin from."""

    async def read_some(self) -> bytes:
        """What is there now (waiting for something); b"" at end of input."""
        ...

    async def readline(self) -> bytes:
        """One line with its newline; the rest at end of input; b"" after it."""
        ...

    async def read_all(self) -> bytes:
        """Everything up to the end of input."""
        ...


class Pipe:
    """An in-memory byte pipe: writers `feed` and `close`, one reader awaits."""

    def __init__(self, data: bytes = b"", closed: bool = False) -> None:
        self._buf = bytearray(data)
        self._closed = closed
        self._more = asyncio.Event()

    @property
    def closed(self) -> bool:
        return self._closed

    def feed(self, data: bytes) -> None:
        if data and not self._closed:
            self._buf += data
            self._more.set()

    def close(self) -> None:
        self._closed = True
        self._more.set()

    async def _wait(self) -> None:
        while not self._buf and not self._closed:
            self._more.clear()
            await self._more.wait()

    async def read_some(self) -> bytes:
        await self._wait()
        out = bytes(self._buf)
        self._buf.clear()
        return out

    async def readline(self) -> bytes:
        while b"\n" not in self._buf and not self._closed:
            self._more.clear()
            await self._more.wait()
        i = self._buf.find(b"\n")
        end = i + 1 if i >= 0 else len(self._buf)
        out = bytes(self._buf[:end])
        del self._buf[:end]
        return out

    async def read_all(self) -> bytes:
        while not self._closed:
            self._more.clear()
            await self._more.wait()
        out = bytes(self._buf)
        self._buf.clear()
        return out


class Empty:
    """No stdin at all (exec without -i)."""

    async def read_some(self) -> bytes:
        return b""

    async def readline(self) -> bytes:
        return b""

    async def read_all(self) -> bytes:
        return b""
