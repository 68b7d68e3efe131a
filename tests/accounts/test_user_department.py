"""A department clerk (部门数据员) is bound to one department: opening one without a department, or with one that
does not exist, is refused naming the field; other roles carry none; the binding is kept and changed like the
region, through the services, the page and the command line."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.accounts.services import user_create, user_update
from tests.accounts.conftest import PASSWORD
from tests.conftest import COUNTY, TUANJIE

pytestmark = pytest.mark.django_db


def test_a_clerk_is_opened_with_its_department(county_admin):
    clerk = user_create(actor=county_admin, username="yibao2", password=PASSWORD, role="department_operator",
                        region_code=COUNTY, department="medical_insurance")
    assert clerk.department == "medical_insurance"


@pytest.mark.parametrize(("department", "words"), [("", "必须绑定一个部门"), ("weather", "部门“weather”无效")])
def test_a_clerk_without_a_valid_department_is_refused(county_admin, department, words):
    with pytest.raises(ValidationError) as caught:
        user_create(actor=county_admin, username="yibao3", password=PASSWORD, role="department_operator",
                    region_code=COUNTY, department=department)
    assert words in caught.value.message_dict["department"][0]
    assert not User.objects.filter(username="yibao3").exists()


def test_other_roles_carry_no_department_and_a_change_of_role_clears_it(county_admin):
    cadre = user_create(actor=county_admin, username="cadre2", password=PASSWORD, role="village_cadre",
                        region_code=TUANJIE, department="finance")
    assert cadre.department == ""
    clerk = user_update(actor=county_admin, user=cadre, role="department_operator", region_code=COUNTY,
                        department="finance")
    assert (clerk.role, clerk.department) == ("department_operator", "finance")
    assert user_update(actor=county_admin, user=clerk, full_name="改名").department == "finance"  # kept
    assert user_update(actor=county_admin, user=clerk, role="village_cadre", region_code=TUANJIE).department == ""


def test_the_page_and_the_command_bind_the_department(admin_client, county_admin):
    response = admin_client.post(reverse("accounts:user_create"), {
        "username": "minzheng", "full_name": "民政数据员", "role": "department_operator", "region": COUNTY,
        "department": "civil_affairs", "password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302 and User.objects.get(username="minzheng").department == "civil_affairs"
    call_command("add_user", "canlian", "--role", "department_operator", "--region", COUNTY, "--department",
                 "disabled_federation", "--password", PASSWORD)
    assert User.objects.get(username="canlian").department == "disabled_federation"
    with pytest.raises(CommandError, match="department"):
        call_command("add_user", "nobody", "--role", "department_operator", "--region", COUNTY, "--password", PASSWORD)
