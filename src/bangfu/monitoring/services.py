"""Writes to monitoring configuration. Policy numbers are data the county edits; every change is audited."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.cases.choices import SELF_REPORTS_PER_HOUR  # noqa: F401  (the shipped default, for tests and docs)
from bangfu.core.crypto import field_cipher
from bangfu.core.scoping import region_in_scope
from bangfu.monitoring.models import Lead, MonitoringLine, RiskType, RiskWarning, Rule, ScreeningRun
from bangfu.monitoring.rules import DEFAULTS_BY_CODE
from bangfu.regions.config import config_region_of, config_require_editor, config_revert, config_row_for_edit
from bangfu.regions.models import Region


def _require_configure(actor, region: Region) -> None:
    if not actor.can("monitoring.configure"):
        raise PermissionDenied(_("您的角色不能修改监测范围"))
    if not actor.is_superuser and not (actor.region_id and actor.region.contains(region.code)):
        raise PermissionDenied(_("只能设置本辖区的监测范围"))
    config_require_editor(actor, region.code)  # a region's line is its own administrator's (regions.config)


@transaction.atomic
def monitoring_line_save(*, actor, region: Region, year: int, amount, source: str = "") -> MonitoringLine:
    """Set the per-capita income line for a region and year (it overrides the province's for that county)."""
    _require_configure(actor, region)
    errors: dict[str, str] = {}
    this_year = dt.date.today().year
    if not 2015 <= int(year) <= this_year + 1:
        errors["year"] = _("年度应在2015至%(year)s之间") % {"year": this_year + 1}
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not Decimal("1000") <= value <= Decimal("100000"):
        errors["amount"] = _("监测线应为1,000至100,000元之间的金额")
    if region.level not in (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY):
        errors["region"] = _("监测范围按省、市或县设定")
    if errors:
        raise ValidationError(errors)
    line = MonitoringLine.objects.select_for_update().filter(region=region, year=year).first()
    before = snapshot(line) if line else None
    if line is None:
        line = MonitoringLine(region=region, year=year)
    line.amount, line.source = value, source.strip()[:200]
    line.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE if before else ChangeRecord.Action.CREATE,
                  instance=line, before=before, after=snapshot(line), region_code=region.code)
    # Which households lie below the line changes with it: recount the kept figures under the region.
    from bangfu.reports.summaries import village_summaries_refresh_county

    village_summaries_refresh_county(region.code)
    return line


@transaction.atomic
def monitoring_line_revert(*, actor, region: Region, year: int) -> None:
    """The region drops its own line for `year`: the prefecture's or the province's is in force again there
    (monitoring_lines_by_year). Its administrator only; audited; the kept figures recounted."""
    from bangfu.monitoring.selectors import monitoring_lines_by_year

    _require_configure(actor, region)
    config_revert(MonitoringLine, actor=actor, region_code=region.code,
                  rows=MonitoringLine.objects.filter(region=region, year=year),
                  after=lambda: {"year": year, "amount": str(monitoring_lines_by_year(county_code=region.code).get(year))})
    from bangfu.reports.summaries import village_summaries_refresh_county

    village_summaries_refresh_county(region.code)


# --- rules -------------------------------------------------------------------------------------------------


def _clean_params(rule: Rule, params: dict) -> dict:
    """Validate a rule's parameters against its declaration; raises ValidationError naming the parameter."""
    default = DEFAULTS_BY_CODE.get(rule.code)
    specs = {spec.key: spec for spec in (default.specs if default else ())}
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for key, spec in specs.items():
        raw = params.get(key, rule.params.get(key))
        if spec.type == "codes":
            values = raw if isinstance(raw, list) else [v.strip() for v in str(raw or "").replace("，", ",").split(",")]
            values = [str(v).strip() for v in values if str(v).strip()]
            bad = [v for v in values if spec.allowed and v not in spec.allowed]
            if bad or (spec.allowed and not values):
                errors[key] = _("%(label)s：只能是 %(allowed)s 中的一个或多个") % {
                    "label": spec.label, "allowed": "、".join(spec.allowed)}
            cleaned[key] = values
            continue
        try:
            number = float(Decimal(str(raw).replace(",", "").strip()))
        except (InvalidOperation, ValueError):
            errors[key] = _("%(label)s：应为数字") % {"label": spec.label}
            continue
        if not spec.low <= number <= spec.high:
            errors[key] = _("%(label)s：应在 %(low)s 至 %(high)s 之间") % {
                "label": spec.label, "low": f"{spec.low:g}", "high": f"{spec.high:g}"}
            continue
        cleaned[key] = int(number) if spec.type in ("int", "money") and number == int(number) else number
    if rule.code == "out_of_school" and not errors and cleaned["min_age"] > cleaned["max_age"]:
        errors["min_age"] = _("最小年龄不能大于最大年龄")
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def rule_update(*, actor, rule: Rule, params: dict, enabled: bool, verify_days: int | None = None,
                reason: str = "") -> Rule:
    """Change a rule's thresholds, deadline, or switch it on/off (the county only); audited."""
    if not actor.can("monitoring.configure"):
        raise PermissionDenied(_("您的角色不能修改预警规则"))
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule)
    rule = config_row_for_edit(Rule, rule, actor, taken_over=_warnings_follow_rules)
    if verify_days is not None and not 1 <= int(verify_days) <= 60:
        raise ValidationError({"verify_days": _("核实时限：应为1至60天")})
    rule.params = _clean_params(rule, params)
    rule.enabled = bool(enabled)
    if verify_days is not None:
        rule.verify_days = int(verify_days)
    rule.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=rule, before=before,
                  after=snapshot(rule), region_code=rule.region_id or "", reason=reason)
    return rule


@transaction.atomic
def rules_revert(*, actor, region=None) -> None:
    """The region's own rules (thresholds, deadlines, on/off) go; the inherited ones are in force again, for the
    next screening too. Its warnings follow to the inherited rule of the same code (as they followed on take-over).
    Its administrator only; audited."""
    if not actor.can("monitoring.configure"):
        raise PermissionDenied(_("您的角色不能修改预警规则"))
    region_code = (region.code if hasattr(region, "code") else region) or config_region_of(actor)
    config_revert(Rule, actor=actor, region_code=region_code, key=lambda rule: rule.code,
                  referenced=((RiskWarning, "rule"),))


def _warnings_follow_rules(region_code: str, mapping: dict[int, Rule]) -> None:
    """When a region takes over its rules, its households' warnings follow to the region's own rows, so a warning
    still open is found again by the next screening (one open warning per household and rule)."""
    low, high = Region.objects.get(code=region_code).code_range
    for old_pk, own in mapping.items():
        if old_pk != own.pk:
            RiskWarning.objects.filter(rule_id=old_pk, village_id__gte=low, village_id__lte=high).update(rule=own)


# --- screening ---------------------------------------------------------------------------------------------


def screening_county(*, actor, county=None) -> str | None:
    """The county (12-digit code) a run started by `actor` covers: the one named, which must lie in the actor's
    jurisdiction, else the county the actor works in. Someone above the counties (a prefecture or province
    administrator) names one, or runs their subtree county by county (screening_runs_for_subtree). No actor and
    no county: the whole database in one run (the benchmark's)."""
    code = getattr(county, "code", county)
    if code:
        code = str(code).strip()[:6].ljust(12, "0")
        if not Region.objects.filter(code=code, level=Region.Level.COUNTY).exists():
            raise ValidationError({"county": _("县：没有区划代码为 %(code)s 的县") % {"code": code}})
        if actor is not None and not actor.is_superuser and not (actor.region_id and actor.region.contains(code)):
            raise PermissionDenied(_("只能筛查本辖区的县"))
        return code
    if actor is None or not actor.region_id:
        return None
    if actor.region.level in (Region.Level.PROVINCE, Region.Level.CITY):
        raise ValidationError({"county": _("请选择要筛查的县（州、省按县逐一筛查）")})
    return actor.region.code[:6].ljust(12, "0")


def screening_counties(region_code: str | None = None) -> list[str]:
    """The counties under `region_code` (all, if None) that have households: what a subtree's screening covers."""
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    if region_code:
        low, high = Region.objects.get(code=region_code).code_range
        counties = counties.filter(code__gte=low, code__lte=high)
    from bangfu.registry.models import Household

    return [county.code for county in counties
            if Household.objects.filter(village_id__gte=county.code_range[0],
                                        village_id__lte=county.code_range[1]).exists()]


def screening_runs_for_subtree(*, actor, region=None, step=lambda done, total: None,
                               started=lambda run: None, engine: str | None = None,
                               master: str | None = None) -> list[ScreeningRun]:
    """One run per county with households under `region` (default: the actor's region; no actor: every county),
    one after another: how a prefecture or province administrator, the nightly work and `bangfu screen` screen.
    `engine` and `master` as screening_engine reads them."""
    if actor is not None and not actor.can("monitoring.screen"):
        raise PermissionDenied(_("您的角色不能发起筛查"))
    engine, master = screening_engine(engine, master)
    code = getattr(region, "code", region) or (actor.region_id if actor is not None else None)
    if actor is not None and not actor.is_superuser and not (code and actor.region_id
                                                             and actor.region.contains(code)):
        raise PermissionDenied(_("只能筛查本辖区的县"))
    if code and code[6:] != "0" * 6:  # a township or village: its county's run
        code = code[:6].ljust(12, "0")
    if (running := screening_running()) is not None:  # said at once, even with no county to screen
        raise ScreeningBusy(running, actor=actor)
    return [screening_run(actor=actor, county=county, step=step, started=started, engine=engine, master=master)
            for county in screening_counties(code)]


def screening_engine(engine: str | None = None, master: str | None = None) -> tuple[str, str | None]:
    """Where a run's rules run, as (engine, Spark master URL or None for local mode): the one asked for (`bangfu
    screen --engine/--master`), else the deployment's BANGFU_SCREEN_ENGINE and BANGFU_SPARK_MASTER (settings).
    The one place the choice is made: the page's job, the nightly work and the command all reach it through
    screening_run. A value that names no engine, or a master with DuckDB, is refused naming where it came from
    (the start refuses bad variables already; this holds for settings set otherwise, and for the command)."""
    from bangfu.core.env import SPARK_MASTER_PATTERN

    asked = bool(engine)
    engine = engine or settings.SCREEN_ENGINE or ScreeningRun.Engine.DUCKDB
    if engine not in ScreeningRun.Engine.values:
        raise ValidationError(_("筛查引擎 %(name)s 的值“%(value)s”无效：应为 duckdb 或 spark") % {
            "name": "--engine" if asked else "BANGFU_SCREEN_ENGINE", "value": engine}, code="screening_engine")
    if engine != ScreeningRun.Engine.SPARK:
        stray, name = (master, "--master") if master or asked else (settings.SPARK_MASTER, "BANGFU_SPARK_MASTER")
        if stray:
            raise ValidationError(_("%(name)s（%(master)s）只用于 Spark 引擎，而筛查引擎为 %(engine)s") % {
                "name": name, "master": stray, "engine": engine}, code="screening_engine")
        return engine, None
    named = "--master" if master else "BANGFU_SPARK_MASTER"
    master = master or settings.SPARK_MASTER or None
    if master is not None and not re.fullmatch(SPARK_MASTER_PATTERN, master):
        raise ValidationError(_("Spark 地址 %(name)s 的值“%(value)s”无效：应为 spark://主机:7077、yarn、"
                                "k8s://https://主机:443 或 local[2] 这样的地址") % {"name": named, "value": master},
                              code="screening_engine")
    return engine, master


def screening_run(*, actor, county=None, step=lambda done, total: None, started=lambda run: None,
                  engine: str | None = None, master: str | None = None) -> ScreeningRun:
    """Run the screening now for one county (the CLI, the job): its households, its rules (regions.config).
    Warnings go to the households' villages. `started` is told the run's record as soon as it exists (the job
    notes it, so a worker's death ends the run too). The rules run where screening_engine says (`engine` and
    `master` as asked, else the deployment's setting): "spark" runs their SQL on Apache Spark, the rest as with
    DuckDB; the run records which."""
    from bangfu.jobs.services import Heartbeat
    from bangfu.keyring.leases import process_name
    from bangfu.monitoring.engine.run import screening_execute

    if actor is not None and not actor.can("monitoring.screen"):
        raise PermissionDenied(_("您的角色不能发起筛查"))
    engine, master = screening_engine(engine, master)
    county_code = screening_county(actor=actor, county=county)
    if (running := screening_running()) is not None:
        raise ScreeningBusy(running, actor=actor)
    run = ScreeningRun.objects.create(started_by=actor, region_id=county_code, process=process_name(),
                                      heartbeat_at=timezone.now(), engine=engine)
    started(run)

    def beat():
        ScreeningRun.objects.filter(pk=run.pk, status=ScreeningRun.Status.RUNNING).update(heartbeat_at=timezone.now())

    try:
        # Evidence is written once for everyone who reads it: in the site's language, whoever started the run.
        with translation.override(settings.LANGUAGE_CODE), Heartbeat(beat=beat, name=f"screening-{run.pk}"):
            return screening_execute(run, step=step, county=county_code, engine=engine, master=master)
    except Exception as error:
        ScreeningRun.objects.filter(pk=run.pk).update(status=ScreeningRun.Status.FAILED, message=str(error)[:2000],
                                                      finished_at=timezone.now())
        raise


def screening_start(*, actor):
    """Queue a screening run as a background job (the page shows its progress)."""
    from bangfu.jobs.services import job_start

    if not actor.can("monitoring.screen"):
        raise PermissionDenied(_("您的角色不能发起筛查"))
    screening_engine()  # a setting that names no engine is said here, not after the job is queued
    title = _("预警筛查（%(time)s）") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    # One screening at a time: it reads and writes the whole county's warnings (a `bangfu screen` run too).
    if (running := screening_running()) is not None:
        raise ScreeningBusy(running, actor=actor)
    return job_start(actor=actor, kind="screening", title=title, params={}, target=SCREENING_TARGET)


SCREENING_TARGET = "county"


class ScreeningBusy(ValidationError):
    """A screening run (from the command line, the nightly work or a job) is running: a second one is refused."""

    def __init__(self, running: ScreeningRun, *, actor=None):
        # Screening runs one at a time, whichever county (the store and the engine are shared): another county's
        # run is said to be running, but who started it is that county's business.
        if not running.started_by_id:
            who = _("命令行")
        elif actor is None or actor.is_superuser or not running.region_id or (
                actor.region_id and actor.region.contains(running.region_id)):
            who = running.started_by.display_name
        else:
            who = _("其他地区")
        super().__init__(_("已有筛查正在进行（第 %(id)s 次筛查，%(who)s于 %(time)s 发起），请等它完成后再发起。") % {
            "id": running.pk, "who": who, "time": f"{timezone.localtime(running.started_at):%Y-%m-%d %H:%M}"},
            code="screening_busy")
        self.running = running


PROCESS_GONE_MESSAGE = gettext_lazy("筛查中断：执行筛查的进程已终止（可能被强制结束或服务器重启），本次筛查未完成。"
                                    "请重新发起。")


def _run_process_dead(run: ScreeningRun, now) -> bool:
    from bangfu.keyring.leases import process_gone

    stale = now - timezone.timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS)
    return (run.heartbeat_at is not None and run.heartbeat_at < stale) or process_gone(run.process)


def screening_runs_reap() -> int:
    """End as failed the runs left 进行中 by a process that is gone (its pid on this machine) or that stopped
    beating (its lease expired): a killed `bangfu screen` has no job whose reaper would end its run. Runs that
    name no process (from before they did) are left alone. Returns how many were ended."""
    now = timezone.now()
    ended = 0
    for run in ScreeningRun.objects.filter(status=ScreeningRun.Status.RUNNING).exclude(process=""):
        if _run_process_dead(run, now):
            ended += screening_run_fail(run.pk, message=str(PROCESS_GONE_MESSAGE), heartbeat_at=run.heartbeat_at)
    return ended


def screening_running() -> ScreeningRun | None:
    """The screening run that really runs now (its process alive), after ending those whose process is gone."""
    screening_runs_reap()
    return (ScreeningRun.objects.filter(status=ScreeningRun.Status.RUNNING).exclude(process="")
            .select_related("started_by").order_by("pk").first())


def screening_run_fail(run_id: int, *, message: str, **unchanged) -> int:
    """End a run left 进行中 (its process died) as failed, with the reason and the time it had run."""
    now = timezone.now()
    ended = 0
    for run in ScreeningRun.objects.filter(pk=run_id, status=ScreeningRun.Status.RUNNING):
        ended += ScreeningRun.objects.filter(pk=run.pk, status=ScreeningRun.Status.RUNNING, **unchanged).update(
            status=ScreeningRun.Status.FAILED, message=message[:2000], finished_at=now,
            seconds=round((now - run.started_at).total_seconds(), 1))
    return ended


# --- warnings and leads ------------------------------------------------------------------------------------


def _require_in_scope(actor, village_code: str, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("您的角色不能核实预警或登记线索"))
    if not region_in_scope(actor, village_code):
        raise PermissionDenied(_("不在您的管辖范围内"))


@transaction.atomic
def warning_verify(*, actor, warning: RiskWarning, outcome: str, visit_date: dt.date | None, visit_notes: str,
                   dismiss_reason: str = "") -> RiskWarning:
    """The village's verification: a visit (date, notes) and the outcome. Confirmed → a lead for identification;
    dismissed → with a reason. Two people deciding at once: the first wins, the second is told."""
    _require_in_scope(actor, warning.village_id, "monitoring.verify")
    errors = {}
    if outcome not in (RiskWarning.State.CONFIRMED, RiskWarning.State.DISMISSED):
        errors["outcome"] = _("核实结果：请选择“核实属实”或“核实排除”")
    if visit_date is None:
        errors["visit_date"] = _("走访日期：必填")
    elif visit_date > dt.date.today():
        errors["visit_date"] = _("走访日期：不能晚于今天")
    if not (visit_notes or "").strip():
        errors["visit_notes"] = _("走访情况：必填，写明见到谁、了解到什么")
    if outcome == RiskWarning.State.DISMISSED and not (dismiss_reason or "").strip():
        errors["dismiss_reason"] = _("排除理由：核实排除时必填")
    if errors:
        raise ValidationError(errors)
    locked = RiskWarning.objects.select_for_update().get(pk=warning.pk)
    if locked.state != RiskWarning.State.OPEN:
        raise ValidationError({"outcome": _("该预警已由他人核实（%(state)s），请刷新") % {
            "state": locked.get_state_display()}})
    if locked.monitored_open:
        raise ValidationError({"outcome": _("该户已纳入监测（风险未消除），预警作为新情况随案跟进，不需核实转为识别线索："
                                            "请并入该户在办案件或写明跟进情况")})
    before = snapshot(locked)
    locked.state = outcome
    locked.visit_date, locked.visit_notes = visit_date, visit_notes.strip()
    locked.dismiss_reason = dismiss_reason.strip() if outcome == RiskWarning.State.DISMISSED else ""
    locked.verified_by, locked.verified_at = actor, timezone.now()
    locked.updated_at = locked.verified_at
    locked.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=locked, before=before,
                  after=snapshot(locked), household_id=locked.household_id, region_code=locked.village_id)
    if outcome == RiskWarning.State.CONFIRMED:
        lead = Lead.objects.create(source=Lead.Source.WARNING, village_id=locked.village_id,
                                   household_id=locked.household_id, warning=locked,
                                   risk_type=locked.rule.risk_type, difficulty=locked.evidence, created_by=actor)
        change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=lead, before=None,
                      after=snapshot(lead), household_id=locked.household_id, region_code=locked.village_id)
    return locked


@transaction.atomic
def warning_follow_up(*, actor, warning: RiskWarning, note: str) -> RiskWarning:
    """A warning on a household monitored with its risk open (monitored_open) is a new fact for that household's
    case, not a new risk to verify: it joins the household's open case when there is one (a lead attached to it,
    cases.services.lead_attach_to_case, which records the decision on the case) or is acknowledged with the note
    of how it is followed. Either way the warning leaves the queue as 已随案跟进, audited; the first of two wins."""
    from bangfu.cases.choices import OPEN_STATES
    from bangfu.cases.models import Case
    from bangfu.cases.services import lead_attach_to_case

    _require_in_scope(actor, warning.village_id, "monitoring.verify")
    if len((note or "").strip()) < 4:
        raise ValidationError({"note": _("跟进情况：至少写4个字，说明这一新情况如何随案跟进")})
    locked = RiskWarning.objects.select_for_update().get(pk=warning.pk)
    if locked.state != RiskWarning.State.OPEN:
        raise ValidationError({"note": _("该预警已由他人处理（%(state)s），请刷新") % {
            "state": locked.get_state_display()}})
    if not locked.monitored_open:
        raise ValidationError({"note": _("该户不是风险未消除的监测对象：预警须入户核实")})
    before = snapshot(locked)
    locked.state, locked.visit_notes = RiskWarning.State.FOLLOWED, note.strip()
    locked.verified_by, locked.verified_at = actor, timezone.now()
    locked.updated_at = locked.verified_at
    locked.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=locked, before=before,
                  after=snapshot(locked), household_id=locked.household_id, region_code=locked.village_id,
                  reason=locked.visit_notes)
    if Case.objects.filter(household_id=locked.household_id, state__in=OPEN_STATES).exists():
        lead = Lead.objects.create(source=Lead.Source.WARNING, village_id=locked.village_id,
                                   household_id=locked.household_id, warning=locked, risk_type=locked.rule.risk_type,
                                   difficulty=f"{locked.evidence}（{locked.visit_notes}）"[:2000], created_by=actor)
        change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=lead, before=None,
                      after=snapshot(lead), household_id=locked.household_id, region_code=locked.village_id)
        lead_attach_to_case(actor=actor, lead=lead)
    return locked


@transaction.atomic
def lead_from_visit(*, actor, household, risk_type: str, difficulty: str) -> Lead:
    """A cadre's visit (基层干部排查) raises a lead for a household of their village."""
    _require_in_scope(actor, household.village_id, "monitoring.lead")
    errors = {}
    if risk_type not in RiskType.values or risk_type == RiskType.EXCLUSION:
        errors["risk_type"] = _("风险类型：请选择")
    if len((difficulty or "").strip()) < 4:
        errors["difficulty"] = _("困难情况：至少写4个字，说明发现了什么")
    if errors:
        raise ValidationError(errors)
    lead = Lead.objects.create(source=Lead.Source.CADRE_VISIT, village_id=household.village_id, household=household,
                               risk_type=risk_type, difficulty=difficulty.strip(), created_by=actor)
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=lead, before=None, after=snapshot(lead),
                  household_id=household.pk, region_code=household.village_id)
    return lead


SELF_REPORT_WINDOW = dt.timedelta(hours=1)  # the limit counts a sender's reports in the last hour


@transaction.atomic
def lead_self_report(*, name: str, phone: str, id_number: str, village_code: str, difficulty: str,
                     risk_type: str, client: str) -> Lead:
    """农户自主申报 without an account: validated, rate-limited per sender, landing as a lead for the village.
    The ID number and phone are kept encrypted; the household is linked when the ID number is registered."""
    from bangfu.accounts.throttle import throttle_serialise
    from bangfu.cases.services import workflow_settings
    from bangfu.core.id_number import IdNumberError, parse_id_number
    from bangfu.core.masking import mask_phone
    from bangfu.core.phone import normalise_phone
    from bangfu.registry.models import Member

    cipher = field_cipher()
    client_digest = cipher.blind_index("client", client or "-")
    throttle_serialise(f"self-report:{client_digest}")  # parallel posts count one after another
    limit = workflow_settings(str(village_code or "")[:12]).self_reports_per_hour
    since = timezone.now() - SELF_REPORT_WINDOW
    if Lead.objects.filter(client_digest=client_digest, created_at__gte=since).count() >= limit:
        raise ValidationError({"__all__": _("提交过于频繁：同一来源每小时最多申报%(n)s次，请稍后再试或拨打12317") % {
            "n": limit}})
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not 2 <= len(name) <= 30:
        errors["name"] = _("户主姓名：2至30个字")
    try:
        phone_digits = normalise_phone(phone)
    except ValueError:
        errors["phone"] = _("联系电话：请填写11位手机号或带区号的固定电话")
    try:
        number = parse_id_number(id_number).number
    except IdNumberError as error:
        errors["id_number"] = _("身份证号：%(rule)s") % {"rule": error.message}
    village = Region.objects.filter(code=village_code, level=Region.Level.VILLAGE).first()
    if village is None:
        errors["village"] = _("所在村：请从列表中选择")
    if risk_type not in RiskType.values or risk_type == RiskType.EXCLUSION:
        errors["risk_type"] = _("风险类型：请选择")
    if len((difficulty or "").strip()) < 4:
        errors["difficulty"] = _("困难情况：至少写4个字")
    if errors:
        raise ValidationError(errors)
    digest = cipher.blind_index("id_number", number)
    member = Member.objects.filter(id_number_digest=digest, household__village_id=village.code).first()
    lead = Lead.objects.create(
        source=Lead.Source.SELF_REPORT, village=village, household=member.household if member else None,
        risk_type=risk_type, difficulty=difficulty.strip()[:2000], reporter_name=name,
        phone_cipher=cipher.encrypt("phone", phone_digits), phone_masked=mask_phone(phone_digits),
        id_number_cipher=cipher.encrypt("id_number", number), id_number_digest=digest, client_digest=client_digest)
    change_record(actor=None, action=ChangeRecord.Action.CREATE, instance=lead, before=None, after=snapshot(lead),
                  household_id=lead.household_id, region_code=village.code, reason="农户自主申报")
    return lead


def _lead_for_handling(actor, lead: Lead) -> Lead:
    """The lead, locked, if the actor may handle it (take leads into identification, in their jurisdiction) and
    nobody has handled it yet."""
    from bangfu.cases.permissions import require

    require(actor, "cases.work")
    if not region_in_scope(actor, lead.village_id):
        raise PermissionDenied(_("该线索不在您的管辖范围内"))
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.state != Lead.State.NEW:
        raise ValidationError({"__all__": _("该线索已处理（%(state)s），请刷新页面后查看") % {
            "state": locked.get_state_display()}})
    return locked


@transaction.atomic
def lead_close(*, actor, lead: Lead, reason: str) -> Lead:
    """Close a lead that needs no identification, with the reason (a duplicate, not in this village, a household
    already monitored whose new risk is followed by a measure ...). Audited."""
    locked = _lead_for_handling(actor, lead)
    if len((reason or "").strip()) < 4:
        raise ValidationError({"reason": _("关闭理由：至少写4个字，说明为什么不需要识别")})
    before = snapshot(locked)
    locked.state, locked.close_reason = Lead.State.CLOSED, reason.strip()[:1000]
    locked.handled_by, locked.handled_at = actor, timezone.now()
    locked.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=locked, before=before,
                  after=snapshot(locked), household_id=locked.household_id, region_code=locked.village_id,
                  reason=locked.close_reason)
    return locked


def _link(actor, locked: Lead, household) -> Lead:
    before = snapshot(locked)
    locked.household = household
    locked.save(update_fields=["household"])
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=locked, before=before,
                  after=snapshot(locked), household_id=household.pk, region_code=locked.village_id)
    return locked


def _unmatched_report(actor, lead: Lead) -> Lead:
    locked = _lead_for_handling(actor, lead)
    if locked.household_id is not None or not locked.id_number_cipher:
        raise ValidationError({"__all__": _("只有未匹配到农户的自主申报可以登记为农户或成员")})
    return locked


@transaction.atomic
def lead_register_household(*, actor, lead: Lead, group: str = "") -> Lead:
    """An unmatched self-report registered as a new household of its village (the registry's own services, with
    their checks and history): the reporter as head, with the ID number and phone the report gave; the lead then
    names the household and can be taken into identification."""
    from bangfu.registry.services import household_create, member_add

    locked = _unmatched_report(actor, lead)
    cipher = field_cipher()
    phone = cipher.decrypt("phone", locked.phone_cipher) if locked.phone_cipher else ""
    household = household_create(actor=actor, data={"number": "", "village": locked.village, "group": group.strip()},
                                 phone=phone)
    member_add(actor=actor, household=household, data={"name": locked.reporter_name, "relation": "head"},
               id_number=cipher.decrypt("id_number", locked.id_number_cipher))
    household.refresh_from_db()
    return _link(actor, locked, household)


@transaction.atomic
def lead_register_member(*, actor, lead: Lead, household, relation: str) -> Lead:
    """An unmatched self-report registered as a member of a household already on the register (a household
    member who reported on their own ID number)."""
    from bangfu.registry.choices import Relation
    from bangfu.registry.services import member_add

    locked = _unmatched_report(actor, lead)
    if relation not in Relation.values or relation == Relation.HEAD:
        raise ValidationError({"relation": _("与户主关系：请选择（户主以外的关系）")})
    if household.village_id != locked.village_id:
        raise ValidationError({"household": _("户编号：该户不在申报所在的村")})
    member_add(actor=actor, household=household, data={"name": locked.reporter_name, "relation": relation},
               id_number=field_cipher().decrypt("id_number", locked.id_number_cipher))
    return _link(actor, locked, household)
