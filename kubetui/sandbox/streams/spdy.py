"""SPDY/3.1 framing, the server's half, as far as port-forwarding needs it.

kubectl 1.31+ forwards ports over SPDY framed inside a WebSocket (subprotocol
`SPDY/3.1+portforward.k8s.io`, every binary message a piece of the byte stream); older ones
over a plain SPDY upgrade. The client opens streams (SYN_STREAM with headers) and the server
answers each with SYN_REPLY; data flows in DATA frames, FIN half-closes a stream, RST_STREAM
ends it, PINGs are echoed. Header blocks are zlib-compressed with one context per direction
and the SPDY/3 dictionary (draft-mbelshe-httpbis-spdy-00, section 2.6.10.1), flushed with
SYNC_FLUSH. Flow control (WINDOW_UPDATE) is not enforced by the Go client, and not here.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = \
    1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
RST_PROTOCOL_ERROR, RST_CANCEL = 1, 5
MAX_DATA = 0xFFFFFF

# The dictionary: length-prefixed header names and values, then a run of common text.
_DICT_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding "
    "accept-language accept-ranges age allow authorization cache-control connection "
    "content-base content-encoding content-language content-length content-location "
    "content-md5 content-range content-type date etag expect expires from host if-match "
    "if-modified-since if-none-match if-range if-unmodified-since last-modified location "
    "max-forwards pragma proxy-authenticate proxy-authorization range referer retry-after "
    "server te trailer transfer-encoding upgrade user-agent vary via warning "
    "www-authenticate method get status"
).split() + ["200 OK"] + "version HTTP/1.1 url public set-cookie keep-alive origin".split()
_DICT_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417"
    "502504505203 Non-Authoritative Information204 No Content301 Moved Permanently"
    "400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error"
    "501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct "
    "Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,"
    "image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8"
    "charset=iso-8859-1,utf-,*,enq=0."
)
DICTIONARY = b"".join(struct.pack(">I", len(w)) + w.encode() for w in _DICT_WORDS) + \
    _DICT_TAIL.encode()


class ProtocolError(Exception):
    pass


@dataclass
class Frame:
    """One parsed frame. Control frames have `type` > 0; DATA frames `type` 0."""

    type: int
    flags: int
    stream_id: int = 0
    data: bytes = b""
    headers: dict[str, list[str]] = field(default_factory=dict)
    value: int = 0  # PING id, RST_STREAM status, GOAWAY status, WINDOW_UPDATE delta

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


class Codec:
    """Parses a client's byte stream into frames and encodes the server's frames."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self._deflate = zlib.compressobj(9, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY,
                                         DICTIONARY)

    # ----- reading ------------------------------------------------------------------------

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames = []
        while len(self._buf) >= 8:
            length = int.from_bytes(self._buf[5:8], "big")
            if len(self._buf) < 8 + length:
                break
            head, payload = bytes(self._buf[:8]), bytes(self._buf[8:8 + length])
            del self._buf[:8 + length]
            flags = head[4]
            if head[0] & 0x80:
                version = int.from_bytes(head[0:2], "big") & 0x7FFF
                if version != VERSION:
                    raise ProtocolError(f"unsupported SPDY version {version}")
                frame = self._control(int.from_bytes(head[2:4], "big"), flags, payload)
                if frame is not None:
                    frames.append(frame)
            else:
                frames.append(Frame(0, flags, int.from_bytes(head[0:4], "big") & 0x7FFFFFFF,
                                    payload))
        return frames

    def _control(self, type_: int, flags: int, p: bytes) -> Frame | None:
        if type_ == SYN_STREAM:
            sid = int.from_bytes(p[0:4], "big") & 0x7FFFFFFF
            return Frame(type_, flags, sid, headers=self._headers(p[10:]))
        if type_ in (SYN_REPLY, HEADERS):
            sid = int.from_bytes(p[0:4], "big") & 0x7FFFFFFF
            return Frame(type_, flags, sid, headers=self._headers(p[4:]))
        if type_ in (RST_STREAM, WINDOW_UPDATE):
            return Frame(type_, flags, int.from_bytes(p[0:4], "big") & 0x7FFFFFFF,
                         value=int.from_bytes(p[4:8], "big"))
        if type_ == PING:
            return Frame(type_, flags, value=int.from_bytes(p[0:4], "big"))
        if type_ == GOAWAY:
            return Frame(type_, flags, int.from_bytes(p[0:4], "big") & 0x7FFFFFFF,
                         value=int.from_bytes(p[4:8], "big"))
        return None  # SETTINGS and anything newer: nothing to do

    def _headers(self, block: bytes) -> dict[str, list[str]]:
        raw = self._inflate.decompress(block)
        try:
            (count,) = struct.unpack_from(">I", raw, 0)
            pos, out = 4, {}
            for _ in range(count):
                (n,) = struct.unpack_from(">I", raw, pos)
                name = raw[pos + 4:pos + 4 + n].decode()
                pos += 4 + n
                (n,) = struct.unpack_from(">I", raw, pos)
                value = raw[pos + 4:pos + 4 + n].decode()
                pos += 4 + n
                out[name.lower()] = value.split("\0")
        except struct.error:
            raise ProtocolError("truncated header block") from None
        return out

    # ----- writing ------------------------------------------------------------------------

    @staticmethod
    def _control_frame(type_: int, flags: int, payload: bytes) -> bytes:
        return struct.pack(">HHI", 0x8000 | VERSION, type_, (flags << 24) | len(payload)) + \
            payload

    def _header_block(self, headers: dict[str, str]) -> bytes:
        raw = struct.pack(">I", len(headers))
        for k, v in headers.items():
            raw += struct.pack(">I", len(k)) + k.lower().encode() + \
                struct.pack(">I", len(v.encode())) + v.encode()
        return self._deflate.compress(raw) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    def syn_reply(self, stream_id: int, headers: dict[str, str] | None = None,
                  fin: bool = False) -> bytes:
        payload = struct.pack(">I", stream_id) + self._header_block(headers or {})
        return self._control_frame(SYN_REPLY, FLAG_FIN if fin else 0, payload)

    @staticmethod
    def data(stream_id: int, data: bytes, fin: bool = False) -> bytes:
        return struct.pack(">II", stream_id, ((FLAG_FIN if fin else 0) << 24) | len(data)) + \
            data

    def rst_stream(self, stream_id: int, status: int = RST_CANCEL) -> bytes:
        return self._control_frame(RST_STREAM, 0, struct.pack(">II", stream_id, status))

    def ping(self, ping_id: int) -> bytes:
        return self._control_frame(PING, 0, struct.pack(">I", ping_id))

    def goaway(self, last_stream: int) -> bytes:
        return self._control_frame(GOAWAY, 0, struct.pack(">II", last_stream, 0))
