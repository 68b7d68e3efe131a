"""A second screening run does only the work its changes need (engine/cache.py): the registry snapshot is reused
while the registry has not changed, each rule's hits while nothing the rule reads has. Every change a rule reads is
picked up: a registry write (through a service, or raw SQL that no Python code sees), a new month of feeds, a
changed threshold. Each test's control is the run before the change, which reused and did not warn."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from bangfu.monitoring.engine.cache import cache_root
from bangfu.monitoring.models import MonitoringLine, RiskWarning
from bangfu.monitoring.services import screening_run
from bangfu.registry.models import IncomeRecord
from tests.conftest import COUNTY, TUANJIE
from tests.monitoring.factories import cents, feed_row, head, income, set_params

pytestmark = pytest.mark.django_db


def _open(household) -> dict[str, str]:
    return dict(RiskWarning.objects.filter(household=household, state="open").values_list("rule__code", "evidence"))


def _reused(run) -> tuple[bool, set[str]]:
    return run.inputs["reused"]["snapshot"], set(run.inputs["reused"]["rules"])


@pytest.fixture
def county(make_household, county_admin, regions):
    """One household over the 2025 line (8,100: 9,000 a head) with a May stay under the stay line, screened once:
    nothing warns (the stay is under 40% of a 4,000 income too), and the second run with nothing changed reuses everything."""
    MonitoringLine.objects.create(region=regions[COUNTY], year=2025, amount=Decimal("8100"))
    household = make_household(TUANJIE)
    income(household, 2025, net=9000)
    feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 2), amount5=cents(1500))
    first = screening_run(actor=county_admin)
    assert _reused(first) == (False, set())
    assert _open(household) == {}
    again = screening_run(actor=county_admin)
    snapshot, rules = _reused(again)
    assert snapshot and rules == set(first.counts_by_rule)  # the control: nothing changed, nothing recomputed
    return household


def test_an_income_changed_through_the_orm_is_read_again(county, county_admin):
    IncomeRecord.objects.filter(household=county).update(wage_income=5000)  # under the line
    run = screening_run(actor=county_admin)
    assert _reused(run)[0] is False
    assert "income_below_line" not in _reused(run)[1]
    assert list(_open(county)) == ["income_below_line"]
    assert "人均纯收入 5,000 元" in _open(county)["income_below_line"]


def test_a_write_in_raw_sql_is_read_again(county, county_admin):
    """No Python code sees this write: the database's triggers mark it."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_incomerecord SET wage_income = 4000 WHERE household_id = %s", [county.pk])
    run = screening_run(actor=county_admin)
    assert _reused(run)[0] is False
    assert "人均纯收入 4,000 元" in _open(county)["income_below_line"]


def test_a_renamed_member_is_named_in_the_evidence(county, county_admin):
    member = head(county)
    member.medical_insurance = False
    member.save()
    screening_run(actor=county_admin)
    assert "测试户主未参加城乡居民基本医疗保险" in _open(county)["no_medical_insurance"]
    type(member).objects.filter(pk=member.pk).update(name="改名后")
    screening_run(actor=county_admin)
    assert "改名后未参加城乡居民基本医疗保险" in _open(county)["no_medical_insurance"]


def test_a_new_month_reruns_only_the_rules_that_read_it(county, county_admin):
    feed_row(head(county), "medical", "2025-07", date1=dt.date(2025, 7, 9), amount5=cents(12000))  # over 10,000
    run = screening_run(actor=county_admin)
    snapshot, rules = _reused(run)
    assert snapshot  # the registry did not change
    assert {"medical_stay_oop", "medical_year_share", "earner_lost"}.isdisjoint(rules)  # they read medical claims
    assert {"no_medical_insurance", "income_below_line", "unsafe_housing"} <= rules
    assert "2025年7月住院自付 12,000 元" in _open(county)["medical_stay_oop"]


def test_a_changed_threshold_reruns_its_rule(county, county_admin):
    set_params("medical_stay_oop", other_yuan=1499)  # the May stay of 1,500 is now over it
    run = screening_run(actor=county_admin)
    assert "medical_stay_oop" not in _reused(run)[1]
    assert "住院自付 1,500 元" in _open(county)["medical_stay_oop"]


def test_a_member_deleted_leaves_nothing_kept(county, county_admin):
    from bangfu.monitoring.engine.feedstore import feed_store_forget_member

    assert any(cache_root().rglob("members.parquet"))
    feed_store_forget_member(head(county).pk)
    assert not cache_root().exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the per-transaction marks are PostgreSQL's")
def test_the_marks_are_trimmed_to_the_last_thousand_and_the_mark_still_moves(county):
    """PostgreSQL keeps one mark row per writing transaction; reading the mark keeps the last KEPT_MARKS rows, so
    the table stays bounded, and a write after the trim still moves the mark (the control: no write, no move)."""
    from bangfu.monitoring.engine.cache import KEPT_MARKS, registry_mark

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO monitoring_registrychange (token, txid, writes) "
                       "SELECT '', -n, 1 FROM generate_series(1, %s) AS n", [KEPT_MARKS + 50])
        first = registry_mark()
        cursor.execute("SELECT COUNT(*) FROM monitoring_registrychange")
        assert cursor.fetchone()[0] <= KEPT_MARKS
        assert registry_mark() == first
        IncomeRecord.objects.filter(household__village_id=TUANJIE).update(given_net_income=Decimal("1"))
        assert registry_mark() != first
