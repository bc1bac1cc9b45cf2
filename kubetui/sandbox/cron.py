"""CronJob schedules: the standard 5-field cron syntax and the @descriptors, as the
robfig/cron parser the API server and the CronJob controller use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_MONTHS = {m: i + 1 for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
# (minimum, maximum, names) per field: minute, hour, day of month, month, day of week.
_FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, _MONTHS), (0, 6, _DAYS))
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    dom_star: bool  # cron's rule: if either day field is "*", only the other one counts
    dow_star: bool

    def _day_matches(self, t: datetime) -> bool:
        dom, dow = t.day in self.days, (t.isoweekday() % 7) in self.weekdays
        if self.dom_star or self.dow_star:
            return dom and dow
        return dom or dow

    def next_after(self, t: datetime) -> datetime:
        """The first scheduled minute strictly after `t` (within five years)."""
        t = t.replace(second=0, microsecond=0) + timedelta(minutes=1)
        end = t + timedelta(days=366 * 5)
        while t < end:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
            elif not self._day_matches(t):
                t = t.replace(hour=0, minute=0) + timedelta(days=1)
            elif t.hour not in self.hours:
                t = t.replace(minute=0) + timedelta(hours=1)
            elif t.minute not in self.minutes:
                t += timedelta(minutes=1)
            else:
                return t
        raise ValueError("schedule never fires")


def _number(text: str, names: dict[str, int]) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise ValueError(f"failed to parse int from {text}: strconv.Atoi: parsing "
                         f'"{text}": invalid syntax')
    return int(text)


def _field(text: str, lo: int, hi: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        rng, _, step_text = part.partition("/")
        step = _number(step_text, {}) if step_text else 1
        if rng in ("*", "?"):
            start, end = lo, hi
        else:
            a, _, b = rng.partition("-")
            start = _number(a, names)
            end = _number(b, names) if b else (hi if step_text else start)
        if start < lo:
            raise ValueError(f"beginning of range ({start}) below minimum ({lo}): {part}")
        if end > hi:
            raise ValueError(f"end of range ({end}) above maximum ({hi}): {part}")
        if start > end:
            raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): "
                             f"{part}")
        if step <= 0:
            raise ValueError(f"step of range should be a positive number: {part}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def parse_schedule(text: str) -> Schedule:
    """Parse a CronJob schedule; ValueError with robfig/cron's message when invalid.
    `@every <duration>` is accepted and approximated by whole minutes."""
    spec = text.strip()
    if spec.startswith(("TZ=", "CRON_TZ=")):
        raise ValueError("cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    if spec.startswith("@every "):
        m = _DURATION.match(spec[len("@every "):].strip())
        if not m or not any(m.groups()):
            raise ValueError(f"failed to parse duration {spec}")
        seconds = sum(int(g or 0) * s for g, s in zip(m.groups(), (3600, 60, 1)))
        every = max(1, seconds // 60)
        hours = min(every // 60, 23)
        return parse_schedule(f"*/{every} * * * *" if every < 60 else f"0 */{hours} * * *")
    if spec.startswith("@"):
        if spec not in _DESCRIPTORS:
            raise ValueError(f"unrecognized descriptor: {spec}")
        spec = _DESCRIPTORS[spec]
    fields = spec.split()
    if len(fields) != 5:
        raise ValueError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    sets = [_field(f, lo, hi, names) for f, (lo, hi, names) in zip(fields, _FIELDS)]
    return Schedule(*sets, dom_star=fields[2] in ("*", "?"), dow_star=fields[4] in ("*", "?"))
