"""How often an AWS schedule expression fires: the longest wait between two runs, in hours.

AWS schedule expressions are `rate(N unit)` or six-field `cron(minutes hours day-of-month month
day-of-week year)`. The answer is the worst case over a day, a week or a month; expressions
that use the special characters L, W or # are not estimated (None).
"""

from __future__ import annotations

import re
from itertools import pairwise

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE)
_UNIT_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_ANY = ("*", "?")


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """The values a cron field allows (None when the field is not understood)."""
    found: set[int] = set()
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        if step_text and not step_text.isdigit():
            return None
        step = int(step_text or 1)
        if base in _ANY:
            start, end = low, high
        elif "-" in base:
            first, last = (_number(x, names) for x in base.split("-", 1))
            if first is None or last is None:
                return None
            start, end = first, last
        else:
            single = _number(base, names)
            if single is None:
                return None
            start, end = single, high if step_text else single
        if not low <= start <= end <= high or step < 1:
            return None
        found.update(range(start, end + 1, step))
    return found


def _number(text: str, names: dict[str, int] | None) -> int | None:
    if text.isdigit():
        return int(text)
    return (names or {}).get(text.upper())


def _widest_gap(values: set[int], cycle: int) -> int:
    """The longest distance between consecutive values on a cycle of `cycle` units."""
    ordered = sorted(values)
    gaps = [b - a for a, b in pairwise(ordered)]
    return max([*gaps, ordered[0] + cycle - ordered[-1]])


def max_interval_hours(expression: str) -> float | None:
    """The longest time between two runs of a schedule, or None if the expression is not understood."""
    text = expression.strip()
    rate = _RATE.match(text)
    if rate:
        return int(rate.group(1)) * _UNIT_HOURS[rate.group(2).lower().rstrip("s")]
    cron = _CRON.match(text)
    if not cron:
        return None
    fields = cron.group(1).split()
    if len(fields) != 6:
        return None
    _minutes, hours_field, dom, month, dow, _year = fields
    hours = _values(hours_field, 0, 23)
    if hours is None:
        return None
    within_day = float(_widest_gap(hours, 24))
    if month not in _ANY:
        months = _values(month, 1, 12)
        return None if months is None else _widest_gap(months, 12) * 31 * 24.0
    if dom not in _ANY:
        days = _values(dom, 1, 31)
        if days is None:
            return None
        return within_day if len(days) == 31 else _widest_gap(days, 31) * 24.0
    if dow not in _ANY:
        weekdays = _values(dow, 1, 7, _WEEKDAYS)
        if weekdays is None:
            return None
        return within_day if len(weekdays) == 7 else _widest_gap(weekdays, 7) * 24.0
    return within_day
