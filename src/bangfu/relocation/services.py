"""Every write of relocation follow-up: sites, workshops, a household's relocation record, employment. Each checks
permission and jurisdiction, validates, writes in one transaction and records the change (who, when, before,
after)."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.core.scoping import region_in_scope
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import households_visible_to
from bangfu.registry.services import household_update
from bangfu.relocation.models import (
    CertificateState,
    Employment,
    EmploymentKind,
    EmploymentSource,
    Facility,
    RelocatedHousehold,
    ResettlementSite,
    Workshop,
)
from bangfu.reports.summaries import village_summaries_refresh

SITE_FIELDS = ("name", "township", "population", "year_built", "facilities", "contact", "notes")
WORKSHOP_FIELDS = ("name", "kind", "jobs_offered", "jobs_filled")
RELOCATION_FIELDS = ("site", "relocation_year", "certificate", "former_village")
EMPLOYMENT_FIELDS = ("year", "kind", "place", "workshop", "months")
EARLIEST_YEAR = 1980  # 易地扶贫搬迁 began in the 1980s (三西); anything earlier is a typing slip


def _require(actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("您的角色没有此项操作权限"))


def _year_check(field: str, year: int | None, label: str) -> None:
    if year is not None and not EARLIEST_YEAR <= year <= dt.date.today().year:
        raise ValidationError({field: _("%(label)s应在%(low)s年至今年之间，实为%(year)s") % {
            "label": label, "low": EARLIEST_YEAR, "year": year}})


def _record(actor, action, instance, before, after, *, household_id=None, region_code=""):
    if before != after and instance.pk and hasattr(instance, "version") and before is not None:
        type(instance).objects.filter(pk=instance.pk).update(version=instance.version + 1)
        instance.version += 1
    change_record(actor=actor, action=action, instance=instance, before=before, after=after,
                  household_id=household_id, region_code=region_code)


# --- sites and workshops (the county) -------------------------------------------------------------------------

@transaction.atomic
def site_save(*, actor, data: dict[str, Any], site: ResettlementSite | None = None) -> ResettlementSite:
    """Add or change a resettlement site (安置点). County administrators only."""
    _require(actor, "monitoring.configure")
    before = snapshot(site) if site else None
    site = ResettlementSite.objects.select_for_update().get(pk=site.pk) if site else ResettlementSite()
    for key, value in data.items():
        if key in SITE_FIELDS:
            setattr(site, key, value)
    site.name = (site.name or "").strip()
    if not site.name:
        raise ValidationError({"name": _("安置点名称不能为空")})
    if ResettlementSite.objects.filter(name=site.name).exclude(pk=site.pk).exists():
        raise ValidationError({"name": _("安置点“%(name)s”已存在") % {"name": site.name}})
    if not site.township_id or site.township.level != "township":
        raise ValidationError({"township": _("请选择安置点所在的乡镇")})
    if not region_in_scope(actor, site.township_id):
        raise ValidationError({"township": _("所选乡镇不在您的管辖范围内")})
    _year_check("year_built", site.year_built, _("建成年份"))
    unknown = set(site.facilities or []) - set(Facility.values)
    if unknown:
        raise ValidationError({"facilities": _("未知的配套设施：%(codes)s") % {"codes": "、".join(sorted(unknown))}})
    created = site.pk is None
    site.save()
    _record(actor, ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE, site, before,
            snapshot(site), region_code=site.township_id)
    return site


@transaction.atomic
def workshop_save(*, actor, site: ResettlementSite, data: dict[str, Any],
                  workshop: Workshop | None = None) -> Workshop:
    """Add or change a workshop (帮扶车间) at a site, with its jobs offered and filled."""
    _require(actor, "monitoring.configure")
    before = snapshot(workshop) if workshop else None
    workshop = workshop or Workshop(site=site)
    for key, value in data.items():
        if key in WORKSHOP_FIELDS:
            setattr(workshop, key, value)
    workshop.name = (workshop.name or "").strip()
    if not workshop.name:
        raise ValidationError({"name": _("车间名称不能为空")})
    if Workshop.objects.filter(site=site, name=workshop.name).exclude(pk=workshop.pk).exists():
        raise ValidationError({"name": _("该安置点已有名为“%(name)s”的车间") % {"name": workshop.name}})
    workshop.full_clean(exclude=["site"])
    created = workshop.pk is None
    workshop.save()
    _record(actor, ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE, workshop, before,
            snapshot(workshop), region_code=site.township_id)
    return workshop


# --- a household's relocation record -------------------------------------------------------------------------

def _household_in_reach(actor, household: Household) -> Household:
    _require(actor, "registry.edit")
    try:
        return households_visible_to(actor).get(pk=household.pk)
    except Household.DoesNotExist:
        raise PermissionDenied(_("该户不在您的管辖范围内")) from None


@transaction.atomic
def relocated_household_save(*, actor, household: Household, data: dict[str, Any],
                             version: int | None = None) -> RelocatedHousehold:
    """Record where and when a household was relocated (and its 不动产权证). Marks the household 易地扶贫搬迁 in
    the registry (through the registry's own service) and keeps its 安置点 text the site's name."""
    household = _household_in_reach(actor, household)
    record = RelocatedHousehold.objects.select_for_update().filter(household=household).first()
    if record and version is not None and int(version) != record.version:
        raise ValidationError({"__all__": _("保存未成功：该搬迁信息已被他人修改，请刷新页面后重新填写")})
    before = snapshot(record) if record else None
    record = record or RelocatedHousehold(household=household)
    for key, value in data.items():
        if key in RELOCATION_FIELDS:
            setattr(record, key, value)
    _year_check("relocation_year", record.relocation_year, _("搬迁年份"))
    if record.certificate not in CertificateState.values:
        raise ValidationError({"certificate": _("不动产权证办理状态无效")})
    if record.former_village_id and record.former_village.level != "village":
        raise ValidationError({"former_village": _("迁出地应为村（社区）")})
    created = record.pk is None
    record.save()
    _record(actor, ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE, record, before,
            snapshot(record), household_id=household.pk, region_code=household.village_id)
    site_name = record.site.name if record.site_id else household.resettlement_site
    if not household.relocated or household.resettlement_site != site_name:
        household_update(actor=actor, household=household, data={"relocated": True, "resettlement_site": site_name})
    village_summaries_refresh([household.village_id])  # the kept 至少1人就业 by site (another site, same name)
    return record


# --- employment ----------------------------------------------------------------------------------------------

def _employment_check(employment: Employment) -> None:
    if employment.kind not in EmploymentKind.values:
        raise ValidationError({"kind": _("请选择就业类型")})
    employment.place = (employment.place or "").strip()
    if not employment.place:
        raise ValidationError({"place": _("就业地点或单位不能为空")})
    if employment.months is None or not 1 <= int(employment.months) <= 12:
        raise ValidationError({"months": _("年务工月数应为1至12")})
    _year_check("year", employment.year, _("年度"))
    if employment.workshop_id and employment.kind != EmploymentKind.WORKSHOP:
        raise ValidationError({"workshop": _("只有就业类型为帮扶车间时才选择车间")})


@transaction.atomic
def employment_record(*, actor, member: Member, data: dict[str, Any],
                      employment: Employment | None = None) -> Employment:
    """A cadre records (or corrects) a relocated worker's employment for a year."""
    household = _household_in_reach(actor, member.household)
    if not household.relocated:
        raise ValidationError({"__all__": _("该户不是易地扶贫搬迁户，不登记搬迁就业")})
    before = snapshot(employment) if employment else None
    employment = employment or Employment(member=member, source=EmploymentSource.CADRE)
    for key, value in data.items():
        if key in EMPLOYMENT_FIELDS:
            setattr(employment, key, value)
    _employment_check(employment)
    created = employment.pk is None
    employment.save()
    _record(actor, ChangeRecord.Action.CREATE if created else ChangeRecord.Action.UPDATE, employment, before,
            snapshot(employment), household_id=household.pk, region_code=household.village_id)
    village_summaries_refresh([household.village_id])  # the dashboards' kept 至少1人就业 figures
    return employment


@transaction.atomic
def employment_remove(*, actor, employment: Employment) -> None:
    household = _household_in_reach(actor, employment.member.household)
    before = snapshot(employment)
    change_record(actor=actor, action=ChangeRecord.Action.DELETE, instance=employment, before=before, after=None,
                  household_id=household.pk, region_code=household.village_id)
    employment.delete()
    village_summaries_refresh([household.village_id])


@transaction.atomic
def employment_import_feed(*, actor, year: int) -> dict[str, int]:
    """Employment of relocated workers from the 人社 feed (kind `employment`, 就业与社保缴费) for a year: one
    record per worker (source 人社数据) whose months are the distinct months with a row, at the employer named
    last; a workshop of the same name makes it 帮扶车间. Records typed by cadres are left as they are. Rerunning
    gives the same result."""
    from bangfu.monitoring.models import FeedRow

    if actor is not None:
        _require(actor, "monitoring.configure")
    rows = (FeedRow.objects.filter(kind="employment", household__relocated=True, household__is_active=True,
                                   period__startswith=f"{year}-")
            .order_by("member_id", "period", "row_number").values_list("member_id", "period", "date1", "text"))
    months: dict[int, set[str]] = defaultdict(set)
    employer: dict[int, str] = {}
    for member_id, period, date1, text in rows:
        months[member_id].add(f"{date1:%Y-%m}" if date1 else period)
        if text:
            employer[member_id] = text.strip()
    workshops = {w.name: w for w in Workshop.objects.all()}
    existing = {e.member_id: e for e in Employment.objects.filter(year=year, source=EmploymentSource.FEED)}
    created = updated = 0
    members = Member.objects.in_bulk(list(months))
    for member_id, seen in months.items():
        place = employer.get(member_id) or _("人社数据（未注明单位）")
        workshop = workshops.get(place)
        values = {"months": min(len([m for m in seen if m.startswith(str(year))]) or len(seen), 12), "place": place,
                  "kind": EmploymentKind.WORKSHOP if workshop else EmploymentKind.LOCAL, "workshop": workshop}
        employment = existing.get(member_id)
        before = snapshot(employment) if employment else None
        if employment is None:
            employment = Employment(member=members[member_id], year=year, source=EmploymentSource.FEED)
            created += 1
        for key, value in values.items():
            setattr(employment, key, value)
        employment.save()
        after = snapshot(employment)
        if before is not None and before != after:
            updated += 1
        if before != after:
            household = members[member_id].household
            _record(actor, ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                    employment, before, after, household_id=household.pk, region_code=household.village_id)
    village_summaries_refresh({members[pk].household.village_id for pk in months})
    return {"workers": len(months), "created": created, "updated": updated}
