"""`pods/exec` and `pods/attach` over WebSockets (`v5.channel.k8s.io`, `v4.channel.k8s.io`).

The session: after the upgrade the server sends an empty message on the first output
channel (as the kubelet does, to tell the client the streams are up), then copies the
client's stdin channel into the process (through a `Terminal` when `tty=true`, where stdout
and stderr are one stream), the process's output out, terminal sizes from the resize
channel into the terminal, and ends with a `Status` on the error channel and a normal
close. A client that goes away hangs the process's terminal up (end of input) and stops
an exec'd command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from kubetui.sandbox.container.pipe import Empty, Input, Pipe
from kubetui.sandbox.container.runtime import ExecNotFound, Instance
from kubetui.sandbox.container.tty import Terminal
from kubetui.sandbox.errors import bad_request
from kubetui.sandbox.streams import channels as ch
from kubetui.sandbox.streams.session import Session, Sessions, message_bytes

log = logging.getLogger(__name__)


def _bool(q: Any, name: str) -> bool:
    return (q.get(name) or "").strip() in ("1", "t", "T", "true", "TRUE", "True")


@dataclass(frozen=True)
class StreamOptions:
    stdin: bool
    stdout: bool
    stderr: bool
    tty: bool
    command: tuple[str, ...]

    @classmethod
    def parse(cls, q: Any, exec_: bool) -> StreamOptions:
        tty = _bool(q, "tty")
        opts = cls(_bool(q, "stdin"), _bool(q, "stdout"), _bool(q, "stderr") and not tty, tty,
                   tuple(q.getall("command", [])) if exec_ else ())
        if not (opts.stdin or opts.stdout or opts.stderr):
            raise bad_request("you must specify at least 1 of stdin, stdout, stderr")
        if exec_ and not opts.command:
            raise bad_request("you must specify at least one command for the container")
        return opts


class _Streams:
    """The channels of one session, for the process on the other side."""

    def __init__(self, session: Session, opts: StreamOptions, width: int = 80,
                 height: int = 24) -> None:
        self.session, self.opts = session, opts
        self.terminal: Terminal | None = None
        self.pipe: Pipe | None = None
        if opts.tty:
            self.terminal = Terminal(self.stdout, width, height)
        elif opts.stdin:
            self.pipe = Pipe()

    def stdout(self, data: bytes) -> None:
        if data and self.opts.stdout:
            self.session.send(ch.frame(ch.STDOUT, data))

    def stderr(self, data: bytes) -> None:
        if data and (self.opts.stderr or self.opts.tty):
            self.session.send(ch.frame(ch.STDOUT if self.opts.tty else ch.STDERR, data))

    @property
    def stdin(self) -> Input:
        return self.terminal or self.pipe or Empty()

    def input(self, data: bytes) -> None:
        if self.terminal is not None:
            self.terminal.feed(data)
        elif self.pipe is not None:
            self.pipe.feed(data)

    def end_input(self) -> None:
        if self.terminal is not None:
            self.terminal.hang_up()
        elif self.pipe is not None:
            self.pipe.close()


async def _upgrade(request: web.Request, sessions: Sessions, kind: str,
                   target: str) -> Session:
    ws = web.WebSocketResponse(protocols=ch.EXEC_PROTOCOLS, autoping=True, max_msg_size=0)
    await ws.prepare(request)
    session = Session(ws, request, kind, target)
    sessions.add(session)
    return session


async def _read_client(session: Session, on_input: Callable[[bytes], None],
                       on_resize: Callable[[int, int], None],
                       on_close_stdin: Callable[[], None]) -> None:
    """Copy the client's channels until it closes the connection."""
    v5 = session.ws.ws_protocol == ch.V5
    async for msg in session.ws:
        raw = message_bytes(msg)
        if not raw:
            continue
        channel, data = raw[0], raw[1:]
        if channel == ch.STDIN:
            on_input(data)
        elif channel == ch.RESIZE:
            size = ch.parse_resize(data)
            if size:
                on_resize(*size)
        elif channel == ch.CLOSE and v5 and data[:1] == bytes([ch.STDIN]):
            on_close_stdin()


async def _finish(session: Session, status: dict[str, Any], sessions: Sessions) -> None:
    session.send(ch.frame(ch.ERROR, ch.status_bytes(status)))
    await session.close()
    sessions.discard(session)


async def serve_exec(request: web.Request, inst: Instance, sessions: Sessions
                     ) -> web.WebSocketResponse:
    opts = StreamOptions.parse(request.query, exec_=True)
    argv = list(opts.command)
    session = await _upgrade(request, sessions, "exec", f"{inst.pod['metadata']['name']}/"
                                                        f"{inst.name}")
    streams = _Streams(session, opts)
    session.send(ch.frame(ch.STDOUT if opts.stdout else ch.STDERR if opts.stderr
                          else ch.ERROR))
    reader = asyncio.create_task(_read_client(
        session, streams.input,
        lambda w, h: streams.terminal.resize(w, h) if streams.terminal else None,
        streams.end_input))
    out, err = (streams.terminal.output, streams.terminal.output) if streams.terminal \
        else (streams.stdout, streams.stderr)
    run = asyncio.create_task(inst.exec(argv, streams.stdin, out, err, streams.terminal))
    try:
        done, _ = await asyncio.wait({reader, run}, return_when=asyncio.FIRST_COMPLETED)
        if run not in done:  # the client went away: hang up, give the process a moment
            streams.end_input()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(run), 1.0)
            run.cancel()
            return session.ws
        try:
            code = run.result()
            status = ch.success() if code == 0 else ch.exit_status(argv, code)
        except ExecNotFound as e:
            status = ch.internal_error(
                f"error executing command in container: failed to exec in container: failed "
                f"to start exec: OCI runtime exec failed: exec failed: unable to start "
                f'container process: exec: "{e}": executable file not found in $PATH: '
                "unknown")
        except Exception as e:  # a bug in the simulated command: said as the runtime would
            log.exception("exec %s in %s failed", argv, session.target)
            status = ch.internal_error(f"error executing command in container: {e}")
        await _finish(session, status, sessions)
        return session.ws
    finally:
        reader.cancel()
        sessions.discard(session)
        for t in (reader, run):
            with contextlib.suppress(BaseException):
                await t


async def serve_attach(request: web.Request, inst: Instance, sessions: Sessions
                       ) -> web.WebSocketResponse:
    """Attach to the container's main process (see `runtime.MainProcess`)."""
    opts = StreamOptions.parse(request.query, exec_=False)
    main = inst.main_process()
    session = await _upgrade(request, sessions, "attach", f"{inst.pod['metadata']['name']}/"
                                                          f"{inst.name}")
    session.send(ch.frame(ch.STDOUT if opts.stdout else ch.STDERR if opts.stderr
                          else ch.ERROR))
    ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def listener(channel: int, data: bytes) -> None:
        if channel < 0:
            if not ended.done():
                ended.set_result(None)
        elif channel == ch.STDOUT or main.tty:
            if opts.stdout:
                session.send(ch.frame(ch.STDOUT, data))
        elif opts.stderr:
            session.send(ch.frame(ch.STDERR, data))

    follower: asyncio.Task[None] | None = None
    if main.interactive:
        main.listeners.add(listener)
        main.start()
        if main.exit_code is not None and not ended.done():
            ended.set_result(None)
    else:
        follower = asyncio.create_task(_follow_log(inst, lambda b: listener(ch.STDOUT, b)))
    reader = asyncio.create_task(_read_client(
        session, main.feed if opts.stdin else (lambda _: None),
        lambda w, h: main.terminal.resize(w, h) if main.terminal else None,
        main.detach if opts.stdin else (lambda: None)))
    try:
        done, _ = await asyncio.wait({reader, ended}, return_when=asyncio.FIRST_COMPLETED)
        if ended in done:  # the process ended: its streams close, attach succeeded
            await _finish(session, ch.success(), sessions)
        elif opts.stdin:
            main.detach()
        return session.ws
    finally:
        main.listeners.discard(listener)
        reader.cancel()
        if follower is not None:
            follower.cancel()
        sessions.discard(session)


async def _follow_log(inst: Instance, out: Callable[[bytes], None]) -> None:
    """A container without an interactive main process: attach shows its output."""
    meta = inst.pod["metadata"]
    _, rest = inst.runtime.logs.follow((meta.get("namespace", ""), meta["name"],
                                                inst.name))
    try:
        async for line in rest:
            out(f"{line.text}\n".encode())
    finally:
        with contextlib.suppress(Exception):
            await rest.aclose()  # type: ignore[attr-defined]
