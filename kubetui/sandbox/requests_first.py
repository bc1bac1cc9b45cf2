"""Requests first: the API server's answers go ahead of the sandbox's own background work.

On a real cluster the API server answers on cores of its own while the controllers, the
scheduler and the kubelets run elsewhere; here they all share one event loop, and each
turn of the loop ran every background loop that had work (each controller's worker a slice
of up to `WORK_SLICE`, the churn driver a tick's changes) before it looked at its sockets
again. Under churn a request that arrived waited behind all of them: at 50,000 pods and
1,000 pod changes a second, the 50 pages of a list of every pod took 2.2 s to fetch where
without churn they took 1.0 s, for ~9 ms of the sandbox's CPU each.

So background loops work in turns (`RequestsFirst.turn`), one at a time, each after the
loop has polled its sockets again: a request that arrives waits for one turn at most,
then is answered ahead of the next. Nothing waits for requests beyond that, so a client
that keeps asking (or reads its answers slowly) does not hold the cluster back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class RequestsFirst:
    """Hands background work its turns, one at a time."""

    _busy: bool = False  # a turn is going on
    _next: deque[asyncio.Future[None]] = field(default_factory=deque)  # turns waiting

    @contextlib.asynccontextmanager
    async def turn(self, ahead: bool = False) -> AsyncIterator[None]:
        """A turn of background work: after the loop has run once more (polled its
        sockets and run what they made ready), and with no other turn going on; with
        `ahead`, before the turns already waiting."""
        held = False
        try:
            if self._busy:  # handed over at the end of the turn before: a loop later
                waiter = asyncio.get_running_loop().create_future()
                if ahead:
                    self._next.appendleft(waiter)
                else:
                    self._next.append(waiter)
                try:
                    await waiter
                finally:  # (cancelled once handed over, it still holds the turn)
                    held = waiter.done() and not waiter.cancelled()
            else:
                self._busy = held = True
                await asyncio.sleep(0)
            yield
        finally:
            if held:
                self._hand_over()

    def _hand_over(self) -> None:
        while self._next:
            waiter = self._next.popleft()
            if not waiter.done():  # (a cancelled one is done)
                waiter.set_result(None)
                return
        self._busy = False
