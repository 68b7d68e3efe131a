"""The income form: a year already recorded opens for editing instead of being replaced; a save says what
changed; the page shows both per-capita figures and says which one is compared with the line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.registry.models import IncomeRecord
from bangfu.registry.services import income_record_save

pytestmark = pytest.mark.django_db

AMOUNTS = {"business_income": "0", "property_income": "0", "transfer_income": "0", "production_cost": "0",
           "medical_spending": "0", "education_spending": "0"}


@pytest.fixture
def household(make_household, county_admin):
    household = make_household()
    income_record_save(actor=county_admin, household=household, year=2025,
                       data={"members_counted": 1, "wage_income": Decimal("12000")})
    return household


@pytest.fixture
def admin_client(client, county_admin):
    client.force_login(county_admin)
    return client


def test_registering_an_existing_year_opens_it_and_changes_nothing(admin_client, household):
    response = admin_client.post(reverse("registry:income_add", args=[household.pk]),
                                 {"year": "2025", "members_counted": "1", "wage_income": "0", **AMOUNTS})
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:income_edit", args=[household.pk, 2025])
    assert IncomeRecord.objects.get(household=household, year=2025).wage_income == Decimal("12000")
    page = admin_client.get(response["Location"]).content.decode()
    assert "2025年已登记收入" in page and 'value="12000.00"' in page


def test_the_service_refuses_a_second_registration_of_a_year(county_admin, household):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        income_record_save(actor=county_admin, household=household, year=2025, data={"wage_income": 0}, new=True)
    assert "2025年已登记收入" in caught.value.message_dict["year"][0]


def test_editing_a_year_says_what_changed(admin_client, household):
    url = reverse("registry:income_edit", args=[household.pk, 2025])
    response = admin_client.post(url, {"members_counted": "1", "wage_income": "9000", **AMOUNTS}, follow=True)
    content = response.content.decode()
    assert "已修改2025年收入" in content and "工资性收入 12000.00 → 9000.00" in content
    assert IncomeRecord.objects.get(household=household, year=2025).wage_income == Decimal("9000")


def test_each_income_row_has_an_edit_link(admin_client, household):
    content = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert reverse("registry:income_edit", args=[household.pk, 2025]) in content


def test_both_per_capita_figures_are_shown_and_the_compared_one_is_named(admin_client, household, county_admin,
                                                                        regions):
    from bangfu.monitoring.services import monitoring_line_save

    monitoring_line_save(actor=county_admin, region=regions["513225000000"], year=2025, amount=Decimal("7800"),
                         source="测试")
    income_record_save(actor=county_admin, household=household, year=2025,
                       data={"members_counted": 1, "wage_income": Decimal("12000"),
                             "medical_spending": Decimal("4500")})
    content = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "12,000.00" in content and "7,500.00" in content  # before and after compliant spending
    assert "与监测线比对的是扣除合规自付支出" in content
    assert "低于监测线" in content
