"""Every write to the registry. Each service checks permission and jurisdiction, validates, writes in one
transaction and records the change (who, when, before, after)."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, reveal_record, snapshot
from bangfu.core.crypto import field_cipher
from bangfu.core.id_number import IdNumberError, normalise_id_number, parse_id_number
from bangfu.core.masking import mask_phone
from bangfu.core.phone import normalise_phone as core_normalise_phone
from bangfu.core.scoping import region_in_scope
from bangfu.regions.models import Region
from bangfu.registry import choices as c
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.selectors import households_visible_to

HOUSEHOLD_FIELDS = (
    "number", "village", "group", "household_type", "monitoring_type", "monitoring_status", "identified_month",
    "eliminated_month", "housing_safety", "housing_area", "drinking_water_safe", "relocated", "resettlement_site",
    "farmland_mu", "forest_mu", "road_type", "road_distance_km", "has_electricity", "cooperative_member",
)
MEMBER_FIELDS = (
    "name", "relation", "id_type", "ethnicity", "political_status", "education", "student_status", "health",
    "disability_grade", "labour_ability", "work_place", "work_months", "medical_insurance",
    "serious_illness_insurance", "pension_insurance", "dibao", "tekun", "public_welfare_job",
    "public_welfare_months",
)
INCOME_FIELDS = (
    "members_counted", "wage_income", "business_income", "property_income", "transfer_income", "production_cost",
    "medical_spending", "education_spending",
)
MONTH_PATTERN = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])$")


# --- guards -------------------------------------------------------------------------------------------------

def _require(actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("您的角色没有此项操作权限"))


def _require_household_in_scope(actor, household: Household) -> None:
    if not households_visible_to(actor).filter(pk=household.pk).exists():
        raise PermissionDenied(_("该户不在您的管辖范围内"))


def check_version(instance, version: int | None) -> None:
    """Refuse a save from a form read at an older version of `instance` (locked by the caller), naming who
    changed what meanwhile, so the second of two people editing one record does not silently undo the first.
    `version` None means the caller read nothing to compare (an import, the demo builder)."""
    if version is None or int(version) == instance.version:
        return
    if instance.pk is None:  # a form that expected an existing record (income of a year) finds none
        raise ValidationError({NON_FIELD_ERRORS: _("保存未成功：该记录已被他人删除，请刷新页面后重新填写")})
    missed = max(instance.version - int(version), 1)
    records = (ChangeRecord.objects.filter(object_type=instance._meta.model_name, object_id=str(instance.pk))
               .select_related("actor").order_by("-at", "-id")[:missed])
    changes = []
    for record in reversed(records):
        who = (record.actor.full_name or record.actor.username) if record.actor else _("系统")
        when = f"{timezone.localtime(record.at):%Y-%m-%d %H:%M}"
        if record.action == ChangeRecord.Action.CREATE:
            changes.append(_("%(who)s 于 %(time)s 登记了该记录") % {"who": who, "time": when})
            continue
        fields = "、".join(dict.fromkeys(label for label, _old, _new in record.changes_for_display)) or _("记录")
        changes.append(_("%(who)s 于 %(time)s 修改了%(fields)s") % {"who": who, "time": when, "fields": fields})
    raise ValidationError({NON_FIELD_ERRORS: _(
        "保存未成功：您打开此页面之后，%(changes)s。为免覆盖他人的修改，请刷新页面，核对后重新填写。") % {
        "changes": "；".join(changes) or _("该记录已被他人修改")}})


def _bump_version(instance, before: dict | None, after: dict) -> None:
    """A saved change adds one to the version; a save that changed nothing leaves it (and writes no history)."""
    if before != after:
        type(instance).objects.filter(pk=instance.pk).update(version=instance.version + 1)
        instance.version += 1


def normalise_phone(raw: str) -> str:
    try:
        return core_normalise_phone(raw)
    except ValueError as error:
        raise ValidationError({"phone": str(error)}) from None


def _set_phone(household: Household, raw: str | None) -> None:
    if raw is None:
        return
    if not raw.strip():
        household.phone_cipher = household.phone_digest = household.phone_masked = ""
        return
    phone = normalise_phone(raw)
    cipher = field_cipher()
    household.phone_cipher = cipher.encrypt("phone", phone)
    household.phone_digest = cipher.blind_index("phone", phone)
    household.phone_masked = mask_phone(phone)


def _validate_household(household: Household) -> None:
    errors: dict[str, str] = {}
    for field in ("identified_month", "eliminated_month"):
        value = getattr(household, field)
        if value and not MONTH_PATTERN.match(value):
            errors[field] = _("%(field)s应为6位年月（YYYYMM），实为“%(value)s”") % {
                "field": Household._meta.get_field(field).verbose_name, "value": value}
    if household.village_id and getattr(household.village, "level", "village") != "village":
        errors["village"] = _("户必须挂在村（社区）一级")
    if household.monitoring_status and not household.monitoring_type:
        errors["monitoring_status"] = _("非监测对象不能有风险消除状态")
    if household.monitoring_type and not household.monitoring_status:
        household.monitoring_status = c.MonitoringStatus.RISK_OPEN
    if household.monitoring_type and not household.identified_month:
        errors["identified_month"] = _("监测对象必须填写识别监测时间")
    if household.monitoring_status == c.MonitoringStatus.RISK_ELIMINATED and not household.eliminated_month:
        errors["eliminated_month"] = _("风险已消除的户必须填写消除监测时间")
    for field in ("housing_area", "farmland_mu", "forest_mu", "road_distance_km"):
        value = getattr(household, field)
        if value is not None and value < 0:
            errors[field] = _("%(field)s不能为负数") % {"field": Household._meta.get_field(field).verbose_name}
    if (household.identified_month and household.eliminated_month and "identified_month" not in errors
            and "eliminated_month" not in errors and household.eliminated_month < household.identified_month):
        errors["eliminated_month"] = _("消除监测时间不能早于识别监测时间")
    if household.relocated and not household.resettlement_site.strip():
        errors["resettlement_site"] = _("易地扶贫搬迁户必须填写安置点")
    if errors:
        raise ValidationError(errors)


def _save_household(household: Household) -> None:
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        # Two people registering the same household number at once: the unique index lets one through.
        raise ValidationError({"number": _("户编号 %(number)s 已存在（刚由他人登记）") % {
            "number": household.number}}) from None


def _household_snapshot(household: Household) -> dict:
    return snapshot(household, exclude=frozenset({"head_name"}))


# --- households ---------------------------------------------------------------------------------------------

@transaction.atomic
def household_create(*, actor, data: dict[str, Any], phone: str | None = None) -> Household:
    """Register a new household (新增农户) in a village within the actor's jurisdiction."""
    _require(actor, "registry.edit")
    household = Household(**{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    if not household.village_id or not region_in_scope(actor, household.village_id):
        raise ValidationError({"village": _("所选村不在您的管辖范围内")})
    if Household.objects.filter(number=household.number).exists():
        raise ValidationError({"number": _("户编号 %(number)s 已存在") % {"number": household.number}})
    _set_phone(household, phone)
    _validate_household(household)
    _save_household(household)
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=household, before=None,
                  after=_household_snapshot(household), household_id=household.pk, region_code=household.village_id)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, data: dict[str, Any], phone: str | None = None,
                     version: int | None = None) -> Household:
    """Change a household's file. Moving it to another village needs both villages in the actor's jurisdiction.
    `version` is the household's version the form was read at (see check_version)."""
    _require(actor, "registry.edit")
    household = Household.objects.select_for_update().get(pk=household.pk)
    _require_household_in_scope(actor, household)
    check_version(household, version)
    before = _household_snapshot(household)
    for key, value in data.items():
        if key in HOUSEHOLD_FIELDS:
            setattr(household, key, value)
    if not region_in_scope(actor, household.village_id):
        raise ValidationError({"village": _("所选村不在您的管辖范围内")})
    if Household.objects.filter(number=household.number).exclude(pk=household.pk).exists():
        raise ValidationError({"number": _("户编号 %(number)s 已存在") % {"number": household.number}})
    _set_phone(household, phone)
    _validate_household(household)
    _save_household(household)
    after = _household_snapshot(household)
    _bump_version(household, before, after)
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=household, before=before, after=after,
                  household_id=household.pk, region_code=household.village_id)
    return household


def household_reveal_phone(*, actor, household: Household) -> str:
    """Show the full phone number; logged."""
    _require(actor, "registry.reveal")
    _require_household_in_scope(actor, household)
    reveal_record(actor=actor, field="phone", instance=household, household_id=household.pk,
                  region_code=household.village_id)
    return household.reveal_phone()


# --- members ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberIdentity:
    """A validated identity document: the normalised number and the sex and birth date it carries (or that were
    entered, for documents that carry none)."""

    number: str
    sex: str
    birth_date: dt.date


OTHER_ID_PATTERN = re.compile(r"^[0-9A-Z\-]{4,30}$")


def _identity_from(raw: str, *, id_type: str, sex: str | None, birth_date: dt.date | None) -> MemberIdentity:
    """Validate a document number by its type; sex and birth date come from it where it carries them."""
    if id_type == c.IdType.OTHER:
        # e.g. a newborn not yet registered, or a foreign document: nothing to derive, so both are required.
        number = normalise_id_number(raw)
        errors = {}
        if not OTHER_ID_PATTERN.match(number):
            errors["id_number"] = _("其他证件号码应为4至30位字母、数字或连字符")
        if not sex:
            errors["sex"] = _("证件类型为“其他”时必须填写性别")
        if not birth_date:
            errors["birth_date"] = _("证件类型为“其他”时必须填写出生日期")
        elif birth_date > dt.date.today():
            errors["birth_date"] = _("出生日期不能晚于今天")
        if errors:
            raise ValidationError(errors)
        return MemberIdentity(number, sex, birth_date)
    text, prefix = normalise_id_number(raw), ""
    if id_type == c.IdType.DISABILITY_CERT:
        # 残疾人证号 = the holder's ID number + disability category (1 digit) + grade (1 digit).
        if len(text) != 20 or not text[18:].isdigit():
            raise ValidationError({"id_number": _("残疾人证号应为20位：身份证号后加残疾类别和等级两位数字")})
        text, prefix = text[:18], _("残疾人证号前18位：")
    try:
        parsed = parse_id_number(text)
    except IdNumberError as error:
        raise ValidationError({"id_number": prefix + error.message}) from None
    errors = {}
    if sex and sex != parsed.sex:
        errors["sex"] = _("性别与身份证号不符：身份证号显示为%(sex)s") % {"sex": c.Sex(parsed.sex).label}
    if birth_date and birth_date != parsed.birth_date:
        errors["birth_date"] = _("出生日期与身份证号不符：身份证号显示为%(date)s") % {
            "date": f"{parsed.birth_date:%Y-%m-%d}"}
    if errors:
        raise ValidationError(errors)
    number = parsed.number + normalise_id_number(raw)[18:] if id_type == c.IdType.DISABILITY_CERT else parsed.number
    return MemberIdentity(number, parsed.sex, parsed.birth_date)


def _identity_digest(id_type: str, number: str) -> str:
    # Resident ID numbers are indexed bare (so search by ID number finds them); other documents by type.
    key = number if id_type == c.IdType.RESIDENT_ID else f"{id_type}:{number}"
    return field_cipher().blind_index("id_number", key)


def _parse_member_id(raw: str, *, actor, id_type: str = c.IdType.RESIDENT_ID, sex: str | None,
                     birth_date: dt.date | None, exclude_pk: int | None) -> tuple[MemberIdentity, str]:
    identity = _identity_from(raw, id_type=id_type or c.IdType.RESIDENT_ID, sex=sex, birth_date=birth_date)
    digest = _identity_digest(id_type or c.IdType.RESIDENT_ID, identity.number)
    holder = Member.objects.filter(id_number_digest=digest).exclude(pk=exclude_pk).select_related("household").first()
    if holder:
        raise ValidationError({"id_number": _duplicate_message(holder, actor)})
    return identity, digest


def _duplicate_message(holder: Member, actor) -> str:
    """Name the household that holds the number when the actor may see it; otherwise only its township,
    so a duplicate check cannot be used to look people up outside one's jurisdiction."""
    household = holder.household
    if households_visible_to(actor).filter(pk=household.pk).exists():
        return _("身份证号重复：已登记在户编号 %(number)s（户主 %(head)s）的成员 %(name)s") % {
            "number": household.number, "head": household.head_name or _("未填"), "name": holder.name}
    township = Region.objects.filter(code=household.village_id[:9] + "000").values_list("name", flat=True).first()
    return _("身份证号重复：该号码已登记在%(township)s的农户中（不在您的管辖范围内），请联系县级管理员核实") % {
        "township": township or _("其他乡镇")}


def _apply_id_number(member: Member, parsed: MemberIdentity, digest: str) -> None:
    member.id_number_cipher = field_cipher().encrypt("id_number", parsed.number)
    member.id_number_digest = digest
    member.__dict__.pop("id_number_masked", None)  # recomputed from the new number when next shown
    member.sex = parsed.sex
    member.birth_date = parsed.birth_date


def _validate_member(member: Member) -> None:
    errors = {}
    if not member.name.strip():
        errors["name"] = _("姓名不能为空")
    if member.work_months > 12:
        errors["work_months"] = _("务工时间不能超过12个月")
    if member.public_welfare_months > 12:
        errors["public_welfare_months"] = _("公益岗位月数不能超过12个月")
    if member.health == c.Health.DISABLED and not member.disability_grade:
        errors["disability_grade"] = _("健康状况为残疾时必须填写残疾等级")
    if member.relation == c.Relation.HEAD:
        other_head = member.household.members.filter(relation=c.Relation.HEAD).exclude(pk=member.pk).first()
        if other_head:
            errors["relation"] = _("该户已有户主 %(name)s") % {"name": other_head.name}
    if errors:
        raise ValidationError(errors)


def _sync_head_name(household: Household) -> None:
    head = household.members.filter(relation=c.Relation.HEAD).first()
    name = head.name if head else ""
    if household.head_name != name:
        Household.objects.filter(pk=household.pk).update(head_name=name)
        household.head_name = name


def _save_member(member: Member, actor) -> None:
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        # Two people entering the same number at once: the unique blind index lets exactly one through.
        holder = Member.objects.select_related("household").get(id_number_digest=member.id_number_digest)
        raise ValidationError({"id_number": _duplicate_message(holder, actor)}) from None


@transaction.atomic
def member_add(*, actor, household: Household, data: dict[str, Any], id_number: str,
               sex: str | None = None, birth_date: dt.date | None = None) -> Member:
    """Add a person to a household. Sex and birth date come from the ID number; a conflicting entry is an error."""
    _require(actor, "registry.edit")
    _require_household_in_scope(actor, household)
    id_type = data.get("id_type") or c.IdType.RESIDENT_ID
    parsed, digest = _parse_member_id(id_number, actor=actor, id_type=id_type, sex=sex, birth_date=birth_date,
                                      exclude_pk=None)
    member = Member(household=household, **{k: v for k, v in data.items() if k in MEMBER_FIELDS})
    _apply_id_number(member, parsed, digest)
    _validate_member(member)
    _save_member(member, actor)
    _sync_head_name(household)
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=member, before=None,
                  after=snapshot(member), household_id=household.pk, region_code=household.village_id)
    return member


@transaction.atomic
def member_update(*, actor, member: Member, data: dict[str, Any], id_number: str | None = None,
                  sex: str | None = None, birth_date: dt.date | None = None, version: int | None = None) -> Member:
    """Correct a member's record. A new ID number is validated like a new one (and must not be held elsewhere).
    `version` is the member's version the form was read at (see check_version)."""
    _require(actor, "registry.edit")
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    _require_household_in_scope(actor, member.household)
    check_version(member, version)
    before = snapshot(member)
    old_type = member.id_type
    for key, value in data.items():
        if key in MEMBER_FIELDS:
            setattr(member, key, value)
    if id_number:
        parsed, digest = _parse_member_id(id_number, actor=actor, id_type=member.id_type, sex=sex,
                                          birth_date=birth_date, exclude_pk=member.pk)
        _apply_id_number(member, parsed, digest)
    elif member.id_type != old_type:
        raise ValidationError({"id_number": _("更改证件类型时请重新填写证件号码")})
    elif member.id_type == c.IdType.OTHER:
        member.sex, member.birth_date = sex or member.sex, birth_date or member.birth_date
    elif (sex and sex != member.sex) or (birth_date and birth_date != member.birth_date):
        raise ValidationError({"id_number": _("性别和出生日期由身份证号决定：请更正身份证号")})
    _validate_member(member)
    _save_member(member, actor)
    _sync_head_name(member.household)
    after = snapshot(member)
    _bump_version(member, before, after)
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=member, before=before,
                  after=after, household_id=member.household_id, region_code=member.household.village_id)
    return member


@transaction.atomic
def member_remove(*, actor, member: Member, reason: str, version: int | None = None) -> None:
    """Take a person off the household (death, marriage out, moved away). The history keeps the record.
    `version`: the member as the remover saw it; a record changed meanwhile is not removed unseen."""
    _require(actor, "registry.edit")
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    _require_household_in_scope(actor, member.household)
    check_version(member, version)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写减员原因")})
    household = member.household
    before = snapshot(member)
    change_record(actor=actor, action=ChangeRecord.Action.DELETE, instance=member, before=before, after=None,
                  household_id=household.pk, region_code=household.village_id, reason=reason.strip()[:200])
    member.delete()
    _sync_head_name(household)


def member_reveal_id_number(*, actor, member: Member) -> str:
    """Show the full ID number; logged."""
    _require(actor, "registry.reveal")
    _require_household_in_scope(actor, member.household)
    reveal_record(actor=actor, field="id_number", instance=member, household_id=member.household_id,
                  region_code=member.household.village_id)
    return member.reveal_id_number()


# --- income -------------------------------------------------------------------------------------------------

@transaction.atomic
def income_record_save(*, actor, household: Household, year: int, data: dict[str, Any],
                       version: int | None = None) -> IncomeRecord:
    """Record (or correct) a household's income for a year. `version` is the record's version the form was read
    at, 0 when the form was for a year not yet recorded (see check_version)."""
    _require(actor, "registry.edit")
    _require_household_in_scope(actor, household)
    this_year = dt.date.today().year
    if not 2000 <= int(year) <= this_year:
        raise ValidationError({"year": _("年度应在2000至%(year)s之间") % {"year": this_year}})
    record = IncomeRecord.objects.select_for_update().filter(household=household, year=year).first()
    before = snapshot(record) if record else None
    if record is None:
        if version:
            check_version(IncomeRecord(household=household, year=year), version)
        record = IncomeRecord(household=household, year=year)
    else:
        check_version(record, version)
    for key, value in data.items():
        if key in INCOME_FIELDS:
            setattr(record, key, value)
    if not record.members_counted:
        record.members_counted = household.members.count() or 1
    errors = {}
    if record.members_counted < 1:
        errors["members_counted"] = _("家庭人口数至少为1")
    for field in INCOME_FIELDS[1:]:
        if getattr(record, field) is not None and getattr(record, field) < 0:
            errors[field] = _("%(field)s不能为负数") % {"field": IncomeRecord._meta.get_field(field).verbose_name}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError({"year": _("%(year)s年的收入刚由他人登记，请刷新页面后再修改") % {"year": year}}) from None
    if before is not None:
        _bump_version(record, before, snapshot(record))
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE if before else ChangeRecord.Action.CREATE,
                  instance=record, before=before, after=snapshot(record), household_id=household.pk,
                  region_code=household.village_id)
    return record
