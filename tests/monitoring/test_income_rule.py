"""The income rule (人均纯收入低于监测线) finds the households the home card counts (收入低于监测线但未纳入监测):
not yet monitored, the latest record's 扣除合规自付支出后人均收入 under that year's line (registry.income), less those
an exclusion comparison marks. Each condition at its boundary, both sides; the medical-share rule reads the same
income (a ledger that gave only 人均纯收入 is not income 0)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.monitoring.models import MonitoringLine
from bangfu.monitoring.services import screening_run
from bangfu.registry.models import Household, IncomeRecord
from bangfu.reports.summaries import village_summaries_rebuild
from tests.conftest import COUNTY, TUANJIE
from tests.monitoring.factories import cents, feed_row, head, set_params, warned

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(regions):
    return MonitoringLine.objects.create(region=regions[COUNTY], year=2025, amount=Decimal("8100"))


@pytest.fixture
def household_with(make_household):
    def make(**fields) -> Household:
        household = make_household(TUANJIE, head_name="收入户")
        IncomeRecord.objects.create(household=household, year=2025, **{"members_counted": 1, **fields})
        return household
    return make


def _screen(county_admin):
    return screening_run(actor=county_admin)


def _home_below_line(client, county_admin) -> int:
    village_summaries_rebuild()
    client.force_login(county_admin)
    return client.get(reverse("web:home")).context["below_line"]


def test_one_yuan_below_the_line_warns_at_the_line_does_not(household_with, county_admin, line):
    below = household_with(wage_income=Decimal("8099"))
    at = household_with(wage_income=Decimal("8100"))
    _screen(county_admin)
    assert warned("income_below_line") == {below.pk}
    assert at.pk not in warned("income_below_line")


def test_a_cent_decides_and_rounding_is_half_up_as_shown(household_with, county_admin, line):
    cent_below = household_with(wage_income=Decimal("8099.99"))
    half_cent = household_with(members_counted=2, wage_income=Decimal("16199.99"))  # 8,099.995 → 8,100.00
    third_below = household_with(members_counted=3, wage_income=Decimal("24299.98"))  # 8,099.993 → 8,099.99
    third_at = household_with(members_counted=3, wage_income=Decimal("24299.99"))  # 8,099.997 → 8,100.00
    _screen(county_admin)
    assert warned("income_below_line") == {cent_below.pk, third_below.pk}
    assert {half_cent.pk, third_at.pk}.isdisjoint(warned("income_below_line"))


@pytest.mark.parametrize("spending", ["medical_spending", "education_spending"])
def test_compliant_spending_is_deducted_on_both_sides_of_the_line(spending, household_with, county_admin, line):
    over_line = household_with(wage_income=Decimal("8200"), **{spending: Decimal("100.01")})  # 8,099.99
    on_line = household_with(wage_income=Decimal("8200"), **{spending: Decimal("100")})  # 8,100.00
    no_spending = household_with(wage_income=Decimal("8200"))
    _screen(county_admin)
    assert warned("income_below_line") == {over_line.pk}
    evidence = over_line.warnings.get().evidence
    assert evidence == "2025年人均纯收入 8,200 元，扣除合规自付支出后人均收入 8,099.99 元，低于当年监测线 8,100 元"
    assert {on_line.pk, no_spending.pk}.isdisjoint(warned("income_below_line"))


def test_a_ledger_that_gave_only_per_capita_income_is_judged_by_it(household_with, county_admin, line):
    below = household_with(members_counted=3, given="per_capita", given_per_capita_income=Decimal("8099"))
    above = household_with(members_counted=3, given="per_capita", given_per_capita_income=Decimal("8100"))
    net_below = household_with(members_counted=2, given="net", given_net_income=Decimal("16198"))
    net_at = household_with(members_counted=2, given="net", given_net_income=Decimal("16200"))
    _screen(county_admin)
    assert warned("income_below_line") == {below.pk, net_below.pk}
    assert {above.pk, net_at.pk}.isdisjoint(warned("income_below_line"))


def test_a_monitored_household_is_not_raised_as_a_new_risk(household_with, county_admin, line, client):
    monitored = household_with(wage_income=Decimal("5000"))
    Household.objects.filter(pk=monitored.pk).update(monitoring_type="marginal", monitoring_status="risk_open",
                                                     identified_month="202501")
    not_monitored = household_with(wage_income=Decimal("5000"))
    _screen(county_admin)
    assert warned("income_below_line") == {not_monitored.pk}
    assert _home_below_line(client, county_admin) == 1  # the card counts the same one household


def test_a_household_an_exclusion_marks_is_left_out_and_the_card_still_counts_it(household_with, county_admin,
                                                                                line, client):
    payroll = household_with(wage_income=Decimal("5000"))
    feed_row(head(payroll), "payroll", "2025-05", text="县林业局")
    vehicle_ignored = household_with(wage_income=Decimal("5000"))
    feed_row(head(vehicle_ignored), "vehicle", "2025-05", text="摩托车")  # an ignored type marks nothing
    run = _screen(county_admin)
    assert warned("income_below_line") == {vehicle_ignored.pk}
    assert run.counts_by_rule["payroll"] == 1
    # The card (2) minus the households an exclusion marked (1) is the rule's count (1).
    assert _home_below_line(client, county_admin) - run.counts_by_rule["payroll"] == run.counts_by_rule[
        "income_below_line"] == 1


def test_an_exclusion_rule_switched_off_leaves_nobody_out(household_with, county_admin, line):
    from bangfu.monitoring.models import Rule

    payroll = household_with(wage_income=Decimal("5000"))
    feed_row(head(payroll), "payroll", "2025-05", text="县林业局")
    Rule.objects.filter(code="payroll").update(enabled=False)
    _screen(county_admin)
    assert warned("income_below_line") == {payroll.pk}


def test_the_medical_share_reads_the_same_income(household_with, county_admin):
    # 8,580 per person × 3 = 25,740 家庭纯收入; 40% = 10,296 元. Read as components it would be 0 and warn.
    fires = household_with(members_counted=3, given="per_capita", given_per_capita_income=Decimal("8580"))
    silent = household_with(members_counted=3, given="per_capita", given_per_capita_income=Decimal("8580"))
    feed_row(head(fires), "medical", "2025-05", date1=dt.date(2025, 5, 3), amount5=cents("10296.01"))
    feed_row(head(silent), "medical", "2025-05", date1=dt.date(2025, 5, 3), amount5=cents("10296"))
    set_params("medical_stay_oop", other_yuan=1_000_000)  # keep the single-stay rule out of the way
    _screen(county_admin)
    assert warned("medical_year_share") == {fires.pk}
    assert "家庭纯收入 25,740 元" in fires.warnings.get(rule__code="medical_year_share").evidence


def test_a_county_imported_from_a_per_capita_ledger_is_warned_only_below_the_line(county_admin, client, tmp_path,
                                                                                  regions):
    """The issue's county: a ledger giving only 人均纯收入, imported as the import writes it, then screened."""
    import openpyxl

    from bangfu.ingest.households import households_import_plan
    from bangfu.ingest.services import households_import_commit
    from tests.conftest import synthetic_id

    MonitoringLine.objects.create(region=regions[COUNTY], year=2026, amount=Decimal("8100"))
    figures = {"5132251032130001": "8580", "5132251032130002": "8099", "5132251032130003": "8100",
               "5132251032130004": "8099.99", "5132251032130005": "12000"}
    book = openpyxl.Workbook()
    book.active.append(["户编号", "村", "户主姓名", "身份证号", "家庭人口数", "收入年度", "人均纯收入（元）"])
    for n, (number, per_capita) in enumerate(figures.items(), start=1):
        book.active.append([number, "团结村", "户主" + "甲乙丙丁戊"[n - 1], synthetic_id(f"1980010{n}"), 3, 2026,
                            per_capita])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    plan = households_import_plan(actor=county_admin, source=path)
    assert plan.errors == []
    households_import_commit(actor=county_admin, plan=plan)
    run = _screen(county_admin)
    below = set(Household.objects.filter(number__in=["5132251032130002", "5132251032130004"])
                .values_list("pk", flat=True))
    assert warned("income_below_line") == below
    client.force_login(county_admin)  # the import keeps the home card itself: no rebuild here
    assert run.counts_by_rule["income_below_line"] == 2 == client.get(reverse("web:home")).context["below_line"]
