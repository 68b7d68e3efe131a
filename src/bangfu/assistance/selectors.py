"""Every read of paired-assistance records, through one door: which units a user may read or write.

- a unit liaison reads and writes their own unit's records only;
- the lead unit's coordinator reads every unit assisting the same county (and writes its own unit's);
- county-bound roles with `assistance.view` (administrator, leaders, assessors) read every unit of the county;
  the county administrator also corrects any of them;
- anyone else reads nothing.
"""

import datetime as dt

from django.db.models import Q, QuerySet

from bangfu.assistance.ledger import LEDGER_KIND_BY_KEY, LedgerKind
from bangfu.assistance.models import (
    Cadre,
    CheckIn,
    Finding,
    JointMeeting,
    LeaveRequest,
    Plan,
    PlanTarget,
    Task,
    Unit,
)
from bangfu.core.scoping import code_range_q
from bangfu.regions.config import config_rows


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def units_visible_to(user) -> QuerySet[Unit]:
    """The units whose records the user may read."""
    units = Unit.objects.all()
    if not _active(user):
        return units.none()
    if user.is_superuser:
        return units
    if not user.can("assistance.view"):
        return units.none()
    if user.unit_id:
        unit = user.unit
        if unit.is_lead and user.can("assistance.coordinate"):
            return units.filter(county_id=unit.county_id)
        return units.filter(pk=unit.pk)
    if user.region_id:
        region = user.region
        # A county-level user or above: units of the counties in the subtree; below the county: the county's units.
        return units.filter(code_range_q(region.code_range, field="county_id")
                            | Q(county_id=region.code[:6].ljust(12, "0")))
    return units.none()


def units_writable_by(user) -> QuerySet[Unit]:
    """The units whose records the user may add, change or delete."""
    if not _active(user) or not user.can("assistance.edit"):
        return Unit.objects.none()
    if user.unit_id:
        return Unit.objects.filter(pk=user.unit_id)
    return units_visible_to(user)


def county_of(user) -> str | None:
    """The county code the user works for (a unit's county, or the county containing their region)."""
    if not _active(user):
        return None
    if user.unit_id:
        return user.unit.county_id
    if user.region_id and user.region.level in ("county", "township", "village"):
        return user.region.code[:6].ljust(12, "0")
    if user.is_superuser or user.region_id:
        # Above the counties (a prefecture, the province, a superuser): the county of the units they may see when
        # there is one; with several, none is picked for them (never "the first county").
        counties = Unit.objects.order_by("county_id").values_list("county_id", flat=True).distinct()
        if user.region_id:
            low, high = user.region.code_range
            counties = counties.filter(county_id__gte=low, county_id__lte=high)
        found = list(counties[:2])
        return found[0] if len(found) == 1 else None
    return None


def ledger_entries_visible_to(user, kind: LedgerKind | str, *, unit_id: int | None = None,
                              since: dt.date | None = None, until: dt.date | None = None) -> QuerySet:
    kind = LEDGER_KIND_BY_KEY[kind] if isinstance(kind, str) else kind
    entries = kind.model.objects.filter(unit__in=units_visible_to(user)).select_related("unit", "village", "village__parent")
    if unit_id:
        entries = entries.filter(unit_id=unit_id)
    if since:
        entries = entries.filter(date__gte=since)
    if until:
        entries = entries.filter(date__lte=until)
    return entries.order_by("-date", "-id")


def ledger_entry_get_for_user(user, kind: LedgerKind | str, pk: int):
    """One entry the user may read, or DoesNotExist (pages answer 404)."""
    return ledger_entries_visible_to(user, kind).get(pk=pk)


def cadres_visible_to(user) -> QuerySet[Cadre]:
    return Cadre.objects.filter(unit__in=units_visible_to(user)).select_related("unit", "village", "village__parent")


def cadres_listed(user, *, status: str, today: dt.date) -> QuerySet[Cadre]:
    """The cadre list (page and export): serving (在任), past (已离任) or all, each with this month's and this
    year's in-village days (assistance.attendance)."""
    cadres = cadres_visible_to(user)
    if status == "past":
        cadres = cadres.filter(term_end__lt=today)
    elif status != "all":
        cadres = cadres.filter(term_start__lte=today).exclude(term_end__lt=today)
    return with_in_village_days(cadres, today=today).order_by("unit", "kind", "name")


def with_in_village_days(cadres: QuerySet[Cadre], *, today: dt.date) -> QuerySet[Cadre]:
    """Cadres with `month_days` and `year_days`: their in-village days this month and this year up to today."""
    from bangfu.assistance.attendance import in_village_days_annotation

    return cadres.annotate(month_days=in_village_days_annotation(today.replace(day=1), today),
                           year_days=in_village_days_annotation(dt.date(today.year, 1, 1), today))


def cadre_get_for_user(user, pk: int) -> Cadre | None:
    """One cadre: for readers of the cadre's unit, for the cadre themself (their linked account), and for a leave
    approver whose region holds the cadre's village (the leave page links to the cadre's record)."""
    cadres = Cadre.objects.select_related("unit", "village", "village__parent", "user")
    if not _active(user):
        return None
    visible = Q(unit__in=units_visible_to(user)) | Q(user=user)
    if user.region_id and user.can("assistance.approve_leave"):
        visible |= code_range_q(user.region.code_range, field="village_id")
    return cadres.filter(visible, pk=pk).first()


def cadres_of_account(user, *, today: dt.date) -> QuerySet[Cadre]:
    """The serving cadre records the account signs in for (a cadre's own home)."""
    if not _active(user):
        return Cadre.objects.none()
    return (Cadre.objects.filter(user=user, term_start__lte=today).filter(Q(term_end__isnull=True)
                                                                          | Q(term_end__gte=today))
            .select_related("unit", "village", "village__parent"))




def check_ins_visible_to(user) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(cadre__in=cadres_visible_to(user)).select_related("cadre", "village")


def leave_requests_visible_to(user) -> QuerySet[LeaveRequest]:
    """A unit's leave requests to the unit and the county; a township sees its own villages' resident cadres."""
    requests = LeaveRequest.objects.select_related("cadre", "cadre__unit", "cadre__village")
    visible = Q(cadre__in=cadres_visible_to(user))
    if _active(user) and user.region_id and user.can("assistance.approve_leave"):
        visible |= code_range_q(user.region.code_range, field="cadre__village_id")
    return requests.filter(visible) if _active(user) else requests.none()


def plans_visible_to(user) -> QuerySet[Plan]:
    county = county_of(user)
    if not county or not units_visible_to(user).exists():
        return Plan.objects.none()
    return Plan.objects.filter(county_id=county)


def plans_in_order(user) -> list[Plan]:
    """The county's plans the user reads, adopted before drafts, latest first (read once per page)."""
    return sorted(plans_visible_to(user), key=lambda p: (not p.is_adopted, -p.start_year))


def plan_covering(plans: list[Plan], year: int) -> Plan | None:
    """The plan whose years hold `year`, the adopted one before a draft (one plan per period)."""
    return next((p for p in plans if p.start_year <= year <= p.end_year), None)


def plan_targets_visible_to(user, plan: Plan) -> QuerySet[PlanTarget]:
    return plan.targets.filter(unit__in=units_visible_to(user)).select_related("unit")


def meetings_visible_to(user) -> QuerySet[JointMeeting]:
    units = units_visible_to(user)
    if not units.exists():
        return JointMeeting.objects.none()
    return JointMeeting.objects.filter(county_id__in=units.values("county_id")).distinct()


def tasks_visible_to(user) -> QuerySet[Task]:
    """The lead unit and the county follow every task; a unit sees the tasks it owns."""
    return Task.objects.filter(owner_unit__in=units_visible_to(user)).select_related("owner_unit", "meeting")


def findings_visible_to(user) -> QuerySet[Finding]:
    """Findings owned by a unit the user reads; findings without an owning unit are the county's."""
    units = units_visible_to(user)
    visible = Q(owner_unit__in=units)
    if _active(user) and not user.unit_id:
        visible |= Q(owner_unit__isnull=True, county_id__in=units.values("county_id"))
    return Finding.objects.filter(visible).select_related("owner_unit")


def village_label(region) -> str:
    """勿角镇甲勿村 rather than 甲勿村村民委员会."""
    if region is None:
        return ""
    name = region.name.removesuffix("村民委员会").removesuffix("居民委员会")
    if name != region.name and not name.endswith(("村", "社区")):
        name += "村" if region.name.endswith("村民委员会") else "社区"
    township = region.parent.name if region.parent_id and region.parent else ""
    return f"{township}{name}"


# Which cadre kind fills which required role; the other holders (the county contact leader ...) are VillageRoleHolder.
ROLE_FROM_CADRE = {"first_secretary": "first_secretary", "work_team": "work_team", "agri_technician": "agri_technician"}


def village_role_gaps(user, *, today: dt.date | None = None) -> tuple[list[str], list[dict]]:
    """For each village linked to a unit the user reads: which of the county's required assistance roles it has.

    Returns (required roles, rows of {village, units, has: {role: bool}, missing: [role]}).
    """
    from bangfu.assistance.models import LinkedVillage, VillageRoleHolder, VillageRoleRequirement

    today = today or dt.date.today()
    county = county_of(user)
    required = list(config_rows(VillageRoleRequirement, county, field="county").order_by("id")
                    .values_list("role", flat=True)) if county else []
    links = (LinkedVillage.objects.filter(unit__in=units_visible_to(user))
             .filter(Q(since__isnull=True) | Q(since__lte=today)).filter(Q(until__isnull=True) | Q(until__gte=today))
             .select_related("village", "village__parent", "unit"))
    villages: dict[str, dict] = {}
    for link in links:
        row = villages.setdefault(link.village_id, {"village": link.village, "units": [], "roles": set()})
        row["units"].append(link.unit.label)
        row["roles"].add("assisting_unit")
    serving = (Cadre.objects.filter(village_id__in=villages, term_start__lte=today)
               .filter(Q(term_end__isnull=True) | Q(term_end__gte=today)).values_list("village_id", "kind"))
    for village_id, kind in serving:
        if kind in ROLE_FROM_CADRE:
            villages[village_id]["roles"].add(ROLE_FROM_CADRE[kind])
    holders = (VillageRoleHolder.objects.filter(village_id__in=villages, since__lte=today)
               .filter(Q(until__isnull=True) | Q(until__gte=today)).values_list("village_id", "role"))
    for village_id, role in holders:
        villages[village_id]["roles"].add(role)
    rows = []
    for code in sorted(villages):
        row = villages[code]
        rows.append({"village": row["village"], "units": row["units"],
                     "has": [(role, role in row["roles"]) for role in required],
                     "missing": [role for role in required if role not in row["roles"]]})
    return required, rows


def role_holders_visible_to(user):
    """Who fills the assistance roles in the villages of the county the user reads (past holders included)."""
    from bangfu.assistance.models import VillageRoleHolder

    county = county_of(user)
    if not county or not units_visible_to(user).filter(county_id=county).exists():
        return VillageRoleHolder.objects.none()
    return VillageRoleHolder.objects.filter(county_id=county).select_related("village", "village__parent", "unit")
