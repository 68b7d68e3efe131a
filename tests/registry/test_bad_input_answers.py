"""Odd input gets a named answer, never a 500: NUL characters, huge offsets, impossible values."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.regions.models import Region
from bangfu.registry.forms import HouseholdForm, IncomeRecordForm
from bangfu.registry.models import IncomeRecord
from bangfu.registry.services import household_update
from tests.conftest import TUANJIE
from tests.support import form_data


def test_api_rejects_an_absurd_offset_with_a_422(client, county_admin):
    client.force_login(county_admin)
    response = client.get(reverse("api:household_list"), {"offset": "99999999999999999999"})
    assert response.status_code == 422
    assert "offset" in str(response.json())


def test_search_with_a_nul_character_is_refused_by_name(client, county_admin, make_household):
    make_household(TUANJIE, number="8800000018")
    client.force_login(county_admin)
    for url in (reverse("api:household_list"), reverse("registry:household_list")):
        response = client.get(url, {"q": "a\x00b"})
        assert response.status_code == 400 and "“q”" in response.content.decode()


def test_a_nul_in_the_household_number_is_named(client, county_admin, make_household):
    household = make_household(TUANJIE, number="8800000019")
    client.force_login(county_admin)
    form = HouseholdForm(instance=household, villages=Region.objects.filter(code=TUANJIE))
    response = client.post(reverse("registry:household_edit", args=[household.pk]),
                           form_data(form, number="NUL\x002", phone=""))
    assert response.status_code == 200
    assert "number" in response.context["form"].errors


def test_zero_people_in_an_income_record_is_named_on_the_form(client, county_admin, make_household):
    household = make_household(TUANJIE, number="8800000012")
    client.force_login(county_admin)
    response = client.post(reverse("registry:income_add", args=[household.pk]),
                           form_data(IncomeRecordForm(), year="2024", members_counted="0", wage_income="100"))
    assert response.status_code == 200
    assert "members_counted" in response.context["form"].errors
    assert not IncomeRecord.objects.exists()


@pytest.mark.parametrize("field", ["housing_area", "farmland_mu", "forest_mu", "road_distance_km"])
def test_negative_areas_and_distances_are_refused(county_admin, make_household, field):
    household = make_household(TUANJIE)
    with pytest.raises(ValidationError) as error:
        household_update(actor=county_admin, household=household, data={field: -5})
    assert "不能为负数" in error.value.message_dict[field][0]


def test_elimination_cannot_precede_identification(county_admin, make_household):
    household = make_household(TUANJIE, number="8800000004")
    with pytest.raises(ValidationError) as error:
        household_update(actor=county_admin, household=household, data={
            "monitoring_type": "marginal", "monitoring_status": "risk_eliminated",
            "identified_month": "202403", "eliminated_month": "202401"})
    assert "不能早于识别监测时间" in error.value.message_dict["eliminated_month"][0]


def test_a_searched_id_number_is_not_pushed_into_the_browser_history(client, county_admin, make_household):
    household = make_household(TUANJIE, number="8800000009")
    number = household.members.get().reveal_id_number()
    client.force_login(county_admin)
    response = client.get(reverse("registry:household_list"), {"q": number, "region": TUANJIE},
                          headers={"HX-Request": "true"})
    assert response.status_code == 200 and household.number in response.content.decode()
    assert number not in response["HX-Push-Url"] and f"region={TUANJIE}" in response["HX-Push-Url"]
    plain = client.get(reverse("registry:household_list"), {"q": "HIS"}, headers={"HX-Request": "true"})
    assert "HX-Push-Url" not in plain
