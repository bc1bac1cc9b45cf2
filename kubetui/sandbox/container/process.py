"""What a command running in a simulated container works with: its arguments, streams,
environment, working directory and the container itself (`Box`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubetui.sandbox.container.fs import ContainerFS
from kubetui.sandbox.container.pipe import Input


class HostNotFound(Exception):
    """A name no DNS record answers."""


class ConnectionRefused(Exception):
    """Nothing listens on that address and port."""


@dataclass(frozen=True)
class HttpReply:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(eq=False)
class Running:
    """A process in a container's process table."""

    pid: int
    user: str
    command: str
    task: asyncio.Task[Any] | None = None  # None: the container's main process
    signal: int = 0  # set when killed


class ProcessTable:
    """A container's processes: PID 1 is its main process, the rest are exec'd."""

    def __init__(self, main_command: str, user: str) -> None:
        self._procs: dict[int, Running] = {1: Running(1, user, main_command)}
        self._next = 7  # a few PIDs go to the runtime's own start-up

    def start(self, command: str, task: asyncio.Task[Any] | None, user: str) -> Running:
        proc = Running(self._next, user, command, task)
        self._procs[proc.pid] = proc
        self._next += 1
        return proc

    def end(self, proc: Running) -> None:
        self._procs.pop(proc.pid, None)

    def list(self) -> list[Running]:
        return sorted(self._procs.values(), key=lambda p: p.pid)

    def kill(self, pid: int, signal: int) -> str | None:
        """Signal a process; an error message if there is none. PID 1 ignores signals
        sent from inside its own PID namespace (it installed no handler), as there."""
        proc = self._procs.get(pid)
        if proc is None:
            return f"({pid}) - No such process"
        if proc.task is not None and not proc.task.done():
            proc.signal = signal
            proc.task.cancel()
        return None


class Box(Protocol):
    """The container as its commands see it (implemented by `runtime.Instance`)."""

    fs: ContainerFS
    hostname: str
    uid: int
    gid: int
    started: float  # time.time() when the container started
    procs: ProcessTable

    def has_command(self, name: str) -> bool: ...

    def shell_names(self) -> tuple[str, ...]: ...

    def resolve(self, host: str, hosts_file: bool = True) -> tuple[str, str]:
        """(canonical name, IP) for a host name or IP, from /etc/hosts first unless
        `hosts_file` is False (nslookup asks the DNS server only); HostNotFound
        otherwise."""
        ...

    async def http(self, ip: str, port: int, method: str, path: str,
                   headers: dict[str, str], body: bytes) -> HttpReply: ...



@dataclass
class Ctx:
    """One command's run: what `argv[0]` gets from the shell that started it."""

    argv: list[str]
    stdin: Input
    out: Callable[[bytes], None]
    err: Callable[[bytes], None]
    env: dict[str, str]
    cwd: str
    box: Box
    shell: str = "sh"
    tty: bool = False
    vars: dict[str, str] = field(default_factory=dict)

    def say(self, text: str) -> None:
        self.out(text.encode())

    def complain(self, text: str) -> None:
        """An error line prefixed by the command's name, as coreutils and busybox write."""
        self.err(f"{self.argv[0]}: {text}\n".encode())

    def path(self, p: str) -> str:
        from kubetui.sandbox.container.fs import norm
        return norm(p, self.cwd)
