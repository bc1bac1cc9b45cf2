"""Timing screen updates of a headless app: when each update reached the driver and what the
view looked like then, and key-to-paint latencies. Shared by the benchmarks; kept apart
from `log_bench` so that bench/run.py's app process imports nothing the app does not
(its start-up is what it measures)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App
from textual.screen import Screen


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] if ordered else 0.0


class Paints:
    """When screen updates reached the driver, and what the view looked like then."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, object]] = []
        self.state: Callable[[], object] = lambda: None
        self.event = asyncio.Event()

    def painted(self) -> None:
        self.seen.append((time.perf_counter(), self.state()))
        self.event.set()

    async def changed_after(self, moment: float, before: object,
                            timeout: float = 5.0) -> float:
        """The first screen update after `moment` showing a look other than `before`."""
        deadline = time.perf_counter() + timeout
        while True:
            for t, look in self.seen:
                if t > moment and look != before:
                    return t
            self.event.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no screen update")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.event.wait(), left)


def record_paints(app: App) -> Paints:
    """Record each screen update of `app` as it is handed to the driver (any app, such as
    one `make_app` built)."""
    paints = Paints()
    display = app._display

    def _display(screen: Screen, renderable: Any) -> None:
        if renderable is not None:
            paints.painted()
        display(screen, renderable)

    app._display = _display  # type: ignore[method-assign]
    return paints


async def key_latency(app: App, paints: Paints, key: str) -> float:
    """Milliseconds from posting `key` to the first screen update showing its effect (a
    look, per `paints.state`, other than before the key)."""
    before = paints.state()
    t0 = time.perf_counter()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    return (await paints.changed_after(t0, before) - t0) * 1000
