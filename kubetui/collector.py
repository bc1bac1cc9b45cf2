"""The cyclic garbage collector paused over bulk work whose objects die by reference
count or live on (decoding and storing a list page, loading a scenario): each 10,000 of
them would otherwise set off a collection that frees nothing, and the older generations'
collections would scan everything kept so far."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused(freeze: bool = False) -> Iterator[None]:
    """No collection inside; with `freeze`, what is alive at the end is moved out of every
    later collection (`gc.freeze`). Nested or with the collector already off, the
    collector stays as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()
