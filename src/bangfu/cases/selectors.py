"""Every read of cases, measures and visits, through the jurisdiction door (bangfu.core.scoping)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.cases import clock
from bangfu.cases.choices import OPEN_STATES, CaseKind
from bangfu.cases.models import Case, Decision, Measure, Transition, Visit
from bangfu.cases.permissions import can
from bangfu.core.scoping import village_scope


def cases_visible_to(user) -> QuerySet[Case]:
    """Cases of households in the user's jurisdiction (where the household lives now)."""
    if not can(user, "cases.view"):
        return Case.objects.none()
    return Case.objects.filter(village_scope(user, field="household__village_id"), household__is_active=True)


def cases_filtered(user, *, state: str = "open", kind: str = "") -> QuerySet[Case]:
    """The case list: open ones by default, or overdue, one state or all; of one kind or both."""
    from bangfu.cases.choices import CaseState

    cases = cases_visible_to(user).select_related("household", "household__village")
    if state == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif state == "overdue":
        cases = cases.filter(state__in=OPEN_STATES, step_due_on__lt=clock.today())
    elif state in CaseState.values:
        cases = cases.filter(state=state)
    if kind in CaseKind.values:
        cases = cases.filter(kind=kind)
    return cases.order_by("step_due_on", "-opened_at", "-id")


def case_get_for_user(user, *, pk) -> Case:
    try:
        return cases_visible_to(user).select_related("household__village__parent", "opened_by").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该案件，或不在您的管辖范围内")) from None


def case_decisions(case: Case) -> QuerySet[Decision]:
    return case.decisions.select_related("actor").order_by("at", "id")


def transitions_for(case: Case, user) -> list[Transition]:
    """The steps this user's role may take from the case's current state (the table decides)."""
    rows = Transition.objects.filter(kind=case.kind, from_state=case.state, is_active=True).order_by("position")
    return [t for t in rows if user.is_superuser or t.role == user.role]


def household_cases(household) -> QuerySet[Case]:
    return household.cases.select_related("opened_by").order_by("-opened_at", "-id")


def household_measures(household) -> QuerySet[Measure]:
    return household.measures.select_related("category").order_by("start_on", "id")


def household_visits(household) -> QuerySet[Visit]:
    return household.visits.select_related("visitor").order_by("-visited_on", "-id")


@dataclass
class WorkQueue:
    """A role's open cases by urgency: overdue (red), due today, due this week (amber)."""

    overdue: list[Case]
    today: list[Case]
    this_week: list[Case]
    later: int
    subtree: bool  # township and county: the whole subtree's items, not only their own steps


def _due_of(kind: str, step_due_on: dt.date | None, due_on: dt.date | None) -> dt.date | None:
    """The nearer of the step's deadline and, for an identification, the case's overall deadline."""
    dates = [d for d in (step_due_on, due_on if kind == CaseKind.IDENTIFICATION else None) if d]
    return min(dates) if dates else None


def work_queue_for(user, *, limit: int = 20) -> WorkQueue:
    """The user's queue: a village cadre sees the steps their role takes; township and county see every open case
    of their subtree (so an overdue step in a village shows up above it)."""
    today = clock.today()
    qs = cases_visible_to(user).filter(state__in=OPEN_STATES).select_related("household", "household__village")
    subtree = user.is_superuser or user.role in {"township_reviewer", "county_admin", "leader", "auditor"}
    if not subtree:
        steps = Transition.objects.filter(role=user.role, is_active=True).exclude(from_state="")
        qs = qs.filter(state__in=steps.values("from_state"))  # a subquery: still one query
    week_end = today + dt.timedelta(days=7)
    # The open cases in reach, most urgent first (a county holds tens to hundreds), read as plain tuples; then the
    # few shown (at most `limit` per group) as objects: two queries, without building a model per open case.
    buckets: dict[str, list[tuple[dt.date, int]]] = {"overdue": [], "today": [], "week": []}
    later = 0
    for pk, kind, step_due_on, due_on in qs.order_by("step_due_on", "due_on", "id").values_list(
            "id", "kind", "step_due_on", "due_on")[:2000]:
        due = _due_of(kind, step_due_on, due_on)
        if due is None or due > week_end:
            later += 1
            continue
        buckets["overdue" if due < today else "today" if due == today else "week"].append((due, pk))
    # Most urgent first by the date that is due (the nearer of the step's and the case's deadline), then the
    # first `limit` of each group.
    for key in buckets:
        buckets[key] = sorted(buckets[key])[:limit]
    dues = {pk: due for bucket in buckets.values() for due, pk in bucket}
    shown = {case.pk: case for case in qs.filter(pk__in=list(dues))}
    for pk, case in shown.items():
        case.due = dues[pk]
    overdue, due_today, this_week = ([shown[pk] for _due, pk in buckets[key] if pk in shown]
                                     for key in ("overdue", "today", "week"))
    return WorkQueue(overdue=overdue, today=due_today, this_week=this_week,
                     later=later, subtree=subtree)
