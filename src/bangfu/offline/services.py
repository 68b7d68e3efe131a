"""Offline capture: the phone's key, and receiving what a phone recorded without signal.

Every submission goes through the same form and the same service as the online page (so the same permission
check and the same messages), inside one transaction with its idempotency record: a retry of a key already
received is answered with the first answer and writes nothing. A submission read at an older version of the
record it changes is not applied: the answer carries both versions for the cadre to choose (OfflineConflict).
"""

import base64
import datetime as dt
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bangfu.audit.context import current_request_id
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.core.crypto import field_cipher
from bangfu.offline.forms import VisitObservationForm
from bangfu.offline.models import OfflineKey, OfflineSubmission
from bangfu.regions.models import Region

# A phone's clock may run a little ahead of the server's; a made-at later than this past the server's clock is
# refused (a wrong date on the phone would otherwise date a visit in the future).
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


class OfflineConflict(Exception):
    """The record changed on the server after the phone read it: both versions, for the cadre to choose.

    `choices` are the ways out the cadre is offered, (resolution, button label); sent back as data["resolution"]
    with the version now on the server. Empty: the phone's own two (keep mine / keep the server's)."""

    def __init__(self, *, message: str, server: list[tuple[str, str]], mine: list[tuple[str, str]], version: str,
                 choices: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.message, self.server, self.mine, self.version = message, server, mine, version
        self.choices = choices or []


class FormRefused(Exception):
    """The online form's own refusal: {field: [messages]} with the fields' labels."""

    def __init__(self, errors: dict[str, dict]):
        super().__init__(str(errors))
        self.errors = errors


@dataclass
class Received:
    submission: OfflineSubmission
    repeated: bool = False  # the key had been received before: nothing was written this time
    notes: list[str] = field(default_factory=list)


def offline_village(user) -> Region | None:
    """The village whose copy the user's phone may keep: only a user bound to one village has one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.unit_id or not user.region_id:
        return None
    region = user.region
    return region if region.level == Region.Level.VILLAGE else None


def offline_key_get(*, actor) -> str:
    """The user's offline key (32 random bytes, base64), made on first use; only for a village-bound user."""
    if offline_village(actor) is None:
        raise PermissionDenied(_("离线录入只供绑定到一个村的账号使用"))
    existing = OfflineKey.objects.filter(user=actor).first()
    if existing:
        return field_cipher().decrypt("offline_key", existing.key_cipher)
    raw = base64.b64encode(secrets.token_bytes(32)).decode()
    try:
        with transaction.atomic():
            OfflineKey.objects.create(user=actor, key_cipher=field_cipher().encrypt("offline_key", raw))
    except IntegrityError:  # two tabs asked at once: the first one's key stands
        return field_cipher().decrypt("offline_key", OfflineKey.objects.get(user=actor).key_cipher)
    return raw


def offline_key_discard(*, user) -> None:
    """At logout: the key goes, so any copy left on a phone can no longer be read."""
    OfflineKey.objects.filter(user_id=getattr(user, "pk", None)).delete()


# --- receiving ------------------------------------------------------------------------------------------------


def _parse_made_at(raw) -> dt.datetime:
    made_at = parse_datetime(raw) if isinstance(raw, str) else None
    if made_at is None or timezone.is_naive(made_at):
        raise FormRefused({"made_at": {"label": _("录入时间"), "messages": [_("录入时间：格式不对（应为带时区的时间）")]}})
    if made_at > timezone.now() + CLOCK_TOLERANCE:
        raise FormRefused({"made_at": {"label": _("录入时间"), "messages": [
            _("录入时间 %(time)s 晚于服务器当前时间：请核对手机的日期和时间") % {
                "time": f"{timezone.localtime(made_at):%Y-%m-%d %H:%M}"}]}})
    return made_at


def _coordinate(raw, low: int, high: int) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        return None
    return value if low <= value <= high else None


def _form_errors(form) -> dict[str, dict]:
    return {name: {"label": str(form.fields[name].label) if name in form.fields else "",
                   "messages": [str(m) for m in messages]} for name, messages in form.errors.items()}


def _valid(form):
    if not form.is_valid():
        raise FormRefused(_form_errors(form))
    return form.cleaned_data


def _service(form, call):
    """Run the service; its field errors land on the form (as on the online page) and are answered from it."""
    from bangfu.web.helpers import form_errors_from

    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        form_errors_from(form, error)
        raise FormRefused(_form_errors(form)) from None


def _display(model, name: str, value) -> str:
    f = model._meta.get_field(name)
    if f.choices:
        value = dict(f.flatchoices).get(value, value)
    if isinstance(value, bool):
        value = _("是") if value else _("否")
    return str(value) if value not in (None, "") else "—"


def _household(actor, pk):
    from bangfu.registry.models import Household

    household = Household.objects.filter(pk=pk).first()
    if household is None:
        raise FormRefused({"household": {"label": _("农户"), "messages": [_("该户不存在")]}})
    return household


def _receive_visit(actor, data: dict, version, made_at) -> Any:
    from bangfu.cases.forms import VisitForm
    from bangfu.cases.services import visit_record
    from bangfu.registry.models import Household
    from bangfu.registry.selectors import households_in_jurisdiction
    from bangfu.registry.services import household_update

    household = _household(actor, data.get("household"))
    form = VisitForm({k: data.get(k, "") for k in ("visited_on", "notes", "per_capita_income")})
    observed = VisitObservationForm({k: data[k] for k in ("housing_safety", "drinking_water_safe") if k in data})
    _valid(form)
    changes = _valid(observed)
    changes = {k: v for k, v in changes.items() if k in data}
    if changes and version in (None, ""):
        raise FormRefused({"version": {"label": _("版本"), "messages": [_("缺少该户档案的版本：请联网刷新“我的村”后重填")]}})
    in_scope = households_in_jurisdiction(actor).filter(pk=household.pk).first()
    if changes and in_scope is not None and version is not None and str(version) != str(in_scope.version):
        fields = ("housing_safety", "drinking_water_safe")
        raise OfflineConflict(
            message=_("您离线期间，该户的档案已被他人修改（现为第 %(now)s 版，您手机上是第 %(then)s 版）：请对照两边，"
                      "选择以哪一版为准") % {"now": in_scope.version, "then": version},
            server=[(str(Household._meta.get_field(f).verbose_name), _display(Household, f, getattr(in_scope, f)))
                    for f in fields],
            mine=[(str(Household._meta.get_field(f).verbose_name), _display(Household, f, changes.get(
                f, getattr(in_scope, f)))) for f in fields],
            version=str(in_scope.version))
    visit = _service(form, lambda d: visit_record(actor=actor, household=household, **d))
    if changes:
        _service(observed, lambda d: household_update(actor=actor, household=household, data=changes,
                                                      version=version))
    return visit, household


def warning_version(warning) -> str:
    """A warning has no version number: the moment of its last change stands for it."""
    return warning.updated_at.isoformat()


def _warning_sides(warning, *, outcome, verified_by, visit_date, visit_notes, dismiss_reason):
    from bangfu.monitoring.models import RiskWarning

    states = dict(RiskWarning.State.choices)
    return [(_("核实结果"), str(states.get(outcome, outcome or "—"))), (_("核实人"), verified_by or "—"),
            (_("走访日期"), f"{visit_date:%Y-%m-%d}" if visit_date else "—"), (_("走访情况"), visit_notes or "—"),
            (_("排除理由"), dismiss_reason or "—")]


def _receive_warning(actor, data: dict, version, made_at) -> Any:
    """A warning verified on the phone. When someone else verified it meanwhile, both verifications are shown
    (OfflineConflict) and the cadre chooses: the server's stands and the phone's visit is kept as a home visit
    (`server`), or, when the phone found the risk real and the server did not confirm it, the phone's finding goes
    to identification as a lead (`mine`). Nothing the cadre typed is dropped without their choice."""
    from bangfu.monitoring.forms import WarningVerifyForm
    from bangfu.monitoring.models import RiskType, RiskWarning
    from bangfu.monitoring.selectors import warnings_visible_to
    from bangfu.monitoring.services import warning_verify

    warning = RiskWarning.objects.select_related("household", "rule").filter(pk=data.get("warning")).first()
    if warning is None:
        raise FormRefused({"warning": {"label": _("预警"), "messages": [_("该预警不存在")]}})
    form = WarningVerifyForm({k: data.get(k, "") for k in ("outcome", "visit_date", "visit_notes", "dismiss_reason")})
    _valid(form)
    in_scope = warnings_visible_to(actor).filter(pk=warning.pk).select_related("verified_by").first()
    if in_scope is not None and in_scope.state != RiskWarning.State.OPEN:
        mine = form.cleaned_data
        resolution = data.get("resolution")
        confirm_possible = (mine["outcome"] == RiskWarning.State.CONFIRMED
                            and in_scope.state != RiskWarning.State.CONFIRMED
                            and in_scope.rule.risk_type != RiskType.EXCLUSION)
        if resolution in ("server", "mine") and str(version) == warning_version(in_scope) and (
                resolution == "server" or confirm_possible):
            return _warning_resolved(actor, in_scope, mine, resolution)
        verifier = in_scope.verified_by
        raise OfflineConflict(
            message=_("您离线期间，该预警已由他人处理（%(state)s）：请对照两边，选择以哪一版为准") % {
                "state": in_scope.get_state_display()},
            server=_warning_sides(in_scope, outcome=in_scope.state, verified_by=str(verifier) if verifier else "", visit_date=in_scope.visit_date, visit_notes=in_scope.visit_notes,
                dismiss_reason=in_scope.dismiss_reason),
            mine=_warning_sides(in_scope, outcome=mine["outcome"], verified_by=_("我"),
                                visit_date=mine.get("visit_date"), visit_notes=mine.get("visit_notes"),
                                dismiss_reason=mine.get("dismiss_reason")),
            version=warning_version(in_scope),
            choices=([("mine", _("以我的为准：转为识别线索"))] if confirm_possible else [])
            + [("server", _("以他人的核实为准：我的记为入户走访"))])
    verified = _service(form, lambda d: warning_verify(actor=actor, warning=warning, **d))
    return verified, warning.household


def _warning_resolved(actor, warning, mine: dict, resolution: str) -> Any:
    """The cadre's choice after a warning was verified meanwhile, through the online services: a lead from the
    visit (as 登记识别线索 online) or a home visit (as 入户走访 online), with the form's fields named as there."""
    from bangfu.cases.forms import VisitForm
    from bangfu.cases.services import visit_record
    from bangfu.monitoring.forms import LeadForm
    from bangfu.monitoring.services import lead_from_visit

    household = warning.household
    if resolution == "mine":
        form = LeadForm({"risk_type": warning.rule.risk_type,
                         "difficulty": f"{warning.evidence}（{_('离线核实')}：{mine['visit_notes']}）"[:2000]})
        _valid(form)
        return _service(form, lambda d: lead_from_visit(actor=actor, household=household, **d)), household
    outcome = _("核实属实") if mine["outcome"] == "confirmed" else _("核实排除")
    notes = _("预警核实（%(rule)s，%(outcome)s）：%(notes)s") % {
        "rule": warning.rule.name, "outcome": outcome, "notes": mine["visit_notes"]}
    if mine.get("dismiss_reason"):
        notes += _("；排除理由：%(reason)s") % {"reason": mine["dismiss_reason"]}
    form = VisitForm({"visited_on": mine["visit_date"].isoformat(), "notes": notes, "per_capita_income": ""})
    _valid(form)
    return _service(form, lambda d: visit_record(actor=actor, household=household, **d)), household


def _receive_lead(actor, data: dict, version, made_at) -> Any:
    from bangfu.monitoring.forms import LeadForm
    from bangfu.monitoring.services import lead_from_visit

    household = _household(actor, data.get("household"))
    form = LeadForm({k: data.get(k, "") for k in ("risk_type", "difficulty")})
    _valid(form)
    return _service(form, lambda d: lead_from_visit(actor=actor, household=household, **d)), household


def care_visit_version(household_id: int) -> str:
    """The household's care visits as the phone read them: the newest visit's id ("0" for none). A visit recorded
    meanwhile by someone else changes it."""
    from bangfu.care.models import CareVisit

    latest = CareVisit.objects.filter(household_id=household_id).order_by("-id").values_list("pk", flat=True).first()
    return str(latest or 0)


def _receive_care_visit(actor, data: dict, version, made_at) -> Any:
    """A care visit (关爱走访) made on the phone: the online page's form and service. When someone else recorded a
    care visit to the household meanwhile, both are shown and the cadre chooses whether theirs is recorded too."""
    from bangfu.care.forms import CareVisitForm
    from bangfu.care.models import CareVisit
    from bangfu.care.services import care_visit_record
    from bangfu.registry.selectors import households_visible_to

    household = _household(actor, data.get("household"))
    form = CareVisitForm({k: data.get(k, "") for k in ("visitor", "visited_on", "found", "done")})
    _valid(form)
    if version in (None, ""):
        raise FormRefused({"version": {"label": _("版本"), "messages": [_("缺少该户走访记录的版本：请联网刷新“我的村”后重填")]}})
    in_scope = households_visible_to(actor).filter(pk=household.pk).exists()
    current = care_visit_version(household.pk)
    if in_scope and str(version) != current:
        latest = CareVisit.objects.get(pk=int(current))
        mine = form.cleaned_data

        def sides(visit) -> list[tuple[str, str]]:
            return [(_("走访日期"), f"{visit['visited_on']:%Y-%m-%d}"), (_("走访人"), visit["visitor"] or "—"),
                    (_("发现情况"), visit["found"] or "—"), (_("处理情况"), visit["done"] or "—")]

        raise OfflineConflict(
            message=_("您离线期间，该户已有他人登记了关爱走访：请对照两边，选择是否仍登记您的这次走访"),
            server=sides({f: getattr(latest, f) for f in ("visited_on", "visitor", "found", "done")}),
            mine=sides(mine), version=current,
            choices=[("mine", _("两次都保留：登记我的走访")), ("server", _("以已登记的为准：不登记我的"))])
    visit = _service(form, lambda d: care_visit_record(actor=actor, household=household, data=d))
    return visit, household


def _receive_check_in(actor, data: dict, version, made_at, latitude, longitude) -> Any:
    from bangfu.assistance.forms import CheckInForm
    from bangfu.assistance.models import Cadre
    from bangfu.assistance.services import check_in_record

    day = timezone.localtime(made_at).date()
    cadre = (Cadre.objects.select_related("unit").filter(user=actor, kind__in=Cadre.RESIDENT_KINDS)
             .order_by("-term_start").first())
    if cadre is None:
        raise PermissionDenied(_("只有干部本人或其所在单位可以签到和请假"))
    form = CheckInForm({"date": day.isoformat(), "village": cadre.village_id or "", "log": data.get("log", ""),
                        "latitude": "" if latitude is None else str(latitude),
                        "longitude": "" if longitude is None else str(longitude)},
                       county_code=cadre.unit.county_id)
    _valid(form)
    return _service(form, lambda d: check_in_record(actor=actor, cadre=cadre, **d)), None


def measure_version(measure) -> str:
    """A measure has no version number: the moment of its last change stands for it."""
    return measure.updated_at.isoformat()


def _receive_measure(actor, data: dict, version, made_at) -> Any:
    from bangfu.cases.choices import MeasureStatus
    from bangfu.cases.forms import MeasureForm
    from bangfu.cases.models import Measure
    from bangfu.cases.services import measure_update
    from bangfu.registry.selectors import households_in_jurisdiction

    measure = Measure.objects.select_related("household", "category").filter(pk=data.get("measure")).first()
    if measure is None:
        raise FormRefused({"measure": {"label": _("帮扶措施"), "messages": [_("该措施不存在")]}})
    current = {f: getattr(measure, f) for f in ("description", "start_on", "end_on", "amount", "responsible",
                                                  "status")}
    typed = {**current, "category": measure.category_id, **{k: data[k] for k in ("status", "end_on") if k in data}}
    form = MeasureForm({k: ("" if v is None else v) for k, v in typed.items()})
    _valid(form)
    if (households_in_jurisdiction(actor).filter(pk=measure.household_id).exists() and version is not None
            and str(version) != measure_version(measure)):
        status = dict(MeasureStatus.choices)
        raise OfflineConflict(
            message=_("您离线期间，该项帮扶措施已被他人修改：请对照两边，选择以哪一版为准"),
            server=[(_("状态"), str(status.get(measure.status, measure.status))),
                    (_("结束日期"), str(measure.end_on or "—"))],
            mine=[(_("状态"), str(status.get(form.cleaned_data["status"], ""))),
                  (_("结束日期"), str(form.cleaned_data.get("end_on") or "—"))],
            version=measure_version(measure))
    changed = {k: form.cleaned_data[k] for k in ("status", "end_on") if k in data}
    return _service(form, lambda d: measure_update(actor=actor, measure=measure, data=changed)), measure.household


def _label(obj, household, kind: str = "") -> str:
    """What was recorded, as the cadre knows it: the household (number and head) and the day; a warning's
    verification resolved into another record (a lead, a home visit) names what it became."""
    if household is None:
        return str(obj)[:200]
    day = getattr(obj, "visited_on", None) or getattr(obj, "visit_date", None)
    became = (f"→{obj._meta.verbose_name}" if kind == OfflineSubmission.Kind.WARNING_VERIFY
              and obj._meta.model_name != "riskwarning" else "")
    return " ".join(filter(None, (household.number, household.head_name, f"{day:%Y-%m-%d}" if day else "",
                                  became)))[:200]


def _record_submission(*, actor, key: uuid.UUID, kind: str, made_at, latitude, longitude, obj,
                       household) -> OfflineSubmission:
    region = household.village_id if household is not None else getattr(obj, "village_id", "") or ""
    submission = OfflineSubmission.objects.create(
        key=key, user=actor, kind=kind, made_at=made_at, latitude=latitude, longitude=longitude,
        object_type=obj._meta.model_name, object_id=str(obj.pk), object_label=_label(obj, household, kind),
        household_id=household.pk if household is not None else None, region_code=region,
        request_id=current_request_id())
    # The history says the change was made offline, when it was made and when it arrived (same request id as the
    # service's own records of this submission).
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=submission, before=None,
                  after={**snapshot(submission, exclude=frozenset({"key"})), "key": str(key)}, household_id=submission.household_id, region_code=region,
                  reason=_("离线录入：%(made)s 录入，%(received)s 上传") % {
                      "made": f"{timezone.localtime(made_at):%Y-%m-%d %H:%M}",
                      "received": f"{timezone.localtime(submission.received_at):%Y-%m-%d %H:%M}"})
    return submission


def offline_submission_receive(*, actor, key: str, kind: str, made_at: str, data: dict, version=None,
                               latitude=None, longitude=None) -> Received:
    """Receive one submission made on a phone: through the online form's and service's checks, once per key.

    Raises PermissionDenied (outside the role or the village), FormRefused (the form's or service's messages),
    OfflineConflict (the record changed meanwhile: nothing written)."""
    try:
        key_value = uuid.UUID(str(key))
    except ValueError:
        raise FormRefused({"key": {"label": _("提交编号"), "messages": [_("提交编号格式不对")]}}) from None
    done = OfflineSubmission.objects.filter(key=key_value).first()
    if done is not None:
        if done.user_id != actor.pk:
            raise PermissionDenied(_("该提交编号属于另一个账号"))
        return Received(done, repeated=True)
    if offline_village(actor) is None:
        raise PermissionDenied(_("离线录入只供绑定到一个村的账号使用"))
    if kind not in OfflineSubmission.Kind.values:
        raise FormRefused({"kind": {"label": _("类别"), "messages": [_("不认识的录入类别")]}})
    made = _parse_made_at(made_at)
    lat, lon = _coordinate(latitude, -90, 90), _coordinate(longitude, -180, 180)
    data = data if isinstance(data, dict) else {}
    try:
        with transaction.atomic():
            if kind == OfflineSubmission.Kind.CHECK_IN:
                obj, household = _receive_check_in(actor, data, version, made, lat, lon)
            else:
                receive = {"visit": _receive_visit, "warning_verify": _receive_warning, "lead": _receive_lead,
                           "measure": _receive_measure, "care_visit": _receive_care_visit}[kind]
                obj, household = receive(actor, data, version, made)
            submission = _record_submission(actor=actor, key=key_value, kind=kind, made_at=made, latitude=lat,
                                            longitude=lon, obj=obj, household=household)
    except IntegrityError:
        # The same key arrived twice at once: the other one was recorded, this one wrote nothing.
        done = OfflineSubmission.objects.filter(key=key_value, user=actor).first()
        if done is None:
            raise
        return Received(done, repeated=True)
    return Received(submission)


def offline_keep_days() -> int:
    return settings.OFFLINE_KEEP_DAYS
