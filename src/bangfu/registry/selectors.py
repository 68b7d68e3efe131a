"""Every read of registry data, through the jurisdiction door (bangfu.core.scoping)."""

import dataclasses
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bangfu.audit.models import ChangeRecord, RevealRecord
from bangfu.core.crypto import field_cipher
from bangfu.core.id_number import IdNumberError, parse_id_number
from bangfu.core.identifiers import contains_identifier
from bangfu.core.names import unify_name_dots
from bangfu.core.paging import CappedPaginator, KeptCountPaginator
from bangfu.core.phone import normalise_phone
from bangfu.core.scoping import code_range_q, village_scope
from bangfu.regions.models import Region
from bangfu.registry.income import below_line_condition
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.search import HOUSEHOLD_NUMBER_TEXT, members_named, prefix_q


@dataclass
class HouseholdFilter:
    """The list page's filter form, as data."""

    region_code: str = ""
    q: str = ""
    household_type: str = ""
    monitoring_status: str = ""
    monitoring_type: str = ""  # one kind of monitored household (脱贫不稳定户 ...)
    risk_type: str = ""  # monitored households whose current identification lists this risk (reports.indicators)
    identified_month: str = ""  # YYYYMM: identified in that month (the dashboards' month figures)
    eliminated_month: str = ""  # YYYYMM: risk eliminated in that month
    unsafe_housing: bool = False
    relocated: bool = False
    group: str = ""
    below_line: bool = False  # income below the line in force but not a monitored household
    measure_due: bool = False  # identified, risk open, no measure past the county's limit (cases.due)
    closed: bool = False  # closed households (已销户) instead of those on the register
    # Set instead of q when the filter is stored (e.g. in a job): the blind index, never the typed number.
    id_number_digest: str = ""
    phone_digest: str = ""
    # Set instead of q when the search text holds anything that could be an ID number or phone without being one
    # (a near miss, a number with dashes or dots): the text encrypted, since even a near miss identifies a person.
    q_cipher: str = ""

    @classmethod
    def from_values(cls, values: dict) -> "HouseholdFilter":
        """From the cleaned values of registry.filters.HOUSEHOLD_FILTERS (the URL's `region` is region_code)."""
        names = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in values.items() if k in names}
        return cls(region_code=values.get("region", "") or "", **data)

    def for_storage(self) -> dict:
        """The filter as it may be written to the database: an ID number or phone in q becomes its keyed hash;
        other search text holding a run of digits long enough to identify someone is stored encrypted."""
        data = dataclasses.asdict(self)
        kind, value = identifier_in(self.q)
        if kind:
            data["q"] = ""
            data[f"{kind}_digest"] = field_cipher().blind_index(kind, value)
        elif contains_identifier(self.q):
            data["q"] = ""
            data["q_cipher"] = field_cipher().encrypt("search", self.q)
        return data

    @property
    def search_text(self) -> str:
        return field_cipher().decrypt("search", self.q_cipher) if self.q_cipher else self.q


def identifier_in(q: str) -> tuple[str, str]:
    """("id_number", normalised) or ("phone", digits) when the search text is one of them, else ("", "")."""
    text = q.strip()
    try:
        return "id_number", parse_id_number(text).number
    except IdNumberError:
        pass
    try:
        return "phone", normalise_phone(text)
    except ValueError:
        return "", ""


def households_visible_to(user) -> QuerySet[Household]:
    """All active households in the user's jurisdiction."""
    return Household.objects.filter(village_scope(user), is_active=True)


def households_closed() -> QuerySet[Household]:
    """The ids of the households no longer registered (销户): few, read through their partial index. Queues of
    warnings leave their rows out with `exclude(household_id__in=households_closed())`."""
    return Household.objects.filter(is_active=False).order_by().values("id")


def households_in_jurisdiction(user) -> QuerySet[Household]:
    """The user's households including closed ones (已销户): a closed file can still be read and reopened."""
    return Household.objects.filter(village_scope(user))


def household_get_for_user(user, *, pk: int) -> Household:
    """One household (closed ones too), or 404 when it does not exist or lies outside the user's jurisdiction."""
    try:
        return households_in_jurisdiction(user).select_related("village__parent").get(pk=pk)
    except (Household.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该户，或不在您的管辖范围内")) from None


def member_get_for_user(user, *, pk: int) -> Member:
    try:
        return Member.objects.select_related("household").filter(
            household__in=households_visible_to(user)).get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该成员，或不在您的管辖范围内")) from None


def _search_q(q: str) -> Q:
    """Name, household number, phone or ID number, each through an index (see registry/search.py).

    An ID number or phone is matched through its blind index; letters and digits alone are the start of a household
    number (a btree range); anything else is a member's name (the head is a member)."""
    text = q.strip().replace("\x00", "")
    kind, value = identifier_in(text)
    if kind == "id_number":
        return _id_digest_q(field_cipher().blind_index("id_number", value))
    if kind == "phone":
        return Q(phone_digest=field_cipher().blind_index("phone", value)) | prefix_q("number", text)
    if HOUSEHOLD_NUMBER_TEXT.match(text):
        return prefix_q("number", text)
    # Names are stored with the one middle dot (registry.validation): 扎西.多吉 typed here finds 扎西·多吉.
    return Q(pk__in=members_named(unify_name_dots(text)).values("household_id"))


def _id_digest_q(digest: str) -> Q:
    return Q(Exists(Member.objects.filter(household=OuterRef("pk"), id_number_digest=digest)))


def _counties_of(user) -> list[str]:
    """The county codes (6 digits) whose monitoring lines apply to the user's households."""
    from bangfu.core.scoping import linked_villages

    if user.is_superuser and not user.region_id:
        return sorted({code[:6] for code in Region.objects.filter(level="county").values_list("code", flat=True)})
    if getattr(user, "unit_id", None):
        return sorted({code[:6] for code in linked_villages(user.unit_id)})
    if user.region_id:
        if len(user.region.code.rstrip("0")) > 6 or user.region.level in ("county", "township", "village"):
            return [user.region.code[:6]]
        low, high = user.region.code_range
        return sorted({code[:6] for code in Region.objects.filter(level="county", code__gte=low, code__lte=high)
                       .values_list("code", flat=True)})
    return []


def below_line_exists(counties, *, household: str = "pk") -> Exists:
    """The household's latest income record lies below the line in force for its county that year, by the one
    definition (`registry.income.below_line_condition`: 扣除合规自付支出后人均收入 under the line, from whatever
    the record holds). `household` names the outer query's household id (its "pk", or a member's
    "household_id"); `counties` (6-digit codes) bound which lines apply."""
    from bangfu.monitoring.selectors import monitoring_lines_by_county

    below = Q(pk__in=[])
    for county, lines in monitoring_lines_by_county(counties).items():
        for year, line in lines.items():
            below |= Q(household__village__code__startswith=county, year=year) & Q(below_line_condition(line))
    latest_year = (IncomeRecord.objects.filter(household=OuterRef(OuterRef(household))).order_by("-year")
                   .values("year")[:1])
    records = IncomeRecord.objects.filter(below, household=OuterRef(household), year=Subquery(latest_year))
    return Exists(records)


def below_line_q(user) -> Q:
    """收入低于监测线但未纳入监测: income below the line (`below_line_exists`) and not a monitored household. The
    households most at risk of being missed. The village summaries keep this same condition per household
    (`VillageSummary.below_line`), so the dashboard's figure and the list's total are read, not recounted."""
    return Q(monitoring_type="") & Q(below_line_exists(_counties_of(user)))


def _region_of(flt: HouseholdFilter) -> tuple[bool, Region | None]:
    """(found, region): a filter naming a region that does not exist matches nothing."""
    if not flt.region_code:
        return True, None
    region = Region.objects.filter(code=flt.region_code).first()
    return region is not None, region


def _kept_conditions(flt: HouseholdFilter, region: Region | None) -> Q:
    """The filter's conditions on the village and the household fields the village summaries are kept by, so the
    same Q filters households and summary rows alike."""
    conditions = code_range_q(region.code_range) if region else Q()
    if flt.household_type:
        conditions &= Q(household_type=flt.household_type)
    if flt.monitoring_status == "monitored":
        conditions &= ~Q(monitoring_type="")
    elif flt.monitoring_status:
        conditions &= Q(monitoring_status=flt.monitoring_status)
    if flt.monitoring_type:
        conditions &= Q(monitoring_type=flt.monitoring_type)
    if flt.unsafe_housing:
        conditions &= Q(housing_safety__in=["C", "D"])
    if flt.relocated:
        conditions &= Q(relocated=True)
    return conditions


# The filter fields `_kept_conditions` expresses over the summaries' keys; any other field set (a search, or a
# filter added later) makes the list count rows instead, up to a cap.
KEPT_FILTER_FIELDS = frozenset({"region_code", "household_type", "monitoring_status", "monitoring_type",
                                "unsafe_housing", "relocated", "below_line"})


def _kept_figures_answer(flt: HouseholdFilter) -> bool:
    """Can the village summaries give this filter's total?"""
    return all(getattr(flt, f.name) == f.default for f in dataclasses.fields(flt)
               if f.name not in KEPT_FILTER_FIELDS and f.default is not dataclasses.MISSING) \
        and not flt.q.strip()


def _filtered(user, flt: HouseholdFilter, region: Region | None) -> QuerySet[Household]:
    # Closed households (已销户) only when asked for: they are in the jurisdiction but off the register.
    qs = households_in_jurisdiction(user).filter(is_active=not flt.closed).filter(_kept_conditions(flt, region))
    if flt.group.strip():
        group = flt.group.strip()
        qs = qs.filter(group__in={group, group if group.endswith("组") else f"{group}组"})
    if flt.below_line:
        qs = qs.filter(below_line_q(user))
    if flt.risk_type:
        from bangfu.reports.indicators import risk_type_q

        qs = qs.filter(risk_type_q(flt.risk_type))
    if flt.identified_month:
        qs = qs.filter(identified_month=flt.identified_month)
    if flt.eliminated_month:
        qs = qs.filter(eliminated_month=flt.eliminated_month)
    if flt.measure_due:
        from bangfu.cases.selectors import measure_due_q

        qs = qs.filter(measure_due_q(user.region_id))
    text = flt.search_text
    if text.strip():
        qs = qs.filter(_search_q(text))
    if flt.id_number_digest:
        qs = qs.filter(_id_digest_q(flt.id_number_digest))
    if flt.phone_digest:
        qs = qs.filter(phone_digest=flt.phone_digest)
    return qs.select_related("village__parent").order_by("village_id", "number")


def households_filtered(user, flt: HouseholdFilter) -> QuerySet[Household]:
    """The household list for the list page, API and exports: jurisdiction first, then the user's filter."""
    found, region = _region_of(flt)
    if not found:
        return households_visible_to(user).none()
    return _filtered(user, flt, region)


def households_paginator(user, flt: HouseholdFilter, *, per_page: int) -> Paginator:
    """The filtered households, paged without recounting the registry.

    Without a search the total and the place of every page come from the village summaries (one query over a
    few hundred rows, then the page read from the village it starts in); with a search, the count stops at
    DEFAULT_COUNT_CAP."""
    found, region = _region_of(flt)
    if not found:
        return CappedPaginator(households_visible_to(user).none(), per_page)
    households = _filtered(user, flt, region)
    if not _kept_figures_answer(flt):
        return CappedPaginator(households, per_page)
    from bangfu.reports.selectors import village_summaries_visible_to

    kept = _kept_conditions(flt, region) & (Q(below_line=True) if flt.below_line else Q())
    per_village = (village_summaries_visible_to(user).filter(kept)
                   .order_by("village_id").values("village_id").annotate(rows=Sum("households"))
                   .values_list("village_id", "rows"))
    return KeptCountPaginator(households, per_page, groups=list(per_village),
                              from_group=lambda code: Q(village_id__gte=code))


def attach_member_counts(households) -> list[Household]:
    """Set `member_count` on one page of households with one grouped query (not a GROUP BY over the whole list)."""
    rows = list(households)
    counts = dict(Member.objects.filter(household_id__in=[h.pk for h in rows]).values("household_id")
                  .annotate(n=Count("id")).values_list("household_id", "n"))
    for household in rows:
        household.member_count = counts.get(household.pk, 0)
        household.member_count_label = ngettext("%(n)s人", "%(n)s人", household.member_count) % {
            "n": household.member_count}
    return rows


def household_members(household: Household) -> QuerySet[Member]:
    return household.members.order_by("id")


def household_income_history(household: Household) -> QuerySet[IncomeRecord]:
    return household.income_records.order_by("-year")


def household_history(household: Household) -> QuerySet[ChangeRecord]:
    """Every recorded change to the household and the members and income records under it."""
    return ChangeRecord.objects.filter(household_id=household.pk).select_related("actor").order_by("-at", "-id")


def household_reveals(household: Household) -> QuerySet[RevealRecord]:
    return RevealRecord.objects.filter(household_id=household.pk).select_related("actor").order_by("-at", "-id")
