"""Indicator definitions, each written once and used by every page, export and report.

Each indicator is an aggregate over a household queryset that has already passed the jurisdiction door.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bangfu.registry.choices import HouseholdType, MonitoringStatus


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # lazily translated: shown in the reader's language
    definition: str
    aggregate: object
    list_query: str = ""  # the household list's filter that shows exactly these households


INDICATORS = (
    Indicator("households", _("在册农户"), _("在册（未销户）的农户数"), Count("pk", distinct=True)),
    Indicator("people", _("在册人口"), _("在册农户的家庭成员人数"), Count("members", distinct=True)),
    Indicator("formerly_poor", _("脱贫户"), _("户类型为脱贫户的在册农户数"),
              Count("pk", filter=Q(household_type=HouseholdType.FORMERLY_POOR), distinct=True),
              "household_type=formerly_poor"),
    Indicator("monitored", _("监测对象"), _("已识别为监测对象（三类）的户数，含风险已消除"),
              Count("pk", filter=~Q(monitoring_type=""), distinct=True), "monitoring_status=monitored"),
    Indicator("risk_open", _("风险未消除"), _("监测对象中风险未消除的户数"),
              Count("pk", filter=Q(monitoring_status=MonitoringStatus.RISK_OPEN), distinct=True),
              "monitoring_status=risk_open"),
    Indicator("unsafe_housing", _("C/D级危房"), _("住房安全等级为C级或D级的户数"),
              Count("pk", filter=Q(housing_safety__in=["C", "D"]), distinct=True), "unsafe_housing=on"),
    Indicator("relocated", _("易地搬迁户"), _("标记为易地扶贫搬迁的户数"),
              Count("pk", filter=Q(relocated=True), distinct=True), "relocated=on"),
)
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
HOUSEHOLD_INDICATORS = tuple(i for i in INDICATORS if i.key != "people")


def registry_totals(households: QuerySet) -> dict[str, int]:
    """All indicators over the given households. People are counted in a separate query (no join fan-out)."""
    totals = households.aggregate(**{i.key: i.aggregate for i in HOUSEHOLD_INDICATORS})
    from bangfu.registry.models import Member

    totals["people"] = Member.objects.filter(household__in=households.values("pk")).count()
    return totals


def registry_breakdown(households: QuerySet, *, level: str) -> list[dict]:
    """Households, monitored and risk-open households per township or per village (by code prefix)."""
    from bangfu.regions.models import Region

    width = {"township": 9, "village": 12}[level]
    rows: dict[str, dict] = {}
    for row in households.values("village_id").annotate(
            households=INDICATOR_BY_KEY["households"].aggregate,
            monitored=INDICATOR_BY_KEY["monitored"].aggregate,
            risk_open=INDICATOR_BY_KEY["risk_open"].aggregate):
        code = row["village_id"][:width].ljust(12, "0")
        agg = rows.setdefault(code, {"code": code, "households": 0, "monitored": 0, "risk_open": 0})
        for key in ("households", "monitored", "risk_open"):
            agg[key] += row[key]
    names = dict(Region.objects.filter(code__in=rows).values_list("code", "name"))
    return [dict(row, name=names.get(code, code)) for code, row in sorted(rows.items())]


def breakdown_level_for(user) -> str | None:
    """One level below where the user sits: a county sees townships, a township its villages, a village nothing."""
    if user.unit_id:
        return "village"
    level = user.region.level if user.region_id else ("county" if user.is_superuser else None)
    return {"province": "township", "city": "township", "county": "township", "township": "village"}.get(level)
