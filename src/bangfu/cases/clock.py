"""Today's date for the workflow, in one place (tests and the browser walk move it forward)."""

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


def add_days(start: dt.date, days: int, *, working: bool) -> dt.date:
    """The deadline `days` after `start`: calendar days, or working days (Monday to Friday; public holidays are
    not yet a calendar here, so a working-day deadline over a holiday is a day or two early, never late)."""
    if not working:
        return start + dt.timedelta(days=days)
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def months_between(first_month: str, day: dt.date) -> int:
    """Whole months from a YYYYMM month to a day's month (202401 → 2024-07-15 is 6)."""
    year, month = int(first_month[:4]), int(first_month[4:6])
    return (day.year - year) * 12 + (day.month - month)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the last day of that month when it has fewer days)."""
    import calendar

    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the last day of that month when it has fewer days)."""
    return months_before(day, -months)
