"""The paired-assistance indicators (中央/省直单位定点帮扶成效评价, DOMAIN.md §6), each defined once.

An indicator is an aggregate over one kind of ledger entry in a period (optionally filtered on one field). The
standard ones are declared here; a county adds its own as rows of `CountyIndicator`, in the same shape. Plan
progress, the evaluation table, the briefing, the unit report and the spreadsheets all call `unit_figures`, so a
figure is the same wherever it appears. Nothing here is typed in by a user: it is all summed from the ledger.
"""

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from bangfu.assistance.models import Cadre, CountyIndicator, EvaluationGrade
from bangfu.regions.config import config_rows, region_chain


@dataclass(frozen=True)
class AssistanceIndicator:
    key: str
    label: str
    measure: str  # 元, 人次, 个 ...
    ledger_kind: str  # a key of assistance.ledger.LEDGER_KINDS, or "cadre"
    aggregate: str = "sum"  # "sum" of `field`, or "count" of entries
    field: str = ""
    filters: dict = dataclass_field(default_factory=dict)
    definition: str = ""

    @property
    def is_money(self) -> bool:
        return self.measure == "元"


STANDARD_INDICATORS: tuple[AssistanceIndicator, ...] = (
    AssistanceIndicator("funds_invested", _("直接投入帮扶资金"), "元", "fund", "sum", "amount", {"flow": "invested"},
                        _("帮扶资金台账中类别为“直接投入”的金额合计")),
    AssistanceIndicator("funds_brought_in", _("引进帮扶资金"), "元", "fund", "sum", "amount", {"flow": "brought_in"},
                        _("帮扶资金台账中类别为“引进”的金额合计")),
    AssistanceIndicator("produce_bought", _("购买农特产品"), "元", "trade", "sum", "amount", {"kind": "purchase"},
                        _("消费帮扶台账中类别为“购买”的金额合计")),
    AssistanceIndicator("produce_sold", _("帮助销售农特产品"), "元", "trade", "sum", "amount", {"kind": "sale"},
                        _("消费帮扶台账中类别为“帮助销售”的金额合计")),
    AssistanceIndicator("cadres_trained", _("培训基层干部"), "人次", "training", "sum", "participants",
                        {"kind": "grassroots_cadres"}, _("培训台账中对象为基层干部的培训人数合计")),
    AssistanceIndicator("technicians_trained", _("培训乡村振兴带头人和技术人员"), "人次", "training", "sum",
                        "participants", {"kind": "technicians"},
                        _("培训台账中对象为乡村振兴带头人/技术人员的培训人数合计")),
    AssistanceIndicator("cadres_sent", _("选派干部"), "人", "cadre", "count", "", {},
                        _("任期与统计期有交集的挂职和驻村干部人数")),
    AssistanceIndicator("leader_visits", _("调研督导"), "人次", "visit", "sum", "people", {},
                        _("领导调研台账的人次合计")),
    AssistanceIndicator("projects", _("帮扶项目"), "个", "project", "count", "", {},
                        _("统计期内开始的帮扶项目个数")),
    AssistanceIndicator("project_funds", _("帮扶项目资金"), "元", "project", "sum", "budget", {},
                        _("统计期内开始的帮扶项目资金合计")),
    AssistanceIndicator("donations", _("捐赠款物"), "元", "donation", "sum", "value", {},
                        _("捐赠台账的价值合计（资金和物资）")),
)

STANDARD_BY_KEY = {indicator.key: indicator for indicator in STANDARD_INDICATORS}


def indicators_for(county_code: str | None) -> list[AssistanceIndicator]:
    """The standard indicators, then the added ones in force in the county: its own and those its prefecture and
    province added for every county below them (added indicators add up, unlike a set such as the grades); where
    two levels use one key, the nearest level's wins."""
    chain = region_chain(county_code)
    nearness = {code: i for i, code in enumerate(chain)}
    nearest: dict[str, CountyIndicator] = {}
    for row in sorted(CountyIndicator.objects.filter(county_id__in=chain), key=lambda r: nearness[r.county_id]):
        nearest.setdefault(row.key, row)
    added = sorted(nearest.values(), key=lambda row: row.pk)
    return [*STANDARD_INDICATORS, *(
        AssistanceIndicator(row.key, row.label, row.measure, row.ledger_kind, row.aggregate, row.field,
                            {row.filter_field: row.filter_value} if row.filter_field else {},
                            _("县增指标")) for row in added)]


def indicator_aggregate(indicator: AssistanceIndicator):
    """The indicator's aggregate over its ledger's entries (the figure; `unit_figures` uses the same)."""
    return _aggregate(indicator)


def _aggregate(indicator: AssistanceIndicator):
    condition = Q(**indicator.filters)
    if indicator.aggregate == "count":
        return Count("pk", filter=condition)
    return Sum(indicator.field, filter=condition)


def unit_figures(unit_ids, start: dt.date, end: dt.date, *, indicators=None,
                 place: tuple[str, str] | None = None) -> dict[int, dict[str, Decimal]]:
    """Each indicator for each unit over [start, end], summed from the ledger: {unit_id: {key: value}}. With
    `place` (a region's code range): only the entries recorded in its villages (a township's or village's share;
    the ledger list's `region=` filter is the same condition).

    One grouped query per ledger kind, whatever the number of units or indicators.
    """
    from bangfu.assistance.ledger import LEDGER_KIND_BY_KEY
    from bangfu.core.scoping import code_range_q

    indicators = list(indicators if indicators is not None else STANDARD_INDICATORS)
    unit_ids = list(unit_ids)
    figures = {unit_id: {i.key: Decimal(0) for i in indicators} for unit_id in unit_ids}
    by_kind: dict[str, list[AssistanceIndicator]] = {}
    for indicator in indicators:
        by_kind.setdefault(indicator.ledger_kind, []).append(indicator)
    for kind, group in by_kind.items():
        if kind == "cadre":
            rows = (Cadre.objects.filter(unit_id__in=unit_ids, term_start__lte=end)
                    .filter(Q(term_end__isnull=True) | Q(term_end__gte=start)))
        else:
            rows = LEDGER_KIND_BY_KEY[kind].model.objects.filter(unit_id__in=unit_ids, date__gte=start, date__lte=end)
        if place is not None:
            rows = rows.filter(code_range_q(place, field="village_id"))
        for row in rows.values("unit_id").annotate(**{i.key: _aggregate(i) for i in group}).order_by():
            for indicator in group:
                figures[row["unit_id"]][indicator.key] = Decimal(row[indicator.key] or 0)
    return figures


def indicator_records_url(indicator: AssistanceIndicator, unit_id: int, start: dt.date, end: dt.date) -> str:
    """The list of the records a figure sums: its ledger, for its unit and period, with `indicator=` naming it (the
    one form of figure link: the list applies the indicator's own condition, `indicator_condition`). The ledger
    page totals what it lists, so the figure and the list agree (tests/assistance/test_ledger_list_and_figures_...)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    if indicator.ledger_kind == "cadre":
        return f"{reverse('assistance:cadre_list')}?{urlencode({'unit': unit_id})}"
    query = {"unit": unit_id, "since": start.isoformat(), "until": end.isoformat(), "indicator": indicator.key}
    return f"{reverse('assistance:ledger_list', args=[indicator.ledger_kind])}?{urlencode(query)}"


def indicator_condition(key: str, kind: str) -> Q | None:
    """Which entries of ledger `kind` an indicator named by a link's `indicator=` counts: a standard indicator's
    own filter, or a county indicator's (each county's row applies to its own units' entries). Nothing when the
    indicator is of another ledger; None when no indicator has that key (the list ignores it)."""
    standard = STANDARD_BY_KEY.get(key)
    if standard is not None:
        return Q(**standard.filters) if standard.ledger_kind == kind else Q(pk__in=[])
    rows = list(CountyIndicator.objects.filter(key=key))
    if not rows:
        return None
    condition = Q(pk__in=[])
    for row in rows:
        if row.ledger_kind == kind:
            own = {row.filter_field: row.filter_value} if row.filter_field else {}
            condition |= Q(unit__county_id=row.county_id, **own)
    return condition


def indicator_named(key: str, county_code: str | None = None) -> AssistanceIndicator | None:
    """The indicator a link's `indicator=` names: a standard one, or the county's own."""
    if key in STANDARD_BY_KEY:
        return STANDARD_BY_KEY[key]
    return next((i for i in indicators_for(county_code) if i.key == key), None) if county_code else None


def indicator_for_match(kind: str, match: str, county_code: str | None = None) -> AssistanceIndicator | None:
    """The indicator an old `match=field:value` link meant (links made before `indicator=`), to redirect it."""
    name, _sep, value = match.partition(":")
    for indicator in indicators_for(county_code):
        if indicator.ledger_kind == kind and indicator.filters == {name: value}:
            return indicator
    return None


def year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- evaluation ---------------------------------------------------------------------------------------------------

DEFAULT_GRADES = (("好", Decimal("95")), ("较好", Decimal("80")), ("一般", Decimal("60")), ("较差", Decimal("0")))


def completion(actual: Decimal, target: Decimal) -> Decimal | None:
    """Percent of a target met, as it is: 110.0 when the target was exceeded (over-completion is shown on every page
    and export, not hidden); None without target. The evaluation's score caps each indicator (evaluation_score)."""
    if not target or target <= 0:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"), ROUND_HALF_UP)


SCORE_CAP = Decimal(100)


def evaluation_score(rates: list[Decimal | None]) -> Decimal | None:
    """The mean completion of the indicators that have a target, each counted at most SCORE_CAP (100): over-doing
    one indicator cannot hide another."""
    counted = [min(SCORE_CAP, r) for r in rates if r is not None]
    if not counted:
        return None
    return (sum(counted) / len(counted)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def grade_for(score: Decimal | None, county_code: str | None) -> str:
    """The proposed grade: the highest whose threshold the score reaches (thresholds are county configuration)."""
    if score is None:
        return ""
    grades = list(config_rows(EvaluationGrade, county_code, field="county").values_list("label", "min_score"))
    for label, minimum in sorted(grades or DEFAULT_GRADES, key=lambda g: g[1], reverse=True):
        if score >= minimum:
            return label
    return ""


# --- plan progress and the evaluation table ---------------------------------------------------------------------


@dataclass
class ProgressCell:
    indicator: AssistanceIndicator
    target: Decimal | None
    actual: Decimal
    unit_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def url(self) -> str:
        """The records the actual figure sums (indicator_records_url)."""
        if self.unit_id is None or self.start is None or self.end is None:
            return ""
        return indicator_records_url(self.indicator, self.unit_id, self.start, self.end)

    @property
    def rate(self) -> Decimal | None:
        return completion(self.actual, self.target) if self.target is not None else None


@dataclass
class UnitProgress:
    unit: object
    cells: list[ProgressCell]

    @property
    def score(self) -> Decimal | None:
        return evaluation_score([c.rate for c in self.cells])


def plan_progress(plan, units, *, year: int | None = None, through: dt.date | None = None) -> list[UnitProgress]:
    """Targets against what the ledger holds, per unit and indicator.

    With `year`: that year's targets against that year's ledger. Otherwise cumulative: the targets of the plan's
    years up to `through` (default today) against the ledger from the plan's first day to `through`.
    """
    from bangfu.assistance.models import PlanTarget

    units = list(units)
    indicators = indicators_for(plan.county_id)
    if year is not None:
        start, end = year_span(year)
        years = [year]
    else:
        end = through or dt.date.today()
        start = dt.date(plan.start_year, 1, 1)
        years = [y for y in plan.years if y <= end.year]
    figures = unit_figures([u.pk for u in units], start, end, indicators=indicators)
    targets: dict[tuple[int, str], Decimal] = {}
    for row in PlanTarget.objects.filter(plan=plan, unit__in=units, year__in=years).values(
            "unit_id", "indicator", "target"):
        key = (row["unit_id"], row["indicator"])
        targets[key] = targets.get(key, Decimal(0)) + row["target"]
    return [UnitProgress(unit, [ProgressCell(i, targets.get((unit.pk, i.key)), figures[unit.pk][i.key],
                                             unit.pk, start, end)
                                for i in indicators]) for unit in units]


def evaluation_rows(plan, units, year: int) -> list[tuple[UnitProgress, str]]:
    """The yearly evaluation table: each unit's indicators against targets, its score and the proposed grade."""
    return [(row, grade_for(row.score, plan.county_id)) for row in plan_progress(plan, units, year=year)]


# --- a period's targets and the five directions -------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodTarget:
    """A unit's target for an indicator over a period: the plan's yearly targets of the years the period touches,
    each year's counted in full when the period covers the whole year, else pro-rated by the days it covers."""

    value: Decimal
    pro_rated: bool

    @property
    def label(self) -> str:
        return str(_("按期内天数折算")) if self.pro_rated else str(_("全年目标"))


def year_share(year: int, since: dt.date, until: dt.date) -> Decimal:
    """The share of `year` that [since, until] covers (0 to 1)."""
    start, end = year_span(year)
    first, last = max(start, since), min(end, until)
    if last < first:
        return Decimal(0)
    return Decimal((last - first).days + 1) / Decimal((end - start).days + 1)


def period_targets(plan, units, since: dt.date, until: dt.date) -> dict[tuple[int, str], PeriodTarget]:
    """{(unit_id, indicator): PeriodTarget} over [since, until] (see PeriodTarget)."""
    from bangfu.assistance.models import PlanTarget

    if plan is None:
        return {}
    shares = {year: year_share(year, since, until) for year in range(since.year, until.year + 1)}
    shares = {year: share for year, share in shares.items() if share}
    targets: dict[tuple[int, str], list] = {}
    for row in PlanTarget.objects.filter(plan=plan, unit__in=list(units), year__in=shares).values(
            "unit_id", "indicator", "year", "target"):
        share = shares[row["year"]]
        cell = targets.setdefault((row["unit_id"], row["indicator"]), [Decimal(0), False])
        cell[0] += (row["target"] * share).quantize(Decimal("0.01"), ROUND_HALF_UP)
        cell[1] = cell[1] or share < 1
    return {key: PeriodTarget(value, pro_rated) for key, (value, pro_rated) in targets.items()}


@dataclass
class DirectionRow:
    direction: str
    label: str
    projects: int
    budget: Decimal
    beneficiaries: int
    largest: list[str]  # the largest few project names (by budget), each once


def direction_summary(unit_ids, since: dt.date, until: dt.date, *, named: int = 2,
                      place: tuple[str, str] | None = None) -> list[DirectionRow]:
    """Projects started in [since, until] by the five directions (产业/人才/文化/生态/组织): count, money, people
    reached and the largest few named. Every direction has a row, empty ones included. With `place`: only the
    projects in its villages (as `unit_figures`)."""
    from bangfu.assistance.models import Direction, Project
    from bangfu.core.scoping import code_range_q

    rows = {d.value: DirectionRow(d.value, str(d.label), 0, Decimal(0), 0, []) for d in Direction}
    where = code_range_q(place, field="village_id") if place is not None else Q()
    projects = (Project.objects.filter(where, unit_id__in=list(unit_ids), date__gte=since, date__lte=until)
                .order_by("-budget", "date", "id").values("direction", "name", "budget", "beneficiaries"))
    for project in projects:
        row = rows.get(project["direction"])
        if row is None:
            continue
        row.projects += 1
        row.budget += project["budget"]
        row.beneficiaries += project["beneficiaries"]
        if project["name"] not in row.largest and len(row.largest) < named:
            row.largest.append(project["name"])
    return list(rows.values())


OVERVIEW_KEYS = ("funds_invested", "funds_brought_in", "projects", "project_funds")


@dataclass(frozen=True)
class OverviewFigure:
    indicator: AssistanceIndicator
    actual: Decimal
    target: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        return completion(self.actual, self.target) if self.target else None


def assistance_overview(plan, units, year: int) -> list[OverviewFigure]:
    """The year's paired-assistance headline (funds, projects) over the units, against the plan's targets for that
    year when a plan covers it: the sums of `plan_progress`, so the figures agree with the plan page."""
    units = list(units)
    if plan is not None and year in plan.years:
        rows = plan_progress(plan, units, year=year)
        figures = []
        for key in OVERVIEW_KEYS:
            cells = [c for row in rows for c in row.cells if c.indicator.key == key]
            if not cells:
                continue
            targets = [c.target for c in cells if c.target is not None]
            figures.append(OverviewFigure(cells[0].indicator, sum((c.actual for c in cells), Decimal(0)),
                                          sum(targets, Decimal(0)) if targets else None))
        return figures
    start, end = year_span(year)
    indicators = [i for i in STANDARD_INDICATORS if i.key in OVERVIEW_KEYS]
    totals = unit_figures([u.pk for u in units], start, end, indicators=indicators)
    return [OverviewFigure(i, sum((totals[u.pk][i.key] for u in units), Decimal(0)), None) for i in indicators]
