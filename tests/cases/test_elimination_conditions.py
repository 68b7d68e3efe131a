"""Every condition of risk elimination (DOMAIN.md §5.6, cases/conditions.py) at its boundary on both sides.

One household meets every condition (the control, asserted to have no blocker at all); each other test changes that
household in one way, just past a boundary, and asserts the one blocker that names it; where the boundary has a
near side (the day, the yuan, the age that still passes) that side is asserted to pass too. The issue's audit
weakened these one at a time and no test failed; each weakening now fails a test here (see /work/notes).

The clock stands at Wednesday 2 September 2026; the household was identified in 202603, six months earlier.
"""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.cases.conditions import elimination_blockers
from bangfu.cases.models import MeasureCategory
from bangfu.cases.services import measure_add, visit_record
from bangfu.core.id_number import make_id_number
from bangfu.regions.models import Region
from bangfu.registry.services import household_create, income_record_save, member_add
from tests.conftest import TUANJIE

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 2)
_serial = iter(range(1, 999, 2))


def _born(years: int, *, day_later: bool = False) -> dt.date:
    """The birthday that makes a person exactly `years` old on TODAY (a day later: one day short of it)."""
    born = TODAY.replace(year=TODAY.year - years)
    return born + dt.timedelta(days=1) if day_later else born


@pytest.fixture
def household(county_admin, lines, defaults, today):
    """The control: monitored six months, one measure in progress since today, income above the line in the record
    before the window and in the visit inside it, house, water, insurance and schooling secured, one member able
    to work."""
    today.set(TODAY)
    h = household_create(actor=county_admin, phone="10012345678", data={
        "number": "", "village": Region.objects.get(code=TUANJIE), "monitoring_type": "marginal",
        "monitoring_status": "risk_open", "identified_month": "202603", "housing_safety": "B"})
    _member(county_admin, h, "户主", "head", _born(45), labour_ability="ordinary")
    _member(county_admin, h, "上学的孩子", "son", _born(15), student_status="junior", labour_ability="none")
    income_record_save(actor=county_admin, household=h, year=2025,
                       data={"members_counted": 2, "wage_income": Decimal("30000")})
    visit_record(actor=county_admin, household=h, visited_on=dt.date(2026, 8, 1), notes="务工收入稳定",
                 per_capita_income=Decimal("8100"))  # exactly the 2026 line
    measure_add(actor=county_admin, household=h, data={
        "category": MeasureCategory.objects.get(code="employment"), "description": "转移就业",
        "start_on": TODAY, "responsible": "县人社局", "status": "in_progress"})
    return h


def _member(actor, household, name, relation, born, **data):
    return member_add(actor=actor, household=household, data={"name": name, "relation": relation, **data},
                      id_number=make_id_number("513225", born, next(_serial)))


def _blockers(household) -> list[str]:
    return elimination_blockers(type(household).objects.get(pk=household.pk), today=TODAY)


def _set(household, **fields):
    type(household).objects.filter(pk=household.pk).update(**fields)


def _assert_income_blocked(household, text):
    """One blocker, the income's, naming the figure and the line (the reading's own label is the income module's)."""
    blockers = _blockers(household)
    assert len(blockers) == 1 and blockers[0].startswith("收入：") and text in blockers[0], blockers


def test_the_control_meets_every_condition(household):
    assert _blockers(household) == []


# --- monitored for at least six months ------------------------------------------------------------------------

def test_five_months_is_a_month_early(household):
    _set(household, identified_month="202604")
    assert _blockers(household) == ["监测时长：202604识别，至今5个月，须满6个月"]


def test_must_still_be_monitored_with_risk_open(household):
    _set(household, monitoring_status="risk_eliminated")
    assert _blockers(household) == ["监测状态：该户不是风险未消除的监测对象"]


def test_the_months_follow_the_settings(household, county_admin):
    from bangfu.cases.services import workflow_settings_update

    workflow_settings_update(actor=county_admin, data={"elimination_min_months": 7})
    assert _blockers(household) == ["监测时长：202603识别，至今6个月，须满7个月"]


# --- at least one measure in place ----------------------------------------------------------------------------

def test_a_measure_that_starts_tomorrow_is_not_in_place(household):
    household.measures.update(start_on=TODAY + dt.timedelta(days=1))
    assert _blockers(household) == ["帮扶措施：至少须有一项已落实（实施中或已完成）的帮扶措施"]


def test_a_measure_that_starts_next_month_is_not_in_place(household):
    household.measures.update(start_on=dt.date(2026, 10, 1))
    assert _blockers(household) == ["帮扶措施：至少须有一项已落实（实施中或已完成）的帮扶措施"]


@pytest.mark.parametrize("status, blocked", [("planned", True), ("stopped", True), ("done", False)])
def test_only_a_measure_carried_out_counts(household, status, blocked):
    household.measures.update(status=status)
    assert bool(_blockers(household)) is blocked


# --- income stably above the line -----------------------------------------------------------------------------

def test_one_yuan_under_the_line_blocks(household):
    household.visits.update(per_capita_income=Decimal("8099"))
    assert _blockers(household) == ["收入：2026-08-01走访人均纯收入8,099.00元，低于2026年监测线8,100.00元"]


def test_999_yuan_under_the_line_blocks(household):
    household.visits.update(per_capita_income=Decimal("7101"))
    assert _blockers(household) == ["收入：2026-08-01走访人均纯收入7,101.00元，低于2026年监测线8,100.00元"]


def test_the_record_before_the_window_must_be_above_its_line(household, county_admin):
    income_record_save(actor=county_admin, household=household, year=2025,
                       data={"members_counted": 2, "wage_income": Decimal("15598")})  # 7,799 a head; line 7,800
    _assert_income_blocked(household, "7,799.00元，低于2025年监测线7,800.00元")
    income_record_save(actor=county_admin, household=household, year=2025,
                       data={"members_counted": 2, "wage_income": Decimal("15600")})  # 7,800: on the line
    assert _blockers(household) == []


def test_compliant_spending_is_netted_out(household, county_admin):
    income_record_save(actor=county_admin, household=household, year=2025,
                       data={"members_counted": 2, "wage_income": Decimal("30000"),
                             "medical_spending": Decimal("14402")})  # (30,000 − 14,402) / 2 = 7,799
    _assert_income_blocked(household, "7,799.00元，低于2025年监测线7,800.00元")


def test_a_reading_on_the_window_start_counts_one_day_later_does_not(household):
    household.income_records.all().delete()
    household.visits.update(visited_on=dt.date(2026, 3, 2))  # six months before today: the window's first day
    assert _blockers(household) == []
    household.visits.update(visited_on=dt.date(2026, 3, 3))
    assert _blockers(household) == ["收入：没有2026-03-02以前的收入记录，无法判断近6个月收入稳定超过监测线"]


# --- 三保障 and drinking water --------------------------------------------------------------------------------

def test_unsafe_housing_blocks(household):
    _set(household, housing_safety="C")
    assert _blockers(household) == ["住房安全：住房为C级（危房）"]


def test_unsafe_water_blocks(household):
    _set(household, drinking_water_safe=False)
    assert _blockers(household) == ["饮水安全：饮水安全尚未保障"]


def test_a_member_without_medical_insurance_blocks(household):
    household.members.filter(relation="son").update(medical_insurance=False)
    assert _blockers(household) == ["基本医疗：成员上学的孩子未参加城乡居民基本医疗保险"]


@pytest.mark.parametrize("born, blocked", [
    (_born(6), True),                     # the first compulsory-school age (the rule says 6 to 15)
    (_born(6, day_later=True), False),    # five, one day short of six
    (_born(12), True),
    (_born(15), True),                    # the last compulsory-school age
    (_born(16, day_later=True), True),    # still fifteen, one day short of sixteen
    (_born(16), False),                   # sixteen today
])
def test_a_child_of_compulsory_school_age_out_of_school(household, county_admin, born, blocked):
    child = _member(county_admin, household, "失学孩子", "son", born, labour_ability="none")
    age = child.age_on(TODAY)
    expected = [f"义务教育：成员失学孩子（{age}岁）未在校"] if blocked else []
    assert _blockers(household) == expected


def test_the_school_ages_are_the_screening_rules(household, county_admin):
    """One definition: the county edits the out-of-school rule's ages, and the elimination check follows."""
    from bangfu.monitoring.models import Rule
    from bangfu.monitoring.services import rule_update

    _member(county_admin, household, "六岁", "son", _born(6), labour_ability="none")
    assert _blockers(household) == ["义务教育：成员六岁（6岁）未在校"]
    rule = Rule.objects.get(code="out_of_school")
    rule_update(actor=county_admin, rule=rule, params={"min_age": 7, "max_age": 15}, enabled=True)
    assert _blockers(household) == []


# --- labour -------------------------------------------------------------------------------------------------

def test_no_labour_in_the_household_blocks(household):
    household.members.update(labour_ability="none")
    assert _blockers(household) == ["无劳动能力：整户无劳动能力的户不标注风险消除，继续落实兜底保障并保持监测"]


@pytest.mark.parametrize("ability, blocked", [("weak", False), ("skilled", False), ("lost", True), ("", True)])
def test_which_labour_counts(household, ability, blocked):
    household.members.filter(relation="head").update(labour_ability=ability)
    assert bool(_blockers(household)) is blocked


# --- the elimination walk and its reversal ----------------------------------------------------------------------

def test_elimination_walk_and_reversal_restores_risk_open(household, open_case, walk, tuanjie_cadre, county_admin):
    """Approved elimination marks the household 风险已消除; reversing it (risk has returned) restores 风险未消除 and
    clears the elimination month, audited; the case keeps its history."""
    from django.core.exceptions import ValidationError

    from bangfu.audit.models import ChangeRecord
    from bangfu.cases.models import Case
    from bangfu.cases.services import elimination_reverse

    case = open_case(household, kind="elimination", elimination_kind="by_assistance", summary="")
    case = walk(case, "approved")
    household.refresh_from_db()
    assert (household.monitoring_status, household.eliminated_month) == ("risk_eliminated", "202609")
    with pytest.raises(ValidationError):
        elimination_reverse(actor=county_admin, case=case, version=case.version, comment="  ")
    with pytest.raises(Exception, match="县级"):
        elimination_reverse(actor=tuanjie_cadre, case=case, version=case.version, comment="户主再次住院")
    household.refresh_from_db()
    assert household.monitoring_status == "risk_eliminated"
    case = elimination_reverse(actor=county_admin, case=case, version=case.version, comment="户主再次住院")
    household.refresh_from_db()
    assert (household.monitoring_status, household.eliminated_month) == ("risk_open", "")
    assert Case.objects.get(pk=case.pk).state == "reversed"
    assert case.decisions.last().label == "撤销风险消除"
    assert ChangeRecord.objects.filter(object_type="household", object_id=str(household.pk),
                                       after__monitoring_status="risk_open").exists()


def test_elimination_cannot_be_proposed_for_a_household_not_monitored(household, open_case):
    from django.core.exceptions import ValidationError

    _set(household, monitoring_status="risk_eliminated")
    with pytest.raises(ValidationError, match="不是风险未消除的监测对象"):
        open_case(household, kind="elimination", elimination_kind="by_assistance", summary="")


def test_elimination_proposal_is_refused_while_a_condition_fails(household, open_case):
    from django.core.exceptions import ValidationError

    _set(household, identified_month="202604")
    with pytest.raises(ValidationError, match="须满6个月"):
        open_case(household, kind="elimination", elimination_kind="by_assistance", summary="")
    _set(household, identified_month="202603")
    assert open_case(household, kind="elimination", elimination_kind="by_assistance", summary="").state == \
        "verification"
