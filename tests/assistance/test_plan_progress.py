"""Plan progress is the ledger summed, never typed; the proposed grade follows the county's thresholds."""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.assistance.models import Cadre, EvaluationGrade, Plan, PlanTarget
from bangfu.assistance.services import (
    evaluation_grades_save,
    ledger_entry_record,
    plan_create,
    plan_target_set,
)
from bangfu.reports.assistance_indicators import (
    STANDARD_INDICATORS,
    completion,
    evaluation_rows,
    evaluation_score,
    grade_for,
    plan_progress,
    unit_figures,
)
from tests.conftest import COUNTY, TUANJIE

pytestmark = pytest.mark.django_db


def _record(actor, unit, ledger_kind, /, **data):
    return ledger_entry_record(actor=actor, kind=ledger_kind, unit=unit, data=data)


@pytest.fixture
def ledger(cdu, cdu_liaison, court, court_liaison, regions):
    """A few entries per kind for 成都大学 in 2022 and 2023, and one for 省法院 (which must not be counted)."""
    village = regions[TUANJIE]
    for day, amount in ((dt.date(2022, 3, 1), "120000"), (dt.date(2022, 9, 9), "30000.50"), (dt.date(2023, 1, 5), "7")):
        _record(cdu_liaison, cdu, "fund", date=day, flow="invested", amount=Decimal(amount), source="预算", purpose="产业",
                village=village)
    _record(cdu_liaison, cdu, "fund", date=dt.date(2022, 5, 1), flow="brought_in", amount=Decimal("500000"),
            source="企业", purpose="道路")
    _record(cdu_liaison, cdu, "training", date=dt.date(2022, 4, 1), kind="grassroots_cadres", title="村干部培训",
            participants=40)
    _record(cdu_liaison, cdu, "training", date=dt.date(2022, 6, 1), kind="grassroots_cadres", title="法治培训",
            participants=25)
    _record(cdu_liaison, cdu, "training", date=dt.date(2022, 7, 1), kind="technicians", title="种植技术", participants=18)
    _record(cdu_liaison, cdu, "trade", date=dt.date(2022, 8, 1), kind="purchase", product="牦牛肉",
            amount=Decimal("88000"))
    _record(cdu_liaison, cdu, "trade", date=dt.date(2022, 8, 2), kind="sale", product="青稞", amount=Decimal("150000"))
    _record(cdu_liaison, cdu, "visit", date=dt.date(2022, 8, 17), leaders="党委书记一行", people=3, village=village)
    _record(cdu_liaison, cdu, "visit", date=dt.date(2022, 10, 1), leaders="副校长", people=1)
    _record(cdu_liaison, cdu, "project", date=dt.date(2022, 2, 1), name="民宿改造", direction="industry",
            budget=Decimal("300000"), beneficiaries=80)
    _record(cdu_liaison, cdu, "donation", date=dt.date(2022, 8, 17), form="in_kind", recipient="九寨沟县第三小学",
            items="电脑30台", value=Decimal("150000"))
    Cadre.objects.create(unit=cdu, name="何磊", kind="first_secretary", village=village, term_start=dt.date(2021, 7, 1),
                         term_end=dt.date(2023, 6, 30))
    _record(court_liaison, court, "fund", date=dt.date(2022, 3, 1), flow="invested", amount=Decimal("999999"),
            source="预算", purpose="产业")


def _expected_2022():
    return {
        "funds_invested": Decimal("150000.50"), "funds_brought_in": Decimal("500000"),
        "produce_bought": Decimal("88000"), "produce_sold": Decimal("150000"), "cadres_trained": Decimal(65),
        "technicians_trained": Decimal(18), "cadres_sent": Decimal(1), "leader_visits": Decimal(4),
        "projects": Decimal(1), "project_funds": Decimal("300000"), "donations": Decimal("150000"),
    }


def test_figures_are_the_ledger_sums(ledger, cdu, court):
    figures = unit_figures([cdu.pk, court.pk], dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert figures[cdu.pk] == _expected_2022()
    assert figures[court.pk]["funds_invested"] == Decimal("999999")
    assert set(figures[cdu.pk]) == {i.key for i in STANDARD_INDICATORS}


def test_plan_progress_equals_ledger_sums(ledger, cdu, county_admin):
    plan = plan_create(actor=county_admin, county_code=COUNTY, name="2021-2025规划", start_year=2021, end_year=2025)
    plan_target_set(actor=county_admin, plan=plan, unit=cdu, year=2022, indicator="funds_invested", target="200000")
    plan_target_set(actor=county_admin, plan=plan, unit=cdu, year=2022, indicator="cadres_trained", target=50)
    plan_target_set(actor=county_admin, plan=plan, unit=cdu, year=2023, indicator="funds_invested", target="100")
    (row,) = plan_progress(plan, [cdu], year=2022)
    cells = {c.indicator.key: c for c in row.cells}
    expected = _expected_2022()
    assert {key: c.actual for key, c in cells.items()} == expected
    assert cells["funds_invested"].target == Decimal("200000")
    assert cells["funds_invested"].rate == Decimal("75.0")  # 150000.50 / 200000
    assert cells["cadres_trained"].rate == Decimal("130.0")  # 65 of 50: shown as it is
    assert cells["produce_bought"].target is None and cells["produce_bought"].rate is None
    assert row.score == Decimal("87.5")  # (75.0 + 100) / 2: the 130.0 counts as 100 in the score
    # Cumulative through 2023-06-30: targets of 2021-2023, ledger since 2021-01-01.
    (cumulative,) = plan_progress(plan, [cdu], through=dt.date(2023, 6, 30))
    funds = next(c for c in cumulative.cells if c.indicator.key == "funds_invested")
    assert (funds.actual, funds.target) == (Decimal("150007.50"), Decimal("200100"))


def test_a_new_entry_moves_progress(ledger, cdu, cdu_liaison, county_admin):
    plan = Plan.objects.create(county_id=COUNTY, name="规划", start_year=2021, end_year=2025)
    PlanTarget.objects.create(plan=plan, unit=cdu, year=2022, indicator="technicians_trained", target=20)
    before = next(c for c in plan_progress(plan, [cdu], year=2022)[0].cells if c.indicator.key == "technicians_trained")
    _record(cdu_liaison, cdu, "training", date=dt.date(2022, 11, 1), kind="technicians", title="电商培训", participants=2)
    after = next(c for c in plan_progress(plan, [cdu], year=2022)[0].cells if c.indicator.key == "technicians_trained")
    assert (before.actual, after.actual) == (Decimal(18), Decimal(20))
    assert (before.rate, after.rate) == (Decimal("90.0"), Decimal("100.0"))


@pytest.mark.parametrize(("score", "grade"), [
    (Decimal("100"), "好"), (Decimal("95"), "好"), (Decimal("94.9"), "较好"), (Decimal("80"), "较好"),
    (Decimal("79.9"), "一般"), (Decimal("60"), "一般"), (Decimal("59.9"), "较差"), (Decimal("0"), "较差"),
    (None, ""),
])
def test_grade_follows_default_thresholds(regions, score, grade):
    assert not EvaluationGrade.objects.exists()
    assert grade_for(score, COUNTY) == grade


def test_grade_follows_the_county_thresholds(regions, county_admin, cdu, ledger):
    evaluation_grades_save(actor=county_admin, county_code=COUNTY,
                           grades=[("好", Decimal(90)), ("较好", Decimal(75)), ("一般", Decimal(50)), ("较差", Decimal(0))])
    assert grade_for(Decimal("90"), COUNTY) == "好"
    assert grade_for(Decimal("89.9"), COUNTY) == "较好"
    assert grade_for(Decimal("74.9"), COUNTY) == "一般"
    plan = Plan.objects.create(county_id=COUNTY, name="规划", start_year=2021, end_year=2025)
    PlanTarget.objects.create(plan=plan, unit=cdu, year=2022, indicator="funds_invested", target=200000)
    ((row, grade),) = evaluation_rows(plan, [cdu], 2022)
    assert (row.score, grade) == (Decimal("75.0"), "较好")
    evaluation_grades_save(actor=county_admin, county_code=COUNTY,
                           grades=[("好", Decimal(76)), ("较差", Decimal(0))])
    ((row, grade),) = evaluation_rows(plan, [cdu], 2022)
    assert grade == "较差"


def test_completion_shows_over_completion_needs_a_target_and_the_score_caps_it():
    assert completion(Decimal(5), Decimal(0)) is None
    assert completion(Decimal(300), Decimal(100)) == Decimal(300)
    assert completion(Decimal(100), Decimal(100)) == Decimal(100)
    assert completion(Decimal(1), Decimal(3)) == Decimal("33.3")
    # Each indicator counts at most 100 in the score, on both sides of the cap; indicators without target not at all.
    assert evaluation_score([Decimal("100.2"), Decimal(50)]) == Decimal("75.0")  # uncapped: 75.1
    assert evaluation_score([Decimal(100), Decimal(50)]) == Decimal("75.0")
    assert evaluation_score([Decimal("99.8"), Decimal(50)]) == Decimal("74.9")
    assert evaluation_score([Decimal(300), None]) == Decimal(100)
    assert evaluation_score([None]) is None
