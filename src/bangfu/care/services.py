"""Every write of the care lists: a care visit (关爱走访) and the member facts the registry lacks. Each checks
permission and jurisdiction, validates, writes in one transaction and records the change."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.care.models import CareFacts, CareVisit, TekunSupport
from bangfu.core.text import has_control
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import households_visible_to
from bangfu.reports.summaries import village_summaries_refresh, welfare_figures_rebuild

VISIT_FIELDS = ("visitor", "visited_on", "found", "done")
VISIT_MAX_AGE_DAYS = 366  # a visit typed more than a year late is a typing slip, not a record


def _household_in_reach(actor, household: Household) -> Household:
    if not actor.can("registry.edit"):
        raise PermissionDenied(_("您的角色没有此项操作权限"))
    try:
        return households_visible_to(actor).get(pk=household.pk)
    except Household.DoesNotExist:
        raise PermissionDenied(_("该户不在您的管辖范围内")) from None


@transaction.atomic
def care_visit_record(*, actor, household: Household, data: dict[str, Any], today: dt.date | None = None) -> CareVisit:
    """Record a care visit to a household: who went, when, what was found and what was done."""
    household = _household_in_reach(actor, household)
    today = today or dt.date.today()
    visit = CareVisit(household=household, recorded_by=actor if getattr(actor, "pk", None) else None)
    for key in VISIT_FIELDS:
        if key in data:
            setattr(visit, key, data[key])
    visit.visitor = (visit.visitor or "").strip()
    visit.found = (visit.found or "").strip()
    visit.done = (visit.done or "").strip()
    if not visit.visitor:
        raise ValidationError({"visitor": _("请填写走访人")})
    if not isinstance(visit.visited_on, dt.date):
        raise ValidationError({"visited_on": _("请填写走访日期")})
    if visit.visited_on > today:
        raise ValidationError({"visited_on": _("走访日期不能晚于今天")})
    if (today - visit.visited_on).days > VISIT_MAX_AGE_DAYS:
        raise ValidationError({"visited_on": _("走访日期早于一年前，请核对")})
    if not visit.found:
        raise ValidationError({"found": _("请填写走访发现的情况")})
    for field in ("visitor", "found", "done"):
        if has_control(getattr(visit, field)):
            raise ValidationError({field: _("含有不可见的控制字符，请删除后重新填写")})
    visit.save()
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=visit, before=None,
                  after=snapshot(visit), household_id=household.pk, region_code=household.village_id)
    village_summaries_refresh([household.village_id])  # the dashboards' kept 八必访 figures
    return visit


@transaction.atomic
def care_facts_save(*, actor, member: Member, data: dict[str, Any]) -> CareFacts:
    """Record how a 特困 member is supported (分散/集中) and whether a child is an orphan."""
    household = _household_in_reach(actor, member.household)
    facts = CareFacts.objects.select_for_update().filter(member=member).first()
    before = snapshot(facts) if facts else None
    facts = facts or CareFacts(member=member)
    for key in ("tekun_support", "orphan"):
        if key in data:
            setattr(facts, key, data[key])
    if facts.tekun_support not in TekunSupport.values:
        raise ValidationError({"tekun_support": _("特困供养方式无效")})
    if facts.tekun_support and not member.tekun:
        raise ValidationError({"tekun_support": _("该成员未登记为特困供养，不能填写供养方式")})
    created = facts.pk is None
    facts.save()
    change_record(actor=actor, action=ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE,
                  instance=facts, before=before, after=snapshot(facts), household_id=household.pk,
                  region_code=household.village_id)
    village_summaries_refresh([household.village_id])  # 分散供养特困 is a 八必访 kind
    return facts


@transaction.atomic
def care_settings_revert(*, actor, region=None) -> None:
    """The region drops its own care ages and employed months (both rows, saved together) and follows its
    nearest ancestor's, or the shipped ones, again: its administrator only, audited (regions.config)."""
    from bangfu.care.models import CareSettings
    from bangfu.regions.config import config_region_of, config_revert, config_source
    from bangfu.relocation.models import RelocationSettings

    if not actor.can("monitoring.configure"):
        raise PermissionDenied(_("只有县级管理员可以修改设置"))
    region_code = (region.code if hasattr(region, "code") else region) or config_region_of(actor)
    owned = [model for model in (CareSettings, RelocationSettings)
             if getattr(config_source(model, region_code), "code", None) == region_code]
    if not owned:
        config_revert(CareSettings, actor=actor, region_code=region_code)  # refuses: nothing of its own
    for model in owned:
        config_revert(model, actor=actor, region_code=region_code)
    welfare_figures_rebuild()  # who counts as employed may have changed in the region's villages


SETTINGS_BOUNDS = {"elderly_age": (50, 80), "child_age_below": (6, 18), "orphan_age_below": (14, 18),
                   "working_age_from": (14, 18), "employed_min_months": (1, 12)}


@transaction.atomic
def care_settings_save(*, actor, data: dict[str, Any], region=None):
    """An administrator sets their region's ages for the care lists and the months counted as employed (one row
    each per region, audited; `region` defaults to the actor's own and must be it). A region without its own row
    gets one, starting from what it inherited (regions.config)."""
    from bangfu.care.models import CareSettings, care_settings
    from bangfu.regions.config import config_region_of, config_require_editor
    from bangfu.relocation.models import RelocationSettings, relocation_settings

    if not actor.can("monitoring.configure"):
        raise PermissionDenied(_("只有县级管理员可以修改设置"))
    region_code = (region.code if hasattr(region, "code") else region) or config_region_of(actor)
    config_require_editor(actor, region_code)
    for key, value in data.items():
        low, high = SETTINGS_BOUNDS[key]
        if value is None or not low <= int(value) <= high:
            raise ValidationError({key: _("应在%(low)s至%(high)s之间") % {"low": low, "high": high}})
    for model, in_force in ((CareSettings, care_settings), (RelocationSettings, relocation_settings)):
        inherited = in_force(region_code)
        before = snapshot(inherited)  # what was in force in the region, inherited or its own
        if inherited.region_id != region_code or inherited.pk is None:
            inherited.pk, inherited._state.adding, inherited.region_id = None, True, region_code
            inherited.save()
        row = model.objects.select_for_update().get(pk=in_force(region_code).pk)
        for key, value in data.items():
            if hasattr(row, key):
                setattr(row, key, int(value))
        row.save()
        change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=row, before=before,
                      after=snapshot(row))
    if "employed_min_months" in data:  # who counts as employed changed in the region's villages
        welfare_figures_rebuild()
