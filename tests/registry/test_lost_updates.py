"""No lost updates: a save from a form read at an older version is refused, naming what changed meanwhile."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import Client
from django.urls import reverse

from bangfu.registry.forms import HouseholdForm, IncomeRecordForm, MemberForm
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.services import household_update, income_record_save, member_remove, member_update
from tests.conftest import make_user
from tests.support import form_data

pytestmark = pytest.mark.django_db


def _refusal(error: ValidationError) -> str:
    return " ".join(error.message_dict[NON_FIELD_ERRORS])


def test_stale_household_save_is_refused_and_names_who_changed_what(make_household, county_admin):
    household = make_household(group="1组")
    read_at = household.version
    household_update(actor=county_admin, household=household, data={"group": "2组"}, version=read_at)
    with pytest.raises(ValidationError) as refused:
        household_update(actor=county_admin, household=household, data={"housing_safety": "C"}, version=read_at)
    message = _refusal(refused.value)
    assert "county_admin" in message and "组" in message and "请刷新页面" in message
    household.refresh_from_db()
    assert (household.group, household.housing_safety, household.version) == ("2组", "", read_at + 1)


def test_current_version_saves_and_counts_up_only_on_change(make_household, county_admin):
    household = make_household(group="1组")
    start = household.version
    household_update(actor=county_admin, household=household, data={"group": "1组"}, version=start)
    household.refresh_from_db()
    assert household.version == start  # nothing changed: no history, no new version
    household_update(actor=county_admin, household=household, data={"group": "3组"}, version=start)
    household_update(actor=county_admin, household=household, data={"group": "4组"}, version=start + 1)
    household.refresh_from_db()
    assert (household.group, household.version) == ("4组", start + 2)


def _version_in(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_two_people_edit_one_household_through_the_page(make_household, county_admin, regions):
    household = make_household(group="1组")
    other_admin = make_user("second_admin", "county_admin", county_admin.region_id)
    first, second = Client(), Client()
    first.force_login(county_admin)
    second.force_login(other_admin)
    url = reverse("registry:household_edit", args=[household.pk])
    # Both open the form, reading the same version.
    assert _version_in(first.get(url).content.decode()) == _version_in(second.get(url).content.decode())
    form = HouseholdForm(instance=Household.objects.get(pk=household.pk))
    assert first.post(url, form_data(form, group="甲改的组")).status_code == 302
    response = second.post(url, form_data(form, group="乙改的组", housing_safety="D"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "保存未成功" in page and "county_admin" in page and "组" in page
    household.refresh_from_db()
    assert (household.group, household.housing_safety) == ("甲改的组", "")


def test_stale_member_edit_and_removal_are_refused(make_household, county_admin, regions):
    household = make_household()
    member = household.members.get()
    read_at = member.version
    member_update(actor=county_admin, member=member, data={"education": "high_school"}, version=read_at)
    with pytest.raises(ValidationError) as refused:
        member_update(actor=county_admin, member=member, data={"name": "旧表单的名字"}, version=read_at)
    assert "文化程度" in _refusal(refused.value)
    with pytest.raises(ValidationError):
        member_remove(actor=county_admin, member=member, reason="迁出", version=read_at)
    member.refresh_from_db()
    assert member.name != "旧表单的名字" and Member.objects.filter(pk=member.pk).exists()
    # Through the page: the form carries the version and a stale one comes back with the message.
    client = Client()
    client.force_login(county_admin)
    stale = form_data(MemberForm(instance=member), name="页面改名")
    member_update(actor=county_admin, member=member, data={"work_months": 3}, version=member.version)
    response = client.post(reverse("registry:member_edit", args=[member.pk]), stale)
    assert response.status_code == 200 and "务工时间" in response.content.decode()
    response = client.post(reverse("registry:member_remove", args=[member.pk]),
                           {"reason": "迁出", "version": read_at})
    assert response.status_code == 200 and Member.objects.filter(pk=member.pk).exists()


def test_income_year_registered_meanwhile_is_not_overwritten(make_household, county_admin):
    household = make_household()
    client = Client()
    client.force_login(county_admin)
    url = reverse("registry:income_add", args=[household.pk])
    blank = form_data(IncomeRecordForm(), year="2024", members_counted="2")
    income_record_save(actor=county_admin, household=household, year=2024, version=0,
                       data={"members_counted": 3, "wage_income": Decimal("9000")})
    # The year registered meanwhile is not replaced: the page opens it for editing instead (issue 7).
    response = client.post(url, {**blank, "wage_income": "100"})
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:income_edit", args=[household.pk, 2024])
    assert IncomeRecord.objects.get(household=household, year=2024).wage_income == Decimal("9000")
    # Correcting that year opens the record with its version, and saves.
    page = client.get(url + "?year=2024", follow=True).content.decode()
    assert 'value="9000' in page
    record = IncomeRecord.objects.get(household=household, year=2024)
    correct = form_data(IncomeRecordForm(instance=record), wage_income="9500")
    assert correct["version"] == str(record.version)
    assert client.post(url, correct).status_code == 302
    # The same corrected form sent again is now stale.
    response = client.post(url, {**correct, "wage_income": "1"})
    assert response.status_code == 200 and "工资性收入" in response.content.decode()
    assert IncomeRecord.objects.get(household=household, year=2024).wage_income == Decimal("9500")
