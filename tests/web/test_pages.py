"""The pages people work in: login, the work bench, the household list, detail and forms, language."""

import pytest
from django.urls import reverse

from bangfu.registry.forms import HouseholdForm, MemberForm
from bangfu.registry.models import Household
from bangfu.registry.services import income_record_save
from tests.conftest import SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE, synthetic_id
from tests.support import db_fingerprint, form_data, row_counts

pytestmark = pytest.mark.django_db

# Queries the household list page runs whatever the number of rows: session, user, the user's region (the
# jurisdiction), the paginator's count, the page of households (village and township joined), their member
# counts, the region tree.
LIST_PAGE_QUERIES = 7


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client(client, county_admin):
    client.force_login(county_admin)
    return client


@pytest.fixture
def household(make_household, county_admin):
    household = make_household(TUANJIE, number="8800000021", head_name="页面户主", group="1组")
    income_record_save(actor=county_admin, household=household, year=2024, data={"members_counted": 1})
    return household


# --- login ---------------------------------------------------------------------------------------------------


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next=/"


def test_login_page_renders(client):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert 'name="username"' in content and 'name="password"' in content
    assert "用户名或密码错误" not in content


def test_wrong_password_shows_the_chinese_error(client, county_admin):
    response = client.post(reverse("web:login"), {"username": "county_admin", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误，请重新输入。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in(client, county_admin):
    response = client.post(reverse("web:login"), {"username": "county_admin", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    assert client.session["_auth_user_id"] == str(county_admin.pk)


# --- pages render ----------------------------------------------------------------------------------------


def test_home_renders_the_indicators(admin_client, household):
    response = admin_client.get(reverse("web:home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "在册农户" in content and "双河镇" in content
    totals = {indicator.key: value for indicator, value in response.context["indicators"]}
    assert totals["households"] == 1 and totals["people"] == 1


@pytest.mark.parametrize("params", [
    {}, {"q": "页面户主"}, {"q": "8800000021"}, {"q": "10012345678"}, {"region": SHUANGHE}, {"region": TUANJIE},
    {"household_type": "ordinary"}, {"monitoring_status": "monitored"}, {"monitoring_status": "risk_open"},
    {"unsafe_housing": "on"}, {"relocated": "on"}, {"page": "2"}, {"region": "999999999999"},
], ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "no-filter")
def test_household_list_renders_with_each_filter(admin_client, household, params):
    response = admin_client.get(reverse("registry:household_list"), params)
    assert response.status_code == 200
    assert "一户一档" in response.content.decode()
    shown = {h.pk for h in response.context["page"].object_list}
    matches = not ({"monitoring_status", "unsafe_housing", "relocated"} & set(params)
                   or params.get("region") == "999999999999")
    assert shown == ({household.pk} if matches else set())


def test_household_list_htmx_returns_the_table_only(admin_client, household):
    response = admin_client.get(reverse("registry:household_list"), {"q": "88000000"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "8800000021" in content
    assert "<html" not in content


def test_household_list_shows_masked_phone_only(admin_client, household):
    content = admin_client.get(reverse("registry:household_list")).content.decode()
    assert "100****5678" in content
    assert "10012345678" not in content


def test_detail_page_renders(admin_client, household):
    member = household.members.get()
    response = admin_client.get(reverse("registry:household_detail", args=[household.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("页面户主", "8800000021", member.id_number_masked, "100****5678", "双河镇", "2024"):
        assert text in content, text
    assert member.reveal_id_number() not in content
    assert "10012345678" not in content


@pytest.mark.parametrize("name", ["registry:household_edit", "registry:member_add", "registry:income_add"])
def test_household_forms_render(admin_client, household, name):
    response = admin_client.get(reverse(name, args=[household.pk]))
    assert response.status_code == 200
    assert "<form" in response.content.decode()


@pytest.mark.parametrize("name", ["registry:member_edit", "registry:member_remove"])
def test_member_forms_render(admin_client, household, name):
    member = household.members.get()
    response = admin_client.get(reverse(name, args=[member.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<form" in content and member.name in content
    assert member.reveal_id_number() not in content


def test_create_form_renders_with_village_preselected(admin_client, regions):
    response = admin_client.get(reverse("registry:household_create"), {"village": SONGBAI})
    assert response.status_code == 200
    assert response.context["form"]["village"].value() == SONGBAI


# --- forms post ---------------------------------------------------------------------------------------------


def test_member_form_with_bad_id_number_names_the_rule_and_writes_nothing(admin_client, household):
    before = db_fingerprint()
    data = form_data(MemberForm(), name="新成员", relation="son", id_number="110105194912310021")
    response = admin_client.post(reverse("registry:member_add", args=[household.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "校验码错误：最后一位应为X，实为1" in content
    assert "请更正下面标红的字段" in content
    assert response.context["form"].errors["id_number"] == ["校验码错误：最后一位应为X，实为1"]
    assert db_fingerprint() == before


def test_member_form_with_conflicting_sex_names_the_field(admin_client, household):
    before = row_counts()
    data = form_data(MemberForm(), name="新成员", relation="son", id_number=synthetic_id(male=True), sex="female")
    response = admin_client.post(reverse("registry:member_add", args=[household.pk]), data)
    assert response.status_code == 200
    assert "性别与身份证号不符" in response.context["form"].errors["sex"][0]
    assert row_counts() == before


def test_member_form_adds_a_member(admin_client, household):
    data = form_data(MemberForm(), name="新成员", relation="daughter", id_number=synthetic_id(male=False).lower())
    response = admin_client.post(reverse("registry:member_add", args=[household.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household_detail", args=[household.pk])
    assert household.members.get(name="新成员").sex == "female"


def test_income_form_with_negative_amount_names_the_field(admin_client, household):
    before = row_counts()
    response = admin_client.post(reverse("registry:income_add", args=[household.pk]), {
        "year": "2023", "members_counted": "1", "wage_income": "-5", "business_income": "0", "property_income": "0",
        "transfer_income": "0", "production_cost": "0", "medical_spending": "0", "education_spending": "0"})
    assert response.status_code == 200
    assert "wage_income" in response.context["form"].errors
    assert row_counts() == before


def test_household_form_with_taken_number_names_it(admin_client, household, make_household):
    other = make_household(TUANJIE, number="8800000022")
    before = db_fingerprint()
    data = form_data(HouseholdForm(instance=other), number="8800000021")
    response = admin_client.post(reverse("registry:household_edit", args=[other.pk]), data)
    assert response.status_code == 200
    assert "户编号 8800000021 已存在" in response.content.decode()
    assert db_fingerprint() == before


def test_detail_shows_history_after_an_edit(admin_client, household):
    data = form_data(HouseholdForm(instance=household), group="2组")
    response = admin_client.post(reverse("registry:household_edit", args=[household.pk]), data)
    assert response.status_code == 302
    content = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "<b>组</b>：1组 → 2组" in content
    assert "修改" in content and "county_admin" in content
    assert "暂无变更记录" not in content


def test_member_removal_shows_in_history(admin_client, household, county_admin):
    from bangfu.registry.services import member_add

    son = member_add(actor=county_admin, household=household, data={"name": "将减员", "relation": "son"},
                     id_number=synthetic_id())
    response = admin_client.post(reverse("registry:member_remove", args=[son.pk]),
                                 {"reason": "married_out", "version": son.version})
    assert response.status_code == 302
    content = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "婚嫁迁出" in content and "删除" in content


def test_reveal_button_returns_the_number_and_is_logged(admin_client, household):
    member = household.members.get()
    response = admin_client.post(reverse("registry:member_id_reveal", args=[member.pk]))
    assert response.status_code == 200
    assert member.reveal_id_number() in response.content.decode()
    content = admin_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "查看身份证号" in content


def test_leader_sees_no_edit_or_reveal_buttons(client, leader, household):
    client.force_login(leader)
    response = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("registry:household_edit", args=[household.pk]) not in content
    assert reverse("registry:member_id_reveal", args=[household.members.get().pk]) not in content
    assert client.get(reverse("registry:household_edit", args=[household.pk])).status_code == 403
    assert client.post(reverse("registry:member_id_reveal", args=[household.members.get().pk])).status_code == 403


# --- query count ------------------------------------------------------------------------------------------


def _list_queries(client, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(LIST_PAGE_QUERIES) as captured:
        response = client.get(reverse("registry:household_list"))
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["page"].object_list)


def test_household_list_queries_do_not_grow_with_rows(admin_client, make_household, county_admin,
                                                      django_assert_max_num_queries):
    from bangfu.registry.services import member_add

    def add(count, village):
        for _ in range(count):
            household = make_household(village)
            member_add(actor=county_admin, household=household, data={"name": "成员", "relation": "spouse"},
                       id_number=synthetic_id(male=False))

    add(3, TUANJIE)
    few, shown_few = _list_queries(admin_client, django_assert_max_num_queries)
    add(14, SONGBAI)
    add(13, ZHANGZHA_VILLAGE)
    many, shown_many = _list_queries(admin_client, django_assert_max_num_queries)
    assert (shown_few, shown_many) == (3, 30)
    assert few == many == LIST_PAGE_QUERIES
    assert Household.objects.count() == 30


# --- language ---------------------------------------------------------------------------------------------


def test_language_switch_to_english(admin_client, household):
    page = reverse("registry:household_list")
    response = admin_client.post("/i18n/setlang/", {"language": "en", "next": page})
    assert response.status_code == 302
    assert response["Location"] == page
    response = admin_client.get(page)
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Households" in content
    assert response["Content-Language"] == "en"
    admin_client.post("/i18n/setlang/", {"language": "zh-hans", "next": page})
    assert '<html lang="zh-hans">' in admin_client.get(page).content.decode()


def test_chinese_by_default_even_for_an_english_browser(admin_client):
    response = admin_client.get(reverse("web:home"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="zh-hans">' in response.content.decode()


def test_login_error_in_english(client, county_admin):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.post(reverse("web:login"), {"username": "county_admin", "password": "nope-nope"})
    assert "Wrong username or password" in response.content.decode()


def test_other_township_detail_is_a_chinese_404(client, zhangzha_cadre, household):
    client.force_login(zhangzha_cadre)
    response = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert response.status_code == 404
    content = response.content.decode()
    assert "页面不存在" in content
    assert "8800000021" not in content and "页面户主" not in content
