"""API tokens: made by an administrator of the user's region (or the command line), shown once and kept as a
hash, each with a scope and an expiry; a token acts as its user within its scope; revoked, expired or unknown
tokens are refused in Chinese; every call with a token is recorded."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from bangfu.accounts.models import ApiToken
from bangfu.accounts.tokens import api_token_create, api_token_revoke, token_digest
from bangfu.audit.models import ApiCall, ChangeRecord
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE, make_user

pytestmark = pytest.mark.django_db

WARNINGS = "/api/v1/warnings"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clerk(regions):
    return make_user("yibao_clerk", "department_operator", "513225000000")


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_token_is_shown_once_and_only_its_hash_is_kept(county_admin, tuanjie_cadre):
    token, raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=90, name="村级脚本")
    assert raw.startswith("bf_") and len(raw) > 40
    assert token.digest == token_digest(raw) and raw not in token.digest
    assert token.prefix == raw[:10]
    record = ChangeRecord.objects.get(object_type="apitoken", object_id=str(token.pk))
    assert record.actor == county_admin and raw not in str(record.after) and "digest" not in record.after


@pytest.mark.parametrize(("days", "accepted"), [(0, False), (1, True), (365, True), (366, False)])
def test_expiry_days_within_the_configured_maximum(county_admin, tuanjie_cadre, settings, days, accepted):
    settings.API_TOKEN_MAX_DAYS = 365
    if accepted:
        token, _raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=days)
        assert (token.expires_at - timezone.now()).days in (days - 1, days)
    else:
        with pytest.raises(ValidationError) as error:
            api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=days)
        assert "有效天数须为 1 到 365" in str(error.value.message_dict["days"])


def test_a_scope_the_role_cannot_use_is_refused(county_admin, clerk, tuanjie_cadre):
    with pytest.raises(ValidationError) as error:
        api_token_create(actor=county_admin, user=clerk, scopes=["read"], days=30)
    assert "不能查询预警、线索、案件和台账" in error.value.message_dict["scopes"][0]
    with pytest.raises(ValidationError):
        api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["feeds"], days=30)
    # control: each role gets the scope its pages allow
    api_token_create(actor=county_admin, user=clerk, scopes=["feeds"], days=30)
    api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=30)


def test_only_an_administrator_of_the_users_region_manages_its_tokens(county_admin, tuanjie_cadre, zhangzha_cadre,
                                                                      shuanghe_reviewer):
    with pytest.raises(PermissionDenied):  # a reviewer cannot manage accounts
        api_token_create(actor=shuanghe_reviewer, user=tuanjie_cadre, scopes=["read"], days=30)
    regions_load_file_other_county()
    other_admin = make_user("songpan_admin", "county_admin", "513224000000")
    with pytest.raises(PermissionDenied):
        api_token_create(actor=other_admin, user=tuanjie_cadre, scopes=["read"], days=30)
    token, _raw = api_token_create(actor=county_admin, user=zhangzha_cadre, scopes=["read"], days=30)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=other_admin, token=token)
    api_token_revoke(actor=county_admin, token=token)  # control


def regions_load_file_other_county():
    """松潘县, beside 九寨沟县."""
    from bangfu.regions.models import Region

    Region.objects.get_or_create(code="513224000000", defaults={"name": "松潘县", "level": "county"})


def test_a_token_acts_as_its_user_within_its_jurisdiction(client, county_admin, tuanjie_cadre, make_household):
    from bangfu.monitoring.models import RiskWarning, Rule

    ours, theirs = make_household(TUANJIE), make_household(ZHANGZHA_VILLAGE)
    rule = Rule.objects.filter(is_exclusion=False).first()
    now = timezone.now()
    for household in (ours, theirs):
        RiskWarning.objects.create(household=household, village_id=household.village_id, rule=rule,
                                   evidence="测试证据", created_at=now, updated_at=now)
    _token, raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=30)
    body = client.get(WARNINGS, **_bearer(raw)).json()
    assert body["count"] == 1 and body["results"][0]["household_number"] == ours.number
    assert RiskWarning.objects.count() == 2  # the other village's warning exists, but not for this token
    _token, admin_raw = api_token_create(actor=county_admin, user=county_admin, scopes=["read"], days=30)
    assert client.get(WARNINGS, **_bearer(admin_raw)).json()["count"] == 2  # control


def test_a_token_without_the_scope_is_refused_in_chinese(client, county_admin, clerk):
    _token, raw = api_token_create(actor=county_admin, user=county_admin, scopes=["feeds"], days=30)
    response = client.get(WARNINGS, **_bearer(raw))
    assert response.status_code == 403
    assert response.json()["detail"] == "该令牌的权限范围（上报部门数据）不包括“查询预警、线索、案件和台账”"
    _token, both = api_token_create(actor=county_admin, user=county_admin, scopes=["feeds", "read"], days=30)
    assert client.get(WARNINGS, **_bearer(both)).status_code == 200  # control


def test_revoked_expired_unknown_and_disabled_are_refused(client, county_admin, tuanjie_cadre):
    token, raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=30)
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 200  # control
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(seconds=30))
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 200  # a moment before expiry: still good
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.get(WARNINGS, **_bearer(raw))
    assert expired.status_code == 401 and expired.json()["detail"] == "未登录，或接口令牌无效、已过期或已吊销"

    token, raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=30)
    api_token_revoke(actor=county_admin, token=token)
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 401
    with pytest.raises(ValidationError):
        api_token_revoke(actor=county_admin, token=token)  # twice

    assert client.get(WARNINGS, **_bearer(raw[:-1] + ("A" if raw[-1] != "A" else "B"))).status_code == 401

    _token, raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=30)
    tuanjie_cadre.is_active = False
    tuanjie_cadre.save(update_fields=["is_active"])
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 401


def test_every_call_with_a_token_is_recorded(client, county_admin, tuanjie_cadre):
    token, raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=30)
    client.get(WARNINGS + "?state=all", **_bearer(raw))
    client.get(WARNINGS, **_bearer("bf_nonsense"))
    client.get(WARNINGS)  # no token: a browser without a session, not an API client
    calls = list(ApiCall.objects.order_by("id"))
    assert [(c.token_id, c.actor_id, c.status, c.path) for c in calls] == [
        (token.pk, tuanjie_cadre.pk, 200, WARNINGS + "?state=all"), (None, None, 401, WARNINGS)]
    assert calls[0].region_code == TUANJIE and calls[1].token_prefix == "bf_nonsens"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_command_prints_a_token_that_works_and_revokes_it(client, county_admin, clerk):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "--user", county_admin.username, "--scope", "read", "--days", "90",
                 "--name", "脚本", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("bf_") and "只显示这一次" in err.getvalue()
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 200
    listed = io.StringIO()
    call_command("token", "list", stdout=listed)
    assert raw[:10] in listed.getvalue() and "有效" in listed.getvalue() and raw not in listed.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="至少给出 6 个字符"):
        call_command("token", "revoke", raw[:5], stdout=io.StringIO())  # too short to name one token
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 200
    call_command("token", "revoke", raw, stdout=io.StringIO())  # the whole token, pasted from where it is kept
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 401


def test_the_command_revokes_by_the_listed_prefix(client, county_admin):
    out = io.StringIO()
    call_command("token", "create", "--user", county_admin.username, "--scope", "read", "--days", "9",
                 stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    call_command("token", "revoke", raw[:10], stdout=io.StringIO())
    assert client.get(WARNINGS, **_bearer(raw)).status_code == 401


def test_the_command_refuses_a_scope_the_role_cannot_use(clerk):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未创建令牌"):
        call_command("token", "create", "--user", clerk.username, "--scope", "read", "--days", "90",
                     stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="权限范围须为"):
        call_command("token", "create", "--user", clerk.username, "--scope", "write", "--days", "90",
                     stdout=io.StringIO(), stderr=io.StringIO())


def test_the_token_page_shows_the_token_once_and_revokes(client, county_admin, tuanjie_cadre):
    client.force_login(county_admin)
    url = f"/accounts/{tuanjie_cadre.pk}/tokens/"
    assert "该用户还没有接口令牌" in client.get(url).content.decode()
    page = client.post(url, {"name": "村级脚本", "scopes": ["read"], "days": "30"})
    text = page.content.decode()
    token = ApiToken.objects.get(user=tuanjie_cadre)
    raw = text.split('id="new-token">')[1].split("<")[0]
    assert token.digest == token_digest(raw) and page["Cache-Control"] == "no-store"
    assert raw not in client.get(url).content.decode()  # never again
    bad = client.post(url, {"scopes": ["read"], "days": "0"}).content.decode()
    assert "有效天数" in bad and ApiToken.objects.count() == 1
    client.post(f"{url}{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_write_with_a_revoked_token_is_refused_as_such_not_as_a_csrf_failure(county_admin, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a department system calls: no cookie, no CSRF token
    token, raw = api_token_create(actor=county_admin, user=clerk, scopes=["feeds"], days=30)
    url = "/api/v1/feeds/medical?period=2026-10"
    empty = SimpleUploadedFile("m.xlsx", b"", content_type="application/octet-stream")
    assert client.post(url, {"file": empty}, **_bearer(raw)).status_code != 401  # control: the token is let in
    api_token_revoke(actor=county_admin, token=token)
    refused = client.post(url, {"file": empty}, **_bearer(raw))
    assert refused.status_code == 401 and refused.json()["detail"] == "未登录，或接口令牌无效、已过期或已吊销"
