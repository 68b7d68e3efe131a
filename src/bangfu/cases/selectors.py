"""Every read of cases, measures and visits, through the jurisdiction door (bangfu.core.scoping)."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.cases import clock
from bangfu.cases.choices import OPEN_STATES, CaseKind
from bangfu.cases.due import case_due_expression, due_group_q, measure_late_q
from bangfu.cases.models import Case, Decision, Measure, Transition, Visit
from bangfu.cases.permissions import can
from bangfu.core.scoping import village_scope
from bangfu.regions.config import config_nearest, config_rows
from bangfu.web.lists import QueueGroup


def cases_visible_to(user) -> QuerySet[Case]:
    """Cases of households in the user's jurisdiction (where the household lives now)."""
    if not can(user, "cases.view"):
        return Case.objects.none()
    return Case.objects.filter(village_scope(user, field="household__village_id"), household__is_active=True)


# The list's states beyond the workflow's own: the due groups of the home queue (cases.due) among the open cases.
DUE_STATES = {"overdue": "overdue", "due_today": "today", "due_week": "week"}


def cases_with_due(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Each case annotated with `due`, the date it is due (cases.due.case_due_on, in SQL)."""
    return cases.annotate(due=case_due_expression())


def cases_filtered(user, *, state: str = "open", kind: str = "", mine: bool = False, region: str = "",
                   step: str = "") -> QuerySet[Case]:
    """The case list: open ones by default, or one due group of the open ones (overdue, due today, due this
    week: the home queue's groups), one state or all; of one kind or both. `mine`: only the steps the user's role
    takes (a village cadre's queue). `region`: households living under that region now; `step`: one workflow
    state within the chosen group (the dashboards' "overdue by step")."""
    from bangfu.cases.choices import CaseState
    from bangfu.core.scoping import code_range_q
    from bangfu.regions.models import Region

    cases = cases_with_due(cases_visible_to(user).select_related("household", "household__village"))
    if state == "open":
        cases = cases.filter(state__in=OPEN_STATES)
    elif state in DUE_STATES:
        cases = cases.filter(due_group_q(DUE_STATES[state], clock.today()), state__in=OPEN_STATES)
    elif state in CaseState.values:
        cases = cases.filter(state=state)
    if kind in CaseKind.values:
        cases = cases.filter(kind=kind)
    if step in OPEN_STATES:
        cases = cases.filter(state=step)
    if region:
        place = Region.objects.filter(code=region).first()
        cases = cases.filter(code_range_q(place.code_range, field="household__village_id")) if place else cases.none()
    if mine and not user.is_superuser:
        steps = (config_rows(Transition, user.region_id).filter(role=user.role, is_active=True)
                 .exclude(from_state=""))
        cases = cases.filter(state__in=steps.values("from_state"))  # a subquery: still one query
    return cases.order_by(F("due").asc(nulls_last=True), "-opened_at", "-id")


def case_get_for_user(user, *, pk) -> Case:
    try:
        return cases_visible_to(user).select_related("household__village__parent", "opened_by").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该案件，或不在您的管辖范围内")) from None


def case_decisions(case: Case) -> QuerySet[Decision]:
    return case.decisions.select_related("actor").order_by("at", "id")


def transitions_for(case: Case, user) -> list[Transition]:
    """The steps this user's role may take from the case's current state (the table decides)."""
    rows = (config_rows(Transition, case.village_id).filter(kind=case.kind, from_state=case.state, is_active=True)
            .order_by("position"))
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

    overdue: QueueGroup
    today: QueueGroup
    this_week: QueueGroup
    later: int
    subtree: bool  # township and county: the whole subtree's items, not only their own steps

    @property
    def groups(self) -> list[QueueGroup]:
        return [g for g in (self.overdue, self.today, self.this_week) if g.count]


def queue_is_subtree(user) -> bool:
    """Township and county watch every open case below them; a village cadre the steps their role takes."""
    return user.is_superuser or user.role in {"township_reviewer", "county_admin", "leader", "auditor",
                                              "prefecture_admin", "province_admin"}


def work_queue_for(user, *, limit: int = 20) -> WorkQueue:
    """The user's queue: the case list's own due groups (cases_filtered), counted in one query, and the first
    `limit` of each, in the list's order, in one more (ranked per group), however many cases there are."""
    from django.db.models import Case as Choose
    from django.db.models import IntegerField, Value, When, Window
    from django.db.models.functions import RowNumber
    from django.urls import reverse

    subtree = queue_is_subtree(user)
    qs = cases_filtered(user, state="open", mine=not subtree)
    today = clock.today()
    keys = {"overdue": "overdue", "today": "due_today", "week": "due_week"}
    counts = qs.order_by().aggregate(**{g: Count("pk", filter=due_group_q(g, today)) for g in (*keys, "later")})
    position = Choose(*(When(due_group_q(g, today), then=Value(i)) for i, g in enumerate(keys)),
                      default=Value(len(keys)), output_field=IntegerField())
    ranked = qs.filter(due_group_q("overdue", today) | due_group_q("today", today) | due_group_q("week", today))
    ranked = ranked.annotate(queue_position=position, queue_rank=Window(
        RowNumber(), partition_by=[position], order_by=[F("due").asc(), F("opened_at").desc(), F("id").desc()]))
    shown: dict[int, list] = {i: [] for i in range(len(keys))}
    for case in ranked.filter(queue_rank__lte=limit):
        shown[case.queue_position].append(case)
    base = reverse("cases:case_list")
    groups = {group: QueueGroup(key=group, count=counts[group], shown=shown[i],
                                url=f"{base}?state={keys[group]}" + ("" if subtree else "&mine=on"))
              for i, group in enumerate(keys)}
    return WorkQueue(overdue=groups["overdue"], today=groups["today"], this_week=groups["week"],
                     later=counts["later"], subtree=subtree)


def measure_due_q(region_code: str | None = None) -> Q:
    """Households whose measures are overdue today (cases.due.measure_late_q with the limit in force where the
    reader sits): the household list's filter `measure_due`, the home queue and the data-quality rule no_measure
    agree."""
    from bangfu.cases.models import WorkflowSettings

    # Read, never created on a read (a county that never edited its settings has the shipped default).
    row = config_nearest(WorkflowSettings, region_code, values=("measure_due_days",))
    days = row["measure_due_days"] if row else WorkflowSettings._meta.get_field("measure_due_days").default
    return measure_late_q(clock.today(), days=days)


def measure_queue_for(user, *, limit: int = 10) -> QueueGroup | None:
    """Identified households still without a measure past the limit, for those who add measures: the household
    list's own filter, its real count and the first `limit`, longest waiting first."""
    from django.urls import reverse

    from bangfu.registry.selectors import households_visible_to
    from bangfu.web.lists import first_and_count

    if not can(user, "cases.assist"):
        return None
    rows = (households_visible_to(user).filter(measure_due_q(user.region_id)).select_related("village")
            .order_by("identified_month", "village_id", "number"))
    shown, count = first_and_count(rows, limit)
    return QueueGroup(key="measures", count=count, shown=shown,
                      url=f"{reverse('registry:household_list')}?measure_due=on")
