"""Each shipped rule fires just past its threshold and not at it (nor on the safe side of it).

Two households per rule: one a cent (a year, a grade, a month) past the threshold, one exactly at it. One
screening run; the rule's warnings name the first household only, with a sentence giving value and threshold.
"""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.monitoring.models import MonitoringLine, RiskWarning
from bangfu.monitoring.services import screening_run
from bangfu.registry.models import Member
from bangfu.registry.services import member_add
from tests.conftest import COUNTY, SONGBAI, TUANJIE, synthetic_id
from tests.monitoring.factories import cents, feed_row, head, income, set_params, warned

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_household):
    """(fires, silent): two households of 团结村 and 松柏村."""
    return make_household(TUANJIE, head_name="过线户"), make_household(SONGBAI, head_name="压线户")


def _run(county_admin):
    return screening_run(actor=county_admin)


def _evidence(code: str, household) -> str:
    return RiskWarning.objects.get(rule__code=code, household=household).evidence


def test_income_below_line(pair, county_admin, regions):
    MonitoringLine.objects.create(region=regions[COUNTY], year=2025, amount=Decimal("7800"))
    fires, silent = pair
    income(fires, 2025, net=Decimal("15599.98"), members=2)  # 7,799.99 per person
    income(silent, 2025, net=Decimal("15600.00"), members=2)  # exactly the line
    _run(county_admin)
    assert warned("income_below_line") == {fires.pk}
    assert _evidence("income_below_line", fires) == "2025年人均纯收入 7,799.99 元，低于当年监测线 7,800 元"


def test_medical_stay_out_of_pocket_other_household(pair, county_admin):
    fires, silent = pair
    feed_row(head(fires), "medical", date1=dt.date(2025, 5, 3), amount1=cents(20000), amount5=cents("10000.01"))
    feed_row(head(silent), "medical", date1=dt.date(2025, 5, 3), amount1=cents(20000), amount5=cents(10000))
    _run(county_admin)
    assert warned("medical_stay_oop") == {fires.pk}
    assert _evidence("medical_stay_oop", fires) == "2025年5月住院自付 10,000.01 元，超过一般农户单次 10,000 元的预警线"


def test_medical_stay_out_of_pocket_monitored_household(make_household, county_admin):
    fires = make_household(TUANJIE, monitoring_type="marginal", identified_month="202401")
    silent = make_household(TUANJIE, monitoring_type="marginal", identified_month="202401")
    feed_row(head(fires), "medical", date1=dt.date(2025, 5, 3), amount1=cents(9000), amount5=cents("6000.01"))
    feed_row(head(silent), "medical", date1=dt.date(2025, 5, 3), amount1=cents(9000), amount5=cents(6000))
    _run(county_admin)
    assert warned("medical_stay_oop") == {fires.pk}
    assert "监测对象单次 6,000 元" in _evidence("medical_stay_oop", fires)


def test_medical_year_share(pair, county_admin):
    fires, silent = pair
    for household in pair:
        income(household, 2025, net=25000)  # 40% = 10,000
    feed_row(head(fires), "medical", "2025-03", amount5=cents(6000))
    feed_row(head(fires), "medical", "2025-07", amount5=cents("4000.01"))
    feed_row(head(silent), "medical", "2025-03", amount5=cents(10000))
    set_params("medical_stay_oop", other_yuan=1_000_000)  # keep the other rule out of the way
    _run(county_admin)
    assert warned("medical_year_share") == {fires.pk}
    assert "医疗自付合计 10,000.01 元" in _evidence("medical_year_share", fires)
    assert "40%，即 10,000 元" in _evidence("medical_year_share", fires)


def test_severe_disability_new_or_upgraded(make_household, county_admin):
    new_grade_2 = make_household(TUANJIE)
    upgraded = make_household(TUANJIE)
    grade_3 = make_household(TUANJIE)
    already_2 = make_household(TUANJIE)
    Member.objects.filter(household=upgraded).update(disability_grade="3", health="disabled")
    Member.objects.filter(household=already_2).update(disability_grade="2", health="disabled")
    feed_row(head(new_grade_2), "disability", code1="physical", code2="2")
    feed_row(head(upgraded), "disability", code1="physical", code2="1")
    feed_row(head(grade_3), "disability", code1="physical", code2="3")  # past grade 2: not severe
    feed_row(head(already_2), "disability", code1="physical", code2="2")  # neither new nor upgraded
    _run(county_admin)
    assert warned("severe_disability") == {new_grade_2.pk, upgraded.pk}
    assert "一级残疾人证（原登记：三级）" in _evidence("severe_disability", upgraded)


def test_unsafe_housing(make_household, county_admin):
    grade_c = make_household(TUANJIE)
    grade_b = make_household(TUANJIE)
    repaired = make_household(TUANJIE)
    make_household(TUANJIE, housing_safety="C")  # known to the register, no new appraisal: no warning
    feed_row(head(grade_c), "housing", "2025-04", code1="C", date1=dt.date(2025, 4, 2))
    feed_row(head(grade_b), "housing", "2025-04", code1="B")
    feed_row(head(repaired), "housing", "2025-03", code1="D")
    feed_row(head(repaired), "housing", "2025-06", code1="A")  # the latest appraisal counts
    _run(county_admin)
    assert warned("unsafe_housing") == {grade_c.pk}
    assert _evidence("unsafe_housing", grade_c) == "2025年4月住房安全鉴定为C级（危房）"


def _child(household, county_admin, born: dt.date) -> Member:
    member = member_add(actor=county_admin, household=household, data={"name": "学生", "relation": "son"},
                        id_number=synthetic_id(f"{born:%Y%m%d}"))
    Member.objects.filter(pk=member.pk).update(birth_date=born)
    return member


def test_out_of_school_compulsory_age(make_household, county_admin):
    period_day = dt.date(2025, 9, 1)
    aged_15 = make_household(TUANJIE)
    aged_16 = make_household(TUANJIE)
    aged_6 = make_household(TUANJIE)
    aged_5 = make_household(TUANJIE)
    ages = {aged_15: dt.date(2009, 9, 2), aged_16: dt.date(2009, 9, 1), aged_6: dt.date(2019, 9, 1),
            aged_5: dt.date(2019, 9, 2)}  # 15 the day before a 16th birthday; 6 on the birthday
    for household, born in ages.items():
        feed_row(_child(household, county_admin, born), "education", "2025-09", code1="dropout")
    assert (period_day - ages[aged_16]).days // 365 == 16
    _run(county_admin)
    assert warned("out_of_school") == {aged_15.pk, aged_6.pk}
    assert "学生（15周岁）失学辍学" in _evidence("out_of_school", aged_15)


def test_no_medical_insurance(pair, county_admin):
    fires, silent = pair
    Member.objects.filter(household=fires).update(medical_insurance=False)
    _run(county_admin)
    assert warned("no_medical_insurance") == {fires.pk}
    assert _evidence("no_medical_insurance", fires) == "过线户未参加城乡居民基本医疗保险"


def test_earner_lost_death_or_serious_illness(make_household, county_admin):
    died = make_household(TUANJIE)
    ill = make_household(TUANJIE)
    at_line = make_household(TUANJIE)
    other_died = make_household(TUANJIE)
    elder = member_add(actor=county_admin, household=other_died, data={"name": "老人", "relation": "father",
                       "labour_ability": "none"}, id_number=synthetic_id("19400101"))
    Member.objects.filter(household=other_died, relation="head").update(work_months=10)
    feed_row(head(died), "public_security", "2025-06", code1="death")
    feed_row(head(ill), "medical", "2025-06", amount1=cents("50000.01"), amount5=cents(100))
    feed_row(head(at_line), "medical", "2025-06", amount1=cents(50000), amount5=cents(100))
    feed_row(elder, "public_security", "2025-06", code1="death")  # not the main earner
    _run(county_admin)
    assert warned("earner_lost") == {died.pk, ill.pk}
    assert "住院总费用 50,000.01 元，超过大病线 50,000 元" in _evidence("earner_lost", ill)


def test_no_employment_contribution_for_three_months(make_household, county_admin):
    silent_three = make_household(TUANJIE)
    paid_last_month = make_household(TUANJIE)
    stays_home = make_household(TUANJIE)
    Member.objects.filter(household__in=[silent_three, paid_last_month]).update(work_place="out_of_province")
    for period in ("2025-06", "2025-07", "2025-08"):
        feed_row(head(stays_home), "employment", period)  # any row makes the month a month of data
    feed_row(head(silent_three), "employment", "2025-05")  # paid four months ago only
    feed_row(head(paid_last_month), "employment", "2025-06")  # two months without, not three
    _run(county_admin)
    assert warned("no_employment_contribution") == {silent_three.pk}
    assert "自2025年6月起连续 3 个月" in _evidence("no_employment_contribution", silent_three)


def test_no_employment_contribution_needs_enough_months(make_household, county_admin):
    worker = make_household(TUANJIE)
    Member.objects.filter(household=worker).update(work_place="in_province")
    feed_row(head(make_household(TUANJIE)), "employment", "2025-07")
    feed_row(head(make_household(TUANJIE)), "employment", "2025-08")
    _run(county_admin)
    assert warned("no_employment_contribution") == set()


def test_income_drop(pair, county_admin):
    fires, silent = pair
    income(fires, 2024, net=20000)
    income(fires, 2025, net=Decimal("13999.99"))  # down 30.00005%
    income(silent, 2024, net=20000)
    income(silent, 2025, net=14000)  # down exactly 30%
    _run(county_admin)
    assert warned("income_drop") == {fires.pk}
    assert _evidence("income_drop", fires) == ("2025年家庭纯收入 13,999.99 元，比上年 20,000 元下降 30.0%，"
                                               "超过 30% 的预警线")


def test_disaster_loss(pair, county_admin):
    fires, silent = pair
    for household in pair:
        income(household, 2025, net=30000)  # 30% = 9,000
    feed_row(head(fires), "emergency", "2025-07", amount1=cents("9000.01"), text="泥石流")
    feed_row(head(silent), "emergency", "2025-07", amount1=cents(9000), text="泥石流")
    _run(county_admin)
    assert warned("disaster_loss") == {fires.pk}
    assert "灾害直接经济损失 9,000.01 元" in _evidence("disaster_loss", fires)


def test_thresholds_are_parameters(pair, county_admin):
    fires, silent = pair
    feed_row(head(fires), "medical", date1=dt.date(2025, 5, 3), amount1=cents(9000), amount5=cents("8000.01"))
    feed_row(head(silent), "medical", date1=dt.date(2025, 5, 3), amount1=cents(9000), amount5=cents(8000))
    set_params("medical_stay_oop", other_yuan=8000)
    _run(county_admin)
    assert warned("medical_stay_oop") == {fires.pk}
    assert "一般农户单次 8,000 元" in _evidence("medical_stay_oop", fires)
