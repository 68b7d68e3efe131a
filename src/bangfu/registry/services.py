"""Every write to the registry. Each service checks permission and jurisdiction, validates, writes in one
transaction and records the change (who, when, before, after)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, reveal_record, snapshot
from bangfu.core.crypto import field_cipher
from bangfu.core.id_number import IdNumberError, parse_id_number
from bangfu.core.masking import mask_phone
from bangfu.core.phone import normalise_phone as core_normalise_phone
from bangfu.core.scoping import region_in_scope
from bangfu.registry import choices as c
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.selectors import households_in_jurisdiction, households_visible_to
from bangfu.registry.validation import (
    Invalid,
    MemberIdentity,
    household_check,
    household_number_check,
    income_problems,
    member_identity,
    member_problems,
    person_name,
)
from bangfu.reports.summaries import village_summaries_refresh

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
NUMBER_SUFFIX_DIGITS = 4  # a household number given by the system: village code + 4 digits (5132251032130001)
# What a ledger gave when it gave less than the components (IncomeRecord.given); set by imports, not by the form.
INCOME_GIVEN_FIELDS = ("given", "given_net_income", "given_per_capita_income")


# --- guards -------------------------------------------------------------------------------------------------

def _require(actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("您的角色没有此项操作权限"))


def _require_household_in_scope(actor, household: Household, *, closed_ok: bool = False) -> None:
    """In the actor's jurisdiction; a closed household (已销户) changes only by being reopened."""
    if not households_in_jurisdiction(actor).filter(pk=household.pk).exists():
        raise PermissionDenied(_("该户不在您的管辖范围内"))
    if not closed_ok and not households_visible_to(actor).filter(pk=household.pk).exists():
        raise ValidationError({"__all__": _("该户已销户：恢复在册后才能修改")})


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


def household_next_number(village_code: str) -> str:
    """The next free number of a village: its 12-digit code and 4 digits (closed households' numbers count)."""
    width = len(village_code) + NUMBER_SUFFIX_DIGITS
    taken = [int(n[len(village_code):]) for n in Household.objects.filter(number__startswith=village_code)
             .values_list("number", flat=True) if len(n) == width and n.isdigit()]
    return f"{village_code}{max(taken, default=0) + 1:0{NUMBER_SUFFIX_DIGITS}d}"


def _save_household(household: Household, *, numbered: bool = False) -> None:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                household.save()
            return
        except IntegrityError:
            if numbered:  # someone took the same next number a moment ago: take the one after it
                household.number = household_next_number(household.village_id)
                continue
            break
    # Two people registering the same household number at once: the unique index lets one through.
    raise ValidationError({"number": _("户编号 %(number)s 已存在（刚由他人登记）") % {
        "number": household.number}})


def _household_snapshot(household: Household) -> dict:
    return snapshot(household, exclude=frozenset({"head_name"}))


# --- households ---------------------------------------------------------------------------------------------

@transaction.atomic
def household_create(*, actor, data: dict[str, Any], phone: str | None = None) -> Household:
    """Register a new household (新增农户) in a village within the actor's jurisdiction. Without a typed number
    it gets the village's next one."""
    _require(actor, "registry.edit")
    household = Household(**{k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS})
    household.number = (household.number or "").strip()
    if not household.village_id or not region_in_scope(actor, household.village_id):
        raise ValidationError({"village": _("所选村不在您的管辖范围内")})
    numbered = not household.number
    if numbered:
        household.number = household_next_number(household.village_id)
    household_number_check(household)
    if Household.objects.filter(number=household.number).exists():
        raise ValidationError({"number": _("户编号 %(number)s 已存在") % {"number": household.number}})
    _set_phone(household, phone)
    household_check(household)
    _save_household(household, numbered=numbered)
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=household, before=None,
                  after=_household_snapshot(household), household_id=household.pk, region_code=household.village_id)
    village_summaries_refresh([household.village_id])
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
    old_village = household.village_id
    for key, value in data.items():
        if key in HOUSEHOLD_FIELDS:
            setattr(household, key, value)
    if not region_in_scope(actor, household.village_id):
        raise ValidationError({"village": _("所选村不在您的管辖范围内")})
    household.number = (household.number or "").strip()
    if not household.number:
        raise ValidationError({"number": _("户编号不能为空")})
    if household.number != before["number"]:  # a household moved to another village keeps its number
        household_number_check(household)
    if Household.objects.filter(number=household.number).exclude(pk=household.pk).exists():
        raise ValidationError({"number": _("户编号 %(number)s 已存在") % {"number": household.number}})
    _set_phone(household, phone)
    household_check(household)
    _save_household(household)
    after = _household_snapshot(household)
    _bump_version(household, before, after)
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=household, before=before, after=after,
                  household_id=household.pk, region_code=household.village_id)
    village_summaries_refresh([old_village, household.village_id])  # a move changes both villages' figures
    return household


def household_reveal_phone(*, actor, household: Household) -> str:
    """Show the full phone number; logged."""
    _require(actor, "registry.reveal")
    _require_household_in_scope(actor, household)
    reveal_record(actor=actor, field="phone", instance=household, household_id=household.pk,
                  region_code=household.village_id)
    return household.reveal_phone()


# --- members ------------------------------------------------------------------------------------------------

def _resident_number_of(id_type: str, number: str) -> str | None:
    """The resident ID number a document stands for, whatever type it arrived under: the number itself, the
    first 18 characters of a 残疾人证号, or an "other" document that is in fact a valid ID number."""
    if id_type == c.IdType.RESIDENT_ID:
        return number
    if id_type == c.IdType.DISABILITY_CERT:
        return number[:18]
    try:
        return parse_id_number(number).number
    except IdNumberError:
        return None


def _identity_digest(id_type: str, number: str, cipher=None) -> str:
    # One person, one index entry: whatever the document type, a resident ID number is indexed bare (so the
    # unique index refuses the same person twice, and a search by ID number finds them); other documents by type.
    # `cipher`: field_cipher(), passed by callers that index many numbers at once (an import).
    person = _resident_number_of(id_type, number)
    key = person if person else f"{id_type}:{number}"
    return (cipher or field_cipher()).blind_index("id_number", key)


def _parse_member_id(raw: str, *, actor, id_type: str = c.IdType.RESIDENT_ID, sex: str | None,
                     birth_date: dt.date | None, exclude_pk: int | None) -> tuple[MemberIdentity, str]:
    identity = member_identity(raw, id_type=id_type or c.IdType.RESIDENT_ID, sex=sex, birth_date=birth_date)
    digest = _identity_digest(id_type or c.IdType.RESIDENT_ID, identity.number)
    holder = Member.objects.filter(id_number_digest=digest).exclude(pk=exclude_pk).select_related("household").first()
    if holder:
        _refuse_duplicate(holder, actor)
    return identity, digest


class DuplicateElsewhere(ValidationError):
    """The number is registered outside the actor's jurisdiction. Raised inside the service's transaction;
    `_guard_duplicate_checks` outside it logs the hit and counts it (the transaction rolls back)."""


def _refuse_duplicate(holder: Member, actor) -> None:
    """Name the household that holds the number when the actor may see it. Otherwise say only that it is
    registered elsewhere: no township, no household, so the check cannot be used to find people (and whether
    they are monitored) outside one's jurisdiction."""
    household = holder.household
    if households_visible_to(actor).filter(pk=household.pk).exists():
        raise ValidationError({"id_number": _("身份证号重复：已登记在户编号 %(number)s（户主 %(head)s）的成员 %(name)s") % {
            "number": household.number, "head": household.head_name or _("未填"), "name": holder.name}})
    raise DuplicateElsewhere({"id_number": _elsewhere_message()})


def _elsewhere_message() -> str:
    return _("该证件号码已在其他地方登记，请联系县级管理员（县乡村振兴局）核实")


def _duplicate_check_locked_message() -> str:
    return _("证件号码查重已暂时锁定：一小时内多次录入已在您辖区外登记的号码。请联系县级管理员。")


def _duplicate_key(actor) -> str:
    return f"dupcheck:{actor.pk}"


def duplicate_check_locked(actor) -> bool:
    """Whether the actor's duplicate check is locked (too many hits outside the jurisdiction this hour)."""
    from bangfu.accounts.throttle import throttle_locked

    return throttle_locked(_duplicate_key(actor), limit=settings.DUPLICATE_CHECK_LIMIT, window=dt.timedelta(hours=1))


def duplicate_check_refuse_if_locked(actor) -> None:
    """Before looking up many ID numbers at once (an import's preview): refuse while the check is locked."""
    if getattr(actor, "pk", None) and duplicate_check_locked(actor):
        raise ValidationError(_duplicate_check_locked_message())


def duplicate_hits_count(actor, hits: int) -> None:
    """Count `hits` ID numbers found registered outside the actor's jurisdiction (by an import's preview) toward
    the same hourly limit as the forms' checks: a file of many numbers must not be a way around it. Past the
    limit the whole preview is refused (ValidationError), so its report says nothing about any of them."""
    from bangfu.accounts.throttle import throttle_reserve
    from bangfu.audit.models import SecurityEvent
    from bangfu.audit.services import security_event_record

    if not hits or not getattr(actor, "pk", None):
        return
    window, limit = dt.timedelta(hours=1), settings.DUPLICATE_CHECK_LIMIT
    for _hit in range(hits):
        reservation = throttle_reserve(_duplicate_key(actor), limit=limit, window=window)
        if reservation.granted and reservation.count == limit:
            security_event_record(kind=SecurityEvent.Kind.DUPLICATE_CHECK_LOCKED, actor=actor,
                                  username=actor.username,
                                  detail=_("一小时内第%(count)s次录入辖区外已登记的证件号码") % {"count": limit})
        if not reservation.granted:
            raise ValidationError(_duplicate_check_locked_message())


def _guard_duplicate_checks(service):
    """Every ID number found registered outside the actor's jurisdiction is logged as a security event and
    counted; more than BANGFU_DUPLICATE_CHECK_LIMIT in an hour locks the actor's duplicate check (no number is
    looked up at all) and shows on the audit page."""
    import functools

    from bangfu.accounts.throttle import throttle_locked, throttle_reserve
    from bangfu.audit.models import SecurityEvent
    from bangfu.audit.services import security_event_record

    @functools.wraps(service)
    def guarded(*, actor, **kwargs):
        window, limit = dt.timedelta(hours=1), settings.DUPLICATE_CHECK_LIMIT
        if kwargs.get("id_number") and throttle_locked(_duplicate_key(actor), limit=limit, window=window):
            raise ValidationError({"id_number": _duplicate_check_locked_message()})
        try:
            return service(actor=actor, **kwargs)
        except DuplicateElsewhere:
            reservation = throttle_reserve(_duplicate_key(actor), limit=limit, window=window)
            security_event_record(kind=SecurityEvent.Kind.DUPLICATE_ELSEWHERE, actor=actor, username=actor.username)
            if reservation.granted and reservation.count == limit:
                security_event_record(kind=SecurityEvent.Kind.DUPLICATE_CHECK_LOCKED, actor=actor,
                                      username=actor.username,
                                      detail=_("一小时内第%(count)s次录入辖区外已登记的证件号码") % {"count": limit})
            if not reservation.granted:
                raise ValidationError({"id_number": _duplicate_check_locked_message()}) from None
            raise

    return guarded


def _apply_id_number(member: Member, parsed: MemberIdentity, digest: str) -> None:
    member.id_number_cipher = field_cipher().encrypt("id_number", parsed.number)
    member.id_number_digest = digest
    member.__dict__.pop("id_number_masked", None)  # recomputed from the new number when next shown
    member.sex = parsed.sex
    member.birth_date = parsed.birth_date


def _validate_member(member: Member) -> None:
    """The member's rules (registry.validation), and one head per household."""
    errors: dict[str, list[str]] = {}
    problems = member_problems(relation=member.relation, sex=member.sex, work_months=member.work_months,
                               public_welfare_months=member.public_welfare_months, health=member.health,
                               disability_grade=member.disability_grade)
    try:
        member.name = person_name(member.name)
    except Invalid as error:
        problems = [*error.problems, *problems]
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    if member.relation == c.Relation.HEAD and "relation" not in errors:
        other_head = member.household.members.filter(relation=c.Relation.HEAD).exclude(pk=member.pk).first()
        if other_head:
            errors["relation"] = [_("该户已有户主 %(name)s") % {"name": other_head.name}]
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
        _refuse_duplicate(holder, actor)


@_guard_duplicate_checks
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
    village_summaries_refresh([household.village_id])
    return member


@_guard_duplicate_checks
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
    # a member's labour, work, health and support flags decide 至少1人就业 and 八必访 (the kept welfare figures)
    village_summaries_refresh([member.household.village_id])
    return member


# When a son or daughter becomes the head, the others' relations as seen from the new head.
RELATIONS_FROM_CHILD_HEAD = {
    c.Relation.SON: c.Relation.SIBLING, c.Relation.DAUGHTER: c.Relation.SIBLING,
    c.Relation.GRANDSON: c.Relation.SON, c.Relation.GRANDDAUGHTER: c.Relation.DAUGHTER,
    c.Relation.FATHER: c.Relation.OTHER, c.Relation.MOTHER: c.Relation.OTHER, c.Relation.SIBLING: c.Relation.OTHER,
}


def _relation_after_new_head(member: Member, new_head: Member, others: list[Member]) -> str:
    """The member's relation to the new head, where it follows from both relations to the old one; else as it was
    (the page asks the user to check)."""
    if new_head.relation not in (c.Relation.SON, c.Relation.DAUGHTER):
        return member.relation  # the spouse takes over: the children stay 之子/之女
    if member.relation == c.Relation.SPOUSE:
        return c.Relation.FATHER if member.sex == c.Sex.MALE else c.Relation.MOTHER
    partner = c.Relation.DAUGHTER_IN_LAW if new_head.relation == c.Relation.SON else c.Relation.SON_IN_LAW
    if member.relation == partner:
        # The new head's own partner when there is exactly one in the household; otherwise a sibling's.
        single = sum(1 for m in others if m.relation == partner) == 1
        return c.Relation.SPOUSE if single else c.Relation.OTHER
    return RELATIONS_FROM_CHILD_HEAD.get(member.relation, member.relation)


def _feed_store_forget(member_id: int) -> None:
    from bangfu.monitoring.engine.feedstore import feed_store_forget_member

    feed_store_forget_member(member_id)


def _removal_reason_text(reason: str, detail: str) -> str:
    by_label = {str(label): value for value, label in c.RemovalReason.choices}
    value = by_label.get(reason.strip(), reason.strip())
    if value not in c.RemovalReason.values:
        raise ValidationError({"reason": _("请选择减员原因（死亡、婚嫁迁出、户籍迁出、服刑或其他）")})
    if value == c.RemovalReason.OTHER:
        if not detail.strip():
            raise ValidationError({"detail": _("减员原因为“其他”时请写明原因")})
    with translation.override(settings.LANGUAGE_CODE):  # history keeps the site's words
        label = str(c.RemovalReason(value).label)
    return (f"{label}：{detail.strip()}" if detail.strip() else label)[:200]


@transaction.atomic
def member_remove(*, actor, member: Member, reason: str, detail: str = "", new_head: Member | None = None,
                  version: int | None = None) -> dict:
    """Take a person off the household (减员: death, marriage out, moved away ...). The history keeps the record.

    Removing the head needs the new head in the same step; the others' relations follow. When the last member
    leaves, the household is closed (销户) with the same reason. `version`: the member as the remover saw it; a
    record changed meanwhile is not removed unseen. Returns what changed besides the removal:
    {"relations": [(name, old label, new label)], "closed": bool}."""
    _require(actor, "registry.edit")
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    _require_household_in_scope(actor, member.household)
    check_version(member, version)
    reason_text = _removal_reason_text(reason, detail)
    household = Household.objects.select_for_update().get(pk=member.household_id)
    others = list(household.members.exclude(pk=member.pk).order_by("id"))
    changed_relations = []
    if member.relation == c.Relation.HEAD and others:
        if new_head is None or new_head.pk not in {m.pk for m in others}:
            raise ValidationError({"new_head": _("减员的是户主：请从本户其他成员中选择新户主")})
        new_head = next(m for m in others if m.pk == new_head.pk)
        relations = {m.pk: _relation_after_new_head(m, new_head, others) for m in others if m.pk != new_head.pk}
        relations[new_head.pk] = c.Relation.HEAD
    else:
        relations = {}
    change_record(actor=actor, action=ChangeRecord.Action.DELETE, instance=member, before=snapshot(member),
                  after=None, household_id=household.pk, region_code=household.village_id, reason=reason_text)
    member_id = member.pk
    member.delete()  # their department feed rows go with them; the Parquet copies of those months follow
    transaction.on_commit(lambda: _feed_store_forget(member_id))
    for other in others:
        new_relation = relations.get(other.pk, other.relation)
        if new_relation == other.relation:
            continue
        before = snapshot(other)
        old_label = other.get_relation_display()
        other.relation = new_relation
        other.save(update_fields=["relation", "updated_at"])
        _bump_version(other, before, snapshot(other))
        change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=other, before=before,
                      after=snapshot(other), household_id=household.pk, region_code=household.village_id,
                      reason=_("户主变更"))
        changed_relations.append((other.name, old_label, other.get_relation_display()))
    _sync_head_name(household)
    if not others:
        _household_close(actor=actor, household=household, reason=reason_text)
    village_summaries_refresh([household.village_id])
    return {"relations": changed_relations, "closed": not others}


def _household_close(*, actor, household: Household, reason: str) -> None:
    before = _household_snapshot(household)
    household.is_active, household.closed_on, household.closed_reason = False, dt.date.today(), reason[:200]
    household.save(update_fields=["is_active", "closed_on", "closed_reason", "updated_at"])
    _bump_version(household, before, _household_snapshot(household))
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=household, before=before,
                  after=_household_snapshot(household), household_id=household.pk,
                  region_code=household.village_id, reason=_("销户：%(reason)s") % {"reason": reason})


@transaction.atomic
def household_reopen(*, actor, household: Household, reason: str) -> Household:
    """Put a closed household (已销户) back on the register, e.g. when a member returns or it was closed by mistake."""
    _require(actor, "registry.edit")
    household = Household.objects.select_for_update().get(pk=household.pk)
    _require_household_in_scope(actor, household, closed_ok=True)
    if household.is_active:
        raise ValidationError({"reason": _("该户在册，无需恢复")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写恢复原因")})
    before = _household_snapshot(household)
    household.is_active, household.closed_on, household.closed_reason = True, None, ""
    household.save(update_fields=["is_active", "closed_on", "closed_reason", "updated_at"])
    _bump_version(household, before, _household_snapshot(household))
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=household, before=before,
                  after=_household_snapshot(household), household_id=household.pk,
                  region_code=household.village_id, reason=_("恢复在册：%(reason)s") % {"reason": reason.strip()[:180]})
    village_summaries_refresh([household.village_id])
    return household


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
                       version: int | None = None, new: bool = False) -> IncomeRecord:
    """Record (or correct) a household's income for a year. `version` is the record's version the form was read
    at, 0 when the form was for a year not yet recorded (see check_version). With `new`, a year already recorded
    is refused rather than replaced (the page then opens that year for editing). The returned record carries
    `change`, the ChangeRecord written (None when nothing changed)."""
    _require(actor, "registry.edit")
    _require_household_in_scope(actor, household)
    this_year = dt.date.today().year
    if not 2000 <= int(year) <= this_year:
        raise ValidationError({"year": _("年度应在2000至%(year)s之间") % {"year": this_year}})
    record = IncomeRecord.objects.select_for_update().filter(household=household, year=year).first()
    if record and new:
        raise ValidationError({"year": ValidationError(_("%(year)s年已登记收入：请修改该年的记录，不要重复登记") % {
            "year": year}, code="exists")})
    before = snapshot(record) if record else None
    if record is None:
        if version:
            check_version(IncomeRecord(household=household, year=year), version)
        record = IncomeRecord(household=household, year=year)
    else:
        check_version(record, version)
    for key, value in data.items():
        if key in INCOME_FIELDS or key in INCOME_GIVEN_FIELDS:
            setattr(record, key, value)
    if "given" not in data and any(key in data for key in INCOME_FIELDS[1:6]):
        # Components entered (the form): the record now holds them, not a ledger's net or per-capita figure.
        record.given, record.given_net_income, record.given_per_capita_income = IncomeRecord.Given.COMPONENTS, None, None
    if not record.members_counted:
        record.members_counted = household.members.count() or 1
    problems = income_problems({field: getattr(record, field) for field in (*INCOME_FIELDS, *INCOME_GIVEN_FIELDS[1:])})
    if problems:  # amounts inside registry.validation.AMOUNT_BOUNDS (a ledger's net may be a loss)
        raise ValidationError({p.field: p.message for p in problems})
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError({"year": _("%(year)s年的收入刚由他人登记，请刷新页面后再修改") % {"year": year}}) from None
    if before is not None:
        _bump_version(record, before, snapshot(record))
    record.change = change_record(
        actor=actor, action=ChangeRecord.Action.UPDATE if before else ChangeRecord.Action.CREATE, instance=record,
        before=before, after=snapshot(record), household_id=household.pk, region_code=household.village_id)
    village_summaries_refresh([household.village_id])  # whether the household lies below the line may change
    return record
