"""DOMAIN.md §5.1: 脱贫不稳定户 are former poor households (脱贫户), 边缘易致贫户 ordinary ones (一般农户);
突发严重困难户 may be either. Months are accepted as people type them, never in the future."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bangfu.registry.services import household_create, household_update
from tests.conftest import TUANJIE

pytestmark = pytest.mark.django_db


def _create(county_admin, regions, **extra):
    return household_create(actor=county_admin, data={"village": regions[TUANJIE], "identified_month": "202401",
                                                      **extra})


@pytest.mark.parametrize(("household_type", "monitoring_type", "words"), [
    ("formerly_poor", "marginal", "脱贫户不能认定为边缘易致贫户"),
    ("ordinary", "unstable", "一般农户不能认定为脱贫不稳定户"),
    ("other", "marginal", "其他不能认定为边缘易致贫户"),
])
def test_monitoring_kind_must_fit_household_type(county_admin, regions, counts, household_type, monitoring_type,
                                                 words):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        _create(county_admin, regions, household_type=household_type, monitoring_type=monitoring_type)
    assert words in caught.value.message_dict["monitoring_type"][0]
    assert counts() == before


@pytest.mark.parametrize(("household_type", "monitoring_type"), [
    ("formerly_poor", "unstable"), ("ordinary", "marginal"), ("formerly_poor", "sudden_hardship"),
    ("ordinary", "sudden_hardship"),
])
def test_fitting_kinds_are_accepted(county_admin, regions, household_type, monitoring_type):
    household = _create(county_admin, regions, household_type=household_type, monitoring_type=monitoring_type)
    assert household.monitoring_type == monitoring_type


def test_changing_type_of_a_marginal_household_to_formerly_poor_is_refused(county_admin, regions):
    household = _create(county_admin, regions, household_type="ordinary", monitoring_type="marginal")
    with pytest.raises(ValidationError) as caught:
        household_update(actor=county_admin, household=household, data={"household_type": "formerly_poor"})
    assert "monitoring_type" in caught.value.message_dict


@pytest.mark.parametrize("typed", ["2024-03", "2024.3", "2024年3月", "２０２４０３"])
def test_month_forms_are_stored_as_yyyymm(county_admin, regions, typed):
    household = _create(county_admin, regions, monitoring_type="marginal", identified_month=typed)
    household.refresh_from_db()
    assert household.identified_month == "202403"


def test_future_month_is_refused(county_admin, regions, counts):
    today = dt.date.today()
    future = f"{today.year + 1}-01"
    before = counts()
    with pytest.raises(ValidationError) as caught:
        _create(county_admin, regions, monitoring_type="marginal", identified_month=future)
    assert "不能晚于本月" in caught.value.message_dict["identified_month"][0]
    assert counts() == before
