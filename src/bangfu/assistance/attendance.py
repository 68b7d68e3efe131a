"""In-village days (驻村天数) of resident cadres: one definition read by every page, export and document.

A day counts when the cadre checked in that day, in the village they are sent to (a check-in in another village is
kept, with its village, and does not count), inside their term. One check-in a day (a constraint), so a day is
counted once. The county's quota (AttendanceQuota: days a month, days a year) is what the days are held against.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q

from bangfu.assistance.models import AttendanceQuota, Cadre, CheckIn, LeaveRequest


def counted_q(prefix: str = "") -> Q:
    """The check-ins that count as in-village days, as seen from CheckIn (prefix "") or from Cadre ("check_ins__")."""
    own = "" if prefix else "cadre__"  # the cadre's own fields, from the check-in or from the cadre
    return (Q(**{f"{prefix}village_id": F(f"{own}village_id")})
            & Q(**{f"{prefix}date__gte": F(f"{own}term_start")})
            & (Q(**{f"{own}term_end__isnull": True}) | Q(**{f"{prefix}date__lte": F(f"{own}term_end")})))


def in_village_days(cadre_ids, since: dt.date, until: dt.date) -> dict[int, int]:
    """Each cadre's in-village days in [since, until] (both included); cadres without any are absent (0)."""
    rows = (CheckIn.objects.filter(counted_q(), cadre_id__in=list(cadre_ids), date__gte=since, date__lte=until)
            .values("cadre_id").annotate(days=Count("date", distinct=True)).values_list("cadre_id", "days"))
    return dict(rows)


def in_village_days_annotation(since: dt.date, until: dt.date) -> Count:
    """The same count as an annotation on cadres (lists and exports: one query for the page)."""
    return Count("check_ins__date", distinct=True,
                 filter=counted_q("check_ins__") & Q(check_ins__date__gte=since, check_ins__date__lte=until))


def attendance_quota_for(county_code: str) -> AttendanceQuota:
    """The county's attendance rules, or the shipped defaults (20 days a month, 200 a year) when it has set none."""
    return AttendanceQuota.objects.filter(county_id=county_code).first() or AttendanceQuota(county_id=county_code)


def month_span(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Attendance:
    """A resident cadre's days in the village this month and this year, as of `today`, against the quota."""

    today: dt.date
    month_days: int
    year_days: int
    month_quota: int
    year_quota: int
    month_due: int  # the month's quota pro rata to today (20 a month is 10 by the middle of the month)
    leave_days_year: int  # approved leave this year (not counted as days in the village)

    @property
    def month_short(self) -> bool:
        return self.month_days < self.month_due

    @property
    def year_left(self) -> int:
        return max(0, self.year_quota - self.year_days)


def attendance_for(cadre: Cadre, *, today: dt.date, quota: AttendanceQuota | None = None) -> Attendance:
    quota = quota or attendance_quota_for(cadre.unit.county_id)
    month_start, month_end = month_span(today)
    year_start = dt.date(today.year, 1, 1)
    month = in_village_days([cadre.pk], month_start, today).get(cadre.pk, 0)
    year = in_village_days([cadre.pk], year_start, today).get(cadre.pk, 0)
    leave_days = 0
    for leave in cadre.leave_requests.filter(status=LeaveRequest.Status.APPROVED, start__lte=dt.date(today.year, 12, 31),
                                             end__gte=year_start):
        leave_days += (min(leave.end, dt.date(today.year, 12, 31)) - max(leave.start, year_start)).days + 1
    return Attendance(today=today, month_days=month, year_days=year, month_quota=quota.days_per_month,
                      year_quota=quota.days_per_year,
                      month_due=month_due(quota, today), leave_days_year=leave_days)


def month_due(quota: AttendanceQuota, today: dt.date) -> int:
    """The month's quota pro rata to today."""
    return int(quota.days_per_month * today.day / month_span(today)[1].day)
