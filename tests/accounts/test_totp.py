"""The optional second login step for administrators (TOTP, RFC 6238): set up with a first code, asked for after
the password (no page before it), each code once, ±1 step, wrong codes throttled and logged, turned off with the
password, reset by another administrator (audited); nobody else reaches the pages."""

import datetime as dt

import pyotp
import pytest
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.accounts.services import totp_enable
from bangfu.accounts.totp import totp_matching_step, totp_secret_open
from bangfu.accounts.views import TOTP_SETUP_KEY
from bangfu.audit.models import ChangeRecord, SecurityEvent
from tests.accounts.conftest import SONGPAN
from tests.conftest import COUNTY, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # tests.conftest.make_user's
# The codes' clock stands still in the middle of a 30-second step, so a step boundary passing during a test
# cannot shift which codes count.
NOW = dt.datetime(2026, 11, 29, 9, 0, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _codes_clock(monkeypatch):
    monkeypatch.setattr("bangfu.accounts.totp._now", lambda: NOW)


def _code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(NOW) + offset)


def _with_totp(user: User) -> str:
    """Turn the second step on for the user (as the setup page does, confirmed with the previous step's code)."""
    secret = pyotp.random_base32()
    totp_enable(actor=user, secret=secret, code=_code(secret, -1))
    return secret


def _password_step(client, username, **extra):
    return client.post(reverse("web:login"), {"username": username, "password": PASSWORD, **extra})


def test_setup_shows_secret_uri_and_qr_then_a_first_code_enables_it(client, county_admin):
    client.force_login(county_admin)
    page = client.get(reverse("accounts:totp_setup"))
    assert page.status_code == 200
    secret = totp_secret_open(client.session[TOTP_SETUP_KEY])  # kept encrypted in the session meanwhile
    content = page.content.decode()
    assert "<svg" in content and "<script" not in content.split("<svg")[1].split("</svg>")[0]
    assert f"otpauth://totp/bangfu:county_admin?secret={secret}" in content.replace("%3A", ":")
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in content

    wrong = client.post(reverse("accounts:totp_setup"), {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert not User.objects.get(pk=county_admin.pk).totp_enabled

    done = client.post(reverse("accounts:totp_setup"), {"code": _code(secret)})
    assert done.status_code == 302
    stored = User.objects.get(pk=county_admin.pk)
    assert stored.totp_secret.startswith("v1:") and secret not in stored.totp_secret  # encrypted at rest
    assert totp_secret_open(stored.totp_secret) == secret
    record = ChangeRecord.objects.filter(object_type="user", object_id=str(county_admin.pk)).first()
    assert record.reason == "启用动态验证码" and record.after == {"totp_secret": "（已启用）"}
    again = client.get(reverse("accounts:totp_setup")).content.decode()
    assert "已启用动态验证码" in again and secret not in again and "otpauth" not in again  # never shown again


def test_login_asks_for_the_code_and_nothing_opens_before_it(client, county_admin):
    secret = _with_totp(county_admin)
    response = _password_step(client, "county_admin", next="/households/")
    assert response.status_code == 302 and response["Location"] == reverse("web:login_totp")
    assert "_auth_user_id" not in client.session  # half-way: not logged in
    assert client.get(reverse("web:home")).status_code == 302
    assert client.get(reverse("accounts:user_list"))["Location"].startswith(reverse("web:login"))
    assert client.get(reverse("api:household_list")).status_code == 401
    form = client.get(reverse("web:login_totp"))
    assert form.status_code == 200 and "动态验证码" in form.content.decode()

    wrong = client.post(reverse("web:login_totp"), {"code": "12345"})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    done = client.post(reverse("web:login_totp"), {"code": _code(secret, 1)})  # the next step: within ±1
    assert done.status_code == 302 and done["Location"] == "/households/"
    assert client.session["_auth_user_id"] == str(county_admin.pk)
    assert client.get(reverse("web:home")).status_code == 200


def test_without_totp_the_password_alone_logs_in(client, county_admin, tuanjie_cadre):
    response = _password_step(client, "tuanjie_cadre")
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    assert client.session["_auth_user_id"] == str(tuanjie_cadre.pk)


def test_the_code_step_without_the_password_step_sends_to_login(client, county_admin):
    _with_totp(county_admin)
    response = client.get(reverse("web:login_totp"))
    assert response.status_code == 302 and response["Location"] == reverse("web:login")


def test_a_code_is_used_once(client, county_admin):
    secret = _with_totp(county_admin)  # used the previous step
    code = _code(secret)
    _password_step(client, "county_admin")
    assert client.post(reverse("web:login_totp"), {"code": code}).status_code == 302
    client.logout()
    _password_step(client, "county_admin")
    replay = client.post(reverse("web:login_totp"), {"code": code})
    assert replay.status_code == 400 and "该验证码已使用过" in replay.content.decode()
    assert "_auth_user_id" not in client.session
    event = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOTP_FAILED).get()
    assert event.actor == county_admin and "重放" in event.detail
    # The setup's own code is used up as well.
    assert totp_matching_step(secret, _code(secret, -1), after_step=User.objects.get(pk=county_admin.pk)
                              .totp_last_step) is None


def test_the_window_is_one_step_either_side():
    secret = pyotp.random_base32()
    totp, at = pyotp.TOTP(secret), dt.datetime(2026, 11, 29, 9, 0, 10, tzinfo=dt.UTC)
    step = totp.timecode(at)
    for offset in (-1, 0, 1):
        assert totp_matching_step(secret, totp.generate_otp(step + offset), at=at) == step + offset
    for offset in (-3, -2, 2, 3):
        code = totp.generate_otp(step + offset)
        if code not in {totp.generate_otp(step + o) for o in (-1, 0, 1)}:
            assert totp_matching_step(secret, code, at=at) is None
    assert totp_matching_step(secret, totp.generate_otp(step), at=at, after_step=step) is None


def test_wrong_codes_are_throttled_and_shown_on_the_audit_page(client, county_admin, settings):
    settings.LOGIN_MAX_FAILURES = 3
    secret = _with_totp(county_admin)
    _password_step(client, "county_admin")
    wrong = "000000" if _code(secret) != "000000" else "999999"
    for _ in range(3):
        assert "验证码不正确" in client.post(reverse("web:login_totp"), {"code": wrong}).content.decode()
    locked = client.post(reverse("web:login_totp"), {"code": _code(secret)})  # even the right code now
    assert "错误次数过多" in locked.content.decode() and "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOTP_FAILED, actor=county_admin).count() == 3
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.LOGIN_LOCKED, actor=county_admin).count() == 1

    auditor = make_user("auditor1", "auditor", COUNTY)
    client.force_login(auditor)
    page = client.get(reverse("web:audit_log"), {"view": "security"}).content.decode()
    assert "动态验证码错误" in page and "county_admin" in page


def test_disable_needs_the_password(client, county_admin):
    _with_totp(county_admin)
    client.force_login(county_admin)
    refused = client.post(reverse("accounts:totp_disable"), {"password": "not-the-password"})
    assert refused.status_code == 400 and "密码不正确" in refused.content.decode()
    assert User.objects.get(pk=county_admin.pk).totp_enabled
    done = client.post(reverse("accounts:totp_disable"), {"password": PASSWORD})
    assert done.status_code == 302
    assert not User.objects.get(pk=county_admin.pk).totp_enabled
    assert ChangeRecord.objects.filter(object_type="user", reason="停用动态验证码").exists()
    client.logout()
    assert _password_step(client, "county_admin")["Location"] == reverse("web:home")


def test_an_administrator_resets_another_accounts_totp_audited(client, county_admin):
    other = make_user("admin2", "county_admin", COUNTY)
    _with_totp(other)
    client.force_login(county_admin)
    edit = client.get(reverse("accounts:user_edit", args=[other.pk])).content.decode()
    assert reverse("accounts:user_totp_reset", args=[other.pk]) in edit
    assert client.get(reverse("accounts:user_totp_reset", args=[other.pk])).status_code == 200
    response = client.post(reverse("accounts:user_totp_reset", args=[other.pk]))
    assert response.status_code == 302
    assert not User.objects.get(pk=other.pk).totp_enabled
    record = ChangeRecord.objects.filter(object_type="user", object_id=str(other.pk)).first()
    assert record.actor == county_admin and record.reason == "管理员重置动态验证码"
    client.logout()
    assert _password_step(client, "admin2")["Location"] == reverse("web:home")


def test_reset_of_another_county_account_is_404(client, county_admin, songpan):
    outsider = make_user("songpan_admin2", "county_admin", SONGPAN)
    _with_totp(outsider)
    client.force_login(county_admin)
    for method in (client.get, client.post):
        assert method(reverse("accounts:user_totp_reset", args=[outsider.pk])).status_code == 404
    assert User.objects.get(pk=outsider.pk).totp_enabled
    own = make_user("admin3", "county_admin", COUNTY)  # the control: the same request on an own account works
    _with_totp(own)
    assert client.post(reverse("accounts:user_totp_reset", args=[own.pk])).status_code == 302


def test_only_administrators_reach_the_totp_pages(client, county_admin, tuanjie_cadre, shuanghe_reviewer):
    for user in (tuanjie_cadre, shuanghe_reviewer):
        client.force_login(user)
        assert client.get(reverse("accounts:totp_setup")).status_code == 403
        assert client.post(reverse("accounts:totp_setup"), {"code": "123456"}).status_code == 403
        assert client.post(reverse("accounts:totp_disable"), {"password": PASSWORD}).status_code == 403
    assert not User.objects.filter(totp_secret__gt="").exists()
    client.force_login(county_admin)  # the control
    assert client.get(reverse("accounts:totp_setup")).status_code == 200


def test_the_totp_pages_in_english(client, county_admin, settings):
    from tests.web.test_english import _assert_english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(county_admin)
    url = reverse("accounts:totp_setup")
    _assert_english(client.get(url).content.decode(), url, "Authenticator code (second login step)", "Turn on")
    secret = _with_totp(county_admin)
    _assert_english(client.get(url).content.decode(), url, "Turn off the authenticator code", "Current password")
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _password_step(client, "county_admin")
    code_url = reverse("web:login_totp")
    _assert_english(client.get(code_url).content.decode(), code_url, "uses an authenticator code")
    wrong = client.post(code_url, {"code": "000000" if _code(secret) != "000000" else "111111"})
    _assert_english(wrong.content.decode(), code_url, "Wrong code")
