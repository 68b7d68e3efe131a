"""The user management pages: the list with its search and filters, the create, edit and password forms; each
bad field named in Chinese on the form, nothing written."""

import pytest
from django.urls import reverse

from bangfu.accounts.forms import PasswordSetForm, UserCreateForm, UserEditForm
from bangfu.accounts.models import User
from bangfu.accounts.selectors import regions_assignable_by, roles_assignable_by, units_assignable_by
from tests.accounts.conftest import PASSWORD
from tests.conftest import COUNTY, SHUANGHE, TUANJIE
from tests.support import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(county_admin, shuanghe_reviewer, tuanjie_cadre, zhangzha_cadre, leader, unit_liaison):
    User.objects.filter(pk=zhangzha_cadre.pk).update(is_active=False)
    return {u.username: u for u in User.objects.all()}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"county_admin", "shuanghe_reviewer", "tuanjie_cadre", "zhangzha_cadre", "leader", "cdu_liaison"}),
    ({"q": "TUANJIE"}, {"tuanjie_cadre"}),
    ({"q": "cadre"}, {"tuanjie_cadre", "zhangzha_cadre"}),
    ({"role": "village_cadre"}, {"tuanjie_cadre", "zhangzha_cadre"}),
    ({"role": "unit_liaison"}, {"cdu_liaison"}),
    ({"status": "inactive"}, {"zhangzha_cadre"}),
    ({"status": "active", "role": "village_cadre"}, {"tuanjie_cadre"}),
    ({"role": "wizard"}, {"county_admin", "shuanghe_reviewer", "tuanjie_cadre", "zhangzha_cadre", "leader",
                          "cdu_liaison"}),
], ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) if isinstance(v, dict) else "")
def test_list_filters(admin_client, staff, params, expected):
    response = admin_client.get(reverse("accounts:user_list"), params)
    assert response.status_code == 200
    assert {u.username for u in response.context["page"].object_list} == expected


def test_list_shows_the_columns(admin_client, staff):
    User.objects.filter(username="tuanjie_cadre").update(full_name="团结村 李四")
    content = admin_client.get(reverse("accounts:user_list")).content.decode()
    for text in ("用户名", "姓名", "角色", "所属区划/单位", "状态", "最近登录",
                 "团结村 李四", "村干部/驻村工作队", "双河镇 团结村", "成都大学", "帮扶单位", "已停用", "从未登录",
                 reverse("accounts:user_edit", args=[staff["tuanjie_cadre"].pk]),
                 reverse("accounts:user_password", args=[staff["tuanjie_cadre"].pk])):
        assert text in content, text


def test_list_htmx_returns_the_table_only(admin_client, staff):
    response = admin_client.get(reverse("accounts:user_list"), {"q": "tuanjie"}, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert "tuanjie_cadre" in content and "<html" not in content


def test_forms_render(admin_client, staff):
    for url in (reverse("accounts:user_create"), reverse("accounts:user_edit", args=[staff["tuanjie_cadre"].pk]),
                reverse("accounts:user_password", args=[staff["tuanjie_cadre"].pk])):
        response = admin_client.get(url)
        assert response.status_code == 200 and "<form" in response.content.decode(), url
        assert staff["tuanjie_cadre"].password not in response.content.decode()


def test_region_choices_name_the_township_of_each_village(admin_client, regions):
    form = admin_client.get(reverse("accounts:user_create")).context["form"]
    labels = dict(form.fields["region"].choices)
    assert labels[COUNTY] == "九寨沟县" and labels[SHUANGHE] == "双河镇"
    assert labels[TUANJIE] == "双河镇 · 团结村村民委员会"
    codes = [str(code) for code, _ in form.fields["region"].choices if code]
    assert codes == sorted(codes) and codes[0] == COUNTY  # tree order: a township, then its villages


def _create_post(**overrides) -> dict:
    form = UserCreateForm(regions=None, units=None, roles=[])
    return form_data(form, **{"username": "newbie", "full_name": "新人", "role": "village_cadre", "region": TUANJIE,
                              "password": PASSWORD, "password_confirm": PASSWORD, **overrides})


def test_create_form_opens_an_account(admin_client, county_admin):
    response = admin_client.post(reverse("accounts:user_create"), _create_post())
    assert response.status_code == 302 and response["Location"] == reverse("accounts:user_list")
    user = User.objects.get(username="newbie")
    assert (user.region_id, user.role, user.full_name) == (TUANJIE, "village_cadre", "新人")
    assert user.check_password(PASSWORD)
    assert "已新增用户 newbie" in admin_client.get(reverse("accounts:user_list")).content.decode()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"password": "short", "password_confirm": "short"}, "password", "密码不符合要求：至少需要8个字符"),
    ({"password_confirm": PASSWORD + "x"}, "password_confirm", "两次输入的密码不一致"),
    ({"username": "tuanjie_cadre"}, "username", "用户名 tuanjie_cadre 已存在"),
    ({"username": "有 空格"}, "username", "用户名只能由文字、数字和 @ . + - _ 组成，不能有空格"),
    ({"region": ""}, "region", "该角色必须绑定一个行政区划"),
    ({"role": "unit_liaison"}, "unit", "帮扶单位角色必须绑定一个帮扶单位"),
], ids=["weak-password", "mismatch", "taken", "bad-username", "no-region", "unit-role-without-unit"])
def test_create_form_names_the_field_and_writes_nothing(admin_client, tuanjie_cadre, fingerprint, overrides, field,
                                                       message):
    before = fingerprint()
    response = admin_client.post(reverse("accounts:user_create"), _create_post(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    content = response.content.decode()
    assert message in content and "请更正下面标红的字段" in content
    assert fingerprint() == before


def _edit_post(actor, target, **overrides) -> dict:
    form = UserEditForm(user=target, actor=actor, regions=regions_assignable_by(actor),
                        units=units_assignable_by(actor), roles=roles_assignable_by(actor))
    return form_data(form, **overrides)


def test_edit_form_changes_role_place_and_status(admin_client, county_admin, tuanjie_cadre):
    data = _edit_post(county_admin, tuanjie_cadre, role="township_reviewer", region=SHUANGHE, is_active=None)
    response = admin_client.post(reverse("accounts:user_edit", args=[tuanjie_cadre.pk]), data)
    assert response.status_code == 302
    tuanjie_cadre.refresh_from_db()
    assert (tuanjie_cadre.role, tuanjie_cadre.region_id, tuanjie_cadre.is_active) == (
        "township_reviewer", SHUANGHE, False)


def test_edit_form_names_the_field_and_writes_nothing(admin_client, county_admin, tuanjie_cadre, fingerprint):
    before = fingerprint()
    data = _edit_post(county_admin, tuanjie_cadre, role="lead_coordinator", full_name="")
    response = admin_client.post(reverse("accounts:user_edit", args=[tuanjie_cadre.pk]), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name"}
    data = _edit_post(county_admin, tuanjie_cadre, role="lead_coordinator")
    response = admin_client.post(reverse("accounts:user_edit", args=[tuanjie_cadre.pk]), data)
    assert response.context["form"].errors == {"unit": ["帮扶单位角色必须绑定一个帮扶单位"]}
    assert fingerprint() == before


def test_password_form_resets_and_names_bad_input(admin_client, tuanjie_cadre, fingerprint):
    url = reverse("accounts:user_password", args=[tuanjie_cadre.pk])
    before = fingerprint()
    response = admin_client.post(url, form_data(PasswordSetForm(), password="Qz8!xw1", password_confirm="Qz8!xw1"))
    assert response.context["form"].errors == {"password": ["密码不符合要求：至少需要8个字符"]}
    response = admin_client.post(url, form_data(PasswordSetForm(), password=PASSWORD, password_confirm="other-pass"))
    assert response.context["form"].errors == {"password_confirm": ["两次输入的密码不一致"]}
    assert fingerprint() == before
    response = admin_client.post(url, form_data(PasswordSetForm(), password=PASSWORD, password_confirm=PASSWORD))
    assert response.status_code == 302
    tuanjie_cadre.refresh_from_db()
    assert tuanjie_cadre.check_password(PASSWORD)


def test_resetting_ones_own_password_keeps_one_logged_in(admin_client, county_admin):
    url = reverse("accounts:user_password", args=[county_admin.pk])
    response = admin_client.post(url, {"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302
    assert admin_client.get(reverse("accounts:user_list")).status_code == 200


def test_a_deactivated_account_is_logged_out_and_cannot_log_in(client, admin_client, county_admin, tuanjie_cadre):
    from django.test import Client

    cadre = Client()
    cadre.force_login(tuanjie_cadre)
    assert cadre.get(reverse("registry:household_list")).status_code == 200
    data = _edit_post(county_admin, tuanjie_cadre, is_active=None)
    assert admin_client.post(reverse("accounts:user_edit", args=[tuanjie_cadre.pk]), data).status_code == 302
    assert cadre.get(reverse("registry:household_list")).status_code == 302  # back to the login page
    response = Client().post(reverse("web:login"), {"username": "tuanjie_cadre", "password": "pw-for-tests-1"})
    assert response.status_code == 200


def test_pages_in_english(admin_client, staff):
    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    content = admin_client.get(reverse("accounts:user_list")).content.decode()
    assert "User management" in content and "Last login" in content
    content = admin_client.get(reverse("accounts:user_create")).content.decode()
    assert "Initial password" in content
