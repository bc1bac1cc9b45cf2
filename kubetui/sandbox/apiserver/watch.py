"""Watch streaming: one chunked HTTP response per watch, events batched as they come,
bookmarks when asked for, Table rows when the client wants a table; every open stream is
known so the fault switch (or a test) can cut them all as a flaky network does."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.http_io import (dumps, go_bool, int_param, predicate,
                                               wants_table)
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.apiserver.store import Watch, parse_rv
from kubetui.sandbox.apiserver.views import table, view
from kubetui.sandbox.core import Sandbox, fault_loop
from kubetui.sandbox.errors import ApiError

DEFAULT_WATCH_TIMEOUT = 1800.0
TABLE_CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"


@dataclass(eq=False)
class _OpenWatch:
    watch: Watch
    request: web.Request


@dataclass
class WatchStreams:
    """The HTTP watches being served."""

    sandbox: Sandbox
    _open: set[_OpenWatch] = field(default_factory=set)

    def paths(self) -> list[str]:
        return [ow.request.path for ow in self._open]

    def drop_all(self) -> int:
        """Cut every open watch connection now."""
        n = 0
        for ow in list(self._open):
            ow.watch.close()
            if ow.request.transport is not None:
                ow.request.transport.close()
            n += 1
        self._open.clear()
        return n

    async def drop_loop(self) -> None:
        """Cut every watch each `faults.drop_watches_every` seconds while it is set."""
        await fault_loop(self.sandbox.faults, "drop_watches_every", self.drop_all)

    async def serve(self, request: web.Request, r: Route, bookmark_interval: float
                    ) -> web.StreamResponse:
        q = request.query
        since = parse_rv(q.get("resourceVersion"))
        timeout = int_param(q, "timeoutSeconds") or DEFAULT_WATCH_TIMEOUT
        bookmarks = go_bool(q.get("allowWatchBookmarks"))
        as_table = wants_table(request)
        resp = web.StreamResponse(status=200)
        resp.headers["Content-Type"] = TABLE_CONTENT_TYPE if as_table else "application/json"
        resp.enable_chunked_encoding()
        try:
            if since and since > self.sandbox.store.rv:  # a restored or another server
                await self.sandbox.store.wait_for_rv(since)
            w = self.sandbox.store.watch(verbs.store_key(r.kind), r.namespace or None,
                                         since, predicate(q))
        except ApiError as e:
            if e.code not in (410, 504):  # too old, too new: an ERROR event, as upstream
                raise
            await resp.prepare(request)
            await resp.write(dumps({"type": "ERROR", "object": e.status()}) + b"\n")
            await resp.write_eof()
            return resp
        ow = _OpenWatch(w, request)
        self._open.add(ow)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        next_bookmark = loop.time() + bookmark_interval
        first = True
        try:
            await resp.prepare(request)
            while not w.closed:
                now = loop.time()
                if now >= deadline:
                    break
                wait = min(deadline, next_bookmark if bookmarks else deadline) - now
                try:
                    ev = await asyncio.wait_for(w.next(), timeout=max(wait, 0.001))
                except asyncio.TimeoutError:
                    if bookmarks and loop.time() >= next_bookmark:
                        await resp.write(self._bookmark(r))
                        next_bookmark = loop.time() + bookmark_interval
                    continue
                if ev is None:
                    break
                chunk = [ev]
                while w.pending() and len(chunk) < 500:
                    nxt = w._queue.get_nowait()
                    if nxt is None:
                        break
                    chunk.append(nxt)
                lines = []
                for e in chunk:
                    obj: Any = view(r, e.obj)
                    if as_table:
                        obj = table(self.sandbox, r, [e.obj], q, with_columns=first)
                        first = False
                    lines.append(dumps({"type": e.type, "object": obj}))
                await resp.write(b"\n".join(lines) + b"\n")
            if not w.closed:
                await resp.write_eof()
        except (ConnectionResetError, RuntimeError):
            pass  # the client went away, or the fault switch cut the connection
        finally:
            w.close()
            self._open.discard(ow)
        return resp

    def _bookmark(self, r: Route) -> bytes:
        obj = {"kind": r.kind.kind, "apiVersion": r.kind.api_version,
               "metadata": {"resourceVersion": str(self.sandbox.store.rv)}}
        return dumps({"type": "BOOKMARK", "object": obj}) + b"\n"
