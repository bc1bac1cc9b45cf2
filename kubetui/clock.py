"""The wall clock that what a person sees is computed from: table ages, describe's times.

Read through here so that one fixed moment can be shown (`freeze`): the snapshot tests and
the screenshot script's scenes draw a recorded cluster at the moment it was recorded.
Timers, rates and credential expiry keep the real clocks.
"""

from __future__ import annotations

import time as _time
from datetime import datetime, timezone

_frozen: datetime | None = None


def freeze(at: datetime | None) -> None:
    """Show the aware datetime `at` as now from here on; None goes back to the real clock."""
    global _frozen
    _frozen = at


def now() -> datetime:
    """Now, aware, in UTC."""
    return _frozen.astimezone(timezone.utc) if _frozen is not None else datetime.now(timezone.utc)


def local_now() -> datetime:
    """Now in the user's zone (the frozen moment in its own zone: a fixed picture does not
    depend on where it is taken)."""
    return _frozen if _frozen is not None else datetime.now().astimezone()


def time() -> float:
    """Now as seconds since the epoch."""
    return _frozen.timestamp() if _frozen is not None else _time.time()
