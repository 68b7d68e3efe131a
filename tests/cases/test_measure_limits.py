"""Catalogue limits (DOMAIN.md §5.5: 小额信贷 up to 50,000 yuan and 3 years) are data on the catalogue row, edited
by the county (audited); a measure beyond them is saved with a warning that names the limit. Both sides of each
limit: at the limit no warning, one cent or one day over, a warning."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bangfu.cases.models import MeasureCategory
from bangfu.cases.services import (
    measure_add,
    measure_catalogue,
    measure_category_update,
    measure_limit_warnings,
)

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)


@pytest.fixture
def monitored(make_household, defaults, today):
    return make_household(monitoring_type="marginal", monitoring_status="risk_open", identified_month="202603")


def _loan(actor, household, *, amount="50000", end_on=dt.date(2029, 3, 2), code="microcredit"):
    return measure_add(actor=actor, household=household, data={
        "category": measure_catalogue(household.village_id).get(code=code), "description": "扶贫小额信贷",
        "start_on": START,
        "end_on": end_on, "amount": Decimal(amount), "responsible": "县农商银行", "status": "in_progress"})


def test_the_catalogue_ships_the_small_loan_limits(defaults):
    loan = MeasureCategory.objects.get(code="microcredit")
    assert (loan.amount_limit, loan.term_limit_months) == (Decimal("50000"), 36)
    assert MeasureCategory.objects.exclude(code="microcredit").filter(amount_limit__isnull=False).count() == 0


def test_at_the_limits_no_warning(monitored, county_admin):
    assert measure_limit_warnings(_loan(county_admin, monitored)) == []


def test_one_cent_over_the_amount_warns(monitored, county_admin):
    assert measure_limit_warnings(_loan(county_admin, monitored, amount="50000.01")) == [
        "金融帮扶（小额信贷）：金额50,000.01元超过该类措施上限50,000.00元"]


def test_one_day_over_three_years_warns(monitored, county_admin):
    assert measure_limit_warnings(_loan(county_admin, monitored, end_on=dt.date(2029, 3, 3))) == [
        "金融帮扶（小额信贷）：结束日期2029-03-03超过该类措施期限上限36个月（至2029-03-02）"]


def test_a_loan_without_an_end_date_is_pointed_out(monitored, county_admin):
    assert measure_limit_warnings(_loan(county_admin, monitored, end_on=None)) == [
        "金融帮扶（小额信贷）：未填写结束日期，该类措施期限最长36个月（至2029-03-02）"]


def test_other_categories_have_no_limit(monitored, county_admin):
    measure = _loan(county_admin, monitored, amount="900000", end_on=dt.date(2036, 1, 1), code="industry")
    assert measure_limit_warnings(measure) == []


def test_the_county_edits_the_limits_audited(monitored, county_admin, tuanjie_cadre):
    from bangfu.audit.models import ChangeRecord

    loan = MeasureCategory.objects.get(code="microcredit")
    with pytest.raises(PermissionDenied):
        measure_category_update(actor=tuanjie_cadre, category=loan, data={"amount_limit": "100000"})
    with pytest.raises(ValidationError, match="1至600"):
        measure_category_update(actor=county_admin, category=loan, data={"term_limit_months": 0})
    measure_category_update(actor=county_admin, category=loan, data={"amount_limit": "100000",
                                                                     "term_limit_months": 60})
    own = MeasureCategory.objects.get(code="microcredit", region_id=county_admin.region_id)  # the county's copy
    assert ChangeRecord.objects.filter(object_type="measurecategory", object_id=str(own.pk)).exists()
    assert measure_limit_warnings(_loan(county_admin, monitored, amount="100000", end_on=dt.date(2031, 3, 2))) == []


def test_the_measure_page_shows_the_warning_and_keeps_the_measure(client, monitored, county_admin):
    client.force_login(county_admin)
    response = client.post(reverse("cases:measure_add", args=[monitored.pk]), {
        "category": MeasureCategory.objects.get(code="microcredit").pk, "description": "扶贫小额信贷",
        "start_on": "2026-03-02", "end_on": "2029-03-02", "amount": "60000", "responsible": "县农商银行",
        "status": "in_progress"}, follow=True)
    assert "金额60,000.00元超过该类措施上限50,000.00元" in response.content.decode()
    assert monitored.measures.get().amount == Decimal("60000")


def test_the_catalogue_page_is_county_only(client, county_admin, tuanjie_cadre, defaults):
    loan = MeasureCategory.objects.get(code="microcredit")
    url = reverse("cases:measure_category_edit", args=[loan.pk])
    client.force_login(tuanjie_cadre)
    assert client.get(url).status_code == 403
    assert "50000.00" in client.get(reverse("cases:workflow_config")).content.decode()  # read-only view
    client.force_login(county_admin)
    response = client.post(url, {"name": loan.name, "amount_limit": "80000", "term_limit_months": "48",
                                 "is_active": "on"})
    assert response.status_code == 302
    own = MeasureCategory.objects.get(code="microcredit", region_id=county_admin.region_id)
    assert (own.amount_limit, own.term_limit_months) == (Decimal("80000"), 48)
