"""Keeping the village summaries (`VillageSummary`) equal to the registry.

- `village_summaries_refresh(codes)`: recount the given villages. Every service that adds, changes, moves, closes
  or removes households or members calls it inside its own transaction, so the figures change with the data.
  Importers and other bulk writers call it with the villages they touched (or `village_summaries_rebuild()`
  when they touched most of them).
- `village_summaries_refresh_county(code)`: recount a county's villages after its monitoring line changed.
- `village_summaries_rebuild()`: recount everything (`bangfu rebuild-summaries`, the end of the demo build).

A refresh recounts the village from the registry instead of adding deltas: the result is a recount by
construction, whatever the write did. Its cost is one village's households and members (a few thousand rows
through the village index), paid by the writer, not by every reader.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from bangfu.regions.models import Region
from bangfu.registry.models import Household, Member
from bangfu.reports.models import (
    MonthlyFigure,
    VillageRiskFigure,
    VillageSiteFigure,
    VillageSummary,
    VillageWelfareFigure,
)

# The household fields a summary row is keyed by: every indicator's condition and every household-list filter
# that can be answered from the summaries is written over these fields only.
DIMENSIONS = ("household_type", "monitoring_type", "monitoring_status", "housing_safety", "relocated")


def _counties(codes: list[str] | None) -> list[str]:
    """The counties (6-digit codes) of these villages (None: every county), whose monitoring lines apply."""
    if codes is not None:
        return sorted({code[:6] for code in codes})
    return sorted({code[:6] for code in Region.objects.filter(level=Region.Level.COUNTY).values_list("code", flat=True)})


def _recount(codes: list[str] | None) -> list[VillageSummary]:
    """Summary rows for these villages (None: every village), counted from the registry."""
    from bangfu.registry.selectors import below_line_exists

    counties = _counties(codes)
    villages = Q(village_id__in=codes) if codes is not None else Q()
    households = (Household.objects.filter(villages, is_active=True).order_by()
                  .annotate(below_line=ExpressionWrapper(Q(monitoring_type="") & Q(below_line_exists(counties)),
                                                         output_field=BooleanField())))
    keys = ("village_id", *DIMENSIONS, "below_line")
    cells: dict[tuple, list[int]] = {}
    for row in households.values(*keys).annotate(n=Count("pk")):
        cells[tuple(row[key] for key in keys)] = [row["n"], 0]
    member_keys = [f"household__{key}" for key in ("village_id", *DIMENSIONS)]
    members = (Member.objects.filter(household__in=households.values("pk")).order_by()
               .annotate(below_line=ExpressionWrapper(
                   Q(household__monitoring_type="") & Q(below_line_exists(counties, household="household_id")),
                   output_field=BooleanField())))
    for row in members.values(*member_keys, "below_line").annotate(n=Count("pk")):
        cells[(*(row[key] for key in member_keys), row["below_line"])][1] = row["n"]
    return [VillageSummary(village_id=key[0], **dict(zip((*DIMENSIONS, "below_line"), key[1:], strict=True)),
                           households=households_n, people=people_n)
            for key, (households_n, people_n) in cells.items()]


def _recount_months(codes: list[str] | None) -> list[MonthlyFigure]:
    """Month rows for these villages (None: every village): active households by the month they were identified
    and by the month their risk was eliminated (`month_identified_q` / `month_eliminated_q`, the list's filters)."""
    villages = Q(village_id__in=codes) if codes is not None else Q()
    households = Household.objects.filter(villages, is_active=True).order_by()
    cells: dict[tuple[str, str, str], MonthlyFigure] = {}
    for field, attr in (("identified_month", "identified"), ("eliminated_month", "eliminated")):
        for row in (households.exclude(**{field: ""}).values("village_id", field, "monitoring_type")
                    .annotate(n=Count("pk"))):
            key = (row["village_id"], row[field], row["monitoring_type"])
            cell = cells.setdefault(key, MonthlyFigure(village_id=key[0], month=key[1], monitoring_type=key[2]))
            setattr(cell, attr, row["n"])
    return list(cells.values())


def _recount_risks(codes: list[str] | None) -> list[VillageRiskFigure]:
    """Risk-type rows for these villages (None: every village): monitored households per risk type of their current
    identification, each risk counted with the list filter's own condition (`risk_type_q`). One grouped query."""
    from bangfu.reports.indicators import risk_type_q, risk_types

    villages = Q(village_id__in=codes) if codes is not None else Q()
    codes_ = [code for code, _label in risk_types()]
    rows = (Household.objects.filter(villages, is_active=True).exclude(monitoring_type="").order_by()
            .values("village_id").annotate(**{f"r_{code}": Count("pk", filter=risk_type_q(code)) for code in codes_}))
    return [VillageRiskFigure(village_id=row["village_id"], risk_type=code, households=row[f"r_{code}"])
            for row in rows for code in codes_ if row[f"r_{code}"]]


def _recount_welfare(codes: list[str] | None, day=None) -> list[VillageWelfareFigure]:
    """Welfare rows for these villages (None: every village), zeros included: relocated households with labour and
    with one employed this year, must-visit households and those visited this quarter / since the previous one
    (visits are never dated after the day they are recorded, so the rows hold for the whole quarter)."""
    import datetime as dt

    from bangfu.care.groups import must_visit, previous_quarter_start, quarter_start, visited_since
    from bangfu.relocation.indicators import with_employed, with_labour

    day = day or dt.date.today()
    if codes is None:
        codes = list(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))
    households = Household.objects.filter(village_id__in=codes).order_by()
    rows = {code: VillageWelfareFigure(village_id=code, year=day.year, quarter_start=quarter_start(day))
            for code in codes}
    for attr, queryset in (("relocated_labour", with_labour(households)),
                           ("relocated_employed", with_employed(households, year=day.year))):
        for code, n in queryset.order_by().values("village_id").annotate(n=Count("pk")).values_list("village_id", "n"):
            setattr(rows[code], attr, n)
    # the 八必访 conditions are lookups per household (care.groups): a few villages read only their own rows
    for row in must_visit(households).order_by().values("village_id").annotate(
            n=Count("pk"), visited=Count("pk", filter=visited_since(quarter_start(day), day)),
            recent=Count("pk", filter=visited_since(previous_quarter_start(day), day))):
        figure = rows[row["village_id"]]
        figure.must_visit, figure.visited, figure.visited_recent = row["n"], row["visited"], row["recent"]
    # The named care lists on `day`: each group's members with the list's own condition (care.groups).
    from bangfu.care.groups import GROUPS, group_members

    members = Member.objects.filter(household__village_id__in=codes, household__is_active=True)
    for figure in rows.values():
        figure.counted_on = day
        figure.group_members = {}
    for group in GROUPS:
        for code, n in (group_members(members, group.key, day=day).order_by().values("household__village_id")
                        .annotate(n=Count("pk")).values_list("household__village_id", "n")):
            rows[code].group_members[group.key] = n
    return list(rows.values())


def _recount_sites(codes: list[str] | None, day=None) -> list[VillageSiteFigure]:
    """至少1人就业 per village and resettlement site for `day`'s year (relocation.indicators, as the coverage page
    groups it): one grouped query."""
    import datetime as dt

    from django.db.models import F

    from bangfu.relocation.indicators import NO_SITE, employed_exists, with_labour

    day = day or dt.date.today()
    households = Household.objects.filter(village_id__in=codes) if codes is not None else Household.objects.all()
    rows = (with_labour(households.order_by()).annotate(employed=employed_exists(day.year), site=F("relocation__site_id"))
            .values("village_id", "site").annotate(n=Count("pk"), e=Count("pk", filter=Q(employed=True))))
    return [VillageSiteFigure(village_id=row["village_id"], site_key=str(row["site"]) if row["site"] else NO_SITE,
                              relocated_labour=row["n"], relocated_employed=row["e"]) for row in rows]


def _welfare_write(codes: list[str] | None, day=None) -> None:
    """Replace these villages' welfare and site rows (None: every village's) with a recount for `day`."""
    if codes is None:
        VillageWelfareFigure.objects.all().delete()
        VillageSiteFigure.objects.all().delete()
    else:
        VillageWelfareFigure.objects.filter(village_id__in=codes).delete()
        VillageSiteFigure.objects.filter(village_id__in=codes).delete()
    VillageWelfareFigure.objects.bulk_create(_recount_welfare(codes, day), batch_size=5000)
    VillageSiteFigure.objects.bulk_create(_recount_sites(codes, day), batch_size=5000)


def welfare_figures_rebuild() -> None:
    """Recount every village's welfare row (after a bulk load, or the county's employed months changed)."""
    _welfare_write(None)


def welfare_figures_turn(day=None, *, batch: int = 500) -> int:
    """Count today's welfare rows for every village whose row is missing, of another quarter, or whose care lists
    were counted another day (the periodic job `welfare-quarter`: a quarter, the year and people's ages turn with
    no write to recount the villages, and until then the pages count live). Each batch locks its villages as a writer's refresh does, so a
    write landing meanwhile is not lost. Returns the number of villages counted."""
    import datetime as dt

    from bangfu.care.groups import quarter_start

    day = day or dt.date.today()
    fresh = VillageWelfareFigure.objects.filter(year=day.year, quarter_start=quarter_start(day),
                                                counted_on=day).values("village_id")
    stale = list(Region.objects.filter(level=Region.Level.VILLAGE).exclude(code__in=fresh).order_by("code")
                 .values_list("code", flat=True))
    for first in range(0, len(stale), batch):
        codes = stale[first:first + batch]
        with transaction.atomic():
            list(Region.objects.select_for_update(no_key=True).filter(code__in=codes).order_by("code")
                 .values_list("code", flat=True))
            _welfare_write(codes, day)
    return len(stale)


# The villages waiting for a recount while a bulk writer runs (None: recount at once).
_pending: ContextVar[set[str] | None] = ContextVar("village_summaries_pending", default=None)


@contextmanager
def village_summaries_deferred():
    """Within it, refreshes only note their villages; on leaving, each village noted is recounted once (still
    inside the caller's transaction). For bulk writers that go through the registry services record by record:
    an import updating 10,000 households of one village recounts it once, not 10,000 times. Usable as a
    decorator; nested uses leave the recount to the outermost."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set(set())
    try:
        yield
        codes = _pending.get()
    finally:
        _pending.reset(token)
    village_summaries_refresh(codes)


@transaction.atomic
def village_summaries_refresh(village_codes: Iterable[str]) -> None:
    """Recount the summaries of these villages (call inside the transaction that changed them)."""
    codes = sorted({code for code in village_codes if code})
    if not codes:
        return
    pending = _pending.get()
    if pending is not None:
        pending.update(codes)
        return
    # Two writers in one village take turns here, so the second recounts after the first has committed
    # (PostgreSQL's READ COMMITTED reads a fresh snapshot per statement). NO KEY UPDATE does not wait for the
    # key-share locks that inserting a household into the village takes. SQLite serialises writers anyway.
    list(Region.objects.select_for_update(no_key=True).filter(code__in=codes).order_by("code")
         .values_list("code", flat=True))
    VillageSummary.objects.filter(village_id__in=codes).delete()
    VillageSummary.objects.bulk_create(_recount(codes))
    MonthlyFigure.objects.filter(village_id__in=codes).delete()
    MonthlyFigure.objects.bulk_create(_recount_months(codes))
    _welfare_write(codes)
    VillageRiskFigure.objects.filter(village_id__in=codes).delete()
    VillageRiskFigure.objects.bulk_create(_recount_risks(codes))


@transaction.atomic
def village_summaries_rebuild() -> int:
    """Recount every village (after a bulk load). Returns the number of summary rows."""
    VillageSummary.objects.all().delete()
    rows = _recount(None)
    VillageSummary.objects.bulk_create(rows, batch_size=5000)
    MonthlyFigure.objects.all().delete()
    MonthlyFigure.objects.bulk_create(_recount_months(None), batch_size=5000)
    VillageRiskFigure.objects.all().delete()
    VillageRiskFigure.objects.bulk_create(_recount_risks(None), batch_size=5000)
    welfare_figures_rebuild()
    return len(rows)


def village_summaries_refresh_county(region_code: str) -> None:
    """Recount the villages under a region whose monitoring line changed (which households lie below it)."""
    region = Region.objects.get(code=region_code)
    low, high = region.code_range
    codes = Region.objects.filter(level=Region.Level.VILLAGE, code__gte=low, code__lte=high).values_list(
        "code", flat=True)
    village_summaries_refresh(list(codes))
