"""When work is due, and when it is late: one definition for the list filters, their row marks, the counts and the
home queues (DOMAIN.md §5.4, §5.7).

- A case is due on the nearer of its step's deadline and, for an identification, the 15-day deadline from the lead
  (WorkflowSettings.decision_days). An elimination has no overall deadline, only its steps'.
- A measure is due `measure_due_days` after the household's identification month began (the rule the data-quality
  check no_measure uses), for a household whose risk is open and that has no measure other than a stopped one.
- Anything is late from the day after it is due: a step taken on its due day is on time.

Warnings are due `verify_days` after they were raised (their rule's time limit): see monitoring.selectors.
"""

import datetime as dt

from django.db.models import Case as When_
from django.db.models import DateField, Exists, F, OuterRef, Q, When
from django.db.models.expressions import Expression

from bangfu.cases.choices import CaseKind

# The home queue's groups, most urgent first: (key, heading). "week" is the seven days after today.
WEEK_DAYS = 7


def case_due_on(*, kind: str, step_due_on: dt.date | None, due_on: dt.date | None) -> dt.date | None:
    """The date a case is due: the nearer of the step's deadline and, for an identification, its own."""
    dates = [d for d in (step_due_on, due_on if kind == CaseKind.IDENTIFICATION else None) if d]
    return min(dates) if dates else None


def case_due_expression() -> Expression:
    """case_due_on() in SQL, for annotating a queryset of cases as `due` (the same answer: see the tests)."""
    identification = Q(kind=CaseKind.IDENTIFICATION)
    return When_(
        When(identification & Q(step_due_on__isnull=True), then=F("due_on")),
        When(identification & Q(due_on__lt=F("step_due_on")), then=F("due_on")),
        default=F("step_due_on"), output_field=DateField())


def is_late(due: dt.date | None, today: dt.date) -> bool:
    """Late from the day after the due date; never late without one."""
    return due is not None and due < today


def due_group(due: dt.date | None, today: dt.date) -> str:
    """"overdue", "today", "week" (the next seven days) or "later" (or no date)."""
    if due is None:
        return "later"
    if is_late(due, today):
        return "overdue"
    if due == today:
        return "today"
    return "week" if due <= today + dt.timedelta(days=WEEK_DAYS) else "later"


def due_group_q(group: str, today: dt.date, *, field: str = "due") -> Q:
    """due_group() as a filter on an annotated (or stored) date field."""
    week_end = today + dt.timedelta(days=WEEK_DAYS)
    return {
        "overdue": Q(**{f"{field}__lt": today}),
        "today": Q(**{field: today}),
        "week": Q(**{f"{field}__gt": today, f"{field}__lte": week_end}),
        "later": Q(**{f"{field}__gt": week_end}) | Q(**{f"{field}__isnull": True}),
    }[group]


# --- measures ------------------------------------------------------------------------------------------------

def identified_on(identified_month: str) -> dt.date | None:
    """The first day of the identification month (YYYYMM), the date the national system records."""
    if len(identified_month or "") != 6 or not identified_month.isdigit():
        return None
    year, month = int(identified_month[:4]), int(identified_month[4:])
    return dt.date(year, month, 1) if 1 <= month <= 12 else None


def measure_due_on(identified_month: str, *, days: int) -> dt.date | None:
    start = identified_on(identified_month)
    return start + dt.timedelta(days=days) if start else None


def measure_late_q(today: dt.date, *, days: int) -> Q:
    """Households (a Household queryset) whose risk is open, identified more than `days` days ago (by
    measure_due_on), with no measure other than a stopped one."""
    from bangfu.cases.choices import MeasureStatus
    from bangfu.cases.models import Measure
    from bangfu.registry.models import risk_open_q

    # measure_due_on(m) < today  ⇔  first day of m < today - days  ⇔  m <= the month of (today - days - 1 day)
    last_month = (today - dt.timedelta(days=days + 1)).strftime("%Y%m")
    live = Measure.objects.filter(household_id=OuterRef("pk")).exclude(status=MeasureStatus.STOPPED)
    return (risk_open_q() & Q(identified_month__gte="190001")
            & Q(identified_month__lte=last_month) & ~Exists(live))
