"""Every read of registry data, through the jurisdiction door (bangfu.core.scoping)."""

import dataclasses
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord, RevealRecord
from bangfu.core.crypto import field_cipher
from bangfu.core.id_number import IdNumberError, parse_id_number
from bangfu.core.phone import normalise_phone
from bangfu.core.scoping import code_range_q, village_scope
from bangfu.regions.models import Region
from bangfu.registry.models import Household, IncomeRecord, Member


@dataclass
class HouseholdFilter:
    """The list page's filter form, as data."""

    region_code: str = ""
    q: str = ""
    household_type: str = ""
    monitoring_status: str = ""
    unsafe_housing: bool = False
    relocated: bool = False
    # Set instead of q when the filter is stored (e.g. in a job): the blind index, never the typed number.
    id_number_digest: str = ""
    phone_digest: str = ""

    def for_storage(self) -> dict:
        """The filter as it may be written to the database: an ID number or phone in q becomes its keyed hash."""
        data = dataclasses.asdict(self)
        kind, value = identifier_in(self.q)
        if kind:
            data["q"] = ""
            data[f"{kind}_digest"] = field_cipher().blind_index(kind, value)
        return data


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
    """Name, household number, phone or ID number. An ID number or phone is matched through its blind index."""
    text = q.strip().replace("\x00", "")
    kind, value = identifier_in(text)
    if kind == "id_number":
        return _id_digest_q(field_cipher().blind_index("id_number", value))
    if kind == "phone":
        return Q(phone_digest=field_cipher().blind_index("phone", value)) | Q(number__contains=text)
    by_member_name = Exists(Member.objects.filter(household=OuterRef("pk"), name__contains=text))
    return Q(number__contains=text) | Q(head_name__contains=text) | Q(by_member_name)


def _id_digest_q(digest: str) -> Q:
    return Q(Exists(Member.objects.filter(household=OuterRef("pk"), id_number_digest=digest)))


def households_filtered(user, flt: HouseholdFilter) -> QuerySet[Household]:
    """The household list for the list page, API and exports: jurisdiction first, then the user's filter."""
    qs = households_visible_to(user)
    if flt.region_code:
        region = Region.objects.filter(code=flt.region_code).first()
        if region is None:
            return qs.none()
        qs = qs.filter(code_range_q(region.code_range))
    if flt.q.strip():
        qs = qs.filter(_search_q(flt.q))
    if flt.id_number_digest:
        qs = qs.filter(_id_digest_q(flt.id_number_digest))
    if flt.phone_digest:
        qs = qs.filter(phone_digest=flt.phone_digest)
    if flt.household_type:
        qs = qs.filter(household_type=flt.household_type)
    if flt.monitoring_status == "monitored":
        qs = qs.exclude(monitoring_type="")
    elif flt.monitoring_status:
        qs = qs.filter(monitoring_status=flt.monitoring_status)
    if flt.unsafe_housing:
        qs = qs.filter(housing_safety__in=["C", "D"])
    if flt.relocated:
        qs = qs.filter(relocated=True)
    return qs.select_related("village__parent").order_by("village_id", "number")


def attach_member_counts(households) -> list[Household]:
    """Set `member_count` on one page of households with one grouped query (not a GROUP BY over the whole list)."""
    rows = list(households)
    counts = dict(Member.objects.filter(household_id__in=[h.pk for h in rows]).values("household_id")
                  .annotate(n=Count("id")).values_list("household_id", "n"))
    for household in rows:
        household.member_count = counts.get(household.pk, 0)
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
