"""One table of bad input (query parameters, headers, cookies) against every page and API answer that reads
them. Each gets a 4xx or is ignored: never a 500, on SQLite and on PostgreSQL alike (`make test` with and
without DATABASE_URL runs this same table)."""

import uuid

import pytest
from django.urls import reverse

from bangfu.audit.models import ChangeRecord
from tests.conftest import TUANJIE

NUL = "\x00"
LONG = "9" * 5000
HOUSEHOLD_FILTERS = ["q", "region", "household_type", "monitoring_status", "unsafe_housing", "relocated", "page"]
API_FILTERS = ["q", "region", "household_type", "monitoring_status", "offset", "limit"]
AUDIT_FILTERS = ["actor", "date_from", "date_to", "action", "object_type", "view", "page"]
USER_FILTERS = ["q", "role", "status", "page"]

# (url name, parameter names it reads)
LISTS = [("registry:household_list", HOUSEHOLD_FILTERS), ("api:household_list", API_FILTERS),
         ("web:audit_log", AUDIT_FILTERS), ("accounts:user_list", USER_FILTERS),
         ("registry:household_create", ["village"]), ("jobs:job_list", ["page"]),
         ("monitoring:lines", ["year"])]

# (label, value, allowed answers): NUL is refused by name; the rest must be answered or ignored.
BAD_VALUES = [
    ("nul", f"a{NUL}b", {400}),
    ("nul alone", NUL, {400}),
    ("control character", "a\x07b", {400}),
    ("5000 characters", LONG, {200, 422}),
    ("huge number", "99999999999999999999999", {200, 422}),
    ("negative", "-1", {200, 422}),
    ("sql", "' OR 1=1 --", {200, 422}),
    ("lone surrogate as escaped", "%ED%A0%80", {200, 422}),
    ("percent", "%", {200, 422}),
    ("emoji", "🙂" * 10, {200, 422}),
    ("date nonsense", "2024-13-45", {200, 422}),
]

ROWS = [(name, params, label, value, allowed) for name, params in LISTS for label, value, allowed in BAD_VALUES]


@pytest.fixture
def admin_client(client, county_admin, make_household):
    make_household(TUANJIE)
    client.force_login(county_admin)
    return client


@pytest.mark.parametrize(("name", "params", "label", "value", "allowed"), ROWS, ids=[f"{r[0]}-{r[2]}" for r in ROWS])
def test_bad_query_parameters(admin_client, name, params, label, value, allowed):
    for param in params:
        response = admin_client.get(reverse(name), {param: value})
        assert response.status_code in allowed, (param, response.status_code, response.content[:300])
        if response.status_code == 400:
            assert f"“{param}”" in response.content.decode()


@pytest.mark.parametrize("name", [name for name, _params in LISTS])
def test_a_nul_in_a_parameter_name_is_refused(admin_client, name):
    assert admin_client.get(reverse(name) + "?a%00b=1").status_code == 400


BAD_HEADERS = [
    ("X-Request-Id", "x" * 5000), ("X-Request-Id", "x" * 37), ("X-Request-Id", f"a{NUL}b"),
    ("X-Request-Id", "<script>"), ("X-Request-Id", "é" * 10),
    ("HX-Request", "true"), ("HX-Request", NUL), ("HX-Current-URL", f"http://x/{NUL}"), ("HX-Target", LONG),
    ("HX-Boosted", "yes"), ("HX-Trigger", NUL), ("Accept-Language", LONG), ("Accept-Language", NUL),
    ("Referer", LONG), ("User-Agent", NUL), ("X-Forwarded-For", f"1.2.3.4{NUL}"),
]


@pytest.mark.parametrize(("header", "value"), BAD_HEADERS, ids=[f"{h}-{i}" for i, (h, _v) in enumerate(BAD_HEADERS)])
def test_bad_headers_are_ignored(admin_client, header, value):
    for name in ("registry:household_list", "api:household_list", "web:home"):
        response = admin_client.get(reverse(name), headers={header: value})
        assert response.status_code == 200, name


@pytest.mark.parametrize("cookie", ["sessionid", "csrftoken", "django_language"])
@pytest.mark.parametrize("value", [f"abcdefgh{NUL}", LONG, "\x01" * 10])
def test_bad_cookies_are_ignored(client, county_admin, cookie, value):
    client.cookies[cookie] = value
    response = client.get(reverse("registry:household_list"))
    assert response.status_code in {200, 302}  # a dropped session cookie means the login page


def test_a_host_header_with_a_nul_is_refused(admin_client):
    assert admin_client.get(reverse("web:home"), headers={"Host": f"testserver{NUL}"}).status_code == 400


@pytest.mark.parametrize("sent", ["x" * 5000, "x" * 37, f"a{NUL}b", "a b", ""])
def test_a_bad_request_id_is_never_stored_and_the_change_gets_its_own(client, county_admin, sent):
    client.force_login(county_admin)
    response = client.post(reverse("monitoring:lines"), {"year": "2026", "amount": "8100", "source": "县文件"},
                           headers={"X-Request-Id": sent})
    assert response.status_code == 302
    stored = ChangeRecord.objects.get(object_type="monitoringline").request_id
    assert stored != sent and str(uuid.UUID(stored)) == stored


def test_a_well_formed_request_id_is_recorded(client, county_admin):
    client.force_login(county_admin)
    sent = "7c1d2f8e-client-batch-42"
    client.post(reverse("monitoring:lines"), {"year": "2026", "amount": "8100"}, headers={"X-Request-Id": sent})
    assert ChangeRecord.objects.get(object_type="monitoringline").request_id == sent
