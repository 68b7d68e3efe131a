"""Reads of monitoring configuration, warnings, leads and uploads."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.core.scoping import code_range_q, region_in_scope, village_scope
from bangfu.monitoring.models import FeedUpload, Lead, MonitoringLine, RiskWarning, Rule, ScreeningRun
from bangfu.regions.config import config_pick, config_rows
from bangfu.regions.models import Region
from bangfu.web.lists import QueueGroup


def monitoring_line_for(*, village_code: str, year: int) -> Decimal | None:
    """The line in force for a village in a year (the one rule: see monitoring_lines_by_year)."""
    return monitoring_lines_by_year(county_code=village_code[:6].ljust(12, "0")).get(year)


def monitoring_lines_by_year(*, county_code: str) -> dict[int, Decimal]:
    """Year → line in force for a county: the nearest of county, prefecture and province that set one."""
    return monitoring_lines_by_county([county_code[:6]])[county_code[:6]]


def monitoring_lines_by_county(counties) -> dict[str, dict[int, Decimal]]:
    """The same rule for many counties (6-digit codes) in one query: county → year → line in force."""
    enclosing = {county[:n].ljust(12, "0") for county in counties for n in (2, 4, 6)}
    lines = list(MonitoringLine.objects.filter(region_id__in=enclosing).order_by("region_id"))
    result: dict[str, dict[int, Decimal]] = {}
    for county in counties:
        mine = {county[:n].ljust(12, "0") for n in (2, 4, 6)}
        by_year: dict[int, Decimal] = {}
        # Ordered from the widest region to the narrowest, so the nearer region's line overwrites the wider one's.
        for line in lines:
            if line.region_id in mine:
                by_year[line.year] = line.amount
        result[county] = by_year
    return result


def compulsory_school_ages(region_code: str | None = None) -> range:
    """The compulsory-schooling ages (义务教育阶段适龄), both ends included, as the county set them on the
    out-of-school rule: the screening SQL and the elimination check read this one definition."""
    from bangfu.monitoring.rules import DEFAULTS_BY_CODE

    rule = config_rows(Rule, region_code).filter(code="out_of_school").only("params").first()
    params = {**DEFAULTS_BY_CODE["out_of_school"].params, **(rule.params if rule else {})}
    return range(int(params["min_age"]), int(params["max_age"]) + 1)


def monitoring_lines_for_user(user) -> list[dict]:
    """The lines that apply where the user sits, year by year, with the province's, the prefecture's and the
    county's own: the one in force is the nearest that set one (the rule of monitoring_lines_by_year)."""
    if not user.region_id:
        return []
    levels = {user.region.code[:n].ljust(12, "0"): level
              for n, level in ((2, "province"), (4, "prefecture"), (6, "county"))}
    rows: dict[int, dict] = {}
    for line in MonitoringLine.objects.filter(region_id__in=list(levels)).select_related("region"):
        row = rows.setdefault(line.year, {"year": line.year, "province": None, "prefecture": None, "county": None})
        row[levels[line.region_id]] = line
    for row in rows.values():
        row["in_force"] = row["county"] or row["prefecture"] or row["province"]
    return [rows[year] for year in sorted(rows, reverse=True)]


# --- warnings, leads, uploads: every read through the jurisdiction door -------------------------------------


def warnings_visible_to(user) -> QuerySet[RiskWarning]:
    """Warnings of the households in the user's jurisdiction (a village sees its own, a township its subtree), less
    those of households no longer registered: as `household__is_active=True`, but read through the few closed
    households (a partial index) instead of a join with every household, so a county's counts stay cheap."""
    from bangfu.registry.selectors import households_closed

    return RiskWarning.objects.filter(village_scope(user)).exclude(household_id__in=households_closed())


def warning_get_for_user(user, *, pk) -> RiskWarning:
    try:
        return warnings_visible_to(user).select_related("household", "village__parent", "rule").get(pk=pk)
    except (RiskWarning.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该预警，或不在您的管辖范围内")) from None


def warning_due_at(warning: RiskWarning) -> dt.datetime:
    """A warning is due for verification its rule's `verify_days` after it was raised; late once that moment
    has passed and it is still open. The one definition: the queue's filter, its marks, the export's column and
    the home queue read it (warning_is_overdue, warnings_overdue_q)."""
    return warning.created_at + dt.timedelta(days=warning.rule.verify_days)


def warnings_to_verify_q() -> Q:
    """Open warnings that wait for the village's verification: not those on a household monitored with its risk
    open (monitored_open), which follow the household's case (warnings_to_follow_q) and are never late."""
    return Q(state=RiskWarning.State.OPEN, monitored_open=False)


def warnings_to_follow_q() -> Q:
    """Open warnings on a household monitored with its risk open: attached to its case or acknowledged."""
    return Q(state=RiskWarning.State.OPEN, monitored_open=True)


def warnings_overdue_q(rules, now) -> Q:
    """warning_is_overdue() as a filter: warnings to verify raised before now minus their rule's days. One condition
    per distinct number of days (the rules sharing it by id), not one per rule: a province's rule rows are many,
    their deadlines few, and the dashboards count with it on every request."""
    by_days: dict[int, list[int]] = {}
    for rule in rules:
        by_days.setdefault(rule.verify_days, []).append(rule.pk)
    q = Q(pk__in=[])
    for days, ids in sorted(by_days.items()):
        q |= Q(rule_id__in=sorted(ids), created_at__lt=now - dt.timedelta(days=days))
    return q & warnings_to_verify_q()


_overdue_q = warnings_overdue_q


WARNING_KINDS = {"verify": warnings_to_verify_q, "follow": warnings_to_follow_q}


@dataclass
class WarningFilter:
    region_code: str = ""
    rule: str = ""
    state: str = RiskWarning.State.OPEN
    overdue: bool = False
    suspected: bool = False
    kind: str = ""  # "verify": warnings to verify; "follow": on households monitored with their risk open


def warning_filter_from(data: dict) -> WarningFilter:
    """The queue's filter from its form's cleaned values: no state given means the open warnings."""
    state = data.get("state") or "open"
    return WarningFilter(region_code=data.get("region") or "", rule=data.get("rule") or "",
                         state="" if state == "all" else state, overdue=bool(data.get("overdue")),
                         suspected=bool(data.get("suspected")), kind=data.get("kind") or "")


def warnings_filtered(user, flt: WarningFilter) -> QuerySet[RiskWarning]:
    qs = warnings_visible_to(user)
    if flt.region_code:
        region = Region.objects.filter(code=flt.region_code).first()
        if region is None:
            return qs.none()
        qs = qs.filter(code_range_q(region.code_range))
    if flt.rule:
        qs = qs.filter(rule__code=flt.rule)
    if flt.state:
        qs = qs.filter(state=flt.state)
    if flt.overdue:
        qs = qs.filter(_overdue_q(Rule.objects.all(), timezone.now()))
    if flt.suspected:
        qs = qs.exclude(exclusions="")
    if flt.kind in WARNING_KINDS:
        qs = qs.filter(WARNING_KINDS[flt.kind]())
    return qs.select_related("household", "village__parent", "rule").order_by("created_at", "village_id", "id")


def warning_counts_by_rule(user, *, region_code: str = "") -> list[dict]:
    """Open warnings by rule in the user's jurisdiction (or a region within it), with how many are overdue."""
    every = list(Rule.objects.filter(is_exclusion=False))  # every region's rows: each warning's own deadline
    # The rules as in force where the user sits, counted by code (a county's warnings go with its own rows).
    rules = config_pick(every, user.region_id)
    qs = warnings_filtered(user, WarningFilter(region_code=region_code)).order_by()
    counts = {row["rule__code"]: row for row in qs.values("rule__code").annotate(
        open=Count("id", filter=warnings_to_verify_q()), overdue=Count("id", filter=_overdue_q(every, timezone.now())),
        follow=Count("id", filter=warnings_to_follow_q()), suspected=Count("id", filter=~Q(exclusions="")))}
    return [{"rule": rule, "open": counts.get(rule.code, {}).get("open", 0),
             "overdue": counts.get(rule.code, {}).get("overdue", 0),
             "follow": counts.get(rule.code, {}).get("follow", 0),
             "suspected": counts.get(rule.code, {}).get("suspected", 0)} for rule in rules]


def warning_is_overdue(warning: RiskWarning, now=None) -> bool:
    now = now or timezone.now()
    return warning.state == RiskWarning.State.OPEN and not warning.monitored_open and warning_due_at(warning) < now


def warning_queue_for(user, *, limit: int = 10) -> QueueGroup | None:
    """Overdue warnings for the home page of those who verify them (the village) or watch them (township,
    county): the warning list's own overdue filter, its real count and the first `limit`, oldest first."""
    from django.urls import reverse

    from bangfu.web.lists import first_and_count

    if not user.can("monitoring.verify"):
        return None
    rows = warnings_filtered(user, WarningFilter(overdue=True))
    shown, count = first_and_count(rows, limit)
    return QueueGroup(key="warnings", count=count, shown=shown, url=f"{reverse('monitoring:warning_list')}?overdue=on")


def verify_queue_for(user, *, limit: int = 10) -> QueueGroup | None:
    """Every warning waiting for a visit (not only the overdue ones), for the home page of the village that
    verifies them: the warning list's own filter (state=open, kind=verify), its real count, oldest first."""
    from django.urls import reverse

    from bangfu.web.lists import first_and_count

    if not user.can("monitoring.verify"):
        return None
    shown, count = first_and_count(warnings_filtered(user, WarningFilter(kind="verify")), limit)
    return QueueGroup(key="verify", count=count, shown=shown,
                      url=f"{reverse('monitoring:warning_list')}?state=open&kind=verify")


def follow_queue_for(user, *, limit: int = 10) -> QueueGroup | None:
    """Warnings on households monitored with their risk open, apart from the warnings to verify: each is attached
    to the household's open case or acknowledged (warning_follow_up). The list's own kind=follow filter."""
    from django.urls import reverse

    from bangfu.web.lists import first_and_count

    if not user.can("monitoring.verify"):
        return None
    shown, count = first_and_count(warnings_filtered(user, WarningFilter(kind="follow")), limit)
    return QueueGroup(key="follow", count=count, shown=shown,
                      url=f"{reverse('monitoring:warning_list')}?state=open&kind=follow")


def lead_queue_for(user, *, limit: int = 10) -> QueueGroup | None:
    """New leads (a confirmed warning, a self-report, a cadre's visit) for the home page of those who take them
    into identification, oldest first: the lead list's own filter (state=new)."""
    from django.urls import reverse

    from bangfu.cases.permissions import can
    from bangfu.web.lists import first_and_count

    if not can(user, "cases.work"):
        return None
    shown, count = first_and_count(leads_filtered(user, state=Lead.State.NEW), limit)
    return QueueGroup(key="leads", count=count, shown=shown, url=f"{reverse('monitoring:lead_list')}?state=new")


def leads_visible_to(user) -> QuerySet[Lead]:
    return Lead.objects.filter(village_scope(user)).select_related("village__parent", "household", "warning__rule")


def leads_filtered(user, *, state: str = "", source: str = "") -> QuerySet[Lead]:
    """The lead list: all, or one state (new ones oldest first: the order they wait in), of one source or all."""
    leads = leads_visible_to(user)
    if state in Lead.State.values:
        leads = leads.filter(state=state)
    if source in Lead.Source.values:
        leads = leads.filter(source=source)
    return leads.order_by("created_at", "id") if state == Lead.State.NEW else leads.order_by("-created_at", "-id")


def feed_uploads_visible_to(user) -> QuerySet[FeedUpload]:
    """Upload history: counts and row problems only, no household data; for those who may upload, of the kinds
    they may upload (a department clerk sees its own department's)."""
    from bangfu.monitoring.feeds import FEED_KINDS, feed_kinds_for

    kinds = feed_kinds_for(user)
    if not kinds:
        return FeedUpload.objects.none()
    uploads = FeedUpload.objects.select_related("uploaded_by")
    return uploads if len(kinds) == len(FEED_KINDS) else uploads.filter(kind__in=list(kinds))


def feed_upload_get_for_user(user, *, pk) -> FeedUpload:
    try:
        return feed_uploads_visible_to(user).get(pk=pk)
    except (FeedUpload.DoesNotExist, ValueError, TypeError):
        raise Http404(_("没有找到该上传记录，或不是您所在部门的")) from None


def screening_runs(user=None) -> QuerySet[ScreeningRun]:
    """Screening runs: with a user, those of the counties in their jurisdiction (one run per county; a reader
    inside a county sees that county's runs, a prefecture its counties'), and the runs from before counties were
    kept apart (no county)."""
    runs = ScreeningRun.objects.select_related("started_by", "region")
    if user is None or user.is_superuser:
        return runs
    if not user.region_id:
        return runs.none()
    county = user.region.code[:6].ljust(12, "0") if user.region.level not in ("province", "city") else None
    low, high = user.region.code_range
    inside = Q(region_id=county) if county else Q(region_id__gte=low, region_id__lte=high)
    return runs.filter(inside | Q(region__isnull=True))


def township_names() -> dict[str, str]:
    return dict(Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("code", "name"))


def screening_rule_counts(user, run: ScreeningRun) -> dict[str, int | None]:
    """A run's hits by rule as the reader may see them: who screens the county sees the county's counts; anyone
    else the sum over the villages in their jurisdiction (a village cadre their village's), like the warnings
    they may open. A run from before the counts by village were kept shows no counts (None) to them."""
    if user.can("monitoring.screen"):
        return dict(run.counts_by_rule)
    if not run.counts_by_village:
        return {code: None for code in run.counts_by_rule}
    totals = dict.fromkeys(run.counts_by_rule, 0)
    for village, by_rule in run.counts_by_village.items():
        if region_in_scope(user, village):
            for code, n in by_rule.items():
                totals[code] = totals.get(code, 0) + n
    return totals


def screening_changes(user, run: ScreeningRun) -> tuple[int | None, int | None]:
    """A run's new warnings and updated evidence as the reader may see them (like screening_rule_counts): the
    county's to whoever may screen, else the sum over their own villages; None for a run from before the
    changes by village were kept."""
    if user.can("monitoring.screen"):
        return run.created, run.updated
    if not run.changes_by_village and (run.created or run.updated):
        return None, None
    created = updated = 0
    for village, (new, refreshed) in run.changes_by_village.items():
        if region_in_scope(user, village):
            created, updated = created + new, updated + refreshed
    return created, updated


def screening_township_counts(user, run: ScreeningRun, townships: dict[str, str]) -> list[tuple[str, int]]:
    """A run's hits by township as the reader may see them, most first: who screens the county sees every
    township; anyone else the townships in their jurisdiction (a village cadre none)."""
    everything = user.can("monitoring.screen")
    return sorted(((townships.get(code, code), n) for code, n in run.counts_by_township.items()
                   if everything or region_in_scope(user, code)), key=lambda row: -row[1])
