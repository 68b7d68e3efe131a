"""The dashboards (统计看板) per level, the county map and the statistics tables: every figure and where it leads.

A figure is a `Cell`: a label, a value and the URL of the list that shows exactly the records it counts (the
list's own filter, ARCHITECTURE.md rule 9). Figures come in groups (`FigureGroup`), each one function of a
`Scope` (who reads, which place or unit, which period) that returns its cells. Every page (dashboard, map,
statistics tables, the spreadsheet) reads these groups, and tests/reports/test_dashboard_links.py follows every
cell's URL and compares the list's count with the figure.

What the figures read, so a dashboard never scans the registry per request:
- the kept village summaries (`VillageSummary`, `MonthlyFigure`: refreshed by the writers' own transactions);
- cheap aggregates over small tables: open warnings, open cases, the assistance ledger.

Adding a group (e.g. relocation employment coverage, vulnerable-group visit coverage, built on another branch):
write a function `scope -> list[Cell]` and register it with `figure_group(...)`; the dashboard draws it, and the
link test checks its cells once its list page reports its count (see `list_count` in the test).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.core.scoping import code_range_q, region_in_scope
from bangfu.regions.models import Region, short_region_name
from bangfu.registry.choices import MonitoringType

# --- the period picker ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """What the picker chose: a month (2026-05), a year (2026) or the plan period (2021-2025)."""

    kind: str  # "month" | "year" | "plan"
    key: str  # the picker's value, as it goes into a URL
    since: dt.date
    until: dt.date
    label: str

    def months(self, today: dt.date | None = None) -> list[str]:
        """The months (YYYYMM) of the period, up to the current month."""
        today = today or dt.date.today()
        last = min(self.until, today)
        months, year, month = [], self.since.year, self.since.month
        while (year, month) <= (last.year, last.month):
            months.append(f"{year:04d}{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    @property
    def years(self) -> list[int]:
        return list(range(self.since.year, self.until.year + 1))


def newest_plan(county_code: str | None):
    """The county's newest work plan (规划), or None."""
    from bangfu.assistance.models import Plan

    return Plan.objects.filter(county_id=county_code).order_by("-start_year").first() if county_code else None


_NO_PLAN = object()


def plan_years(county_code: str | None, plan=_NO_PLAN) -> tuple[int, int]:
    """The plan period of the county's newest work plan (2021-2025 without one); `plan` when already read."""
    plan = newest_plan(county_code) if plan is _NO_PLAN else plan
    return (plan.start_year, plan.end_year) if plan else (2021, 2025)


def period_from(value: str, *, today: dt.date | None = None, county_code: str | None = None) -> Period:
    """The period the picker's value names; anything else is the current year."""
    today = today or dt.date.today()
    value = (value or "").strip()
    if value == "plan":
        first, last = plan_years(county_code)
        return Period("plan", "plan", dt.date(first, 1, 1), dt.date(last, 12, 31),
                      _("规划期 %(first)s—%(last)s年") % {"first": first, "last": last})
    if len(value) == 7 and value[4] == "-" and value[:4].isdigit() and value[5:].isdigit():
        year, month = int(value[:4]), int(value[5:])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            end = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
            return Period("month", value, dt.date(year, month, 1), end, _("%(year)s年%(month)s月") % {
                "year": year, "month": month})
    year = int(value) if len(value) == 4 and value.isdigit() and 2000 <= int(value) <= 2100 else today.year
    return Period("year", str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), _("%(year)s年") % {"year": year})


def period_choices(today: dt.date, county_code: str | None, plan=_NO_PLAN) -> list[tuple[str, str]]:
    """The picker's options: the plan period, the years from the plan's first, the last twelve months."""
    first, last = plan_years(county_code, plan)
    options = [("plan", str(_("规划期 %(first)s—%(last)s年") % {"first": first, "last": last}))]
    options += [(str(y), str(_("%(year)s年") % {"year": y})) for y in range(today.year, min(first, today.year) - 1, -1)]
    year, month = today.year, today.month
    for _step in range(12):
        options.append((f"{year:04d}-{month:02d}", str(_("%(year)s年%(month)s月") % {"year": year, "month": month})))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return options


# --- who reads what, where --------------------------------------------------------------------------------------

LEVEL_BELOW = {"province": "township", "city": "township", "county": "township", "township": "village"}
LEVEL_LABELS = {"county": gettext_lazy("县"), "township": gettext_lazy("乡镇"), "village": gettext_lazy("村"),
                "unit": gettext_lazy("帮扶单位")}


@dataclass
class Scope:
    """A dashboard's reader, place (a region in their jurisdiction) or assisting unit, and period."""

    user: object
    period: Period
    region: Region | None = None
    unit: object = None
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def level(self) -> str:
        if self.unit is not None:
            return "unit"
        return {"province": "county", "city": "county"}.get(self.region.level, self.region.level) \
            if self.region else "county"

    @property
    def title(self) -> str:
        if self.unit is not None:
            return self.unit.label
        return self.region.name if self.region else _("管辖范围")

    @property
    def region_q(self) -> Q:
        return code_range_q(self.region.code_range) if self.region else Q()

    @property
    def region_params(self) -> dict:
        """What a list's URL needs to show this place (nothing: the reader's own jurisdiction)."""
        return {"region": self.region.code} if self.region else {}

    @cached_property
    def county_code(self) -> str | None:
        if self.unit is not None:
            return self.unit.county_id
        if self.region and self.region.level in ("county", "township", "village"):
            return self.region.code[:6].ljust(12, "0")
        from bangfu.assistance.selectors import county_of

        return county_of(self.user)

    @cached_property
    def plan(self):
        """The county's newest work plan (the picker's plan period, the units' targets), read once a request."""
        return newest_plan(self.county_code)

    @property
    def period_choices(self) -> list[tuple[str, str]]:
        return period_choices(self.today, self.county_code, self.plan)

    @cached_property
    def summaries(self):
        from bangfu.reports.selectors import village_summaries_visible_to

        return village_summaries_visible_to(self.user).filter(self.region_q)

    @cached_property
    def households(self):
        """The households of the place, through the jurisdiction door (the relocation and care lists' own base;
        counted live, not kept)."""
        from bangfu.registry.selectors import households_visible_to

        return households_visible_to(self.user).filter(self.region_q)

    @cached_property
    def welfare(self) -> dict | None:
        return kept_welfare(self)

    @cached_property
    def warnings_by_village(self) -> dict[str, dict[str, int]]:
        return warning_counts_by_village(self)

    @cached_property
    def month_figures(self):
        from bangfu.reports.selectors import monthly_figures_visible_to

        return monthly_figures_visible_to(self.user).filter(self.region_q)

    @cached_property
    def places(self) -> list[Region]:
        """The regions one level below, in the reader's jurisdiction (a county's townships, a township's villages)."""
        if self.unit is not None or self.region is None:
            return []
        below = LEVEL_BELOW.get(self.region.level)
        if below is None:
            return []
        low, high = self.region.code_range
        children = Region.objects.filter(level=below, code__gte=low, code__lte=high).order_by("code")
        return [r for r in children if region_in_scope(self.user, r.code) or self.user.is_superuser]

    @property
    def place_width(self) -> int:
        return 9 if self.places and self.places[0].level == "township" else 12

    @cached_property
    def units(self) -> list:
        """The assisting units the assistance figures cover: the unit, or the county's units the reader sees."""
        from bangfu.assistance.selectors import units_visible_to

        if not self.user.can("assistance.view"):
            return []
        units = units_visible_to(self.user)
        if self.unit is not None:
            return list(units.filter(pk=self.unit.pk))
        if self.level in ("township", "village"):
            # The units linked to a village of the place at some time in the period (联系点).
            from bangfu.assistance.models import LinkedVillage

            links = (LinkedVillage.objects.filter(code_range_q(self.region.code_range))
                     .filter(Q(since__isnull=True) | Q(since__lte=self.period.until))
                     .filter(Q(until__isnull=True) | Q(until__gte=self.period.since)))
            return list(units.filter(pk__in=links.values("unit_id")).order_by("id"))
        return list(units.filter(county_id=self.county_code).order_by("id")) if self.county_code else list(units)

    @property
    def ledger_place(self) -> tuple[str, str] | None:
        """A township's or village's dashboard sums the ledger entries recorded in its villages (the unit and
        county dashboards: every entry of the units)."""
        return self.region.code_range if self.level in ("township", "village") else None

    def query(self, **extra) -> str:
        """This dashboard's own URL query with some values changed (the picker, the level links)."""
        params = {"period": self.period.key}
        if self.unit is not None:
            params["unit"] = self.unit.pk
        elif self.region is not None:
            params["region"] = self.region.code
        params.update(extra)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def scope_for(user, *, region: str = "", unit: str = "", period: str = "", today: dt.date | None = None) -> Scope:
    """The dashboard the reader asked for, through the jurisdiction door: a region they may see, or a unit they
    may see; by default their own place (a unit-bound reader: their unit)."""
    from bangfu.assistance.selectors import units_visible_to

    today = today or dt.date.today()
    chosen_unit = chosen_region = None
    if unit:
        chosen_unit = units_visible_to(user).filter(pk=int(unit) if str(unit).isdigit() else 0).first()
        if chosen_unit is None:
            raise Http404(_("没有这个帮扶单位，或不在您的管辖范围内"))
    elif region:
        chosen_region = Region.objects.filter(code=region).first()
        if chosen_region is None or not region_in_scope(user, region) or chosen_region.level == "village" \
                and user.unit_id:
            raise Http404(_("没有这个区划，或不在您的管辖范围内"))
    elif user.unit_id:
        chosen_unit = user.unit
    elif user.region_id:
        chosen_region = user.region
    else:  # bound nowhere (a superuser): the whole tree, from its top (a province), not some first county
        chosen_region = Region.objects.filter(parent__isnull=True).order_by("code").first()
    scope = Scope(user=user, period=Period("year", "", today, today, ""), region=chosen_region, unit=chosen_unit,
                  today=today)
    scope.period = period_from(period, today=today, county_code=scope.county_code)
    return scope


# --- figures --------------------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One figure: what it is, its value and the list behind it (whose count, or total for money, equals it)."""

    key: str
    label: str
    value: int | Decimal
    url: str
    measure: str = "户"
    target: Decimal | None = None
    series: str = ""  # the chart series it belongs to, where a group draws several
    row: str = ""  # the table row it sits in, where a group is a table (a unit)
    rate_label: str = ""  # what value ÷ target is called on a tile (覆盖率), where the tile shows it

    @property
    def rate(self) -> Decimal | None:
        from bangfu.reports.assistance_indicators import completion

        return completion(Decimal(self.value), self.target) if self.target is not None else None


@lru_cache(maxsize=256)
def _path(name: str, args: tuple) -> str:
    return reverse(name, args=args)  # a dashboard links a hundred cells to a handful of list pages


def _url(name: str, params: dict, *args) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return _path(name, args) + (f"?{query}" if query else "")


@dataclass(frozen=True)
class FigureGroup:
    key: str
    title: str
    chart: str  # "tiles" | "bar" | "line" | "table"
    compute: Callable[[Scope], list[Cell]]
    levels: tuple[str, ...] = ("county", "township", "village", "unit")
    capability: str = "registry.view"


FIGURE_GROUPS: list[FigureGroup] = []


def figure_group(key: str, title, *, chart: str = "tiles", levels=("county", "township", "village", "unit"),
                 capability: str = "registry.view"):
    """Register a group of figures (a function scope -> list[Cell]) for the dashboards."""
    def register(compute):
        FIGURE_GROUPS[:] = [g for g in FIGURE_GROUPS if g.key != key]
        FIGURE_GROUPS.append(FigureGroup(key, title, chart, compute, tuple(levels), capability))
        return compute
    return register


def households_url(scope: Scope, **filters) -> str:
    return _url("registry:household_list", {**scope.region_params, **filters})


# Monitored households by kind: the household list's monitoring_type filter, over the kept summaries' key.
MONITORED_KINDS = [(t.value, t.label) for t in MonitoringType if t.value]


@figure_group("monitored", gettext_lazy("监测对象"), levels=("county", "township", "village", "unit"))
def monitored_figures(scope: Scope) -> list[Cell]:
    from bangfu.reports.indicators import INDICATOR_BY_KEY

    headline = [INDICATOR_BY_KEY[key] for key in ("monitored", "risk_open")]
    aggregates = {f"i_{i.key}": i.on_summaries() for i in headline}
    aggregates.update({f"k_{kind}": Coalesce(Sum("households", filter=Q(monitoring_type=kind)), 0)
                       for kind, _label in MONITORED_KINDS})
    totals = scope.summaries.aggregate(**aggregates)
    cells = [Cell(i.key, str(i.label), totals[f"i_{i.key}"], households_url(scope, **dict(
        [i.list_query.split("=", 1)]))) for i in headline]
    cells += [Cell(f"kind_{kind}", str(label), totals[f"k_{kind}"], households_url(
        scope, monitoring_type=kind), series="kind") for kind, label in MONITORED_KINDS]
    return cells


@figure_group("risk_types", gettext_lazy("监测对象（按风险类型）"), chart="bar",
              levels=("county", "township", "village", "unit"))
def risk_type_figures(scope: Scope) -> list[Cell]:
    """Monitored households by the risks of their current identification (`reports.indicators.risk_type_q`), read
    from the kept village rows; each links to the household list's risk_type filter (the same condition). A
    household with two risks counts under each, so the figures may add up to more than the monitored total."""
    from bangfu.reports.indicators import risk_types
    from bangfu.reports.selectors import risk_figures_visible_to

    counts = dict(risk_figures_visible_to(scope.user).filter(scope.region_q).order_by().values("risk_type")
                  .annotate(n=Sum("households")).values_list("risk_type", "n"))
    return [Cell(f"risk_{code}", str(label), counts.get(code, 0), households_url(scope, risk_type=code),
                 series="risk") for code, label in risk_types()]


def _fold(rows, scope: Scope) -> dict[str, int]:
    """Per-village (code, n) rows folded into the places one level below the scope (by code prefix)."""
    width = scope.place_width
    wanted = {p.code[:width]: p.code for p in scope.places}
    folded = dict.fromkeys(wanted.values(), 0)
    for village, n in rows:
        code = wanted.get(village[:width])
        if code:
            folded[code] += n or 0
    return folded


@dataclass(frozen=True)
class PlaceIndicator:
    """An indicator counted for each place below the scope: one grouped query, each place's cell linked."""

    key: str
    label: str
    per_village: Callable[[Scope], object]  # (village code, n) rows
    url: Callable[[Scope, str], str]  # the list for one place (a region code)
    capability: str = "registry.view"
    measure: str = "户"


def _summary_rows(condition: Q):
    return lambda scope: (scope.summaries.filter(condition).order_by().values("village_id")
                          .annotate(n=Sum("households")).values_list("village_id", "n"))


def warning_counts_by_village(scope: Scope) -> dict[str, dict[str, int]]:
    """Open warnings per village of the place, counted with the warning list's own two filters (kind=verify and
    overdue=on) in one grouped query over the list's base: the map and the place table read both indicators
    from it (through `Scope.warnings_by_village`, once a request)."""
    from django.utils import timezone

    from bangfu.monitoring.models import Rule
    from bangfu.monitoring.selectors import (
        WarningFilter,
        warnings_filtered,
        warnings_overdue_q,
        warnings_to_verify_q,
    )

    rows = (warnings_filtered(scope.user, WarningFilter(region_code=scope.region.code if scope.region else ""))
            .order_by().values("village_id")
            .annotate(pending=Count("pk", filter=warnings_to_verify_q()),
                      overdue=Count("pk", filter=warnings_overdue_q(Rule.objects.only("pk", "verify_days"),
                                                                  timezone.now()))))
    return {row["village_id"]: row for row in rows}


def _warning_rows(key: str):
    return lambda scope: [(village, row[key]) for village, row in scope.warnings_by_village.items()]


def _overdue_case_rows(scope):
    from bangfu.cases.selectors import cases_filtered

    return (cases_filtered(scope.user, state="overdue", region=scope.region.code if scope.region else "")
            .order_by().values("household__village_id").annotate(n=Count("pk"))
            .values_list("household__village_id", "n"))


PLACE_INDICATORS: tuple[PlaceIndicator, ...] = (
    PlaceIndicator("households", gettext_lazy("在册农户"), _summary_rows(Q()),
                   lambda scope, code: _url("registry:household_list", {"region": code})),
    PlaceIndicator("monitored", gettext_lazy("监测对象"), _summary_rows(~Q(monitoring_type="")),
                   lambda scope, code: _url("registry:household_list", {"region": code,
                                                                      "monitoring_status": "monitored"})),
    PlaceIndicator("risk_open", gettext_lazy("风险未消除"),
                   _summary_rows(Q(monitoring_status="risk_open") & ~Q(monitoring_type="")),
                   lambda scope, code: _url("registry:household_list", {"region": code,
                                                                      "monitoring_status": "risk_open"})),
    PlaceIndicator("warnings_pending", gettext_lazy("预警待核实"), _warning_rows("pending"),
                   lambda scope, code: _url("monitoring:warning_list", {"region": code, "kind": "verify"}),
                   measure="条"),
    PlaceIndicator("warnings_overdue", gettext_lazy("预警逾期未核实"), _warning_rows("overdue"),
                   lambda scope, code: _url("monitoring:warning_list", {"region": code, "overdue": "on"}),
                   measure="条"),
    PlaceIndicator("cases_overdue", gettext_lazy("逾期案件"), _overdue_case_rows,
                   lambda scope, code: _url("cases:case_list", {"region": code, "state": "overdue"}),
                   capability="cases.view", measure="件"),
)
PLACE_INDICATOR_BY_KEY = {p.key: p for p in PLACE_INDICATORS}


def _can(user, capability: str) -> bool:
    if capability.startswith("cases."):
        from bangfu.cases.permissions import can

        return can(user, capability)
    return user.can(capability)


def place_indicators_for(scope: Scope) -> list[PlaceIndicator]:
    return [p for p in PLACE_INDICATORS if _can(scope.user, p.capability)]


def place_table(scope: Scope, indicators: list[PlaceIndicator] | None = None) -> list[tuple[Region, list[Cell]]]:
    """Place × indicator: each place below the scope with each indicator's cell (one query per indicator)."""
    indicators = place_indicators_for(scope) if indicators is None else indicators
    if not scope.places:
        return []
    values = {p.key: _fold(p.per_village(scope), scope) for p in indicators}
    return [(place, [Cell(p.key, str(p.label), values[p.key][place.code], p.url(scope, place.code), p.measure)
                     for p in indicators]) for place in scope.places]


@figure_group("places", gettext_lazy("各地监测对象"), chart="bar", levels=("county", "township"))
def place_figures(scope: Scope) -> list[Cell]:
    keys = ("monitored", "risk_open")
    rows = place_table(scope, [PLACE_INDICATOR_BY_KEY[k] for k in keys])
    return [Cell(f"{cell.key}_{place.code}", short_region_name(place.name), cell.value, cell.url, series=cell.key)
            for place, cells in rows for cell in cells]


@figure_group("months", gettext_lazy("各月识别与消除"), chart="line",
              levels=("county", "township", "village", "unit"))
def month_figures(scope: Scope) -> list[Cell]:
    months = scope.period.months(scope.today)
    per_month = {row["month"]: row for row in scope.month_figures.filter(month__in=months).order_by()
                 .values("month").annotate(identified_n=Sum("identified"), eliminated_n=Sum("eliminated"))}
    cells = []
    for month in months:
        row = per_month.get(month, {})
        label = f"{month[:4]}-{month[4:]}"
        cells.append(Cell(f"identified_{month}", label, row.get("identified_n") or 0,
                          households_url(scope, identified_month=month), series="identified"))
        cells.append(Cell(f"eliminated_{month}", label, row.get("eliminated_n") or 0,
                          households_url(scope, eliminated_month=month), series="eliminated"))
    return cells


@figure_group("warnings", gettext_lazy("预警"), levels=("county", "township", "village", "unit"))
def warning_figures(scope: Scope) -> list[Cell]:
    """The place's open warnings to verify and those overdue: the per-village counts the map and the place table
    read (`Scope.warnings_by_village`, the warning list's own two filters), summed."""
    per_village = scope.warnings_by_village.values()
    pending = sum(row["pending"] for row in per_village)
    overdue = sum(row["overdue"] for row in per_village)
    return [Cell("warnings_pending", _("预警待核实"), pending,
                 _url("monitoring:warning_list", {**scope.region_params, "kind": "verify"}), "条"),
            Cell("warnings_overdue", _("预警逾期未核实"), overdue,
                 _url("monitoring:warning_list", {**scope.region_params, "overdue": "on"}), "条")]


@figure_group("cases", gettext_lazy("逾期案件（按环节）"), chart="bar", capability="cases.view",
              levels=("county", "township", "village", "unit"))
def case_figures(scope: Scope) -> list[Cell]:
    from bangfu.cases.choices import OPEN_STATES
    from bangfu.cases.selectors import cases_filtered

    region = scope.region.code if scope.region else ""
    counts = dict(cases_filtered(scope.user, state="overdue", region=region).order_by().values("state")
                  .annotate(n=Count("pk")).values_list("state", "n"))
    return [Cell(f"cases_overdue_{state.value}", str(state.label), counts.get(state.value, 0),
                 _url("cases:case_list", {**scope.region_params, "state": "overdue", "step": state.value}), "件",
                 series="cases") for state in OPEN_STATES]


# The assistance indicators the dashboards show against targets (funds and projects; DOMAIN.md §6).
FUND_KEYS = ("funds_invested", "funds_brought_in", "projects", "project_funds")


def _ledger_url(scope: Scope, indicator, **extra) -> str:
    place = {"region": scope.region.code} if scope.ledger_place is not None else {}
    return _url("assistance:ledger_list", {"since": scope.period.since.isoformat(),
                                           "until": scope.period.until.isoformat(), "indicator": indicator.key,
                                           **place, **extra}, indicator.ledger_kind)


def unit_table(scope: Scope) -> list[tuple[object, list[Cell]]]:
    """Unit × indicator: each unit's funds and projects over the period against its targets for the period."""
    from bangfu.reports.assistance_indicators import STANDARD_BY_KEY, period_targets, unit_figures

    units = scope.units
    if not units:
        return []
    indicators = [STANDARD_BY_KEY[key] for key in FUND_KEYS]
    figures = unit_figures([u.pk for u in units], scope.period.since, scope.period.until, indicators=indicators,
                           place=scope.ledger_place)
    # A unit's targets are for all its work: shown against its whole figures (county and unit dashboards), not
    # against a township's or village's share of them.
    plan = scope.plan if scope.ledger_place is None else None
    targets = period_targets(plan, units, scope.period.since, scope.period.until)
    return [(unit, [Cell(f"{i.key}_{unit.pk}", str(i.label), figures[unit.pk][i.key],
                         _ledger_url(scope, i, unit=unit.pk), i.measure,
                         target=targets[(unit.pk, i.key)].value if (unit.pk, i.key) in targets else None,
                         series=i.key) for i in indicators]) for unit in units]


@figure_group("units", gettext_lazy("帮扶资金与项目（对照目标）"), chart="table",
              levels=("county", "township", "village", "unit"), capability="assistance.view")
def unit_cells(scope: Scope) -> list[Cell]:
    return [Cell(cell.key, cell.label, cell.value, cell.url, cell.measure, cell.target, cell.series, unit.label)
            for unit, cells in unit_table(scope) for cell in cells]


@figure_group("directions", gettext_lazy("五个方向的帮扶项目"), chart="bar",
              levels=("county", "township", "village", "unit"), capability="assistance.view")
def direction_figures(scope: Scope) -> list[Cell]:
    from bangfu.reports.assistance_indicators import STANDARD_BY_KEY, direction_summary

    units = scope.units
    if not units:
        return []
    projects, funds = STANDARD_BY_KEY["projects"], STANDARD_BY_KEY["project_funds"]
    unit = {"unit": scope.unit.pk} if scope.unit is not None else {}
    cells = []
    for row in direction_summary([u.pk for u in units], scope.period.since, scope.period.until,
                                 place=scope.ledger_place):
        cells.append(Cell(f"projects_{row.direction}", row.label, row.projects,
                          _ledger_url(scope, projects, direction=row.direction, **unit), "个", series="projects"))
        cells.append(Cell(f"project_funds_{row.direction}", row.label, row.budget,
                          _ledger_url(scope, funds, direction=row.direction, **unit), "元", series="project_funds"))
    return cells


def kept_welfare(scope: Scope) -> dict[str, int] | None:
    """The place's 搬迁就业 and 八必访 figures from the kept village rows (`VillageWelfareFigure`), or None when a
    village of the place has no row for this year and quarter (not yet counted, or the quarter turned): then the
    groups count live from the same definitions. One query."""
    from bangfu.care.groups import quarter_start
    from bangfu.core.scoping import village_scope
    from bangfu.reports.selectors import welfare_figures_visible_to

    villages = Region.objects.filter(village_scope(scope.user, field="code"), level=Region.Level.VILLAGE)
    if scope.region is not None:
        villages = villages.filter(code_range_q(scope.region.code_range, field="code"))
    totals = welfare_figures_visible_to(scope.user).filter(scope.region_q).aggregate(
        fresh=Count("pk", filter=Q(year=scope.today.year, quarter_start=quarter_start(scope.today))),
        labour=Coalesce(Sum("relocated_labour"), 0), employed=Coalesce(Sum("relocated_employed"), 0),
        must=Coalesce(Sum("must_visit"), 0), visited=Coalesce(Sum("visited"), 0),
        recent=Coalesce(Sum("visited_recent"), 0))
    if not totals["fresh"] or totals["fresh"] != villages.count():
        return None
    return totals


# 搬迁户至少1人就业 and 八必访: from the kept village rows (refreshed by the writers' transactions), or counted live
# from their definitions (relocation.indicators, care.groups) when the rows are not fresh. Stock figures: this
# year's employment, this quarter's visits.
@figure_group("relocation", gettext_lazy("搬迁户至少1人就业"), levels=("county", "township", "village", "unit"))
def relocation_figures(scope: Scope) -> list[Cell]:
    from bangfu.relocation.indicators import coverage_total

    kept = scope.welfare
    if kept is not None:
        labour, employed = kept["labour"], kept["employed"]
    else:
        total = coverage_total(scope.households, year=scope.today.year)
        labour, employed = total.with_labour, total.employed

    def url(**flt):
        return _url("relocation:household_list", {**scope.region_params, **flt})

    return [Cell("relocation_labour", _("有劳动力搬迁户"), labour, url(labour="on")),
            Cell("relocation_employed", _("至少1人就业户"), employed, url(employed="on"),
                 target=Decimal(labour), rate_label=_("覆盖率")),
            Cell("relocation_without", _("有劳动力但无人就业"), labour - employed, url(without="on"))]


@figure_group("care_visits", gettext_lazy("弱势群体关爱走访（八必访）"),
              levels=("county", "township", "village", "unit"))
def care_visit_figures(scope: Scope) -> list[Cell]:
    from bangfu.care.groups import visit_states

    kept = scope.welfare
    if kept is not None:
        counts = {"all": kept["must"], "visited": kept["visited"], "": kept["must"] - kept["visited"],
                  "overdue": kept["must"] - kept["recent"]}
    else:
        counts = visit_states(scope.households, day=scope.today)

    def url(state):
        return _url("care:visit_queue", {"state": state, **scope.region_params})

    return [Cell("care_must_visit", _("应访户"), counts["all"], url("all")),
            Cell("care_visited", _("本季度已访"), counts["visited"], url("visited"),
                 target=Decimal(counts["all"]), rate_label=_("走访率")),
            Cell("care_due", _("本季度待访"), counts[""], url("")),
            Cell("care_overdue", _("逾期未访"), counts["overdue"], url("overdue"))]


def groups_for(scope: Scope) -> list[FigureGroup]:
    """The groups of the scope's level the reader may see. A unit's dashboard read by someone not of that unit
    (the county opening it) shows the unit's assistance only: the place figures would count the reader's own
    jurisdiction (the lists they link to cannot be narrowed to a unit's villages), not the unit's villages."""
    groups = [g for g in FIGURE_GROUPS if scope.level in g.levels and _can(scope.user, g.capability)]
    if scope.unit is not None and scope.user.unit_id != scope.unit.pk:
        groups = [g for g in groups if g.capability.startswith("assistance.")]
    return groups


def dashboard_figures(scope: Scope) -> list[tuple[FigureGroup, list[Cell]]]:
    """Every group the reader may see at this level, with its cells."""
    return [(group, group.compute(scope)) for group in groups_for(scope)]


# --- month × indicator -----------------------------------------------------------------------------------------


def month_table(scope: Scope) -> list[tuple[str, list[Cell]]]:
    """Month × indicator: households identified and eliminated in each month of the period."""
    cells = month_figures(scope)
    rows: dict[str, list[Cell]] = {}
    for cell in cells:
        rows.setdefault(cell.label, []).append(cell)
    return list(rows.items())
