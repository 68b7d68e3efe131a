"""The checks behind risk elimination (DOMAIN.md §5.6) and the measure-risk match (§5.5).

Each returns sentences that name what blocks and why, so a proposal says exactly which condition fails.
"""

import datetime as dt
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bangfu.cases.choices import MEASURE_IN_PLACE, CaseKind, CaseState, MeasureGroup, MeasureStatus, RiskType
from bangfu.cases.clock import months_before, months_between
from bangfu.monitoring.selectors import compulsory_school_ages, monitoring_lines_by_year
from bangfu.registry.choices import LabourAbility
from bangfu.registry.income import per_capita_for_line

WITH_LABOUR = frozenset({LabourAbility.ORDINARY, LabourAbility.SKILLED, LabourAbility.WEAK})


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def household_has_labour(household) -> bool:
    return any(m.labour_ability in WITH_LABOUR for m in household.members.all())


def household_risk_types(household) -> list[str]:
    """The risks of the household's current identification (the latest approved one)."""
    from bangfu.cases.models import Case

    case = (Case.objects.filter(household_id=household.pk, kind=CaseKind.IDENTIFICATION, state=CaseState.APPROVED)
            .order_by("-closed_at", "-id").first())
    return list(case.risk_types) if case else []


def measure_mismatches(*, risk_types: list[str], groups: set[str], has_labour: bool,
                       table: dict[str, list[str]] | None = None, region_code: str | None = None) -> list[str]:
    """Where the measures do not follow the risks ("缺什么补什么", DOMAIN.md §5.5), by the county's measure-to-risk
    table (WorkflowSettings.risk_measure_groups)."""
    if table is None:
        from bangfu.cases.services import workflow_settings

        table = workflow_settings(region_code).risk_measure_groups
    risk_labels, group_labels = dict(RiskType.choices), dict(MeasureGroup.choices)
    problems = []
    for risk in risk_types:
        needed = table.get(risk) or []
        if needed and not groups & set(needed):
            problems.append(_("%(risk)s风险：须有%(groups)s类措施") % {
                "risk": risk_labels.get(risk, risk), "groups": _("或").join(str(group_labels.get(g, g)) for g in needed)})
    if has_labour and risk_types and MeasureGroup.DEVELOPMENT not in groups:
        problems.append(_("有劳动能力的户：须有产业、就业、金融或公益岗位等发展类措施"))
    return problems


def household_measure_mismatches(household) -> list[str]:
    groups = set(household.measures.exclude(status=MeasureStatus.STOPPED).values_list("category__group", flat=True))
    return measure_mismatches(risk_types=household_risk_types(household), groups=groups,
                              has_labour=household_has_labour(household), region_code=household.village_id)


def _income_readings(household) -> list[tuple[dt.date, Decimal, str]]:
    """Per-capita income as recorded: each yearly record (as of 31 December) and each visit that measured it."""
    readings = [(dt.date(r.year, 12, 31), per_capita_for_line(r),
                 _("%(year)s年收入记录（扣除合规自付支出后）") % {"year": r.year}) for r in household.income_records.all()]
    readings += [(v.visited_on, v.per_capita_income, _("%(day)s走访") % {"day": date_format(v.visited_on, "Y-m-d")})
                 for v in household.visits.exclude(per_capita_income=None)]
    return sorted(readings, key=lambda r: r[0])


def income_blockers(household, *, today: dt.date, months: int) -> list[str]:
    """Income stably above the line for the last `months` months: the reading in force at the window's start and
    every reading since are each at or above the line of their year."""
    start = months_before(today, months)
    readings = [r for r in _income_readings(household) if r[0] <= today]
    before = [r for r in readings if r[0] <= start]
    if not before:
        return [_("收入：没有%(start)s以前的收入记录，无法判断近%(months)s个月收入稳定超过监测线") % {
            "start": date_format(start, "Y-m-d"), "months": months}]
    lines = monitoring_lines_by_year(county_code=household.village_id[:6].ljust(12, "0"))
    problems = []
    for day, income, where in [before[-1], *[r for r in readings if r[0] > start]]:
        line = lines.get(day.year)
        if line is None:
            problems.append(_("收入：%(year)s年监测线尚未设置") % {"year": day.year})
        elif income < line:
            problems.append(_("收入：%(where)s人均纯收入%(income)s元，低于%(year)s年监测线%(line)s元") % {
                "where": where, "income": _yuan(income), "year": day.year, "line": _yuan(line)})
    return problems


def guarantee_blockers(household, *, today: dt.date) -> list[str]:
    """Open 三保障 or drinking-water problems."""
    problems = []
    school_ages = compulsory_school_ages(household.village_id)
    if household.unsafe_housing:
        problems.append(_("住房安全：住房为%(grade)s") % {"grade": household.get_housing_safety_display()})
    if not household.drinking_water_safe:
        problems.append(_("饮水安全：饮水安全尚未保障"))
    for member in household.members.all():
        if not member.medical_insurance:
            problems.append(_("基本医疗：成员%(name)s未参加城乡居民基本医疗保险") % {"name": member.name})
        if member.age_on(today) in school_ages and not member.student_status:
            problems.append(_("义务教育：成员%(name)s（%(age)s岁）未在校") % {
                "name": member.name, "age": member.age_on(today)})
    return problems


def elimination_blockers(household, *, today: dt.date) -> list[str]:
    """Every condition of DOMAIN.md §5.6 the household does not meet yet, each named; empty when it may go."""
    from bangfu.cases.models import Measure
    from bangfu.cases.services import workflow_settings

    settings = workflow_settings(household.village_id)
    problems = []
    if household.monitoring_status != "risk_open":
        problems.append(_("监测状态：该户不是风险未消除的监测对象"))
    if not household.identified_month:
        problems.append(_("监测时长：缺少识别监测时间"))
    else:
        months = months_between(household.identified_month, today)
        if months < settings.elimination_min_months:
            problems.append(_("监测时长：%(month)s识别，至今%(months)s个月，须满%(required)s个月") % {
                "month": household.identified_month, "months": months, "required": settings.elimination_min_months})
    in_place = Measure.objects.filter(household_id=household.pk, status__in=MEASURE_IN_PLACE, start_on__lte=today)
    if not in_place.exists():
        problems.append(_("帮扶措施：至少须有一项已落实（实施中或已完成）的帮扶措施"))
    problems += income_blockers(household, today=today, months=settings.income_stable_months)
    problems += guarantee_blockers(household, today=today)
    if not household_has_labour(household):
        problems.append(_("无劳动能力：整户无劳动能力的户不标注风险消除，继续落实兜底保障并保持监测"))
    return problems
