"""A screening run: no duplicate warnings, evidence refreshed, verified facts not raised again, exclusions marked,
the run recorded (inputs, counts by rule and township)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from bangfu.monitoring.models import RiskWarning, ScreeningRun
from bangfu.monitoring.services import screening_run, warning_verify
from tests.conftest import SHUANGHE, TUANJIE
from tests.monitoring.factories import cents, feed_row, head

pytestmark = pytest.mark.django_db


def _stay(household, day: dt.date, oop: str):
    return feed_row(head(household), "medical", f"{day:%Y-%m}", date1=day, amount1=cents(30000), amount5=cents(oop))


def test_screening_twice_creates_no_duplicate_and_updates_evidence(make_household, county_admin):
    household = make_household(TUANJIE)
    _stay(household, dt.date(2025, 5, 3), "12000")
    first = screening_run(actor=county_admin)
    assert (first.created, first.updated) == (1, 0)
    second = screening_run(actor=county_admin)
    assert (second.created, second.updated) == (0, 1)
    assert RiskWarning.objects.filter(household=household).count() == 1
    _stay(household, dt.date(2025, 8, 9), "15000")  # a later stay: the open warning now tells of it
    screening_run(actor=county_admin)
    warning = RiskWarning.objects.get(household=household)
    assert "2025年8月住院自付 15,000 元" in warning.evidence
    assert warning.first_run_id == first.pk and warning.last_run_id != first.pk


def test_dismissed_fact_is_not_raised_again_but_a_new_one_is(make_household, county_admin, tuanjie_cadre):
    household = make_household(TUANJIE)
    _stay(household, dt.date(2025, 5, 3), "12000")
    screening_run(actor=county_admin)
    warning = RiskWarning.objects.get(household=household)
    warning_verify(actor=tuanjie_cadre, warning=warning, outcome="dismissed", visit_date=dt.date(2025, 6, 1),
                   visit_notes="入户核实，已由商业保险报销", dismiss_reason="商业保险已报销大部分费用")
    screening_run(actor=county_admin)
    assert RiskWarning.objects.filter(household=household).count() == 1
    _stay(household, dt.date(2025, 9, 1), "11000")
    screening_run(actor=county_admin)
    assert RiskWarning.objects.filter(household=household, state="open").count() == 1
    assert "2025年9月" in RiskWarning.objects.get(household=household, state="open").evidence


def test_exclusion_marks_instead_of_suppressing(make_household, county_admin):
    household = make_household(TUANJIE)
    _stay(household, dt.date(2025, 5, 3), "12000")
    feed_row(head(household), "payroll", "2025-05", text="县林业局")
    feed_row(head(household), "vehicle", "2025-05", text="摩托车")  # ignored type: no mark
    screening_run(actor=county_admin)
    warning = RiskWarning.objects.get(household=household)
    assert warning.exclusions == "payroll"
    assert warning.suspected_ineligible
    assert "财政供养人员（县林业局）" in warning.exclusion_evidence


def test_run_record(make_household, county_admin):
    household = make_household(TUANJIE)
    _stay(household, dt.date(2025, 5, 3), "12000")
    run = screening_run(actor=county_admin)
    run.refresh_from_db()
    assert run.status == ScreeningRun.Status.DONE and run.started_by == county_admin
    assert run.counts_by_rule["medical_stay_oop"] == 1
    assert run.counts_by_township == {SHUANGHE: 1}
    assert run.inputs["households"] == 1 and run.inputs["feed"] == 1
    assert run.inputs["feeds"] == ["medical 2025-05"]
    assert run.inputs["rules"]["medical_stay_oop"] == {"monitored_yuan": 6000, "other_yuan": 10000}
    assert run.seconds > 0


def test_only_the_county_screens(tuanjie_cadre):
    with pytest.raises(PermissionDenied):
        screening_run(actor=tuanjie_cadre)
    assert not ScreeningRun.objects.exists()


def test_households_no_longer_registered_are_not_screened(make_household, county_admin):
    gone = make_household(TUANJIE)
    _stay(gone, dt.date(2025, 5, 3), "12000")
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    run = screening_run(actor=county_admin)
    assert not RiskWarning.objects.exists()
    assert (run.inputs["households"], run.inputs["members"], run.inputs["feed"]) == (0, 0, 0)
