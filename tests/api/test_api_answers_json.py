"""Every refusal under /api/ is JSON with a Chinese message, as the schema says, including those that come from
outside the API's own handlers: a method the path does not take, a browser session's write without its CSRF
token, the bare /api/v1/ and a write to a path that names no operation."""

import pytest
from django.test import Client

from bangfu.accounts.tokens import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(county_admin):
    return api_token_create(actor=None, user=county_admin, scopes=["read", "feeds"], days=9)[1]


def _json(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()


def test_a_method_the_path_does_not_take(client, token):
    response = client.put("/api/v1/warnings", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert _json(response)["detail"] == "该接口不接受 PUT 请求（可用：GET）"
    assert client.get("/api/v1/warnings", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200  # control


def test_a_browser_sessions_write_without_its_csrf_token(county_admin):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(county_admin)
    for path in ("/api/v1/feeds/runs/1/discard", "/api/v1/feeds/medical?period=2026-10"):
        response = browser.post(path)
        assert response.status_code == 403
        assert _json(response)["detail"].startswith("拒绝访问：浏览器会话的提交须带 CSRF 校验"), path
    assert browser.get("/api/v1/warnings").status_code == 200  # control: the session reads


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nothing/here"])
def test_a_path_that_names_no_operation(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert _json(response)["detail"] == f"没有这个接口：{path}（见 /api/v1/docs）"


def test_the_docs_page_stays_a_page_for_people(client, county_admin):
    client.force_login(county_admin)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(("path", "accepted"), [
    ("/api/v1/warnings?state=all", True), ("/api/v1/warnings?state=dismissed", True),
    ("/api/v1/warnings?state=new", False), ("/api/v1/leads?state=new", True), ("/api/v1/leads?state=open", False),
    ("/api/v1/leads?source=self_report", True), ("/api/v1/leads?source=somewhere", False)])
def test_a_filter_value_that_names_nothing_is_refused_naming_it(client, token, path, accepted):
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == (200 if accepted else 400)
    if not accepted:
        name, value = path.split("?")[1].split("=")
        assert _json(response)["detail"].startswith(f"{name}：应为 ") and f"“{value}”不是" in response.json()["detail"]


@pytest.mark.parametrize(("path", "message"), [
    ("/api/v1/warnings?limit=0", "limit：应不小于 1"), ("/api/v1/warnings?limit=501", "limit：应不大于 500"),
    ("/api/v1/households/abc", "household_id：应为整数"), ("/api/v1/ledger/fund?since=2026-13-01", "since：应为日期（YYYY-MM-DD）"),
    ("/api/v1/feeds/runs/1?wait=61", "wait：应不大于 60")])
def test_a_parameter_of_the_wrong_type_or_range_is_named_in_chinese(client, token, path, message):
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert [problem["msg"] for problem in _json(response)["detail"]] == [message]


@pytest.mark.parametrize("path", ["/api/v1/warnings?limit=1", "/api/v1/warnings?limit=500",
                                  "/api/v1/ledger/fund?since=2026-12-01"])
def test_control_parameters_at_their_bounds_are_taken(client, token, path):
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
