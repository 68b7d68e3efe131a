"""Demo cases: every monitored household of the synthetic county gets its approved identification (with risks
that follow its members), a contact, measures and visits; eliminated households their approved elimination; and
a few dozen open cases stand in every step, some overdue, so every queue and paper has something to show.

Written with bulk inserts (a loader, not a user's edits). Open cases are dated from today's date, so the queues
show items due today, this week and overdue whenever the demo is opened; the rest is deterministic for a seed.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.cases import clock
from bangfu.cases.choices import (
    OPEN_STATES,
    CaseKind,
    CaseSource,
    CaseState,
    MeasureGroup,
    MeasureStatus,
    RiskType,
)
from bangfu.cases.models import AssistanceContact, Case, Decision, Measure, MeasureCategory, Transition, Visit
from bangfu.cases.services import transitions_ensure_defaults, workflow_settings
from bangfu.cases.workflow import notice_runs_from
from bangfu.demo import names
from bangfu.registry import choices as c
from bangfu.registry.models import Household

TUANJIE = "513225103213"
CHAIN = [CaseState.VERIFICATION, CaseState.COMPARISON, CaseState.VILLAGE_REVIEW, CaseState.NOTICE,
         CaseState.TOWNSHIP_REVIEW, CaseState.COUNTY_APPROVAL, CaseState.APPROVED]
UNITS = ("县农业农村局", "县乡村振兴局", "县人社局", "县教育局", "县卫健局", "镇政府", "成都大学", "省法院")


def _month_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[4:6]), 1)


def _risks_for(household, rng) -> list[str]:
    members = list(household.members.all())
    risks = []
    if any(m.health in (c.Health.CHRONIC, c.Health.SERIOUS) for m in members):
        risks.append(RiskType.ILLNESS)
    if any(m.health == c.Health.DISABLED for m in members):
        risks.append(RiskType.DISABILITY)
    if any(m.student_status in ("senior", "secondary_vocational", "higher_vocational", "university") for m in members):
        risks.append(RiskType.SCHOOLING)
    if not any(m.labour_ability in ("ordinary", "skilled", "weak") for m in members):
        risks.append(RiskType.LABOUR_SHORTAGE)
    if not risks or rng.random() < 0.3:
        risks.append(rng.choice([RiskType.UNSTABLE_EMPLOYMENT, RiskType.DISASTER, RiskType.ACCIDENT,
                                 RiskType.INDUSTRY_FAILURE]))
    return list(dict.fromkeys(risks))[:5]


def _measures_for(risks, has_labour, categories, rng) -> list[MeasureCategory]:
    """Measures that follow the risks, except for about one household in eight (so the mismatch shows)."""
    by_group: dict[str, list[MeasureCategory]] = {}
    for category in categories:
        by_group.setdefault(category.group, []).append(category)
    chosen = []
    sloppy = rng.random() < 0.125
    if RiskType.ILLNESS in risks and not sloppy:
        chosen.append(rng.choice(by_group[MeasureGroup.HEALTH] + by_group[MeasureGroup.PROTECTION]))
    if RiskType.SCHOOLING in risks and not sloppy:
        chosen.append(rng.choice(by_group[MeasureGroup.EDUCATION]))
    if has_labour:
        chosen.append(rng.choice(by_group[MeasureGroup.DEVELOPMENT]))
    else:
        chosen.append(rng.choice(by_group[MeasureGroup.PROTECTION]))
    return list(dict.fromkeys(chosen))


DESCRIPTIONS = {
    MeasureGroup.DEVELOPMENT: ("发展中药材种植2亩", "推荐到县内景区务工", "小额信贷5万元发展养殖", "安排护林员公益岗位"),
    MeasureGroup.HEALTH: ("家庭医生签约服务", "大病医疗救助", "慢病门诊报销"),
    MeasureGroup.EDUCATION: ("雨露计划补助", "高中国家助学金"),
    MeasureGroup.PROTECTION: ("纳入农村低保", "临时救助", "特困供养"),
    MeasureGroup.SOCIAL: ("帮扶单位结对慰问",), MeasureGroup.HOUSING: ("危房改造",), MeasureGroup.WATER: ("饮水入户",),
    MeasureGroup.OTHER: ("改厨改厕",),
}


def _step_rows() -> dict[tuple[str, str, str], Transition]:
    return {(t.kind, t.from_state, t.to_state): t for t in Transition.objects.all()}


def _decisions_along(case, until_index, start_day, actors, rows, comment_late=False) -> list[Decision]:
    """The decisions a case would have if it had walked the chain up to CHAIN[until_index], a few days a step."""
    decisions = []
    day = start_day
    labels = {None: "登记线索"}
    previous = ""
    now = timezone.now()
    for index in range(until_index + 1):
        state = CHAIN[index]
        row = rows.get((case.kind, previous, state))
        role = row.role if row else "county_admin"
        actor = actors.get(role) or actors["county_admin"]
        at = timezone.make_aware(dt.datetime.combine(min(day, clock.today()), dt.time(10, 0)))
        # Never after the build: today's steps before 10:00 are stamped a few minutes ago, in their order.
        at = min(at, now - dt.timedelta(minutes=until_index + 1 - index))
        decisions.append(Decision(case=case, transition=row, label=row.label if row else labels[None],
                                  from_state=previous, to_state=state, actor=actor, actor_role=actor.role, at=at,
                                  comment="逾期原因：农户外出" if comment_late and index == until_index else ""))
        previous = state
        day += dt.timedelta(days=3 if state != CaseState.NOTICE else 6)
    return decisions


@transaction.atomic
def demo_cases_build(*, seed: int = 2022) -> dict[str, int]:
    """Cases, measures, contacts and visits for the demo county (see the module's docstring)."""
    rng = random.Random(seed)
    transitions_ensure_defaults()
    settings = workflow_settings()
    rows = _step_rows()
    admin = User.objects.filter(role="county_admin").order_by("pk").first()
    actors = {"county_admin": admin,
              "township_reviewer": User.objects.filter(username="shuanghe").first() or admin,
              "village_cadre": User.objects.filter(username="tuanjie").first() or admin}
    categories = list(MeasureCategory.objects.filter(is_active=True))
    monitored = list(Household.objects.exclude(monitoring_type="").prefetch_related("members", "income_records")
                     .order_by("pk"))
    cases, measures, contacts, visits, decision_plan = [], [], [], [], []
    for household in monitored:
        identified = _month_day(household.identified_month)
        risks = _risks_for(household, rng)
        approved_on = identified + dt.timedelta(days=rng.randint(8, 14))
        case = Case(kind=CaseKind.IDENTIFICATION, household=household, village_id=household.village_id,
                    state=CaseState.APPROVED, version=len(CHAIN), source=rng.choice(CaseSource.values),
                    summary="入户排查发现困难", lead_date=identified, due_on=identified + dt.timedelta(days=15),
                    opened_by=admin, opened_at=timezone.make_aware(dt.datetime.combine(identified, dt.time(9))),
                    closed_at=timezone.make_aware(dt.datetime.combine(approved_on, dt.time(16))),
                    commitment_signed_on=identified, verification_notes="入户核实属实", comparison_result="比对无异常",
                    review_date=identified + dt.timedelta(days=6), review_participants="村两委、党员、群众代表",
                    review_outcome="同意纳入", notice_started_on=identified + dt.timedelta(days=6),
                    monitoring_type=household.monitoring_type, risk_types=risks,
                    identified_month=household.identified_month)
        cases.append(case)
        decision_plan.append((case, len(CHAIN) - 1, identified))
        members = list(household.members.all())
        has_labour = any(m.labour_ability in ("ordinary", "skilled", "weak") for m in members)
        for category in _measures_for(risks, has_labour, categories, rng):
            start = identified + dt.timedelta(days=rng.randint(5, 25))
            measures.append(Measure(
                household=household, category=category, description=rng.choice(DESCRIPTIONS[category.group]),
                start_on=start, end_on=start + dt.timedelta(days=365) if rng.random() < 0.5 else None,
                amount=Decimal(rng.choice((0, 1200, 3000, 5000, 8000, 50000))) or None,
                responsible=rng.choice(UNITS), created_by=admin,
                status=MeasureStatus.DONE if household.monitoring_status == "risk_eliminated"
                else rng.choice([MeasureStatus.IN_PROGRESS, MeasureStatus.IN_PROGRESS, MeasureStatus.PLANNED])))
        surname = rng.choice(names.SURNAMES)
        contacts.append(AssistanceContact(household=household, name=surname + rng.choice(names.GIVEN_MALE),
                                          post=rng.choice(UNITS) + "干部", user=None, since=identified))
        incomes = sorted(household.income_records.all(), key=lambda r: r.year)
        base = incomes[-1].per_capita_after_spending if incomes else Decimal(8000)
        for months_ago in sorted(rng.sample(range(1, 10), rng.randint(1, 3)), reverse=True):
            day = clock.months_before(clock.today(), months_ago)
            if day < identified:
                continue
            income = (base * Decimal(rng.uniform(0.9, 1.2))).quantize(Decimal("0.01"))
            visits.append(Visit(household=household, visited_on=day, visitor=actors["village_cadre"],
                                notes=rng.choice(("了解务工收入情况", "落实帮扶措施进展", "家中生产生活正常",
                                                  "宣传政策，核实收入")), per_capita_income=income))
        if household.monitoring_status == "risk_eliminated":
            eliminated = _month_day(household.eliminated_month)
            cases.append(Case(kind=CaseKind.ELIMINATION, household=household, village_id=household.village_id,
                              state=CaseState.APPROVED, version=len(CHAIN), source=CaseSource.MANUAL,
                              summary="收入稳定超过监测线", lead_date=eliminated - dt.timedelta(days=14),
                              due_on=eliminated + dt.timedelta(days=1), opened_by=admin,
                              closed_at=timezone.make_aware(dt.datetime.combine(eliminated, dt.time(16))),
                              elimination_kind=rng.choice(("by_assistance", "by_assistance", "natural")),
                              review_outcome="同意消除", notice_started_on=eliminated - dt.timedelta(days=8)))
            decision_plan.append((cases[-1], len(CHAIN) - 1, eliminated - dt.timedelta(days=14)))
    cases += _open_cases(rng, admin, settings, decision_plan)
    Case.objects.bulk_create(cases, batch_size=500)
    decisions = []
    for case, until, start in decision_plan:
        decisions += _decisions_along(case, until, start, actors, rows,
                                      comment_late=case.step_due_on is not None and case.step_due_on < clock.today())
    for case in cases:
        if case.state == CaseState.REJECTED:
            decisions += _decisions_along(case, 0, case.lead_date, actors, rows)
            decisions.append(Decision(case=case, transition=rows.get((case.kind, CaseState.VERIFICATION,
                                                                      CaseState.REJECTED)),
                                      label="核实无风险，不纳入", from_state=CaseState.VERIFICATION,
                                      to_state=CaseState.REJECTED, actor=actors["village_cadre"],
                                      actor_role=actors["village_cadre"].role, at=case.closed_at, comment=case.reason))
    Decision.objects.bulk_create(decisions, batch_size=1000)
    Measure.objects.bulk_create(measures, batch_size=1000)
    AssistanceContact.objects.bulk_create(contacts, batch_size=1000)
    Visit.objects.bulk_create(visits, batch_size=1000)
    return {"cases": len(cases), "open": sum(1 for case in cases if case.state in OPEN_STATES),
            "measures": len(measures), "visits": len(visits), "decisions": len(decisions)}


def _open_cases(rng, admin, settings, decision_plan) -> list[Case]:
    """Open cases in every step (more in 团结村, where the demo's village cadre works), some overdue; and a few
    closed as not included."""
    today = clock.today()
    free = list(Household.objects.filter(monitoring_type="").order_by("pk").values_list("pk", "village_id"))
    tuanjie = [row for row in free if row[1] == TUANJIE]
    others = [row for row in free if row[1] != TUANJIE]
    picked = rng.sample(tuanjie, min(len(tuanjie) // 2, 12)) + rng.sample(others, min(len(others), 30))
    cases = []
    for index, (pk, village_id) in enumerate(picked):
        if index < len(CHAIN) - 1 + 2:  # one of each open step first (团结村's first in its notice), then at random
            state_index = (index + 3) % (len(CHAIN) - 1)
        else:
            state_index = rng.randrange(len(CHAIN) - 1)
        # Lead dates spread so that about a third are overdue and some fall due today or this week.
        age = rng.choice((1, 2, 4, 6, 9, 12, 16, 20, 25))
        lead = today - dt.timedelta(days=age)
        step_due = today + dt.timedelta(days=rng.choice((-6, -2, 0, 0, 1, 3, 5, 9)))
        state = CHAIN[state_index]
        case = Case(kind=CaseKind.IDENTIFICATION, household_id=pk, village_id=village_id, state=state,
                    version=state_index + 1, source=rng.choice(CaseSource.values),
                    summary=rng.choice(("家庭成员患大病住院，自付费用高", "务工收入骤减", "遭受泥石流，房屋受损",
                                        "子女上学支出大", "户主意外受伤丧失劳动能力")),
                    lead_date=lead, due_on=lead + dt.timedelta(days=settings.decision_days),
                    step_due_on=step_due, opened_by=admin,
                    opened_at=timezone.make_aware(dt.datetime.combine(lead, dt.time(9))))
        if state_index >= 1:
            case.commitment_signed_on, case.verification_notes = lead, "入户核实：情况属实"
        if state_index >= 2:
            case.comparison_result = "医保、民政数据比对一致；无财政供养、无商品房、无车辆"
        if state_index >= 3:
            case.review_date = case.notice_started_on = today - dt.timedelta(days=rng.choice((1, 3, 6)))
            case.notice_recorded_on = case.notice_started_on
            case.review_participants, case.review_outcome = "村两委、驻村工作队、群众代表12人", "同意纳入监测"
        if state == CaseState.NOTICE:
            # Due no earlier than the day the notice may end: before it, the village cannot act (公示期已满).
            ends = notice_runs_from(case.notice_started_on, case.notice_recorded_on) + dt.timedelta(
                days=settings.notice_min_days)
            case.step_due_on = max(step_due, ends)
        cases.append(case)
        decision_plan.append((case, state_index, lead))
    for pk, village_id in rng.sample(others, min(len(others), 4)):
        lead = today - dt.timedelta(days=40)
        case = Case(kind=CaseKind.IDENTIFICATION, household_id=pk, village_id=village_id, state=CaseState.REJECTED,
                    version=2, source=CaseSource.SELF_REPORT, summary="申报收入下降", lead_date=lead,
                    due_on=lead + dt.timedelta(days=15), opened_by=admin,
                    closed_at=timezone.make_aware(dt.datetime.combine(lead + dt.timedelta(days=2), dt.time(15))),
                    reason="入户核实：家庭有稳定务工收入，人均纯收入远高于监测线，不纳入")
        cases.append(case)
    return cases
