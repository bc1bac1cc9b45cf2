"""Act at once, undo for a few seconds: the rule for actions that one opposite action
reverses (cordon/uncordon, rollout pause/resume). Asking first would slow down something
done often; the notification says how to take it back (README: "Ask before acting")."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

#: Seconds an undo stays on offer.
UNDO_SECONDS = 8.0
UNDO_KEY = "ctrl+z"


@dataclass(frozen=True)
class UndoOffer:
    label: str  # what undoing does: "uncordon node/node-1"
    run: Callable[[], Awaitable[None]]
    until: float  # time.monotonic() deadline

    @property
    def live(self) -> bool:
        return time.monotonic() < self.until


def offer(label: str, run: Callable[[], Awaitable[None]],
          seconds: float = UNDO_SECONDS) -> UndoOffer:
    return UndoOffer(label, run, time.monotonic() + seconds)
