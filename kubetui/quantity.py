"""Resource quantities ("100m", "1Gi", "1e3") as numbers, and back to kubectl's text."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15,
            "E": 18}  # powers of ten
# A signed decimal number, then a suffix: binary, decimal, or an exponent (e/E + integer).
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([A-Za-z]*[+-]?[0-9]*)$")


_NANO = Fraction(1, 10**9)
_INT64_MAX = 2**63 - 1


def parse_quantity(q: str | int | float) -> float:
    """The value of a quantity in base units (cores, bytes). Raises ValueError.

    As apimachinery's ParseQuantity (resource/quantity.go): no surrounding whitespace
    (only the JSON decoder trims it), a non-zero magnitude rounds up, away from zero, to
    a whole number of nano units (so 0.1n is 1n), and binary-suffixed amounts saturate
    at the int64 maximum."""
    if isinstance(q, (int, float)) and not isinstance(q, bool):
        return float(q)
    if not isinstance(q, str):
        raise ValueError(f"a quantity is a string or a number: {q!r}")
    whole = _whole(q)
    return whole if whole is not None else _parse_text(q)


def _whole(q: str) -> float | None:
    """A whole number with no suffix or a binary or SI one ("123456789n", "34560Ki",
    "250m", "2"), in integer arithmetic, else None. metrics-server writes every usage so
    (nanocores, kibibytes) and nearly every one differs, which the cache below cannot
    help: 50,000 pods' usage took ~1.2 s of Fractions. Rounded as `_parse_text`: to a
    whole number of nano units, which integers divided exactly give."""
    digits, suffix = q, ""
    if q[-2:] in _BINARY:
        digits, suffix = q[:-2], q[-2:]
    elif q[-1:] in _DECIMAL:
        digits, suffix = q[:-1], q[-1:]
    if not (digits.isdigit() and digits.isascii()):
        return None
    if suffix in _BINARY:
        return float(min(int(digits) * _BINARY[suffix], _INT64_MAX))
    power = _DECIMAL[suffix]
    if power >= 0:
        return float(int(digits) * 10**power)
    return int(digits) * 10**(9 + power) / 10**9  # true division rounds correctly


@lru_cache(maxsize=4096)
def _parse_text(q: str) -> float:
    """`parse_quantity` of a string, remembered: a cluster's pods repeat a few dozen
    quantities, and each pod change reads four per container (exact arithmetic in
    Fractions, ~50 us each)."""
    m = _QUANTITY.match(q)
    if not m:
        raise ValueError(f"quantities must match the regular expression "
                         f"'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {q!r}")
    number, suffix = Fraction(m.group(1)), m.group(2)
    if suffix in _BINARY:
        return float(min(abs(number * _BINARY[suffix]), _INT64_MAX) * (-1 if number < 0 else 1))
    exp = re.fullmatch(r"[eE]([+-]?[0-9]+)", suffix)
    power = _DECIMAL.get(suffix, int(exp.group(1)) if exp else None)
    if power is None:
        raise ValueError(f"unable to parse quantity's suffix: {q!r}")
    value = number * Fraction(10) ** power
    nanos = math.ceil(abs(value) / _NANO)  # rounded up, away from zero
    return float(nanos * _NANO) * (-1 if value < 0 else 1)


def format_cpu(cores: float) -> str:
    """Whole cores as "2", anything else in millicores rounded up, as "250m"."""
    milli = math.ceil(round(cores * 1000, 6))
    if milli % 1000 == 0:
        return str(milli // 1000)
    return f"{milli}m"


def format_memory(nbytes: float) -> str:
    """The largest binary suffix that divides the byte count exactly: "128Mi", "1536Mi"."""
    n = math.ceil(round(nbytes, 6))
    if n == 0:
        return "0"
    for suffix, size in reversed(_BINARY.items()):
        if n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)
