"""Every write of paired assistance. Each service checks the role and which unit's records the actor may write
(`assistance.selectors.units_writable_by`), validates, writes in one transaction and appends a ChangeRecord."""

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.roles import Role
from bangfu.assistance.attendance import attendance_quota_for
from bangfu.assistance.ledger import LEDGER_KIND_BY_KEY, LEDGER_KIND_BY_MODEL, LedgerKind
from bangfu.assistance.models import (
    AssistanceNeed,
    AttendanceQuota,
    Cadre,
    CadreSpeech,
    CheckIn,
    EvaluationGrade,
    EvidenceFile,
    Finding,
    JointMeeting,
    LeaveRequest,
    Plan,
    PlanTarget,
    Task,
    Unit,
    UnitReport,
)
from bangfu.assistance.selectors import (
    findings_visible_to,
    ledger_entries_visible_to,
    units_visible_to,
    units_writable_by,
)
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.regions.config import config_require_editor, config_revert

Action = ChangeRecord.Action


# --- guards ---------------------------------------------------------------------------------------------------

def _require(actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("您的角色没有此项操作权限"))


def _require_unit_writable(actor, unit: Unit) -> None:
    _require(actor, "assistance.edit")
    if not units_writable_by(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("只能填报本单位的帮扶台账"))


def _require_county(actor, county_code: str) -> None:
    _require(actor, "assistance.configure")
    if not actor.is_superuser and not (actor.region_id and actor.region.contains(county_code)):
        raise PermissionDenied(_("只能设置本县的帮扶工作"))


def _require_config_editor(actor, region_code: str) -> None:
    """Configuration (quota, grades, required roles, added indicators) is edited by an administrator of that very
    region (a county's, or a prefecture's or the province's for the counties that set none: regions.config)."""
    _require_county(actor, region_code)
    config_require_editor(actor, region_code)


def _check_village(errors: dict, village, county_code: str, *, field: str = "village") -> None:
    if village is None:
        return
    if village.level != "village" or not village.code.startswith(county_code[:6]):
        errors[field] = _("所选村不在帮扶县内")


def _record(actor, action, instance, before, region_code: str, reason: str = "") -> None:
    after = snapshot(instance) if action != Action.DELETE else None
    change_record(actor=actor, action=action, instance=instance, before=before, after=after,
                  region_code=region_code, reason=reason)


def _full_clean(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> None:
    """Django's own field rules (required, choices, lengths), with the message keyed by field."""
    instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


# --- units ----------------------------------------------------------------------------------------------------

UNIT_FIELDS = ("short_name", "kind", "contact_name", "contact_post", "contact_phone")


@transaction.atomic
def unit_update(*, actor, unit: Unit, data: dict[str, Any]) -> Unit:
    """A unit's own details and contacts (the unit itself or the county)."""
    _require_unit_writable(actor, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(unit)
    for key in UNIT_FIELDS:
        if key in data:
            setattr(unit, key, data[key])
    _full_clean(unit, exclude=("county",))
    unit.save()
    _record(actor, Action.UPDATE, unit, before, unit.county_id)
    return unit


# --- the ledger -----------------------------------------------------------------------------------------------

POSITIVE = {"amount", "budget", "value", "participants", "people"}


def _validate_entry(kind: LedgerKind, entry) -> None:
    errors: dict[str, str] = {}
    if entry.date and entry.date > timezone.localdate():
        errors["date"] = _("日期不能晚于今天（台账记录已发生的工作）")
    for name in POSITIVE & set(kind.fields):
        value = getattr(entry, name)
        if value is not None and Decimal(value) <= 0:
            errors[name] = _("%(field)s应大于0") % {"field": kind.model._meta.get_field(name).verbose_name}
    _check_village(errors, entry.village if entry.village_id else None, entry.unit.county_id)
    project = getattr(entry, "project", None)
    if project is not None and project.unit_id != entry.unit_id:
        errors["project"] = _("所属项目须为本单位的项目")
    if getattr(entry, "form", "") == "in_kind" and not entry.items.strip():
        errors["items"] = _("物资捐赠须填写物资明细")
    try:
        _full_clean(entry, exclude=("unit", "created_by"))
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, " ".join(messages))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def ledger_entry_record(*, actor, kind: str, unit: Unit, data: dict[str, Any]):
    """Record one ledger entry (fund, project, donation, training, produce trade, leader visit) for a unit."""
    ledger_kind = LEDGER_KIND_BY_KEY[kind]
    _require_unit_writable(actor, unit)
    entry = ledger_kind.model(unit=unit, created_by=actor,
                              **{k: v for k, v in data.items() if k in ledger_kind.fields})
    _validate_entry(ledger_kind, entry)
    entry.save()
    _record(actor, Action.CREATE, entry, None, entry.village_id or unit.county_id)
    return entry


def _locked_entry(actor, ledger_kind: LedgerKind, entry):
    entry = ledger_kind.model.objects.select_for_update().filter(pk=entry.pk).first()
    if entry is None or not ledger_entries_visible_to(actor, ledger_kind).filter(pk=entry.pk).exists():
        raise PermissionDenied(_("该记录不存在或不在您的查看范围内"))
    _require_unit_writable(actor, entry.unit)
    return entry


@transaction.atomic
def ledger_entry_update(*, actor, entry, data: dict[str, Any]):
    """Correct a ledger entry of a unit the actor writes for. The unit of an entry never changes."""
    ledger_kind = LEDGER_KIND_BY_MODEL[type(entry)]
    entry = _locked_entry(actor, ledger_kind, entry)
    before = snapshot(entry)
    for key, value in data.items():
        if key in ledger_kind.fields:
            setattr(entry, key, value)
    _validate_entry(ledger_kind, entry)
    entry.save()
    _record(actor, Action.UPDATE, entry, before, entry.village_id or entry.unit.county_id)
    return entry


@transaction.atomic
def ledger_entry_delete(*, actor, entry, reason: str) -> None:
    """Remove a ledger entry recorded by mistake; the history keeps what it held and why it went."""
    ledger_kind = LEDGER_KIND_BY_MODEL[type(entry)]
    entry = _locked_entry(actor, ledger_kind, entry)
    if not reason.strip():
        raise ValidationError({"reason": _("删除台账记录须说明原因")})
    before = snapshot(entry)
    region = entry.village_id or entry.unit.county_id
    for evidence in EvidenceFile.objects.filter(record_type=ledger_kind.key, record_id=entry.pk):
        _evidence_path(evidence).unlink(missing_ok=True)
        evidence.delete()
    change_record(actor=actor, action=Action.DELETE, instance=entry, before=before, after=None,
                  region_code=region, reason=reason.strip()[:200])
    entry.delete()


# --- evidence files -------------------------------------------------------------------------------------------

# What a photo or scan looks like in its first bytes: the extension alone is not trusted.
EVIDENCE_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}


def evidence_dir() -> Path:
    path = Path(settings.VAR_DIR) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _evidence_path(evidence: EvidenceFile) -> Path:
    return evidence_dir() / evidence.stored_as


def evidence_record(evidence: EvidenceFile):
    """The ledger entry or finding an evidence file belongs to."""
    if evidence.record_type == "finding":
        return Finding.objects.get(pk=evidence.record_id)
    return LEDGER_KIND_BY_KEY[evidence.record_type].model.objects.get(pk=evidence.record_id)


def _record_type(record) -> str:
    return "finding" if isinstance(record, Finding) else LEDGER_KIND_BY_MODEL[type(record)].key


def _require_record_writable(actor, record) -> None:
    if isinstance(record, Finding):
        if not findings_visible_to(actor).filter(pk=record.pk).exists():
            raise PermissionDenied(_("该整改问题不在您的查看范围内"))
        if record.owner_unit_id:
            if not actor.can("assistance.configure"):
                _require_unit_writable(actor, record.owner_unit)
        else:
            _require_county(actor, record.county_id)
        return
    _locked_entry(actor, LEDGER_KIND_BY_MODEL[type(record)], record)


@transaction.atomic
def evidence_attach(*, actor, record, name: str, content: bytes) -> EvidenceFile:
    """Attach a photo (JPEG, PNG) or scan (PDF) to a ledger entry or a finding, after checking size and type."""
    _require_record_writable(actor, record)
    limit = settings.EVIDENCE_MAX_BYTES
    if not content:
        raise ValidationError({"file": _("佐证材料为空文件")})
    if len(content) > limit:
        raise ValidationError({"file": _("佐证材料“%(name)s”超过 %(mb)s MB 的大小限制") % {
            "name": name, "mb": limit // (1024 * 1024)}})
    content_type = next((t for t, magics in EVIDENCE_TYPES.items() if content.startswith(magics)), None)
    if content_type is None:
        raise ValidationError({"file": _("佐证材料“%(name)s”不是 JPG、PNG 图片或 PDF 文件") % {"name": name}})
    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}[content_type]
    evidence = EvidenceFile(record_type=_record_type(record), record_id=record.pk, name=Path(name).name[:200],
                            content_type=content_type, size=len(content), stored_as=f"{uuid.uuid4().hex}{suffix}",
                            uploaded_by=actor)
    # Written before the row: a rolled-back transaction leaves an unreferenced file, never a row without a file.
    _evidence_path(evidence).write_bytes(content)
    try:
        evidence.save()
    except Exception:
        _evidence_path(evidence).unlink(missing_ok=True)
        raise
    _record(actor, Action.CREATE, evidence, None, getattr(record, "village_id", None) or _county_for(record))
    return evidence


def _county_for(record) -> str:
    return record.county_id if isinstance(record, Finding) else record.unit.county_id


def evidence_path_for_reader(*, actor, evidence: EvidenceFile) -> Path:
    """The stored file, if the actor may read the record it is attached to (else PermissionDenied)."""
    record = evidence_record(evidence)
    if isinstance(record, Finding):
        allowed = findings_visible_to(actor).filter(pk=record.pk).exists()
    else:
        allowed = ledger_entries_visible_to(actor, evidence.record_type).filter(pk=record.pk).exists()
    if not allowed:
        raise PermissionDenied(_("该佐证材料不在您的查看范围内"))
    return _evidence_path(evidence)


# --- cadres, check-ins, leave -----------------------------------------------------------------------------------

CADRE_FIELDS = ("name", "kind", "post", "village", "term_start", "term_end", "user")


def _validate_cadre(cadre: Cadre) -> None:
    errors: dict[str, str] = {}
    if cadre.kind in Cadre.RESIDENT_KINDS and not cadre.village_id:
        errors["village"] = _("驻村干部须填写所驻村")
    _check_village(errors, cadre.village if cadre.village_id else None, cadre.unit.county_id)
    if cadre.term_end and cadre.term_start and cadre.term_end < cadre.term_start:
        errors["term_end"] = _("任期结束不能早于任期开始")
    if cadre.user_id:
        _check_account(errors, cadre)
    try:
        _full_clean(cadre, exclude=("unit", "user"))
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, " ".join(messages))
    if errors:
        raise ValidationError(errors)


def _check_account(errors: dict, cadre: Cadre) -> None:
    """An account signs in for one cadre at a time: no other record of the same account with a term that meets
    this one's."""
    account = cadre.user
    if not account.is_active:
        errors["user"] = _("账号“%(username)s”已停用，不能关联") % {"username": account.username}
        return
    if account.unit_id:
        errors["user"] = _("帮扶单位联络员的账号不能作为干部本人的账号")
        return
    if cadre.is_resident and account.role != Role.VILLAGE_CADRE:
        # The cadre's home (check-in, days, leave) is the village role's.
        errors["user"] = _("驻村干部的账号须为“%(role)s”角色（账号“%(username)s”是%(its)s）") % {
            "role": Role.VILLAGE_CADRE.label, "username": account.username, "its": account.get_role_display()}
        return
    others = Cadre.objects.filter(user_id=cadre.user_id).exclude(pk=cadre.pk)
    if cadre.term_end:
        others = others.filter(term_start__lte=cadre.term_end)
    others = others.filter(models.Q(term_end__isnull=True) | models.Q(term_end__gte=cadre.term_start))
    other = others.select_related("unit").first()
    if other is not None:
        errors["user"] = _("账号“%(username)s”已关联干部%(name)s（%(unit)s，任期%(start)s起），任期重叠") % {
            "username": account.username, "name": other.name, "unit": other.unit.label,
            "start": other.term_start.isoformat()}


def _require_account_link(actor, account) -> None:
    """Only an account manager links accounts, and only accounts inside their jurisdiction."""
    from bangfu.accounts.selectors import users_visible_to

    if not actor.can("accounts.manage"):
        raise PermissionDenied(_("只有县级管理员可以为干部关联系统账号"))
    if account is not None and not users_visible_to(actor).filter(pk=account.pk).exists():
        raise PermissionDenied(_("该账号不在您的管辖范围内"))


def _account_create(actor, cadre: Cadre, username: str, password: str):
    """A new account for a resident cadre: 村干部/驻村工作队 bound to the cadre's village (accounts' own rules)."""
    from bangfu.accounts.roles import Role
    from bangfu.accounts.services import user_create

    if not cadre.is_resident or not cadre.village_id:
        raise ValidationError({"new_username": _("只能为驻村干部新建账号（绑定所驻村）；挂职干部请选择已有账号")})
    try:
        return user_create(actor=actor, username=username, password=password, role=Role.VILLAGE_CADRE,
                           full_name=cadre.name, region_code=cadre.village_id)
    except ValidationError as error:
        keys = {"username": "new_username", "password": "new_password"}
        raise ValidationError({keys.get(key, "new_username"): " ".join(messages)
                               for key, messages in error.message_dict.items()}) from None


@transaction.atomic
def cadre_save(*, actor, unit: Unit, data: dict[str, Any], cadre: Cadre | None = None,
               new_username: str = "", new_password: str = "") -> Cadre:
    """Add or change a cadre the unit sends (挂职 or 驻村) with their term, and the account they sign in with
    (an existing one, or a new one made here; linking is the account manager's)."""
    _require_unit_writable(actor, unit)
    if cadre is not None:
        cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
        _require_unit_writable(actor, cadre.unit)
        if cadre.unit_id != unit.pk:
            raise PermissionDenied(_("只能修改本单位的干部"))
    before = snapshot(cadre) if cadre else None
    old_user = cadre.user_id if cadre else None
    cadre = cadre or Cadre(unit=unit)
    for key in CADRE_FIELDS:
        if key in data:
            setattr(cadre, key, data[key])
    if new_username.strip():
        _require_account_link(actor, None)
        _validate_cadre(cadre)  # the record's own errors first, named by field
        cadre.user = _account_create(actor, cadre, new_username, new_password)
    elif cadre.user_id != old_user:
        _require_account_link(actor, cadre.user)
    _validate_cadre(cadre)
    cadre.save()
    _record(actor, Action.UPDATE if before else Action.CREATE, cadre, before, cadre.village_id or unit.county_id)
    return cadre


@transaction.atomic
def cadre_term_end(*, actor, cadre: Cadre, end: dt.date, reason: str) -> Cadre:
    """A cadre leaves their post (离任) on `end`: the term ends that day; the record stays, listed as past."""
    _require_unit_writable(actor, cadre.unit)
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    errors: dict[str, str] = {}
    if end < cadre.term_start:
        errors["end"] = _("离任日期不能早于任期开始（%(start)s）") % {"start": cadre.term_start.isoformat()}
    elif end > timezone.localdate():
        errors["end"] = _("离任日期不能是将来的日期")
    if cadre.term_end and cadre.term_end < timezone.localdate():
        errors["end"] = _("该干部已于%(end)s离任") % {"end": cadre.term_end.isoformat()}
    if not reason.strip():
        errors["reason"] = _("请填写离任原因")
    later = cadre.check_ins.filter(date__gt=end).order_by("date").first()
    if later is not None and "end" not in errors:
        errors["end"] = _("%(date)s还有该干部的签到，离任日期不能早于最后一次签到") % {"date": later.date.isoformat()}
    if errors:
        raise ValidationError(errors)
    before = snapshot(cadre)
    cadre.term_end = end
    cadre.save(update_fields=["term_end"])
    _record(actor, Action.UPDATE, cadre, before, cadre.village_id or cadre.unit.county_id, reason=reason.strip())
    return cadre


def _require_cadre_actor(actor, cadre: Cadre) -> None:
    """The cadre themself (their own account) or someone who writes for the cadre's unit."""
    if cadre.user_id and cadre.user_id == actor.pk and actor.is_active:
        return
    _require_unit_writable(actor, cadre.unit)


def _require_check_in_actor(actor, cadre: Cadre) -> None:
    """A check-in says the cadre was there: a cadre with their own account checks in themself (their phone, their
    position); the unit records check-ins only for a cadre without one."""
    _require_cadre_actor(actor, cadre)
    if cadre.user_id and cadre.user_id != actor.pk:
        raise PermissionDenied(_("该干部已关联本人账号，须由本人签到"))


def cadre_may_act(actor, cadre: Cadre, *, check_in: bool = False) -> bool:
    """Whether `actor` may ask leave for `cadre`, or with `check_in` check in for them (the pages offer the forms
    only then)."""
    try:
        (_require_check_in_actor if check_in else _require_cadre_actor)(actor, cadre)
    except PermissionDenied:
        return False
    return True


@transaction.atomic
def check_in_record(*, actor, cadre: Cadre, date: dt.date, village, log: str = "",
                    latitude: Decimal | None = None, longitude: Decimal | None = None) -> CheckIn:
    """A resident cadre's day with the day's log, kept with the village it was made in: only a day in the cadre's
    own village counts (assistance.attendance). One check-in a day: a second in the same village updates the log;
    one in another village is refused, naming the first."""
    _require_check_in_actor(actor, cadre)
    errors: dict[str, str] = {}
    if not cadre.is_resident:
        errors["cadre"] = _("只有驻村干部需要签到")
    if date > timezone.localdate():
        errors["date"] = _("不能为将来的日期签到")
    elif not cadre.serving_on(date):
        errors["date"] = _("签到日期不在该干部的任期内")
    _check_village(errors, village, cadre.unit.county_id)
    if village is None:
        errors["village"] = _("请选择签到的村")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("经纬度须同时填写或同时不填")
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["latitude"] = _("经纬度超出范围")
    if errors:
        raise ValidationError(errors)
    # One cadre's check-ins one after the other: two first check-ins of a day sent at once (a double tap, the
    # cadre and the liaison) get what one after the other gets, not the database's refusal.
    Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
    check_in = CheckIn.objects.select_for_update().filter(cadre=cadre, date=date).select_related("village").first()
    if check_in is not None and check_in.village_id != village.code:
        from bangfu.assistance.selectors import village_label

        raise ValidationError({"village": _("%(date)s已在%(village)s签到，同一天只能签到一次") % {
            "date": date.isoformat(), "village": village_label(check_in.village)}})
    before = snapshot(check_in) if check_in else None
    check_in = check_in or CheckIn(cadre=cadre, date=date, recorded_at=timezone.now())
    check_in.village, check_in.log, check_in.latitude, check_in.longitude = village, log.strip(), latitude, longitude
    check_in.save()
    _record(actor, Action.UPDATE if before else Action.CREATE, check_in, before, village.code)
    return check_in


@transaction.atomic
def leave_request_submit(*, actor, cadre: Cadre, start: dt.date, end: dt.date, reason: str) -> LeaveRequest:
    """A resident cadre asks for leave from today on; who approves follows from its length (county configuration).
    A leave that meets another of the cadre's (pending or approved) is refused, naming it."""
    _require_cadre_actor(actor, cadre)
    # One cadre's requests one after the other: two overlapping ones sent at once get the same refusal.
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if start < today:
        errors["start"] = _("请假开始日期不能早于今天（%(today)s）") % {"today": today.isoformat()}
    if end < start:
        errors["end"] = _("结束日期不能早于开始日期")
    if not reason.strip():
        errors["reason"] = _("请填写请假事由")
    if not cadre.is_resident:
        errors["cadre"] = _("只有驻村干部需要请假审批")
    elif not errors and not (cadre.serving_on(start) and cadre.serving_on(end)):
        errors["end"] = _("请假日期须在该干部的任期内")
    if not errors:
        other = (cadre.leave_requests.exclude(status=LeaveRequest.Status.REJECTED)
                 .filter(start__lte=end, end__gte=start).order_by("start").first())
        if other is not None:
            errors["start"] = _("与已有请假（%(start)s至%(end)s，%(status)s）重叠") % {
                "start": other.start.isoformat(), "end": other.end.isoformat(), "status": other.get_status_display()}
    if errors:
        raise ValidationError(errors)
    quota = attendance_quota_for(cadre.unit.county_id)
    days = (end - start).days + 1
    leave = LeaveRequest.objects.create(cadre=cadre, start=start, end=end, reason=reason.strip()[:200],
                                        approver_level="township" if days <= quota.township_approves_up_to
                                        else "county")
    _record(actor, Action.CREATE, leave, None, cadre.village_id or cadre.unit.county_id)
    return leave


def leave_may_decide(actor, leave: LeaveRequest) -> bool:
    """Whether `actor` may approve or refuse this leave (the review page offers the buttons only then)."""
    try:
        _require_leave_decider(actor, leave)
    except PermissionDenied:
        return False
    return True


def _require_leave_decider(actor, leave: LeaveRequest) -> None:
    _require(actor, "assistance.approve_leave")
    village = leave.cadre.village_id or ""
    region = actor.region if actor.region_id else None
    if actor.is_superuser:
        return
    if region is None or not region.contains(village or leave.cadre.unit.county_id):
        raise PermissionDenied(_("该请假不在您的审批范围内"))
    level_ok = region.level == leave.approver_level or (region.level in ("county", "city", "province")
                                                        and leave.approver_level == "township")
    if not level_ok:
        raise PermissionDenied(_("超过乡镇审批天数的请假须由县审批"))


@transaction.atomic
def leave_request_decide(*, actor, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    """The township (short leave) or the county (long leave) approves or refuses, once, before the leave begins
    (a request whose first day has passed is closed: 已过期)."""
    leave = LeaveRequest.objects.select_for_update(of=("self",)).select_related("cadre").get(pk=leave.pk)
    _require_leave_decider(actor, leave)
    if leave.status != LeaveRequest.Status.PENDING:
        raise ValidationError({"status": _("该请假已审批（%(status)s）") % {"status": leave.get_status_display()}})
    today = timezone.localdate()
    if leave.closed_on(today):
        raise ValidationError({"status": _("该请假已过期：开始日期%(start)s已过，不能再审批") % {
            "start": leave.start.isoformat()}})
    note = note.strip()
    before = snapshot(leave)
    leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REJECTED
    leave.decided_by, leave.decided_at, leave.decision_note = actor, timezone.now(), note[:200]
    leave.save()
    _record(actor, Action.UPDATE, leave, before, leave.cadre.village_id or leave.cadre.unit.county_id, reason=note)
    return leave


# --- the plan -----------------------------------------------------------------------------------------------------

@transaction.atomic
def plan_create(*, actor, county_code: str, name: str, start_year: int, end_year: int, text: str = "") -> Plan:
    """A new multi-year plan of the county, as a draft for comment (征求意见稿); `text` becomes its first version.
    One plan per period: years that meet another plan's are refused."""
    from bangfu.assistance.setup import plan_overlapping, plan_version_save

    _require_county(actor, county_code)
    errors: dict[str, str] = {}
    if not (2015 <= start_year <= end_year <= start_year + 10):
        errors["end_year"] = _("规划年度应为2015年以后、不超过10年的区间")
    if not name.strip():
        errors["name"] = _("请填写规划名称")
    other = None if errors else plan_overlapping(county_code, start_year, end_year)
    if other is not None:
        errors["start_year"] = _("与已有规划“%(name)s”（%(start)s—%(end)s年）的年度重叠，同一期间只能有一个规划") % {
            "name": other.name, "start": other.start_year, "end": other.end_year}
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.create(county_id=county_code, name=name.strip(), start_year=start_year, end_year=end_year)
    _record(actor, Action.CREATE, plan, None, county_code)
    if text.strip():
        plan_version_save(actor=actor, plan=plan, text=text)
    return plan


@transaction.atomic
def plan_target_set(*, actor, plan: Plan, unit: Unit, year: int, indicator: str, target) -> PlanTarget:
    """Set a unit's target for one indicator and year of the plan (the county or the lead unit's coordinator)."""
    from bangfu.assistance.setup import require_target_setter
    from bangfu.reports.assistance_indicators import indicators_for

    require_target_setter(actor, plan)
    if not units_visible_to(actor).filter(pk=unit.pk).exists() or unit.county_id != plan.county_id:
        raise PermissionDenied(_("该单位不在本规划的帮扶县"))
    errors: dict[str, str] = {}
    if year not in plan.years:
        errors["year"] = _("年度须在规划期 %(start)s—%(end)s 内") % {"start": plan.start_year, "end": plan.end_year}
    if indicator not in {i.key for i in indicators_for(plan.county_id)}:
        errors["indicator"] = _("没有代码为“%(key)s”的指标") % {"key": indicator}
    try:
        value = Decimal(str(target)).quantize(Decimal("0.01"))
        if value < 0:
            raise ValueError
    except (ArithmeticError, ValueError):
        errors["target"] = _("目标值应为不小于0的数")
    if errors:
        raise ValidationError(errors)
    row = PlanTarget.objects.select_for_update().filter(plan=plan, unit=unit, year=year, indicator=indicator).first()
    before = snapshot(row) if row else None
    row = row or PlanTarget(plan=plan, unit=unit, year=year, indicator=indicator)
    row.target = value
    row.save()
    _record(actor, Action.UPDATE if before else Action.CREATE, row, before, plan.county_id)
    return row


@transaction.atomic
def evaluation_grades_save(*, actor, county_code: str, grades: list[tuple[str, Decimal]]) -> list[EvaluationGrade]:
    """Replace the county's grade thresholds (e.g. 好 ≥95, 较好 ≥80, 一般 ≥60, 较差 ≥0)."""
    _require_config_editor(actor, county_code)
    labels = [label.strip() for label, _minimum in grades]
    if not grades or len(set(labels)) != len(labels) or not all(labels):
        raise ValidationError({"grades": _("等次名称不能为空或重复")})
    if any(not Decimal(0) <= Decimal(m) <= Decimal(100) for _label, m in grades):
        raise ValidationError({"grades": _("最低得分应在0至100之间")})
    if min(Decimal(m) for _label, m in grades) != 0:
        raise ValidationError({"grades": _("最低一档的最低得分须为0，使每个得分都有等次")})
    before = {g.label: str(g.min_score) for g in EvaluationGrade.objects.filter(county_id=county_code)}
    EvaluationGrade.objects.filter(county_id=county_code).delete()
    rows = [EvaluationGrade.objects.create(county_id=county_code, label=label.strip(), min_score=Decimal(m))
            for label, m in grades]
    change_record(actor=actor, action=Action.UPDATE, instance=rows[0], before={"grades": before},
                  after={"grades": {g.label: str(g.min_score) for g in rows}}, region_code=county_code)
    return rows


@transaction.atomic
def attendance_quota_save(*, actor, county_code: str, days_per_month: int, days_per_year: int,
                          township_approves_up_to: int) -> AttendanceQuota:
    _require_config_editor(actor, county_code)
    errors = {}
    if not 0 < days_per_month <= 31:
        errors["days_per_month"] = _("每月在村天数应在1至31之间")
    if not 0 < days_per_year <= 366:
        errors["days_per_year"] = _("每年在村天数应在1至366之间")
    if not 0 <= township_approves_up_to <= 60:
        errors["township_approves_up_to"] = _("乡镇审批天数应在0至60之间")
    if errors:
        raise ValidationError(errors)
    quota = AttendanceQuota.objects.select_for_update().filter(county_id=county_code).first()
    before = snapshot(quota) if quota else None
    quota = quota or AttendanceQuota(county_id=county_code)
    quota.days_per_month, quota.days_per_year = days_per_month, days_per_year
    quota.township_approves_up_to = township_approves_up_to
    quota.save()
    _record(actor, Action.UPDATE if before else Action.CREATE, quota, before, county_code)
    return quota


def _config_revert(actor, model, county_code: str) -> None:
    """The region's own rows of `model` go and it follows its nearest ancestor's (or the shipped ones) again."""
    _require_config_editor(actor, county_code)
    config_revert(model, actor=actor, region_code=county_code, field="county")


@transaction.atomic
def evaluation_grades_revert(*, actor, county_code: str) -> None:
    """The region's own grade thresholds go; grade_for reads the inherited ones again."""
    _config_revert(actor, EvaluationGrade, county_code)


@transaction.atomic
def attendance_quota_revert(*, actor, county_code: str) -> None:
    """The region's own attendance quota goes; attendance_quota_for reads the inherited one again."""
    _config_revert(actor, AttendanceQuota, county_code)


@transaction.atomic
def village_roles_revert(*, actor, county_code: str) -> None:
    """The region's own list of roles every village must have goes; the inherited list is in force again."""
    from bangfu.assistance.models import VillageRoleRequirement

    _config_revert(actor, VillageRoleRequirement, county_code)


# --- joint meetings and tasks ---------------------------------------------------------------------------------

MEETING_FIELDS = ("title", "date", "place", "chair", "agenda", "minutes", "reports_since", "attendance",
                  "county_reporter", "county_report", "plan", "plan_review", "requirements")


def _require_coordinator(actor, county_code: str) -> None:
    """The lead unit's coordinator or the county runs the joint meeting and its board of tasks."""
    _require(actor, "assistance.coordinate")
    if actor.unit_id:
        if not (actor.unit.is_lead and actor.unit.county_id == county_code):
            raise PermissionDenied(_("联席会议由牵头单位组织"))
    elif not actor.is_superuser and not (actor.region_id and actor.region.contains(county_code)):
        raise PermissionDenied(_("只能管理本县的联席会议"))


@transaction.atomic
def meeting_save(*, actor, county_code: str, data: dict[str, Any], units: list[Unit],
                 meeting: JointMeeting | None = None) -> JointMeeting:
    _require_coordinator(actor, county_code)
    if meeting is not None:
        meeting = JointMeeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.county_id != county_code:
            raise PermissionDenied(_("只能管理本县的联席会议"))
    before = snapshot(meeting) if meeting else None
    meeting = meeting or JointMeeting(county_id=county_code)
    for key in MEETING_FIELDS:
        if key in data:
            setattr(meeting, key, data[key])
    _full_clean(meeting, exclude=("county", "units"))
    if meeting.plan_id and meeting.plan.county_id != county_code:
        raise ValidationError({"plan": _("审议的规划须为本县的帮扶工作规划")})
    if any(u.county_id != county_code for u in units):
        raise ValidationError({"units": _("参会单位须为本县的帮扶单位")})
    meeting.save()
    meeting.units.set(units)
    _record(actor, Action.UPDATE if before else Action.CREATE, meeting, before, county_code)
    return meeting


@transaction.atomic
def unit_report_draft(*, actor, meeting: JointMeeting, unit: Unit) -> UnitReport:
    """Draft (or redraft) the unit's report to the meeting from its ledger since the meeting's start date."""
    from bangfu.assistance.documents import unit_work_summary

    _require_unit_writable(actor, unit)
    if not meeting.units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("该单位不是本次会议的参会单位")})
    text = unit_work_summary(unit, meeting.reports_since, meeting.date)
    return unit_report_save(actor=actor, meeting=meeting, unit=unit, text=text)


@transaction.atomic
def unit_report_save(*, actor, meeting: JointMeeting, unit: Unit, text: str, next_steps: str | None = None,
                     position: int | None = None) -> UnitReport:
    """The unit saves its report and next steps; the speaking order is the coordinator's (kept otherwise)."""
    _require_unit_writable(actor, unit)
    if not text.strip():
        raise ValidationError({"text": _("汇报内容不能为空")})
    report = UnitReport.objects.select_for_update().filter(meeting=meeting, unit=unit).first()
    before = snapshot(report) if report else None
    report = report or UnitReport(meeting=meeting, unit=unit)
    report.text = text.strip()
    if next_steps is not None:
        report.next_steps = next_steps.strip()
    if position is not None:
        if position < 0 or position > 99:
            raise ValidationError({"position": _("发言顺序应为0到99之间的整数")})
        report.position = position
    report.save()
    _record(actor, Action.UPDATE if before else Action.CREATE, report, before, unit.county_id)
    return report


@transaction.atomic
def task_create(*, actor, meeting: JointMeeting, decision: str, owner_unit: Unit, owner: str,
                deadline: dt.date) -> Task:
    """Turn a meeting decision into a task with an owner and a deadline (the lead unit follows it)."""
    _require_coordinator(actor, meeting.county_id)
    task = Task(meeting=meeting, decision=decision.strip(), owner_unit=owner_unit, owner=owner.strip(),
                deadline=deadline)
    _full_clean(task, exclude=("meeting", "owner_unit"))
    if owner_unit.county_id != meeting.county_id:
        raise ValidationError({"owner_unit": _("责任单位须为本县的帮扶单位")})
    task.save()
    _record(actor, Action.CREATE, task, None, meeting.county_id)
    return task


@transaction.atomic
def task_update(*, actor, task: Task, status: str, progress: str = "") -> Task:
    """The owning unit (or the coordinator) reports progress and closes the task."""
    task = Task.objects.select_for_update(of=("self",)).select_related("owner_unit", "meeting").get(pk=task.pk)
    try:
        _require_coordinator(actor, task.meeting.county_id)
    except PermissionDenied:
        _require_unit_writable(actor, task.owner_unit)
    if status not in Task.Status.values:
        raise ValidationError({"status": _("状态应为推进中或已完成")})
    before = snapshot(task)
    task.status, task.progress = status, progress.strip()[:200]
    task.save()
    _record(actor, Action.UPDATE, task, before, task.meeting.county_id)
    return task


@transaction.atomic
def report_position_set(*, actor, meeting: JointMeeting, unit: Unit, position: int) -> UnitReport:
    """The coordinator sets the order in which the units speak (the briefing's order)."""
    _require_coordinator(actor, meeting.county_id)
    if position < 0 or position > 99:
        raise ValidationError({"position": _("发言顺序应为0到99之间的整数")})
    report = UnitReport.objects.select_for_update().filter(meeting=meeting, unit=unit).first()
    if report is None:
        raise ValidationError({"position": _("该单位尚未提交汇报，不能排定发言顺序")})
    before = snapshot(report)
    report.position = position
    report.save(update_fields=["position", "updated_at"])
    _record(actor, Action.UPDATE, report, before, meeting.county_id)
    return report


@transaction.atomic
def speech_save(*, actor, meeting: JointMeeting, cadre: Cadre, text: str, position: int = 0,
                speech: CadreSpeech | None = None) -> CadreSpeech:
    """The coordinator records what a cadre of an attending unit said at the meeting."""
    _require_coordinator(actor, meeting.county_id)
    if not meeting.units.filter(pk=cadre.unit_id).exists():
        raise ValidationError({"cadre": _("发言干部须为参会单位选派的干部")})
    if not text.strip():
        raise ValidationError({"text": _("发言要点不能为空")})
    if speech is not None:
        speech = CadreSpeech.objects.select_for_update().get(pk=speech.pk, meeting=meeting)
    before = snapshot(speech) if speech else None
    speech = speech or CadreSpeech(meeting=meeting)
    speech.cadre, speech.text, speech.position = cadre, text.strip(), position
    _full_clean(speech, exclude=("meeting", "cadre"))
    speech.save()
    _record(actor, Action.UPDATE if before else Action.CREATE, speech, before, meeting.county_id)
    return speech


@transaction.atomic
def speech_delete(*, actor, speech: CadreSpeech) -> None:
    _require_coordinator(actor, speech.meeting.county_id)
    before = snapshot(speech)
    county = speech.meeting.county_id
    speech.delete()
    _record(actor, Action.DELETE, speech, before, county)


@transaction.atomic
def need_create(*, actor, meeting: JointMeeting, need: str, owner_unit: Unit | None = None, owner: str = "",
                deadline: dt.date | None = None) -> AssistanceNeed:
    """Record one of the county's assistance needs put to the meeting, assigned to a unit or not yet."""
    _require_coordinator(actor, meeting.county_id)
    item = AssistanceNeed(meeting=meeting, need=need.strip(), owner_unit=owner_unit, owner=owner.strip(),
                          deadline=deadline)
    _full_clean(item, exclude=("meeting", "owner_unit"))
    if owner_unit is not None and not meeting.units.filter(pk=owner_unit.pk).exists():
        raise ValidationError({"owner_unit": _("承接单位须为本次会议的参会单位")})
    item.save()
    _record(actor, Action.CREATE, item, None, meeting.county_id)
    return item


@transaction.atomic
def need_update(*, actor, need: AssistanceNeed, status: str, progress: str = "",
                owner_unit: Unit | None = None) -> AssistanceNeed:
    """The unit that took the need on (or the coordinator) reports progress; the coordinator may (re)assign it."""
    need = AssistanceNeed.objects.select_for_update(of=("self",)).select_related("owner_unit", "meeting").get(
        pk=need.pk)
    coordinator = True
    try:
        _require_coordinator(actor, need.meeting.county_id)
    except PermissionDenied:
        coordinator = False
        if need.owner_unit is None:
            raise
        _require_unit_writable(actor, need.owner_unit)
    if status not in AssistanceNeed.Status.values:
        raise ValidationError({"status": _("状态应为推进中或已完成")})
    before = snapshot(need)
    if owner_unit is not None and owner_unit.pk != need.owner_unit_id:
        if not coordinator:
            raise PermissionDenied(_("帮扶需求由牵头单位分派"))
        if not need.meeting.units.filter(pk=owner_unit.pk).exists():
            raise ValidationError({"owner_unit": _("承接单位须为本次会议的参会单位")})
        need.owner_unit = owner_unit
    need.status, need.progress = status, progress.strip()[:200]
    need.save()
    _record(actor, Action.UPDATE, need, before, need.meeting.county_id)
    return need


# --- findings and rectification ---------------------------------------------------------------------------------

@transaction.atomic
def finding_create(*, actor, county_code: str, data: dict[str, Any]) -> Finding:
    """Enter a problem an assessment found, with its owner and deadline (the county, or the assessment group)."""
    _require(actor, "assistance.file_finding")
    if not actor.is_superuser and not (actor.region_id and actor.region.contains(county_code)):
        raise PermissionDenied(_("只能登记本县的整改问题"))
    finding = Finding(county_id=county_code, **{k: v for k, v in data.items()
                                                if k in ("source", "found_on", "description", "owner_unit", "owner",
                                                         "measures", "deadline")})
    _full_clean(finding, exclude=("county", "signed_off_by"))
    if finding.owner_unit_id and finding.owner_unit.county_id != county_code:
        raise ValidationError({"owner_unit": _("责任单位须为本县的帮扶单位")})
    finding.save()
    _record(actor, Action.CREATE, finding, None, county_code)
    return finding


@transaction.atomic
def finding_rectify(*, actor, finding: Finding, measures: str, done: bool) -> Finding:
    """The owner records the measures taken and, when done, asks for sign-off (evidence attached separately)."""
    finding = Finding.objects.select_for_update(of=("self",)).select_related("owner_unit").get(pk=finding.pk)
    _require_record_writable(actor, finding)
    if finding.status == Finding.Status.SIGNED_OFF:
        raise ValidationError({"status": _("该问题已销号，不能再修改")})
    if not measures.strip():
        raise ValidationError({"measures": _("请填写整改措施")})
    if done and not EvidenceFile.objects.filter(record_type="finding", record_id=finding.pk).exists():
        raise ValidationError({"status": _("申请销号前须上传整改佐证材料")})
    before = snapshot(finding)
    finding.measures = measures.strip()
    finding.status = Finding.Status.RECTIFIED if done else Finding.Status.OPEN
    finding.save()
    _record(actor, Action.UPDATE, finding, before, finding.county_id)
    return finding


@transaction.atomic
def finding_sign_off(*, actor, finding: Finding) -> Finding:
    """The county checks the evidence and closes the item (销号)."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_county(actor, finding.county_id)
    if finding.status != Finding.Status.RECTIFIED:
        raise ValidationError({"status": _("只有整改完成待销号的问题可以销号")})
    before = snapshot(finding)
    finding.status, finding.signed_off_by, finding.signed_off_at = Finding.Status.SIGNED_OFF, actor, timezone.now()
    finding.save()
    _record(actor, Action.UPDATE, finding, before, finding.county_id)
    return finding


@transaction.atomic
def finding_return(*, actor, finding: Finding, reason: str) -> Finding:
    """The county finds the rectification not done and sends it back to the owner (退回整改) with its reason; the
    reason stays in the item's history."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_county(actor, finding.county_id)
    if finding.status != Finding.Status.RECTIFIED:
        raise ValidationError({"status": _("只有整改完成待销号的问题可以退回")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("退回整改须说明原因")})
    before = snapshot(finding)
    finding.status = Finding.Status.OPEN
    finding.save(update_fields=["status"])
    _record(actor, Action.UPDATE, finding, before, finding.county_id, reason=(_("退回整改：") + reason)[:200])
    return finding


# --- configuration of the county ---------------------------------------------------------------------------------

@transaction.atomic
def village_roles_save(*, actor, county_code: str, roles: list[str]):
    """Which assistance roles every assisted village must have (e.g. 四位一体, or Sichuan's 五个一)."""
    from bangfu.assistance.models import AssistanceRole, VillageRoleRequirement

    _require_config_editor(actor, county_code)
    unknown = [r for r in roles if r not in AssistanceRole.values]
    if unknown:
        raise ValidationError({"roles": _("没有这种帮扶力量：%(roles)s") % {"roles": "、".join(unknown)}})
    current = VillageRoleRequirement.objects.filter(county_id=county_code)
    before = sorted(current.values_list("role", flat=True))
    current.exclude(role__in=roles).delete()
    for role in roles:
        VillageRoleRequirement.objects.get_or_create(county_id=county_code, role=role)
    after = sorted(set(roles))
    if before != after:
        row = VillageRoleRequirement.objects.filter(county_id=county_code).first() or VillageRoleRequirement(
            county_id=county_code, role="", pk=0)
        change_record(actor=actor, action=Action.UPDATE, instance=row, before={"roles": before},
                      after={"roles": after}, region_code=county_code)
    return after


COUNTY_INDICATOR_FIELDS = ("key", "label", "measure", "ledger_kind", "aggregate", "field", "filter_field",
                           "filter_value")


@transaction.atomic
def county_indicator_add(*, actor, county_code: str, data: dict[str, Any]):
    """An indicator the county adds: a count or a sum over one ledger, optionally filtered on one field."""
    from bangfu.assistance.models import CountyIndicator
    from bangfu.reports.assistance_indicators import STANDARD_INDICATORS

    _require_config_editor(actor, county_code)
    indicator = CountyIndicator(county_id=county_code, **{k: (data.get(k) or "").strip() for k in
                                                           COUNTY_INDICATOR_FIELDS})
    indicator.aggregate = indicator.aggregate or CountyIndicator.Aggregate.SUM
    errors: dict[str, str] = {}
    kind = LEDGER_KIND_BY_KEY.get(indicator.ledger_kind)
    if kind is None:
        errors["ledger_kind"] = _("请选择台账")
    else:
        model = kind.model
        numeric = {f.name for f in model._meta.concrete_fields
                   if isinstance(f, models.DecimalField | models.PositiveIntegerField | models.PositiveSmallIntegerField)}
        if indicator.aggregate == "sum" and indicator.field not in numeric:
            errors["field"] = _("合计字段须为该台账的数值字段：%(fields)s") % {"fields": "、".join(sorted(numeric))}
        if indicator.filter_field:
            field = next((f for f in model._meta.concrete_fields if f.name == indicator.filter_field and f.choices),
                         None)
            if field is None:
                errors["filter_field"] = _("筛选字段须为该台账的选项字段")
            elif indicator.filter_value not in dict(field.choices):
                errors["filter_value"] = _("筛选值须为该字段的选项之一：%(values)s") % {
                    "values": "、".join(dict(field.choices))}
    if indicator.key in {i.key for i in STANDARD_INDICATORS} or CountyIndicator.objects.filter(
            county_id=county_code, key=indicator.key).exists():
        errors["key"] = _("代码“%(key)s”已被使用") % {"key": indicator.key}
    try:
        _full_clean(indicator, exclude=("county",))
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, " ".join(messages))
    if errors:
        raise ValidationError(errors)
    indicator.save()
    _record(actor, Action.CREATE, indicator, None, county_code)
    return indicator
