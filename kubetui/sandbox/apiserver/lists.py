"""List answers: one page at a time with `limit`, the rest kept as it was under a
`continue` token, so continuing is consistent as on a real server."""

from __future__ import annotations

import base64
import random
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from kubetui.sandbox.apiserver import verbs
from kubetui.sandbox.apiserver.http_io import (dumps, int_param, json_response, predicate,
                                               wants_table)
from kubetui.sandbox.apiserver.routing import Route
from kubetui.sandbox.apiserver.store import Snapshot, parse_rv
from kubetui.sandbox.apiserver.views import table, view
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import expired

#: How long the rest of a paged list is kept: etcd's default compaction interval, after
#: which a real server answers a continue token with 410 too. (Not tied to the watch
#: history: a busy cluster's paged lists must not fail because watches expire.)
CONTINUE_TTL = 300.0


@dataclass
class _Rest:
    """What a continue token stands for: the list's snapshot, where the next page starts
    and when the page before it was served."""

    snapshot: Snapshot
    start: int
    saved: float = 0.0


@dataclass
class Lister:
    """Answers list requests, keeping the rest of each paged list for its token. A page
    reads only its own objects from the list's snapshot (the first page of 50,000 pods
    built and copied the whole list, and every later page copied what remained)."""

    sandbox: Sandbox
    _pages: dict[str, _Rest] = field(default_factory=dict)

    async def respond(self, request: web.Request, r: Route) -> web.Response:
        q = request.query
        limit = int_param(q, "limit")
        token = q.get("continue", "")
        test = predicate(q)
        if token:
            rest = self._continue(token)
            snap, start = rest.snapshot, rest.start
        else:
            wanted = parse_rv(q.get("resourceVersion"))
            if wanted and wanted > self.sandbox.store.rv:  # NotOlderThan (or Exact) N
                await self.sandbox.store.wait_for_rv(wanted)
            snap = self.sandbox.store.snapshot(verbs.store_key(r.kind), r.namespace or None)
            start = 0
        items, after = snap.page(start, limit, test)
        meta: dict[str, Any] = {"resourceVersion": str(snap.rv)}
        if after < len(snap.keys):
            meta["continue"] = self._save_page(_Rest(snap, after))
            if test is None:  # with a selector only a scan could count them: upstream
                meta["remainingItemCount"] = len(snap.keys) - after  # leaves it out too
        if wants_table(request):
            doc = table(self.sandbox, r, items, q)
            doc["metadata"] = meta
            return json_response(doc)
        return json_response({
            "kind": f"{r.kind.kind}List",
            "apiVersion": r.kind.api_version if r.version == r.kind.version else
            f"{r.kind.group}/{r.version}",
            "metadata": meta, "items": [view(r, o) for o in items]})

    def _save_page(self, rest: _Rest) -> str:
        """Keep the rest of a paged list as it was, so continuing is consistent."""
        now = time.monotonic()
        for tok, kept in list(self._pages.items()):
            if now - kept.saved > CONTINUE_TTL:
                del self._pages[tok]
        rest.saved = now
        token = base64.urlsafe_b64encode(
            dumps({"rv": rest.snapshot.rv, "id": random.getrandbits(64)})
        ).decode().rstrip("=")
        self._pages[token] = rest
        return token

    def _continue(self, token: str) -> _Rest:
        rest = self._pages.pop(token, None)
        if rest is None or time.monotonic() - rest.saved > CONTINUE_TTL:
            raise expired("The provided continue parameter is too old to display a consistent "
                          "list result. You can start a new list without the continue "
                          "parameter.")
        return rest
