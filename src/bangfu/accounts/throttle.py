"""Persistent, atomic attempt counters: login failures by account and client address, duplicate-ID hits outside
a user's jurisdiction by user.

An attempt *reserves* its place before it is tried (a row lock in PostgreSQL, SQLite's write lock taken up
front), so parallel requests cannot all slip in before the first failure is counted: at most `limit` attempts
are ever tried in one window. Counters live in the database, shared by every server process and surviving a
restart.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bangfu.accounts.models import Throttle


@dataclass(frozen=True)
class Reservation:
    key: str
    granted: bool
    count: int  # attempts counted in the window, this one included when granted
    until: dt.datetime  # when the window (and any lock) ends


def throttle_reserve(key: str, *, limit: int, window: dt.timedelta) -> Reservation:
    """Count one attempt under `key`, unless `limit` attempts were already counted in the current window."""
    now = timezone.now()
    with transaction.atomic():
        row, _created = Throttle.objects.select_for_update().get_or_create(key=key[:200],
                                                                           defaults={"window_start": now})
        if now - row.window_start >= window:
            row.window_start, row.count = now, 0
        if row.count >= limit:
            row.save(update_fields=["window_start", "count"])
            return Reservation(key, False, row.count, row.window_start + window)
        row.count += 1
        row.save(update_fields=["window_start", "count"])
        return Reservation(key, True, row.count, row.window_start + window)


def throttle_serialise(key: str) -> None:
    """Make a count-then-insert under `key` atomic: the caller's transaction holds this key's counter row locked
    (PostgreSQL's row lock; SQLite's transactions take the write lock up front) until it ends, so a second request
    under the same key counts only after the first one's insert is committed. Call inside transaction.atomic()."""
    Throttle.objects.select_for_update().get_or_create(key=key[:200], defaults={"window_start": timezone.now()})


def throttle_release(key: str) -> None:
    """Give back one reserved attempt (it succeeded, so it was no guess)."""
    Throttle.objects.filter(key=key[:200], count__gt=0).update(count=F("count") - 1)


def throttle_clear(key: str) -> None:
    Throttle.objects.filter(key=key[:200]).delete()


def throttle_locked(key: str, *, limit: int, window: dt.timedelta) -> bool:
    row = Throttle.objects.filter(key=key[:200]).first()
    return bool(row and timezone.now() - row.window_start < window and row.count >= limit)
