"""Every write of the case workflow. Each service checks role and jurisdiction, validates, writes in one
transaction, appends the decision record and the change record."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.cases import clock
from bangfu.cases.choices import (
    DEFAULT_CATALOGUE_LIMITS,
    DEFAULT_MEASURE_CATALOGUE,
    MAX_RISKS,
    OPEN_STATES,
    CaseKind,
    CaseSource,
    CaseState,
    EliminationKind,
    MeasureStatus,
    RiskType,
)
from bangfu.cases.due import case_due_on, is_late
from bangfu.cases.models import (
    AssistanceContact,
    Case,
    Decision,
    Measure,
    MeasureCategory,
    Transition,
    Visit,
    WorkflowSettings,
)
from bangfu.cases.permissions import require
from bangfu.cases.workflow import PRECONDITIONS, default_transitions
from bangfu.regions.config import (
    config_nearest,
    config_owner,
    config_region_of,
    config_require_editor,
    config_revert,
    config_row_for_edit,
    config_rows,
)
from bangfu.registry.choices import MonitoringStatus, MonitoringType
from bangfu.registry.models import Household
from bangfu.registry.selectors import households_visible_to

MONTH = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])$")
# What a decision may record on the case (the form of each step shows the ones it needs).
STEP_FIELDS = ("commitment_signed_on", "verification_notes", "comparison_result", "review_date",
               "review_participants", "review_outcome", "notice_started_on", "monitoring_type", "risk_types",
               "identified_month", "elimination_kind", "reason")

# The days steps were recorded on (set by the service from the clock, never typed).
RECORDED_ON = ("comparison_recorded_on", "notice_recorded_on")


# --- configuration: shipped defaults, editable, audited ------------------------------------------------------

def workflow_settings(region_code: str | None = None) -> WorkflowSettings:
    """The settings in force at `region_code` (a village, township, county...): the nearest enclosing region's
    row, else the shipped defaults (regions.config, the one resolver)."""
    settings = config_nearest(WorkflowSettings, region_code)
    if settings is None:
        # Created without naming its id: PostgreSQL's sequence must hand out the next ids (a region's own rows).
        settings, _created = WorkflowSettings.objects.get_or_create(region=None)
    return settings


def transitions_in_force(region_code: str | None):
    """The transition table in force at `region_code` (the region's own, an ancestor's or the shipped one)."""
    return config_rows(Transition, region_code)


def measure_catalogue(region_code: str | None):
    """The measure catalogue in force at `region_code`."""
    return config_rows(MeasureCategory, region_code)


def transitions_ensure_defaults() -> None:
    """Fill the shipped transition table and measure catalogue (rows without a region) when they are empty."""
    if not Transition.objects.filter(region__isnull=True).exists():
        Transition.objects.bulk_create([Transition(**row) for row in default_transitions()], ignore_conflicts=True)
    if not MeasureCategory.objects.filter(region__isnull=True).exists():
        MeasureCategory.objects.bulk_create(
            [MeasureCategory(code=code, name=name, group=group, position=i,
                             amount_limit=DEFAULT_CATALOGUE_LIMITS.get(code, (None, None))[0],
                             term_limit_months=DEFAULT_CATALOGUE_LIMITS.get(code, (None, None))[1])
             for i, (code, name, group) in enumerate(DEFAULT_MEASURE_CATALOGUE)], ignore_conflicts=True)


def _require_county_config(actor) -> None:
    require(actor, "cases.configure")


@transaction.atomic
def workflow_settings_update(*, actor, data: dict[str, Any], region=None) -> WorkflowSettings:
    """Change the deadlines and elimination thresholds of `region` (default: the actor's own), by an
    administrator of that very region. A region without its own row gets one, starting from what it inherited."""
    _require_county_config(actor)
    region_code = (region.code if hasattr(region, "code") else region) or config_region_of(actor)
    config_require_editor(actor, region_code)
    inherited = workflow_settings(region_code)
    before = snapshot(inherited)  # what was in force in the region, inherited or its own
    if inherited.region_id != region_code:
        inherited.pk, inherited._state.adding, inherited.region_id = None, True, region_code
        inherited.save()
    settings = WorkflowSettings.objects.select_for_update().get(pk=workflow_settings(region_code).pk)
    limits = {"decision_days": (1, 90), "notice_min_days": (1, 30), "elimination_min_months": (1, 36),
              "income_stable_months": (1, 24), "measure_due_days": (1, 180), "max_member_age": (90, 150),
              "self_reports_per_hour": (1, 100)}
    errors = {}
    for field, (low, high) in limits.items():
        if field in data:
            value = data[field]
            if not isinstance(value, int) or not low <= value <= high:
                errors[field] = _("%(field)s应为%(low)s至%(high)s之间的整数") % {
                    "field": WorkflowSettings._meta.get_field(field).verbose_name, "low": low, "high": high}
            else:
                setattr(settings, field, value)
    if "decision_working_days" in data:
        settings.decision_working_days = bool(data["decision_working_days"])
    if "risk_measure_groups" in data:
        table = _risk_measure_table(data["risk_measure_groups"])
        if table is None:
            errors["risk_measure_groups"] = _("风险与帮扶措施对应表：风险类型或措施归类含有未知的值")
        else:
            settings.risk_measure_groups = table
    if errors:
        raise ValidationError(errors)
    settings.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=settings, before=before,
                  after=snapshot(settings), region_code=region_code or "")
    return settings


@transaction.atomic
def workflow_settings_revert(*, actor, region=None) -> WorkflowSettings:
    """The region (default: the actor's own) drops its own deadlines and thresholds and follows its nearest
    ancestor's (or the shipped ones) again: its administrator only, audited (regions.config.config_revert)."""
    _require_county_config(actor)
    region_code = (region.code if hasattr(region, "code") else region) or config_region_of(actor)
    config_revert(WorkflowSettings, actor=actor, region_code=region_code)
    return workflow_settings(region_code)


@transaction.atomic
def transitions_revert(*, actor, region=None):
    """The region's own workflow table goes; the inherited one is in force again. Decisions that named an own
    row name the inherited row of the same step."""
    _require_county_config(actor)
    region_code = (region.code if hasattr(region, "code") else region) or config_region_of(actor)
    config_revert(Transition, actor=actor, region_code=region_code,
                  key=lambda t: (t.kind, t.from_state, t.to_state, t.role), referenced=((Decision, "transition"),))
    return transitions_in_force(region_code)


@transaction.atomic
def measure_catalogue_revert(*, actor, region=None):
    """The region's own measure catalogue goes; the inherited one is in force again. Measures recorded under an
    own category move to the inherited category of the same code."""
    _require_county_config(actor)
    region_code = (region.code if hasattr(region, "code") else region) or config_region_of(actor)
    config_revert(MeasureCategory, actor=actor, region_code=region_code, key=lambda c: c.code,
                  referenced=((Measure, "category"),))
    return measure_catalogue(region_code)


def _risk_measure_table(value) -> dict[str, list[str]] | None:
    """The measure-to-risk table as stored (risk → groups, both known codes, no empty rows), or None if invalid."""
    from bangfu.cases.choices import MeasureGroup

    if not isinstance(value, dict):
        return None
    table = {}
    for risk, groups in value.items():
        groups = [str(g) for g in (groups or [])]
        if risk not in RiskType.values or any(g not in MeasureGroup.values for g in groups):
            return None
        if groups:
            table[risk] = groups
    return table


@transaction.atomic
def transition_update(*, actor, transition: Transition, data: dict[str, Any]) -> Transition:
    """Change one row of the workflow table: role, preconditions, deadline, active (county administrator)."""
    _require_county_config(actor)
    transition = Transition.objects.select_for_update().get(pk=transition.pk)
    before = snapshot(transition)  # the row as the actor's region had it (inherited or its own)
    # An inherited row: the region takes over the whole table first, so the change stays in the region.
    transition = config_row_for_edit(Transition, transition, actor)
    errors = {}
    if "preconditions" in data:
        unknown = [p for p in data["preconditions"] if p not in PRECONDITIONS]
        if unknown:
            errors["preconditions"] = _("前置条件：未知的条件 %(names)s") % {"names": "、".join(unknown)}
        transition.preconditions = list(data["preconditions"])
    if "deadline_days" in data:
        days = data["deadline_days"]
        if days is not None and not (isinstance(days, int) and 0 <= days <= 90):
            errors["deadline_days"] = _("下一环节期限（天）应为0至90之间的整数，或留空表示不设期限")
        transition.deadline_days = days
    for field in ("role", "label", "working_days", "is_active"):
        if field in data:
            setattr(transition, field, data[field])
    if not str(transition.label).strip():
        errors["label"] = _("操作名称：不能为空")
    if errors:
        raise ValidationError(errors)
    transition.full_clean(exclude=["preconditions"])
    transition.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=transition, before=before,
                  after=snapshot(transition), region_code=transition.region_id or "")
    return transition


# --- guards ----------------------------------------------------------------------------------------------------

def _household_in_scope(actor, household: Household) -> Household:
    found = households_visible_to(actor).select_related("village").filter(pk=household.pk).first()
    if found is None:
        raise PermissionDenied(_("该户不在您的管辖范围内"))
    return found


def _role_label(role: str) -> str:
    from bangfu.accounts.roles import Role

    return str(dict(Role.choices).get(role, role))


def _require_role(actor, transition: Transition) -> None:
    if not actor.is_superuser and actor.role != transition.role:
        raise PermissionDenied(_("“%(step)s”须由%(role)s办理，您的角色不能办理") % {
            "step": transition.label, "role": _role_label(transition.role)})


def _check_preconditions(case: Case, transition: Transition, *, comment: str, today: dt.date) -> None:
    ctx = {"today": today, "settings": workflow_settings(case.village_id), "comment": comment}
    problems = []
    for name in transition.preconditions:
        precondition = PRECONDITIONS.get(name)
        message = precondition.check(case, ctx) if precondition else None
        if message:
            problems.append(message)
    if problems:
        raise ValidationError({"__all__": problems})


def _overdue_since(case: Case, today: dt.date) -> dt.date | None:
    """The date the case was due, when it is late (the one definition: cases.due)."""
    due = case_due_on(kind=case.kind, step_due_on=case.step_due_on, due_on=case.due_on)
    return due if is_late(due, today) else None


def _apply_step_fields(case: Case, data: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    for field in STEP_FIELDS:
        if field not in data or data[field] is None:
            continue
        value = data[field]
        if field == "risk_types":
            value = [v for v in value if v]
            valid = set(RiskType.values)
            if any(v not in valid for v in value):
                errors[field] = _("风险类型：含有未知的风险类型")
            elif len(value) > MAX_RISKS:
                errors[field] = _("风险类型：最多选择%(max)s项") % {"max": MAX_RISKS}
        elif field == "identified_month" and value and not MONTH.match(value):
            errors[field] = _("识别监测时间应为6位年月（YYYYMM），实为“%(value)s”") % {"value": value}
        elif field == "monitoring_type" and value not in MonitoringType.values:
            errors[field] = _("监测对象类别：未知的类别")
        elif field == "elimination_kind" and value and value not in EliminationKind.values:
            errors[field] = _("消除类型：未知的类型")
        elif isinstance(value, str):
            value = value.strip()
        setattr(case, field, value)
    if errors:
        raise ValidationError(errors)


def _procedure_dates(case: Case) -> list[tuple[str, str, dt.date | None]]:
    """The procedure's dates in the order they must keep (DOMAIN.md §5.4): lead found ≤ commitment signed ≤ data
    comparison ≤ democratic review ≤ notice start. (field, label, date); comparison has no field of its own."""
    return [("lead_date", _("线索发现日期"), case.lead_date),
            ("commitment_signed_on", _("承诺授权书签署日期"), case.commitment_signed_on),
            ("", _("信息比对完成日期"), case.comparison_recorded_on),
            ("review_date", _("民主评议日期"), case.review_date),
            ("notice_started_on", _("公示开始日期"), case.notice_started_on)]


def _check_step_dates(case: Case, typed: set[str], today: dt.date) -> None:
    """Every date typed into a step: not after today, not before the dates of the steps it follows. Refusals name
    the field and the date it must follow; nothing is written."""
    errors: dict[str, str] = {}
    earlier: list[tuple[str, dt.date]] = []
    for field, label, day in _procedure_dates(case):
        if field in typed and day is not None:
            if day > today:
                errors[field] = _("%(field)s（%(day)s）不能晚于今天（%(today)s）") % {
                    "field": label, "day": _day(day), "today": _day(today)}
            elif earlier:
                before_label, before_day = max(earlier, key=lambda item: item[1])
                if day < before_day:
                    errors[field] = _("%(field)s（%(day)s）不能早于%(before)s（%(before_day)s）") % {
                        "field": label, "day": _day(day), "before": before_label, "before_day": _day(before_day)}
        if day is not None:
            earlier.append((label, day))
    month = case.identified_month
    if "identified_month" in typed and month and MONTH.match(month):
        if month > today.strftime("%Y%m"):
            errors["identified_month"] = _("识别监测时间（%(month)s）不能晚于本月（%(now)s）") % {
                "month": month, "now": today.strftime("%Y%m")}
        elif month < case.lead_date.strftime("%Y%m"):
            errors["identified_month"] = _("识别监测时间（%(month)s）不能早于线索发现日期（%(day)s）所在月份") % {
                "month": month, "day": _day(case.lead_date)}
    if errors:
        raise ValidationError(errors)


def _day(day: dt.date) -> str:
    return date_format(day, "Y-m-d")


def _conflict_message(case_id: int) -> str:
    last = Decision.objects.filter(case_id=case_id).select_related("actor").order_by("-at", "-id").first()
    if last is None:
        return _("该案件刚由他人处理，您的操作未生效，请刷新页面后查看")
    return _("该案件已由%(who)s于%(when)s办理“%(step)s”，您的操作未生效，请刷新页面后查看") % {
        "who": last.actor.display_name, "when": date_format(timezone.localtime(last.at), "Y-m-d H:i"),
        "step": last.label}


# --- opening and advancing a case ----------------------------------------------------------------------------

@transaction.atomic
def case_open(*, actor, household: Household, kind: str = CaseKind.IDENTIFICATION,
              source: str = CaseSource.MANUAL, summary: str = "", lead_date: dt.date | None = None,
              elimination_kind: str = "", comment: str = "", lead=None) -> Case:
    """Open a case from a lead (by hand, a cadre's report, a warning or a self-report) or an elimination proposal.

    The deadline runs from the day the lead appeared (15 days by default, configurable, calendar or working days).
    """
    require(actor, "cases.work")
    transitions_ensure_defaults()
    household = _household_in_scope(actor, household)
    Household.objects.select_for_update().filter(pk=household.pk).first()  # one opening per household at a time
    rows = transitions_in_force(household.village_id).filter(kind=kind, from_state="", is_active=True)
    transition = next((t for t in rows if actor.is_superuser or t.role == actor.role), None)
    if transition is None:
        roles = "、".join(sorted({_role_label(t.role) for t in rows})) or "—"
        raise PermissionDenied(_("登记%(kind)s案件须由%(roles)s办理") % {
            "kind": CaseKind(kind).label, "roles": roles})
    if source not in CaseSource.values:
        raise ValidationError({"source": _("线索来源：未知的来源")})
    today = clock.today()
    lead_date = lead_date or today
    errors = {}
    if lead_date > today:
        errors["lead_date"] = _("线索发现日期不能晚于今天")
    if kind == CaseKind.IDENTIFICATION and not summary.strip():
        errors["summary"] = _("困难情况：请简述农户遇到的困难")
    if errors:
        raise ValidationError(errors)
    settings = workflow_settings(household.village_id)
    case = Case(kind=kind, household=household, village_id=household.village_id, state=transition.to_state,
                source=source, summary=summary.strip(), lead_date=lead_date, opened_by=actor, lead=lead,
                elimination_kind=elimination_kind,
                due_on=clock.add_days(lead_date, settings.decision_days, working=settings.decision_working_days))
    if transition.deadline_days is not None:
        case.step_due_on = clock.add_days(today, transition.deadline_days, working=transition.working_days)
    if elimination_kind and elimination_kind not in EliminationKind.values:
        raise ValidationError({"elimination_kind": _("消除类型：未知的类型")})
    _check_preconditions(case, transition, comment=comment, today=today)
    case.save()
    Decision.objects.create(case=case, transition=transition, label=transition.label, from_state="",
                            to_state=case.state, actor=actor, actor_role=actor.role, comment=comment.strip(),
                            data={"source": source, "summary": case.summary, "lead_date": lead_date.isoformat(),
                                  **({"elimination_kind": elimination_kind} if elimination_kind else {})})
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=case, before=None, after=snapshot(case),
                  household_id=household.pk, region_code=household.village_id)
    return case


@transaction.atomic
def case_advance(*, actor, case: Case, transition: Transition, version: int, comment: str = "",
                 data: dict[str, Any] | None = None) -> Case:
    """Take one step of the table. Checks jurisdiction, the role, that nobody decided first (version), the step's
    preconditions and the deadline (a late step needs the reason in the comment); appends the decision."""
    require(actor, "cases.work")
    data = data or {}
    from bangfu.cases.selectors import cases_visible_to

    current = cases_visible_to(actor).select_related("household").filter(pk=case.pk).first()
    if current is None:
        raise PermissionDenied(_("该案件不在您的管辖范围内"))
    case = current
    in_force = transition.region_id == config_owner(Transition, case.village_id)  # the case's county's table
    if transition.kind != case.kind or not transition.is_active or not in_force:
        raise ValidationError({"__all__": [_("该操作不属于本案件的流程")]})
    _require_role(actor, transition)
    if case.version != version or case.state != transition.from_state:
        raise ValidationError({"__all__": [_conflict_message(case.pk)]})
    today = clock.today()
    before = snapshot(case)
    _apply_step_fields(case, data)
    _check_step_dates(case, {f for f in STEP_FIELDS if data.get(f) not in (None, "", [])}, today)
    _check_preconditions(case, transition, comment=comment, today=today)
    late = _overdue_since(case, today)
    if late and not comment.strip():
        raise ValidationError({"comment": _("已超过办理期限（%(day)s），须在意见中写明逾期原因") % {
            "day": date_format(late, "Y-m-d")}})
    if (transition.from_state, transition.to_state) == (CaseState.COMPARISON, CaseState.VILLAGE_REVIEW):
        case.comparison_recorded_on = today
    if transition.to_state == CaseState.NOTICE:
        case.notice_recorded_on = today
    case.state = transition.to_state
    case.step_due_on = (clock.add_days(today, transition.deadline_days, working=transition.working_days)
                        if transition.deadline_days is not None and case.is_open else None)
    case.closed_at = None if case.is_open else timezone.now()
    fields = {f: getattr(case, f) for f in (*STEP_FIELDS, *RECORDED_ON, "state", "step_due_on", "closed_at")}
    # The race guard: only the first of two reviewers deciding this version moves the case.
    moved = Case.objects.filter(pk=case.pk, version=version, state=transition.from_state).update(
        version=F("version") + 1, **fields)
    if moved != 1:
        raise ValidationError({"__all__": [_conflict_message(case.pk)]})
    case.version = version + 1
    recorded = {f: _jsonable(getattr(case, f)) for f in STEP_FIELDS if f in data and data[f] not in (None, "", [])}
    Decision.objects.create(case=case, transition=transition, label=transition.label,
                            from_state=transition.from_state, to_state=transition.to_state, actor=actor,
                            actor_role=actor.role, comment=comment.strip(), data=recorded)
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=case, before=before,
                  after=snapshot(case), household_id=case.household_id, region_code=case.household.village_id)
    if case.state == CaseState.APPROVED:
        _apply_outcome(actor=actor, case=case, today=today)
    return case


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _apply_outcome(*, actor, case: Case, today: dt.date) -> None:
    """The county's approval changes the household's file (through the registry's own service)."""
    from bangfu.registry.services import household_update

    if case.kind == CaseKind.IDENTIFICATION:
        data = {"monitoring_type": case.monitoring_type, "monitoring_status": MonitoringStatus.RISK_OPEN,
                "identified_month": case.identified_month, "eliminated_month": ""}
    else:
        data = {"monitoring_status": MonitoringStatus.RISK_ELIMINATED, "eliminated_month": today.strftime("%Y%m")}
    household_update(actor=actor, household=case.household, data=data)


@transaction.atomic
def elimination_reverse(*, actor, case: Case, version: int, comment: str) -> Case:
    """The risk has returned: undo an approved elimination (county), keeping its history."""
    from bangfu.cases.selectors import cases_visible_to
    from bangfu.registry.services import household_update

    require(actor, "cases.work")
    if not (actor.is_superuser or actor.role == "county_admin"):
        raise PermissionDenied(_("撤销风险消除须由县级监测管理员办理"))
    case = cases_visible_to(actor).select_related("household").filter(pk=case.pk).first()
    if case is None:
        raise PermissionDenied(_("该案件不在您的管辖范围内"))
    if case.kind != CaseKind.ELIMINATION or case.state != CaseState.APPROVED:
        raise ValidationError({"__all__": [_("只有已审定的风险消除可以撤销")]})
    if not comment.strip():
        raise ValidationError({"comment": _("意见：撤销须写明返贫风险的情况")})
    before = snapshot(case)
    moved = Case.objects.filter(pk=case.pk, version=version, state=CaseState.APPROVED).update(
        version=F("version") + 1, state=CaseState.REVERSED, closed_at=timezone.now())
    if moved != 1:
        raise ValidationError({"__all__": [_conflict_message(case.pk)]})
    case.refresh_from_db()
    Decision.objects.create(case=case, label=str(_("撤销风险消除")), from_state=CaseState.APPROVED,
                            to_state=CaseState.REVERSED, actor=actor, actor_role=actor.role, comment=comment.strip())
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=case, before=before, after=snapshot(case),
                  household_id=case.household_id, region_code=case.household.village_id)
    household_update(actor=actor, household=case.household,
                     data={"monitoring_status": MonitoringStatus.RISK_OPEN, "eliminated_month": ""})
    return case


# --- assistance: contacts, measures, visits ------------------------------------------------------------------

def _amount(value, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[field] = _("金额：应为数字")
        return None
    if amount < 0:
        errors[field] = _("金额：不能为负数")
    return amount


def _require_monitored(household: Household) -> None:
    if not household.monitoring_type:
        raise ValidationError({"__all__": [_("该户不是监测对象：帮扶措施和帮扶联系人针对已纳入监测的户")]})


@transaction.atomic
def assistance_contact_set(*, actor, household: Household, name: str, post: str = "", user=None,
                           since: dt.date | None = None) -> AssistanceContact:
    """Name (or change) the household's assistance contact."""
    require(actor, "cases.assist")
    household = _household_in_scope(actor, household)
    _require_monitored(household)
    if not name.strip():
        raise ValidationError({"name": _("帮扶联系人：请填写姓名")})
    contact = AssistanceContact.objects.select_for_update().filter(household=household).first()
    before = snapshot(contact) if contact else None
    contact = contact or AssistanceContact(household=household)
    contact.name, contact.post, contact.user = name.strip(), post.strip(), user
    contact.since = since or clock.today()
    contact.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE if before else ChangeRecord.Action.CREATE,
                  instance=contact, before=before, after=snapshot(contact), household_id=household.pk,
                  region_code=household.village_id)
    return contact


def _validate_measure(measure: Measure, errors: dict) -> None:
    if not measure.description.strip():
        errors["description"] = _("措施内容：不能为空")
    if not measure.responsible.strip():
        errors["responsible"] = _("责任单位或责任人：不能为空")
    if measure.end_on and measure.start_on and measure.end_on < measure.start_on:
        errors["end_on"] = _("结束日期不能早于开始日期")
    if measure.status not in MeasureStatus.values:
        errors["status"] = _("状态：未知的状态")
    if measure.category_id and not MeasureCategory.objects.filter(pk=measure.category_id, is_active=True).exists():
        errors["category"] = _("措施类别：该类别已停用")


def measure_limit_warnings(measure: Measure) -> list[str]:
    """Where a measure goes beyond its catalogue category's limits (小额信贷: 50,000 yuan, 3 years by default).
    A warning, not a refusal: the measure is saved and the page says what to check."""
    category = measure.category
    warnings = []
    if category.amount_limit is not None and measure.amount is not None and measure.amount > category.amount_limit:
        warnings.append(_("%(category)s：金额%(amount)s元超过该类措施上限%(limit)s元") % {
            "category": category.name, "amount": f"{measure.amount:,.2f}", "limit": f"{category.amount_limit:,.2f}"})
    months = category.term_limit_months
    if months is not None and measure.start_on:
        latest = clock.months_after(measure.start_on, months)
        if measure.end_on is None:
            warnings.append(_("%(category)s：未填写结束日期，该类措施期限最长%(months)s个月（至%(latest)s）") % {
                "category": category.name, "months": months, "latest": _day(latest)})
        elif measure.end_on > latest:
            warnings.append(_("%(category)s：结束日期%(end)s超过该类措施期限上限%(months)s个月（至%(latest)s）") % {
                "category": category.name, "end": _day(measure.end_on), "months": months, "latest": _day(latest)})
    return warnings


@transaction.atomic
def measure_category_update(*, actor, category: MeasureCategory, data: dict[str, Any]) -> MeasureCategory:
    """Change a catalogue category's limits, name or active flag (county administrator); audited."""
    _require_county_config(actor)
    category = MeasureCategory.objects.select_for_update().get(pk=category.pk)
    before = snapshot(category)
    category = config_row_for_edit(MeasureCategory, category, actor)
    errors: dict[str, str] = {}
    if "amount_limit" in data:
        category.amount_limit = _amount(data["amount_limit"], "amount_limit", errors)
    if "term_limit_months" in data:
        months = data["term_limit_months"]
        if months is not None and not (isinstance(months, int) and 1 <= months <= 600):
            errors["term_limit_months"] = _("期限上限（月）应为1至600之间的整数，或留空表示不设上限")
        category.term_limit_months = months
    for field in ("name", "is_active"):
        if field in data:
            setattr(category, field, data[field])
    if not str(category.name).strip():
        errors["name"] = _("措施类别：名称不能为空")
    if errors:
        raise ValidationError(errors)
    category.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=category, before=before,
                  after=snapshot(category), region_code=category.region_id or "")
    return category


@transaction.atomic
def measure_add(*, actor, household: Household, data: dict[str, Any]) -> Measure:
    """Add an assistance measure from the catalogue to a monitored household."""
    require(actor, "cases.assist")
    household = _household_in_scope(actor, household)
    _require_monitored(household)
    errors: dict[str, str] = {}
    measure = Measure(household=household, created_by=actor, category=data.get("category"),
                      description=(data.get("description") or "").strip(), start_on=data.get("start_on"),
                      end_on=data.get("end_on"), responsible=(data.get("responsible") or "").strip(),
                      status=data.get("status") or MeasureStatus.PLANNED)
    measure.amount = _amount(data.get("amount"), "amount", errors)
    if measure.category is None:
        errors["category"] = _("措施类别：请选择")
    elif measure.category.region_id != config_owner(MeasureCategory, household.village_id):
        errors["category"] = _("措施类别：“%(name)s”不在本县在用的措施目录中") % {"name": measure.category.name}
    if measure.start_on is None:
        errors["start_on"] = _("开始日期：请填写")
    _validate_measure(measure, errors)
    if errors:
        raise ValidationError(errors)
    measure.save()
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=measure, before=None,
                  after=snapshot(measure), household_id=household.pk, region_code=household.village_id)
    return measure


@transaction.atomic
def measure_update(*, actor, measure: Measure, data: dict[str, Any]) -> Measure:
    """Change a measure (its status as it is carried out, its end date, amount ...)."""
    require(actor, "cases.assist")
    _household_in_scope(actor, measure.household)
    measure = Measure.objects.select_for_update().select_related("household").get(pk=measure.pk)
    before = snapshot(measure)
    errors: dict[str, str] = {}
    for field in ("category", "description", "start_on", "end_on", "responsible", "status"):
        if field in data:
            value = data[field]
            setattr(measure, field, value.strip() if isinstance(value, str) else value)
    if "amount" in data:
        measure.amount = _amount(data["amount"], "amount", errors)
    _validate_measure(measure, errors)
    if errors:
        raise ValidationError(errors)
    measure.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=measure, before=before,
                  after=snapshot(measure), household_id=measure.household_id,
                  region_code=measure.household.village_id)
    return measure


@transaction.atomic
def visit_record(*, actor, household: Household, visited_on: dt.date, notes: str,
                 per_capita_income=None) -> Visit:
    """Record a follow-up visit (from a phone): date, visitor, notes and the per-capita income found."""
    require(actor, "cases.visit")
    household = _household_in_scope(actor, household)
    errors: dict[str, str] = {}
    if visited_on is None:
        errors["visited_on"] = _("走访日期：请填写")
    elif visited_on > clock.today():
        errors["visited_on"] = _("走访日期不能晚于今天")
    if not notes.strip():
        errors["notes"] = _("走访情况：请填写")
    income = _amount(per_capita_income, "per_capita_income", errors)
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(household=household, visited_on=visited_on, visitor=actor, notes=notes.strip(),
                                 per_capita_income=income)
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=visit, before=None,
                  after=snapshot(visit), household_id=household.pk, region_code=household.village_id)
    return visit


LEAD_SOURCES = {"warning": CaseSource.WARNING, "self_report": CaseSource.SELF_REPORT,
                "cadre_visit": CaseSource.CADRE_REPORT}


@transaction.atomic
def case_open_from_lead(*, actor, lead) -> Case:
    """Take a lead (a confirmed warning, a self-report or a cadre's visit) into identification: the case keeps
    the lead, the lead is marked taken. Two people taking the same lead at once: one case, the other is told."""
    from bangfu.monitoring.models import Lead
    from bangfu.monitoring.selectors import leads_visible_to

    require(actor, "cases.work")
    lead = leads_visible_to(actor).filter(pk=lead.pk).first()
    if lead is None:
        raise PermissionDenied(_("该线索不在您的管辖范围内"))
    if lead.household_id is None:
        raise ValidationError({"__all__": [_("该线索尚未对应到在册农户（自主申报未匹配到身份证号）：请先在一户一档中"
                                             "找到或登记该户")]})
    taken = Lead.objects.filter(pk=lead.pk, state=Lead.State.NEW).update(state=Lead.State.TAKEN)
    if taken != 1:
        raise ValidationError({"__all__": [_("该线索已纳入识别或已关闭，请刷新页面后查看")]})
    lead_day = timezone.localtime(lead.created_at).date()
    case = case_open(actor=actor, household=lead.household, source=LEAD_SOURCES.get(lead.source, CaseSource.MANUAL),
                     summary=lead.difficulty, lead_date=min(lead_day, clock.today()), lead=lead)
    return case


@transaction.atomic
def lead_attach_to_case(*, actor, lead) -> Case:
    """A lead on a household that already has an open case (a warning confirmed while its identification or
    elimination runs) joins that case instead of waiting for a case of its own: the lead is marked attached, the
    case's record gains a decision naming it. Two people at once: the first attaches, the second is told."""
    from bangfu.cases.selectors import cases_visible_to
    from bangfu.monitoring.models import Lead
    from bangfu.monitoring.selectors import leads_visible_to

    require(actor, "cases.work")
    lead = leads_visible_to(actor).filter(pk=lead.pk).first()
    if lead is None:
        raise PermissionDenied(_("该线索不在您的管辖范围内"))
    if lead.household_id is None:
        raise ValidationError({"__all__": [_("该线索尚未对应到在册农户，不能并入案件")]})
    case = (cases_visible_to(actor).select_related("household")
            .filter(household_id=lead.household_id, state__in=OPEN_STATES).order_by("-opened_at", "-id").first())
    if case is None:
        raise ValidationError({"__all__": [_("该户没有未办结的案件：请纳入识别，或写明理由关闭线索")]})
    before = snapshot(lead)
    moved = Lead.objects.filter(pk=lead.pk, state=Lead.State.NEW).update(
        state=Lead.State.ATTACHED, case=case, handled_by=actor, handled_at=timezone.now())
    if moved != 1:
        raise ValidationError({"__all__": [_("该线索已由他人处理，请刷新页面后查看")]})
    lead.refresh_from_db()
    Decision.objects.create(case=case, label=str(_("并入识别线索")), from_state=case.state, to_state=case.state,
                            actor=actor, actor_role=actor.role,
                            comment=f"{lead.get_source_display()}：{lead.difficulty}"[:2000])
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=lead, before=before, after=snapshot(lead),
                  household_id=lead.household_id, region_code=lead.village_id)
    return case
