"""至少1人就业 (DOMAIN.md §7), each figure defined once as a queryset whose count is the figure.

Callers pass households that have already passed the jurisdiction door (`registry.selectors.households_visible_to`);
every function here narrows them, so a page, the report, a dashboard and a test all count the same rows.

- relocated household: an active household the registry marks 易地扶贫搬迁 (`Household.relocated`); its site is
  its `RelocatedHousehold.site` (none: "安置点未登记");
- with labour: at least one member whose labour ability is a labour force (`cases.conditions.WITH_LABOUR`);
- employed member: a member with labour who, in the year, has an employment record (`Employment`) of at least the
  county's minimum months, or whom the registry records as working (务工 with a place) or on a 公益岗位 for at
  least that many months;
- at least one employed: a relocated household with labour with at least one employed member.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from bangfu.cases.conditions import WITH_LABOUR
from bangfu.core.scoping import code_range_q
from bangfu.regions.config import config_q
from bangfu.registry.models import Household, Member
from bangfu.relocation.models import Employment, RelocationSettings

NO_SITE = "none"  # the site key of relocated households without a recorded site


def labour_member_q() -> Q:
    return Q(labour_ability__in=WITH_LABOUR)


def employed_member_q(*, year: int | None = None, min_months: int | None = None) -> Q:
    """Which members count as employed in `year` (default: this year), on Member."""
    year = year or dt.date.today().year

    def employed(months: int) -> Q:
        recorded = Employment.objects.filter(member=OuterRef("pk"), year=year, months__gte=months)
        registry = (Q(work_months__gte=months) & ~Q(work_place="")) | Q(public_welfare_job=True,
                                                                         public_welfare_months__gte=months)
        return registry | Exists(recorded)

    if min_months is not None:
        return labour_member_q() & employed(min_months)
    # Each county's own months (a prefecture's figure counts each county by its own definition).
    return labour_member_q() & config_q(RelocationSettings, lambda s: employed(s.employed_min_months),
                                        village_field="household__village_id")


def relocated_households(households: QuerySet[Household]) -> QuerySet[Household]:
    return households.filter(relocated=True, is_active=True)


def with_labour(households: QuerySet[Household]) -> QuerySet[Household]:
    """有劳动力搬迁户."""
    labour = Member.objects.filter(labour_member_q(), household=OuterRef("pk"))
    return relocated_households(households).filter(Exists(labour))


def employed_exists(year: int | None):
    """On Household: at least one member employed in `year` (the condition of 至少1人就业户)."""
    return Exists(Member.objects.filter(employed_member_q(year=year), household=OuterRef("pk")))


_employed_exists = employed_exists


def with_employed(households: QuerySet[Household], *, year: int | None = None) -> QuerySet[Household]:
    """至少1人就业户."""
    return with_labour(households).filter(_employed_exists(year))


def without_employed(households: QuerySet[Household], *, year: int | None = None) -> QuerySet[Household]:
    """未就业户: relocated households with labour and nobody employed (the list behind 覆盖率's shortfall)."""
    return with_labour(households).exclude(_employed_exists(year))


def at_site(households: QuerySet[Household], site: str | int) -> QuerySet[Household]:
    """Narrow to one site (its id, or NO_SITE)."""
    if str(site) == NO_SITE:
        return households.filter(Q(relocation__isnull=True) | Q(relocation__site__isnull=True))
    return households.filter(relocation__site_id=site)


def in_township(households: QuerySet[Household], code: str) -> QuerySet[Household]:
    """Narrow to the households of one township (where the household is registered now)."""
    return households.filter(code_range_q((code[:9] + "000", code[:9] + "999")))


@dataclass
class CoverageRow:
    key: str  # site id or NO_SITE, or a township code
    name: str
    with_labour: int
    employed: int

    @property
    def without(self) -> int:
        return self.with_labour - self.employed

    @property
    def rate(self) -> float | None:
        """覆盖率 = 至少1人就业户 ÷ 有劳动力搬迁户 (None when there is none)."""
        return self.employed / self.with_labour if self.with_labour else None

    @property
    def rate_display(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.1%}"


def coverage(households: QuerySet[Household], *, by: str, year: int | None = None) -> list[CoverageRow]:
    """至少1人就业 per site (`by="site"`) or per township (`by="township"`): one grouped query."""
    from bangfu.regions.models import Region
    from bangfu.relocation.models import ResettlementSite

    base = with_labour(households).annotate(employed=_employed_exists(year))
    if by == "site":
        grouped = base.annotate(bucket=F("relocation__site_id")).values("bucket")
    else:
        grouped = base.annotate(bucket=Substr("village_id", 1, 9)).values("bucket")
    rows = grouped.order_by("bucket").annotate(n=Count("pk"), e=Count("pk", filter=Q(employed=True)))
    if by == "site":
        sites = dict(ResettlementSite.objects.values_list("pk", "name"))
        result = [CoverageRow(str(r["bucket"]) if r["bucket"] else NO_SITE,
                              sites.get(r["bucket"], str(_("安置点未登记"))), r["n"], r["e"]) for r in rows]
    else:
        codes = [r["bucket"].ljust(12, "0") for r in rows]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        result = [CoverageRow(r["bucket"].ljust(12, "0"), names.get(r["bucket"].ljust(12, "0"), r["bucket"]),
                              r["n"], r["e"]) for r in rows]
    return sorted(result, key=lambda row: (row.key == NO_SITE, row.name))


def coverage_total(households: QuerySet[Household], *, year: int | None = None) -> CoverageRow:
    counts = with_labour(households).annotate(employed=_employed_exists(year)).aggregate(
        n=Count("pk"), e=Count("pk", filter=Q(employed=True)))
    return CoverageRow("", str(_("合计")), counts["n"], counts["e"])
