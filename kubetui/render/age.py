"""Ages the way kubectl prints them (k8s.io/apimachinery/pkg/util/duration.HumanDuration)."""

from __future__ import annotations

import math
from datetime import datetime, timezone
from functools import lru_cache


def parse_time(timestamp: str | None) -> datetime | None:
    """An RFC 3339 timestamp (Time or MicroTime) as an aware datetime; None if absent or bad."""
    if not timestamp:
        return None
    return _parse(timestamp)


@lru_cache(maxsize=4096)  # a list's objects share a few thousand distinct seconds
def _parse(timestamp: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def age_seconds(timestamp: str | None, now: datetime) -> float | None:
    """Seconds from `timestamp` to `now`; None when there is no usable timestamp."""
    then = parse_time(timestamp)
    if then is None:
        return None
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return (now - then).total_seconds()


def format_age(seconds: float) -> str:
    """HumanDuration: about two significant figures, e.g. 45s, 5m12s, 3h20m, 2d5h, 1y40d."""
    total = math.trunc(seconds)  # Go: int(d.Seconds()) truncates toward zero
    if total < -1:  # more than a second of clock skew
        return "<invalid>"
    if total < 0:
        return "0s"
    if total < 120:
        return f"{total}s"
    minutes = total // 60
    if minutes < 10:
        return _pair(minutes, "m", total % 60, "s")
    if minutes < 180:
        return f"{minutes}m"
    hours = total // 3600
    if hours < 8:
        return _pair(hours, "h", minutes % 60, "m")
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        return _pair(days, "d", hours % 24, "h")
    if hours < 24 * 365 * 2:
        return f"{days}d"
    if hours < 24 * 365 * 8:
        return _pair(days // 365, "y", days % 365, "d")
    return f"{days // 365}y"


def _pair(big: int, big_unit: str, small: int, small_unit: str) -> str:
    return f"{big}{big_unit}{small}{small_unit}" if small else f"{big}{big_unit}"


def since(timestamp: str | None, now: datetime) -> str:
    """kubectl's translateTimestampSince: the age, or "<unknown>" without a timestamp."""
    seconds = age_seconds(timestamp, now)
    return "<unknown>" if seconds is None else format_age(seconds)


def created_at(timestamp: str | None) -> str:
    """The default table's "Created At" cell: the creation time in UTC, RFC 3339."""
    then = parse_time(timestamp) or datetime(1, 1, 1, tzinfo=timezone.utc)  # Go's zero time
    return then.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
