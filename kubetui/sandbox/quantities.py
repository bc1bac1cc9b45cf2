"""`parse_quantity` remembered: the sandbox parses the same few request and limit texts
for every pod it validates, schedules and measures (exact Fraction arithmetic made that a
tenth of the time to start 10,000 pods)."""

from __future__ import annotations

import functools

from kubetui.quantity import parse_quantity as _parse

#: typed: True, 1 and 1.0 are one key untyped, but True is no quantity.
parse_quantity = functools.lru_cache(maxsize=4096, typed=True)(_parse)
