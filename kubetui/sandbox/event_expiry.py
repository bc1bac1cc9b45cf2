"""Events expire, as kube-apiserver makes etcd forget them (`--event-ttl`, an hour).

Under churn a cluster records events without end (each replaced pod brings its Scheduled,
Pulled, Created, Started, and its ReplicaSet's SuccessfulCreate): kept for an hour, they
were most of the sandbox's growth (at 1,000 pods and 1,000 changes/s, ~220 new events and
~0.8 MiB a second). So the sandbox also keeps at most `limit` events, forgetting those
written longest ago first, as it keeps only so much watch history. Each goes with a
DELETED watch event, as an expired one does in a real cluster.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from kubetui.sandbox.apiserver.store import Event
from kubetui.sandbox.core import Sandbox
from kubetui.sandbox.errors import ApiError
from kubetui.sandbox.events import EVENTS

EVENT_TTL = 3600.0  # kube-apiserver's default --event-ttl
EVENT_LIMIT = 20_000


@dataclass
class EventExpiry:
    """Deletes events `ttl` seconds after their last write, and the least recently
    written beyond `limit`, once a `tick`."""

    sandbox: Sandbox
    ttl: float = EVENT_TTL
    limit: int = EVENT_LIMIT
    tick: float = 1.0
    name: str = "event-expiry"
    #: (namespace, name) -> when last written, least recently written first
    _written: OrderedDict[tuple[str, str], float] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        for ev in self.sandbox.store.iter(EVENTS):  # what was there before this started
            self._written[(ev["metadata"].get("namespace", ""), ev["metadata"]["name"])] = \
                time.monotonic()
        self.sandbox.store.add_listener(self._on_event)

    def _on_event(self, ev: Event) -> None:
        if ev.key != EVENTS:
            return
        meta = ev.obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        if ev.type == "DELETED":
            self._written.pop(key, None)
        else:
            self._written[key] = time.monotonic()
            self._written.move_to_end(key)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.tick)
            self.expire(time.monotonic())

    def expire(self, now: float) -> None:
        written = self._written
        while written:
            key, at = next(iter(written.items()))
            if len(written) <= self.limit and now - at < self.ttl:
                return
            del written[key]
            try:
                self.sandbox.store.delete(EVENTS, *key)
            except ApiError:
                pass  # gone meanwhile
