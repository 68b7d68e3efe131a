"""The JSON API for households: session-authenticated, scoped, masked, paged; its docs work offline."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.registry.services import income_record_save, member_add
from tests.conftest import SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE, synthetic_id

pytestmark = pytest.mark.django_db

LIST = "/api/v1/households/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def households(make_household, county_admin):
    first = make_household(TUANJIE, number="8800000001", head_name="接口户主", phone="10012345678",
                           household_type="formerly_poor")
    member_add(actor=county_admin, household=first, data={"name": "接口成员", "relation": "spouse"},
               id_number=synthetic_id(male=False))
    income_record_save(actor=county_admin, household=first, year=2024,
                       data={"members_counted": 2, "wage_income": Decimal("10001"), "production_cost": Decimal("0")})
    second = make_household(SONGBAI, number="8800000002", monitoring_type="sudden_hardship",
                            identified_month="202402")
    third = make_household(ZHANGZHA_VILLAGE, number="8800000003")
    return first, second, third


def test_anonymous_is_refused(client, households):
    assert client.get(LIST).status_code == 401
    assert client.get(f"{LIST}{households[0].pk}").status_code == 401


def test_role_without_registry_view_is_refused_in_chinese(client, regions, households):
    operator = User.objects.create_user(username="operator", password="pw-for-tests-1", role="department_operator",
                                        region_id=SHUANGHE)
    client.force_login(operator)
    response = client.get(LIST)
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色不能查看农户档案"
    assert client.get(f"{LIST}{households[0].pk}").status_code == 403


def test_list_is_masked_and_counts_members(client, county_admin, households):
    client.force_login(county_admin)
    body = client.get(LIST).json()
    assert body["count"] == 3 and (body["offset"], body["limit"]) == (0, 50)
    first = next(row for row in body["results"] if row["number"] == "8800000001")
    assert first == {
        "id": households[0].pk, "number": "8800000001", "village_code": TUANJIE, "village_name": "团结村村民委员会",
        "group": "", "head_name": "接口户主", "household_type": "formerly_poor", "monitoring_type": "",
        "monitoring_status": "", "phone_masked": "100****5678", "member_count": 2,
    }
    assert "10012345678" not in client.get(LIST).content.decode()


def test_detail_is_masked(client, county_admin, households):
    client.force_login(county_admin)
    response = client.get(f"{LIST}{households[0].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["member_count"] == 2
    assert [m["name"] for m in body["members"]] == ["接口户主", "接口成员"]
    for member, stored in zip(body["members"], households[0].members.order_by("id"), strict=True):
        assert member["id_number_masked"] == stored.id_number_masked
        assert re.fullmatch(r"513225\*{8}\d{3}[\dX]", member["id_number_masked"])
        assert stored.reveal_id_number() not in response.content.decode()
    assert body["members"][1]["sex"] == "female"
    assert body["income"] == [{"year": 2024, "members_counted": 2, "net_income": "10001.00",
                               "per_capita_net_income": "5000.50"}]


@pytest.mark.parametrize(("params", "numbers"), [
    ({"q": "接口户主"}, {"8800000001"}),
    ({"q": "接口成员"}, {"8800000001"}),
    ({"q": "8800000002"}, {"8800000002"}),
    ({"q": "10012345678"}, {"8800000001", "8800000002", "8800000003"}),
    ({"region": SHUANGHE}, {"8800000001", "8800000002"}),
    ({"region": ZHANGZHA_VILLAGE}, {"8800000003"}),
    ({"region": "000000000000"}, set()),
    ({"household_type": "formerly_poor"}, {"8800000001"}),
    ({"monitoring_status": "monitored"}, {"8800000002"}),
    ({"monitoring_status": "risk_open"}, {"8800000002"}),
    ({"monitoring_status": "risk_eliminated"}, set()),
])
def test_filters(client, county_admin, households, params, numbers):
    client.force_login(county_admin)
    body = client.get(LIST, params).json()
    assert {row["number"] for row in body["results"]} == numbers
    assert body["count"] == len(numbers)


def test_search_by_id_number(client, county_admin, households):
    client.force_login(county_admin)
    number = households[1].members.get().reveal_id_number()
    assert [row["number"] for row in client.get(LIST, {"q": number.lower()}).json()["results"]] == ["8800000002"]


def test_paging(client, county_admin, households):
    client.force_login(county_admin)
    first = client.get(LIST, {"limit": 2}).json()
    rest = client.get(LIST, {"limit": 2, "offset": 2}).json()
    assert first["count"] == rest["count"] == 3
    assert len(first["results"]) == 2 and len(rest["results"]) == 1
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in rest["results"]})
    # Out of range is a clear 422 naming the parameter, not a silent clamp.
    for params, name in (({"limit": 0}, "limit"), ({"limit": 100000}, "limit"), ({"offset": -5}, "offset")):
        response = client.get(LIST, params)
        assert response.status_code == 422 and name in str(response.json()), params


def test_unknown_household_is_404(client, county_admin, households):
    client.force_login(county_admin)
    assert client.get(f"{LIST}999999").status_code == 404


def test_docs_work_offline(client, county_admin):
    """Rule 7: the API documentation page loads nothing from the internet."""
    client.force_login(county_admin)
    response = client.get(reverse("api:openapi-view"))
    assert response.status_code == 200
    content = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?:)?//[^"']+""", content)
    assert not external, f"the docs page loads from outside: {external}"
    assert "swagger-ui-bundle.js" in content
    bundle = re.search(r"""src=["']([^"']*swagger-ui-bundle\.js)""", content).group(1)
    assert b"".join(client.get(bundle).streaming_content)[:100]


def test_the_api_accepts_the_list_pages_filters(client, county_admin, households):
    """One declaration (registry.filters) feeds the page and the API: every page filter is an API parameter."""
    from bangfu.registry.filters import HOUSEHOLD_FILTERS

    client.force_login(county_admin)
    schema = client.get("/api/v1/openapi.json").json()
    params = {p["name"] for p in schema["paths"]["/api/v1/households/"]["get"]["parameters"]}
    assert set(HOUSEHOLD_FILTERS.names) <= params
    body = client.get(LIST, {"group": "no-such-group"}).json()
    assert body["count"] == 0
