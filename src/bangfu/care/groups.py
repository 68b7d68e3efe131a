"""The vulnerable groups (弱势群体) and the 八必访 rule, each defined once as a queryset whose count is the figure.

Every group is a list of members of active households, derived from the registry (member flags, health,
disability grade, labour, work place, birth date) plus the two facts the registry lacks (`CareFacts`). Ages are
`Member.age_on` through `registry.models.birth_date_cutoff`, with the county's ages from `CareSettings`.

Callers pass members or households that have already passed the jurisdiction door (`members_visible_to`,
`registry.selectors.households_visible_to`).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.care.models import CareSettings, CareVisit, TekunSupport
from bangfu.core.scoping import village_scope
from bangfu.regions.config import config_q
from bangfu.registry import choices as c
from bangfu.registry.models import Household, Member, birth_date_cutoff, risk_open_q

AWAY_FROM_COUNTY = (c.WorkPlace.IN_PROVINCE, c.WorkPlace.OUT_OF_PROVINCE)
NON_COMPULSORY_STUDENTS = (c.StudentStatus.SENIOR, c.StudentStatus.SECONDARY_VOCATIONAL,
                           c.StudentStatus.HIGHER_VOCATIONAL, c.StudentStatus.UNIVERSITY)


def members_visible_to(user) -> QuerySet[Member]:
    """Members of the active households in the user's jurisdiction (the one door, for member lists)."""
    return Member.objects.filter(village_scope(user, field="household__village_id"), household__is_active=True)


def aged_at_least(day: dt.date, years: int, prefix: str = "") -> Q:
    return Q(**{f"{prefix}birth_date__lte": birth_date_cutoff(day, years)})


def younger_than(day: dt.date, years: int, prefix: str = "") -> Q:
    return ~aged_at_least(day, years, prefix)


def _same_household(q: Q) -> Q:
    """A member of a household that has a member matching `q`. EXISTS, not IN: a lookup through the household
    index, where PostgreSQL turns an IN list larger than work_mem into a scan of the whole list per row (at a
    million people the welfare recount never finished)."""
    return Q(Exists(Member.objects.filter(q, household_id=OuterRef("household_id"))))


def _elderly(day, s: CareSettings) -> Q:
    """独居/空巢老人: a member at least the elderly age in a household where every member is that old (alone: the
    household is that one person)."""
    return aged_at_least(day, s.elderly_age) & ~_same_household(younger_than(day, s.elderly_age))


def _left_behind(day, s: CareSettings) -> Q:
    """留守儿童: a child under the age, whose household's working-age members (from the working age to under the
    elderly age) all work outside the county, and there is at least one of them."""
    working_age = aged_at_least(day, s.working_age_from) & younger_than(day, s.elderly_age)
    return (younger_than(day, s.child_age_below)
            & _same_household(working_age & Q(work_place__in=AWAY_FROM_COUNTY))
            & ~_same_household(working_age & ~Q(work_place__in=AWAY_FROM_COUNTY)))


def _disabled(day, s) -> Q:
    return Q(health=c.Health.DISABLED) | ~Q(disability_grade="")


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    definition: str
    condition: Callable[[dt.date, CareSettings], Q]


GROUPS = (
    Group("dibao", _("低保"), _("享受低保的成员"), lambda day, s: Q(dibao=True)),
    Group("tekun", _("特困"), _("特困供养的成员（含分散、集中及未登记供养方式）"), lambda day, s: Q(tekun=True)),
    Group("tekun_dispersed", _("特困（分散供养）"), _("特困供养且登记为分散供养的成员"),
          lambda day, s: Q(tekun=True, care_facts__tekun_support=TekunSupport.DISPERSED)),
    Group("tekun_centralised", _("特困（集中供养）"), _("特困供养且登记为集中供养的成员"),
          lambda day, s: Q(tekun=True, care_facts__tekun_support=TekunSupport.CENTRALISED)),
    Group("disabled", _("残疾"), _("健康状况为残疾或登记了残疾等级的成员（可按等级筛选）"), _disabled),
    Group("elderly", _("独居/空巢老人"), _("达到老年人年龄、且同户成员均达到该年龄的成员（独居：户内仅一人）"), _elderly),
    Group("left_behind", _("留守儿童"), _("未满留守儿童年龄、同户劳动年龄成员均在县外务工（至少一人）的儿童"),
          _left_behind),
    Group("serious_illness", _("重病"), _("健康状况为患有大病的成员"), lambda day, s: Q(health=c.Health.SERIOUS)),
    Group("orphan", _("孤儿"), _("登记为孤儿且未满孤儿年龄的成员"),
          lambda day, s: Q(care_facts__orphan=True) & younger_than(day, s.orphan_age_below)),
)
GROUP_BY_KEY = {group.key: group for group in GROUPS}


def group_members(members: QuerySet[Member], key: str, *, day: dt.date | None = None, village: str = "",
                  grade: str = "", alone: bool = False) -> QuerySet[Member]:
    """The named list: members of `members` in the group on `day` (default today), optionally in one village,
    of one disability grade (disabled), or living alone (elderly)."""
    day = day or dt.date.today()
    condition = GROUP_BY_KEY[key].condition
    # Each county's own ages (a prefecture's list counts each county by its own definition).
    rows = members.filter(config_q(CareSettings, lambda settings: condition(day, settings),
                                   village_field="household__village_id"))
    if village:
        rows = rows.filter(household__village_id=village)
    if key == "disabled" and grade:
        rows = rows.filter(disability_grade=grade)
    if key == "elderly" and alone:
        rows = rows.annotate(household_size=Count("household__members")).filter(household_size=1)
    return rows


# --- 八必访 (DOMAIN.md §5.3): the kinds of household that must be visited, once a quarter ---------------------

def _any_member(q: Q) -> Q:
    """A household with a member matching `q` (EXISTS through the household index, as `_same_household`)."""
    return Q(Exists(Member.objects.filter(q, household_id=OuterRef("pk"))))


def _many_non_compulsory_students() -> Q:
    students = (Member.objects.filter(student_status__in=NON_COMPULSORY_STUDENTS, household_id=OuterRef("pk"))
                .order_by().values("household_id").annotate(n=Count("pk")).filter(n__gte=2).values("household_id"))
    return Q(Exists(students))


MUST_VISIT = (  # (key, label, condition on Household); the wage-share and misfortune kinds are not in the registry
    ("low_income", _("收入低或骤减（监测对象风险未消除）"), lambda: risk_open_q()),
    ("serious_illness", _("患大病"), lambda: _any_member(Q(health=c.Health.SERIOUS))),
    ("tekun_dispersed", _("分散供养特困"),
     lambda: _any_member(Q(tekun=True, care_facts__tekun_support=TekunSupport.DISPERSED))),
    ("dibao", _("低保"), lambda: _any_member(Q(dibao=True))),
    ("disabled", _("残疾"), lambda: _any_member(Q(health=c.Health.DISABLED) | ~Q(disability_grade=""))),
    ("students", _("多子女非义务教育阶段就学"), _many_non_compulsory_students),
)


def must_visit_q() -> Q:
    """Households of any 八必访 kind: each kind a lookup through the household index, so a recount of a few
    villages reads only their members and a whole jurisdiction reads each household's members once."""
    q = Q(pk__in=[])
    for _key, _label, condition in MUST_VISIT:
        q |= condition()
    return q


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def previous_quarter_start(day: dt.date) -> dt.date:
    start = quarter_start(day)
    return quarter_start(start - dt.timedelta(days=1))


def must_visit(households: QuerySet[Household]) -> QuerySet[Household]:
    """应访户: active households of any 八必访 kind."""
    return households.filter(must_visit_q(), is_active=True)


def visited_since(start: dt.date, day: dt.date) -> Q:
    """Households with a care visit from `start` to `day`, both included (EXISTS through the visit index)."""
    return Q(Exists(CareVisit.objects.filter(household_id=OuterRef("pk"), visited_on__gte=start,
                                             visited_on__lte=day)))


def visit_due(households: QuerySet[Household], *, day: dt.date | None = None) -> QuerySet[Household]:
    """本季度待访: must-visit households with no care visit since the quarter began."""
    day = day or dt.date.today()
    return must_visit(households).exclude(visited_since(quarter_start(day), day))


def visit_overdue(households: QuerySet[Household], *, day: dt.date | None = None) -> QuerySet[Household]:
    """逾期未访: must-visit households with no care visit in the previous quarter nor this one (a quarter missed)."""
    day = day or dt.date.today()
    return must_visit(households).exclude(visited_since(previous_quarter_start(day), day))


def visited_this_quarter(households: QuerySet[Household], *, day: dt.date | None = None) -> QuerySet[Household]:
    """本季度已访: must-visit households with a care visit since the quarter began (应访户 less 本季度待访)."""
    day = day or dt.date.today()
    return must_visit(households).filter(visited_since(quarter_start(day), day))


VISIT_STATES = {  # the visit queue's `state` values and the list each one shows
    "": visit_due, "overdue": visit_overdue, "all": must_visit, "visited": visited_this_quarter,
}


def visit_states(households: QuerySet[Household], *, day: dt.date | None = None) -> dict[str, int]:
    """The four 八必访 figures in one query, with the same conditions as the lists (`VISIT_STATES`): must-visit,
    visited this quarter, due (no visit this quarter) and overdue (none in the previous quarter nor this one)."""
    day = day or dt.date.today()
    counts = must_visit(households).order_by().aggregate(
        all=Count("pk"), visited=Count("pk", filter=visited_since(quarter_start(day), day)),
        recent=Count("pk", filter=visited_since(previous_quarter_start(day), day)))
    return {"all": counts["all"], "visited": counts["visited"], "": counts["all"] - counts["visited"],
            "overdue": counts["all"] - counts["recent"]}


def must_visit_reasons(households: list[Household]) -> dict[int, list[str]]:
    """The 八必访 kinds each of a page of households falls under (one query per kind for the page)."""
    ids = [h.pk for h in households]
    reasons: dict[int, list[str]] = {pk: [] for pk in ids}
    for _key, label, condition in MUST_VISIT:
        for pk in Household.objects.filter(condition(), pk__in=ids).values_list("pk", flat=True):
            reasons[pk].append(str(label))
    return reasons
