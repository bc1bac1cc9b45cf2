"""`pods/portforward` over WebSockets, in the two shapes clients use.

- `SPDY/3.1+portforward.k8s.io` (kubectl 1.31+, client-go's tunneling dialer): SPDY
  framing inside the WebSocket (`spdy.py`). For each local connection kubectl opens an
  error stream and a data stream (headers `streamtype`, `port`, `requestid`); the server
  replies to both, joins them by request id, connects to the pod's port and copies bytes
  both ways. When the pod's side ends, the data stream gets FIN and the error stream is
  closed; a failed connection writes its message on the error stream (kubectl then reports
  it and gives up the forward, as against a real cluster). When kubectl half-closes the
  data stream (its local client stopped sending) the pod's app is not told: as containerd
  does, the connection to the pod is closed `GRACE` seconds later unless it ended first.
- `v4.channel.k8s.io` with `?ports=` (the official Python client): see `channels.py`;
  one connection to each port per WebSocket. The WebSocket is closed (normally) once the
  pod's side of every port's connection has ended or was refused, as the kubelet closes it
  when every port's forward is done: a client reading to EOF sees its end.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from kubetui.sandbox.container.process import ConnectionRefused
from kubetui.sandbox.container.runtime import ContainerRuntime
from kubetui.sandbox.errors import bad_request
from kubetui.sandbox.apiserver.store import Obj
from kubetui.sandbox.streams import channels as ch
from kubetui.sandbox.streams import spdy
from kubetui.sandbox.streams.session import Session, Sessions, message_bytes

SPDY_TUNNEL = "SPDY/3.1+portforward.k8s.io"
PROTOCOLS = (SPDY_TUNNEL, ch.V4)
CHUNK = 32 * 1024
GRACE = 1.0  # seconds the other direction gets once one has ended (containerd's)


def refused_message(pod: Obj, port: int) -> str:
    meta = pod["metadata"]
    return (f"error forwarding port {port} to pod {meta['name']}, uid {meta.get('uid', '')}: "
            f"failed to connect to localhost:{port} inside namespace of pod: dial tcp4 "
            f"127.0.0.1:{port}: connect: connection refused")


async def serve_portforward(request: web.Request, runtime: ContainerRuntime, pod: Obj,
                            sessions: Sessions) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True, max_msg_size=0)
    tunnel = ws.can_prepare(request).protocol == SPDY_TUNNEL
    ports = [] if tunnel else _ports(request)  # a bad request is answered before upgrading
    await ws.prepare(request)
    session = Session(ws, request, "portforward", pod["metadata"]["name"])
    sessions.add(session)
    try:
        if tunnel:
            await _SpdyForwarder(session, runtime, pod).run()
        else:
            await _channel_forward(session, runtime, pod, ports)
    finally:
        sessions.discard(session)
        if not session.dropped:
            await session.close()
    return ws


def _ports(request: web.Request) -> list[int]:
    out: list[int] = []
    for value in request.query.getall("ports", []):
        for p in value.split(","):
            if not p.strip().isdigit() or not 0 < int(p) < 65536:
                raise bad_request(f"invalid port {p!r}")
            out.append(int(p))
    if not out:
        raise bad_request("at least one port must be specified")
    return out


# ----- SPDY inside the WebSocket (kubectl) --------------------------------------------------

@dataclass
class _Pair:
    request: str  # the client's requestid header
    port: int
    error: int = 0  # stream ids
    data: int = 0
    writer: asyncio.StreamWriter | None = None
    task: asyncio.Task[None] | None = None
    pending: list[bytes] = field(default_factory=list)
    client_done: bool = False
    grace: asyncio.TimerHandle | None = None


class _SpdyForwarder:
    def __init__(self, session: Session, runtime: ContainerRuntime, pod: Obj) -> None:
        self.session, self.runtime, self.pod = session, runtime, pod
        self.codec = spdy.Codec()
        self.pairs: dict[str, _Pair] = {}
        self.by_stream: dict[int, _Pair] = {}

    async def run(self) -> None:
        try:
            async for msg in self.session.ws:
                if msg.type != WSMsgType.BINARY:
                    continue
                for frame in self.codec.feed(msg.data):
                    self._frame(frame)
        except spdy.ProtocolError:
            self.session.send(self.codec.goaway(0))
        finally:
            for pair in self.pairs.values():
                if pair.task is not None:
                    pair.task.cancel()
                if pair.grace is not None:
                    pair.grace.cancel()
                if pair.writer is not None:
                    pair.writer.close()

    def _frame(self, f: spdy.Frame) -> None:
        if f.type == spdy.PING:
            self.session.send(self.codec.ping(f.value))
        elif f.type == spdy.SYN_STREAM:
            self._open(f)
        elif f.type == 0:
            pair = self.by_stream.get(f.stream_id)
            if pair is None or f.stream_id != pair.data:
                return
            if f.data:
                if pair.writer is not None:
                    pair.writer.write(f.data)
                else:
                    pair.pending.append(f.data)
            if f.fin:
                pair.client_done = True
                self._end_after_grace(pair)
        elif f.type == spdy.RST_STREAM:
            pair = self.by_stream.pop(f.stream_id, None)
            if pair is not None and f.stream_id == pair.data and pair.writer is not None:
                pair.writer.close()

    def _open(self, f: spdy.Frame) -> None:
        kind = (f.headers.get("streamtype") or [""])[0]
        port_text = (f.headers.get("port") or [""])[0]
        request_id = (f.headers.get("requestid") or [""])[0]
        self.session.send(self.codec.syn_reply(f.stream_id))
        if kind not in ("error", "data") or not port_text.isdigit():
            self.session.send(self.codec.rst_stream(f.stream_id, spdy.RST_PROTOCOL_ERROR))
            return
        request = request_id or str(f.stream_id)
        pair = self.pairs.setdefault(request, _Pair(request, int(port_text)))
        setattr(pair, kind, f.stream_id)
        self.by_stream[f.stream_id] = pair
        if pair.error and pair.data and pair.task is None:
            pair.task = asyncio.create_task(self._forward(pair))

    async def _forward(self, pair: _Pair) -> None:
        try:
            reader, writer = await self.runtime.connect(self.pod, pair.port)
        except ConnectionRefused:
            self.session.send(self.codec.data(pair.error,
                                              refused_message(self.pod, pair.port).encode()))
            self._end(pair)
            return
        pair.writer = writer
        for chunk in pair.pending:
            writer.write(chunk)
        pair.pending.clear()
        self._end_after_grace(pair)
        try:
            while data := await reader.read(CHUNK):
                self.session.send(self.codec.data(pair.data, data))
                await self.session.drain()
        except (ConnectionResetError, OSError):
            pass
        finally:
            writer.close()
        self._end(pair)

    @staticmethod
    def _end_after_grace(pair: _Pair) -> None:
        """The client stopped sending: close the pod's connection `GRACE` seconds on (its
        answer ends the pair sooner)."""
        if pair.client_done and pair.writer is not None and pair.grace is None:
            pair.grace = asyncio.get_running_loop().call_later(GRACE, pair.writer.close)

    def _end(self, pair: _Pair) -> None:
        """The pod's side is done: half-close both streams and forget the pair."""
        if pair.grace is not None:
            pair.grace.cancel()
        self.session.send(self.codec.data(pair.data, b"", fin=True))
        self.session.send(self.codec.data(pair.error, b"", fin=True))
        self.pairs.pop(pair.request, None)
        for sid in (pair.data, pair.error):
            self.by_stream.pop(sid, None)


# ----- the channel protocol (the official Python client) ------------------------------------

async def _channel_forward(session: Session, runtime: ContainerRuntime, pod: Obj,
                           ports: list[int]) -> None:
    """Until the client closes, or the pod's side of every connection has ended."""
    writers: dict[int, asyncio.StreamWriter] = {}
    copies: list[asyncio.Task[None]] = []
    for i, port in enumerate(ports):
        session.send(ch.frame(2 * i, port.to_bytes(2, "little")))
        session.send(ch.frame(2 * i + 1, port.to_bytes(2, "little")))
    for i, port in enumerate(ports):
        try:
            reader, writer = await runtime.connect(pod, port)
        except ConnectionRefused:
            session.send(ch.frame(2 * i + 1, refused_message(pod, port).encode()))
            continue
        writers[2 * i] = writer
        copies.append(asyncio.create_task(_copy_out(reader, session, 2 * i)))
    client = asyncio.create_task(_copy_in(session, writers))
    pods_done = asyncio.gather(*copies)
    try:
        await asyncio.wait((client, pods_done), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in (client, *copies):
            t.cancel()
        for w in writers.values():
            w.close()
        for t in (client, pods_done):
            with contextlib.suppress(BaseException):
                await t


async def _copy_in(session: Session, writers: dict[int, asyncio.StreamWriter]) -> None:
    async for msg in session.ws:
        raw = message_bytes(msg)
        if raw and raw[0] in writers:
            writers[raw[0]].write(raw[1:])


async def _copy_out(reader: asyncio.StreamReader, session: Session, channel: int) -> None:
    with contextlib.suppress(ConnectionResetError, OSError):
        while data := await reader.read(CHUNK):
            session.send(ch.frame(channel, data))
            await session.drain()
