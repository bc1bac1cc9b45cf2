"""format_age is kubectl's duration.HumanDuration; age_seconds reads RFC 3339."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kubetui.render import age_seconds, format_age

MINUTE, HOUR, DAY, YEAR = 60, 3600, 86400, 365 * 86400


@pytest.mark.parametrize(("seconds", "expected"), [
    (-5, "<invalid>"),
    (-1.5, "0s"),  # up to a second of clock skew reads as now
    (0, "0s"),
    (45, "45s"),
    (119.9, "119s"),  # seconds are truncated, and shown up to two minutes
    (120, "2m"),
    (5 * MINUTE + 12, "5m12s"),
    (9 * MINUTE + 59, "9m59s"),
    (10 * MINUTE + 30, "10m"),
    (179 * MINUTE + 59, "179m"),
    (3 * HOUR, "3h"),
    (3 * HOUR + 20 * MINUTE + 59, "3h20m"),
    (7 * HOUR + 59 * MINUTE, "7h59m"),
    (8 * HOUR + 30 * MINUTE, "8h"),
    (47 * HOUR + 59 * MINUTE, "47h"),
    (2 * DAY, "2d"),
    (2 * DAY + 5 * HOUR, "2d5h"),
    (7 * DAY + 23 * HOUR, "7d23h"),
    (8 * DAY + 23 * HOUR, "8d"),
    (729 * DAY, "729d"),
    (2 * YEAR, "2y"),
    (2 * YEAR + 40 * DAY, "2y40d"),
    (7 * YEAR + 364 * DAY, "7y364d"),
    (8 * YEAR + 100 * DAY, "8y"),
])
def test_format_age_is_human_duration(seconds: float, expected: str) -> None:
    assert format_age(seconds) == expected


def test_age_seconds_reads_time_and_micro_time() -> None:
    now = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert age_seconds("2024-06-01T11:55:00Z", now) == 300
    assert age_seconds("2024-06-01T11:59:59.250000Z", now) == 0.75
    assert age_seconds("2024-06-01T13:55:00+02:00", now) == 300


def test_age_seconds_without_a_usable_timestamp() -> None:
    now = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert age_seconds(None, now) is None
    assert age_seconds("", now) is None
    assert age_seconds("yesterday", now) is None


def test_naive_now_is_taken_as_utc() -> None:
    assert age_seconds("2024-06-01T11:00:00Z", datetime(2024, 6, 1, 12, 0, 0)) == 3600
