"""Indicator definitions, each written once and used by every page, export and report.

An indicator is a condition on the household fields that the village summaries are keyed by
(`reports.summaries.DIMENSIONS`) and what it counts (households or people). The same definition is evaluated
two ways that must agree (tests/reports/test_kept_figures.py proves it after every kind of write):
- `summary_totals` / `summary_breakdown`: sums over the kept summary rows (pages; a few hundred rows);
- `registry_totals`: a recount over a household queryset that has already passed the jurisdiction door.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from bangfu.registry.choices import HouseholdType
from bangfu.registry.models import risk_open_q


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # lazily translated: shown in the reader's language
    definition: str
    condition: Q = field(default_factory=Q)  # which households count; empty: all active households
    counts: str = "households"  # or "people": the members of those households
    list_query: str = ""  # the household list's filter that shows exactly these households

    def on_households(self):
        """The aggregate over a Household queryset (households only: people are counted apart, no fan-out)."""
        return Count("pk", filter=self.condition) if self.condition else Count("pk")

    def on_summaries(self):
        """The aggregate over a VillageSummary queryset."""
        total = Sum(self.counts, filter=self.condition) if self.condition else Sum(self.counts)
        return Coalesce(total, 0)


INDICATORS = (
    Indicator("households", _("在册农户"), _("在册（未销户）的农户数")),
    Indicator("people", _("在册人口"), _("在册农户的家庭成员人数"), counts="people"),
    Indicator("formerly_poor", _("脱贫户"), _("户类型为脱贫户的在册农户数"),
              Q(household_type=HouseholdType.FORMERLY_POOR), list_query="household_type=formerly_poor"),
    Indicator("monitored", _("监测对象"), _("已识别为监测对象（三类）的户数，含风险已消除"),
              ~Q(monitoring_type=""), list_query="monitoring_status=monitored"),
    Indicator("risk_open", _("风险未消除"), _("监测对象中风险未消除的户数"),
              risk_open_q(), list_query="monitoring_status=risk_open"),
    Indicator("unsafe_housing", _("C/D级危房"), _("住房安全等级为C级或D级的户数"),
              Q(housing_safety__in=["C", "D"]), list_query="unsafe_housing=on"),
    Indicator("relocated", _("易地搬迁户"), _("标记为易地扶贫搬迁的户数"),
              Q(relocated=True), list_query="relocated=on"),
    Indicator("formerly_poor_unsafe", _("脱贫户住危房"), _("户类型为脱贫户、住房为C级或D级的户数"),
              Q(household_type=HouseholdType.FORMERLY_POOR, housing_safety__in=["C", "D"]),
              list_query="household_type=formerly_poor&unsafe_housing=on"),
    Indicator("monitored_unsafe", _("监测户住危房"), _("监测对象中住房为C级或D级的户数"),
              ~Q(monitoring_type="") & Q(housing_safety__in=["C", "D"]),
              list_query="monitoring_status=monitored&unsafe_housing=on"),
)
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
HOUSEHOLD_INDICATORS = tuple(i for i in INDICATORS if i.counts == "households")
BREAKDOWN_KEYS = ("households", "monitored", "risk_open")


def summary_totals(summaries: QuerySet) -> dict[str, int]:
    """All indicators over kept summary rows (already limited to the reader's jurisdiction): one query."""
    # Aliased: "households" and "people" are also the summary's column names.
    totals = summaries.aggregate(**{f"total_{i.key}": i.on_summaries() for i in INDICATORS})
    return {i.key: totals[f"total_{i.key}"] for i in INDICATORS}


def summary_below_line(summaries: QuerySet) -> int:
    """收入低于监测线但未纳入监测 over kept summary rows: the households the list's below-line filter shows."""
    return summaries.filter(below_line=True).aggregate(n=Coalesce(Sum("households"), 0))["n"]


def summary_breakdown(summaries: QuerySet, *, level: str) -> list[dict]:
    """Households, monitored and risk-open households per township or per village (by code prefix)."""
    from bangfu.regions.models import Region, short_region_name

    width = {"township": 9, "village": 12}[level]
    rows: dict[str, dict] = {}
    per_village = summaries.order_by().values("village_id").annotate(
        **{f"total_{key}": INDICATOR_BY_KEY[key].on_summaries() for key in BREAKDOWN_KEYS})
    for row in per_village:
        code = row["village_id"][:width].ljust(12, "0")
        agg = rows.setdefault(code, {"code": code, **dict.fromkeys(BREAKDOWN_KEYS, 0)})
        for key in BREAKDOWN_KEYS:
            agg[key] += row[f"total_{key}"]
    regions = {r.code: r for r in Region.objects.filter(code__in=rows).select_related("parent")}
    result = []
    for code, row in sorted(rows.items()):
        region = regions.get(code)
        name = region.name if region else code
        township = region.parent.name if region and level == "village" and region.parent_id else ""
        result.append(dict(row, name=name, short_name=short_region_name(name), township=township))
    return result


def registry_totals(households: QuerySet) -> dict[str, int]:
    """All indicators recounted over the given households (the definition the kept figures must equal)."""
    from bangfu.registry.models import Member

    totals = households.aggregate(**{i.key: i.on_households() for i in HOUSEHOLD_INDICATORS})
    totals["people"] = Member.objects.filter(household__in=households.values("pk")).count()
    return totals


# --- monitored households by risk type (致贫/返贫风险, DOMAIN.md §5.5) -------------------------------------------
#
# A household's risks are those of its current identification: the latest approved identification case
# (`cases.conditions.household_risk_types` reads the same case for one household). A household with two risks counts
# under each. The household list's `risk_type` filter is `risk_type_q`, the kept per-village rows
# (`VillageRiskFigure`) are counted with the same Q, so the figure and its list cannot disagree.

def risk_types() -> list[tuple[str, str]]:
    """(code, label) of every risk type, in the national system's order."""
    from bangfu.cases.choices import RiskType

    return list(RiskType.choices)


def current_identification_q(household: str = "pk"):
    """Exists: the household's current identification (its latest approved identification case) — as a Case
    queryset to narrow further."""
    from django.db.models import OuterRef, Subquery

    from bangfu.cases.choices import CaseKind, CaseState
    from bangfu.cases.models import Case

    approved = Case.objects.filter(kind=CaseKind.IDENTIFICATION, state=CaseState.APPROVED)
    latest = approved.filter(household_id=OuterRef("household_id")).order_by("-closed_at", "-id").values("pk")[:1]
    return approved.filter(household_id=OuterRef(household), pk=Subquery(latest))


def risk_type_q(risk: str) -> Q:
    """监测对象（按风险类型）: a monitored household (the `monitored` indicator's condition) whose current
    identification lists the risk. On Household."""
    from django.db.models import Exists

    # risk_types is a JSON list of codes; a code in quotes matches only itself (no code is inside another).
    listed = current_identification_q().filter(risk_types__icontains=f'"{risk}"')
    return INDICATOR_BY_KEY["monitored"].condition & Q(Exists(listed))


def breakdown_level_for(user) -> str | None:
    """One level below where the user sits: a county sees townships, a township its villages, a village nothing."""
    if user.unit_id:
        return "village"
    level = user.region.level if user.region_id else ("county" if user.is_superuser else None)
    return {"province": "township", "city": "township", "county": "township", "township": "village"}.get(level)


# --- the monitoring mechanism over a period (防返贫监测帮扶, for briefings and annual reports) --------------------
#
# Counted from the appended case decisions (who approved what, when), not from today's registry: a figure for a
# past period is what was true at its end, whatever happened to the households since.

@dataclass(frozen=True)
class PeriodIndicator:
    key: str
    label: str
    definition: str
    case_kind: str  # cases.choices.CaseKind
    within_period: bool  # True: approvals inside the period; False: everything approved up to its end
    elimination_kind: str = ""


PERIOD_INDICATORS = (
    PeriodIndicator("newly_identified", _("新识别监测对象"), _("统计期内经县级审定纳入监测的户数"),
                    "identification", True),
    PeriodIndicator("risks_eliminated", _("风险消除"), _("统计期内经县级审定风险消除的户数"), "elimination", True),
    PeriodIndicator("eliminated_by_assistance", _("其中帮扶消除"), _("统计期内审定为帮扶消除的户数"),
                    "elimination", True, "by_assistance"),
    PeriodIndicator("identified_to_date", _("累计纳入监测"), _("截至统计期末经审定纳入监测的户数"),
                    "identification", False),
    PeriodIndicator("eliminated_to_date", _("累计风险消除"), _("截至统计期末经审定风险消除的户数"),
                    "elimination", False),
)


def local_day_bounds(since, until):
    """[start of `since`, start of the day after `until`) in the server's time zone, for datetime columns."""
    import datetime as dt

    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return start, end


def monitoring_period_figures(region_code: str, since, until) -> dict[str, int]:
    """Each PERIOD_INDICATOR for the households under a region, plus `risk_open_at_end` (identified minus eliminated
    up to the period's end). A household counts once per indicator however many approvals it had."""
    from bangfu.cases.choices import CaseState
    from bangfu.cases.models import Decision
    from bangfu.core.scoping import code_range_q
    from bangfu.regions.models import Region

    region = Region.objects.get(code=region_code)
    start, end = local_day_bounds(since, until)
    approvals = Decision.objects.filter(code_range_q(region.code_range, field="case__village_id"),
                                        to_state=CaseState.APPROVED, at__lt=end)
    figures = {}
    for indicator in PERIOD_INDICATORS:
        rows = approvals.filter(case__kind=indicator.case_kind)
        if indicator.within_period:
            rows = rows.filter(at__gte=start)
        if indicator.elimination_kind:
            rows = rows.filter(case__elimination_kind=indicator.elimination_kind)
        figures[indicator.key] = rows.values("case__household_id").distinct().count()
    figures["risk_open_at_end"] = max(0, figures["identified_to_date"] - figures["eliminated_to_date"])
    return figures
