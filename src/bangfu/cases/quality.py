"""Data-quality checks (数据质量核查, DOMAIN.md §5.7): a rule set the county runs before the national system does.

Each rule looks at one household (with its members, income, measures and cases loaded) and returns the problems
it finds, each a sentence naming the field and the rule. Add a rule by adding a function to RULES.
"""

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.cases import clock
from bangfu.cases.choices import CaseKind, CaseState, MeasureStatus, RiskType
from bangfu.cases.conditions import WITH_LABOUR, measure_mismatches
from bangfu.cases.due import is_late, measure_due_on
from bangfu.cases.models import Case, Measure, QualityProblem, QualityRun
from bangfu.cases.permissions import require
from bangfu.core.scoping import code_range_q
from bangfu.jobs.services import job_kind, job_partial_path
from bangfu.monitoring.selectors import monitoring_lines_by_year
from bangfu.registry.choices import MonitoringStatus
from bangfu.registry.income import below_line, per_capita_for_line
from bangfu.registry.selectors import households_visible_to


@dataclass
class Context:
    today: dt.date
    settings: object
    lines: dict[int, object]


def _identification(household):
    approved = [c for c in household.prefetched_cases if c.kind == CaseKind.IDENTIFICATION
                and c.state == CaseState.APPROVED]
    return max(approved, key=lambda c: (c.closed_at or timezone.now(), c.pk)) if approved else None


def _risks(household) -> list[str]:
    case = _identification(household)
    return list(case.risk_types) if case else []


def _live_measures(household) -> list[Measure]:
    return [m for m in household.measures.all() if m.status != MeasureStatus.STOPPED]


def _latest_income(household):
    records = sorted(household.income_records.all(), key=lambda r: r.year)
    return records[-1] if records else None


def r_missing_identified_month(h, ctx):
    if h.monitoring_type and not h.identified_month:
        return [_("识别监测时间：监测对象缺少识别监测时间")]
    return []


def r_missing_risks(h, ctx):
    if h.monitoring_type and not _risks(h):
        return [_("风险类型：监测对象没有风险类型（无已审定的识别记录）")]
    return []


def r_missing_income(h, ctx):
    if h.monitoring_type and not any(r.year >= ctx.today.year - 1 for r in h.income_records.all()):
        return [_("收入：监测对象缺少%(year)s年以来的收入记录") % {"year": ctx.today.year - 1}]
    return []


def r_missing_housing(h, ctx):
    if h.monitoring_type and not h.housing_safety:
        return [_("住房安全等级：监测对象的住房安全等级未鉴定")]
    return []


def r_eliminated_below_line(h, ctx):
    if h.monitoring_status != MonitoringStatus.RISK_ELIMINATED:
        return []
    record = _latest_income(h)
    line = ctx.lines.get(record.year) if record else None
    if record and below_line(record, line):
        return [_("帮扶消除：%(year)s年扣除合规自付支出后人均收入%(income)s元低于监测线%(line)s元，却已标注风险消除") % {
            "year": record.year, "income": per_capita_for_line(record), "line": line}]
    return []


def r_eliminated_without_measure(h, ctx):
    if h.monitoring_status == MonitoringStatus.RISK_ELIMINATED and not h.measures.all():
        return [_("风险消除：没有任何帮扶措施却已标注风险消除")]
    return []


def r_eliminated_too_soon(h, ctx):
    if h.monitoring_status != MonitoringStatus.RISK_ELIMINATED or not (h.identified_month and h.eliminated_month):
        return []
    first = dt.date(int(h.eliminated_month[:4]), int(h.eliminated_month[4:]), 1)
    months = clock.months_between(h.identified_month, first)
    if months < ctx.settings.elimination_min_months:
        return [_("风险消除：识别（%(a)s）到消除（%(b)s）仅%(n)s个月，不足%(m)s个月") % {
            "a": h.identified_month, "b": h.eliminated_month, "n": months, "m": ctx.settings.elimination_min_months}]
    return []


def r_no_measure(h, ctx):
    if not h.risk_open or not h.identified_month or _live_measures(h):
        return []
    # The one definition of a measure due (cases.due), which the home queue and the household list also read.
    if is_late(measure_due_on(h.identified_month, days=ctx.settings.measure_due_days), ctx.today):
        return [_("帮扶措施：识别已超过%(days)s天仍无帮扶措施") % {"days": ctx.settings.measure_due_days}]
    return []


def r_employment_without_labour(h, ctx):
    if RiskType.UNSTABLE_EMPLOYMENT in _risks(h) and not any(m.labour_ability in WITH_LABOUR for m in h.members.all()):
        return [_("风险类型：标注“因务工就业不稳”，但全户无劳动能力")]
    return []


def r_measure_mismatch(h, ctx):
    if not h.risk_open:
        return []
    groups = {m.category.group for m in _live_measures(h)}
    has_labour = any(m.labour_ability in WITH_LABOUR for m in h.members.all())
    return measure_mismatches(risk_types=_risks(h), groups=groups, has_labour=has_labour,
                              table=ctx.settings.risk_measure_groups) if groups else []


def r_member_too_old(h, ctx):
    limit = ctx.settings.max_member_age
    return [_("成员：%(name)s年龄%(age)s岁，超过%(limit)s岁，请核实出生日期或是否已故") % {
        "name": m.name, "age": m.age_on(ctx.today), "limit": limit}
        for m in h.members.all() if m.age_on(ctx.today) > limit]


def r_income_adds_up(h, ctx):
    record = _latest_income(h)
    if record is None:
        return []
    problems = []
    members = len(h.members.all())
    if members and record.members_counted != members:
        problems.append(_("收入：%(year)s年收入按%(counted)s人计算人均，户内现有%(members)s人") % {
            "year": record.year, "counted": record.members_counted, "members": members})
    if record.net_income < 0:
        problems.append(_("收入：%(year)s年家庭纯收入为负数（生产经营性支出大于收入合计）") % {"year": record.year})
    return problems


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    check: Callable


RULES = (
    Rule("missing_identified_month", gettext_lazy("监测对象缺少识别监测时间"), r_missing_identified_month),
    Rule("missing_risks", gettext_lazy("监测对象缺少风险类型"), r_missing_risks),
    Rule("missing_income", gettext_lazy("监测对象缺少收入"), r_missing_income),
    Rule("missing_housing", gettext_lazy("监测对象缺少住房安全等级"), r_missing_housing),
    Rule("eliminated_below_line", gettext_lazy("帮扶消除但收入低于监测线"), r_eliminated_below_line),
    Rule("eliminated_without_measure", gettext_lazy("风险消除但无帮扶措施"), r_eliminated_without_measure),
    Rule("eliminated_too_soon", gettext_lazy("识别到消除不足规定月数"), r_eliminated_too_soon),
    Rule("no_measure", gettext_lazy("监测对象识别后无帮扶措施"), r_no_measure),
    Rule("employment_without_labour", gettext_lazy("因务工就业不稳但无劳动力"), r_employment_without_labour),
    Rule("measure_mismatch", gettext_lazy("帮扶措施与风险不匹配"), r_measure_mismatch),
    Rule("member_too_old", gettext_lazy("成员年龄超过上限"), r_member_too_old),
    Rule("income_adds_up", gettext_lazy("人均纯收入计算不一致"), r_income_adds_up),
)
RULE_LABELS = {rule.code: rule.label for rule in RULES}


def _households(actor, region):
    qs = households_visible_to(actor).filter(code_range_q(region.code_range))
    return qs.prefetch_related(
        "members", "income_records", Prefetch("measures", queryset=Measure.objects.select_related("category")),
        Prefetch("cases", queryset=Case.objects.all(), to_attr="prefetched_cases"))


def quality_check_run(*, actor, region, progress=None) -> QualityRun:
    """Run every rule over the households of `region` the actor may see; the run keeps the problems found."""
    from bangfu.cases.services import workflow_settings

    require(actor, "cases.quality")
    ctx = Context(today=clock.today(), settings=workflow_settings(region.code),
                  lines=monitoring_lines_by_year(county_code=region.code[:6].ljust(12, "0")))
    # The households by id, then each chunk in a query of its own: no read stays open while progress is written.
    ids = list(households_visible_to(actor).filter(code_range_q(region.code_range)).order_by("pk")
               .values_list("pk", flat=True))
    if progress:
        progress.total(len(ids))
    found: list[tuple[int, str, str, str]] = []
    for start in range(0, len(ids), 500):
        for household in _households(actor, region).filter(pk__in=ids[start:start + 500]):
            for rule in RULES:
                found += [(household.pk, household.village_id, rule.code, str(message)[:300])
                          for message in rule.check(household, ctx)]
        if progress:
            progress.advance(min(start + 500, len(ids)))
    with transaction.atomic():
        run = QualityRun.objects.create(region=region, started_by=actor, households_checked=len(ids),
                                        finished_at=timezone.now())
        QualityProblem.objects.bulk_create([QualityProblem(run=run, household_id=h, village_id=v, rule=r, message=m)
                                            for h, v, r, m in found], batch_size=1000)
    return run


@job_kind("data_quality")
def _run_quality_job(job, progress):
    """The background job: run the checks, write the problem list as CSV (household number, no personal data)."""
    from bangfu.regions.models import Region

    region = Region.objects.get(code=job.params["region"])
    run = quality_check_run(actor=job.requested_by, region=region, progress=progress)
    path = job_partial_path(job, ".csv")
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["村（社区）代码", "户编号", "规则", "问题"])
        for problem in run.problems.select_related("household").order_by("village_id", "household__number"):
            writer.writerow([problem.village_id, problem.household.number, RULE_LABELS.get(problem.rule, problem.rule),
                             problem.message])
    job.params = {**job.params, "run": run.pk}
    type(job).objects.filter(pk=job.pk).update(params=job.params)
    return f"数据质量核查-{region.name}.csv", path
