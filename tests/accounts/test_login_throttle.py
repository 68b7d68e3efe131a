"""Failed logins are counted in the database by account+address and by address, reserved before the password
is checked: parallel guesses cannot pass the limit, a success elsewhere does not reset a guesser's count, a
stranger cannot lock the real user out, and every failure and lock shows on the audit page."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from bangfu.accounts.throttle import throttle_reserve
from bangfu.audit.models import SecurityEvent

RIGHT = "pw-for-tests-1"
STRANGER = "10.9.8.7"


def _login(client, username, password, address="127.0.0.1"):
    return client.post(reverse("web:login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_limit_holds_for_one_account_from_one_address(client, tuanjie_cadre, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert "用户名或密码错误" in _login(client, "tuanjie_cadre", "wrong", STRANGER).content.decode()
    response = _login(client, "tuanjie_cadre", RIGHT, STRANGER)
    assert "登录失败次数过多" in response.content.decode() and "_auth_user_id" not in client.session


def test_a_stranger_cannot_lock_the_real_user_out(client, tuanjie_cadre, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(10):
        _login(client, "tuanjie_cadre", "wrong", STRANGER)
    assert _login(client, "tuanjie_cadre", RIGHT, "127.0.0.1").status_code == 302


def test_a_success_elsewhere_does_not_reset_the_guesser(client, tuanjie_cadre, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        _login(client, "tuanjie_cadre", "wrong", STRANGER)
    assert _login(client, "tuanjie_cadre", RIGHT, "127.0.0.1").status_code == 302
    client.logout()
    _login(client, "tuanjie_cadre", "wrong", STRANGER)
    assert "登录失败次数过多" in _login(client, "tuanjie_cadre", RIGHT, STRANGER).content.decode()


def test_one_address_guessing_many_accounts_is_stopped(client, tuanjie_cadre, zhangzha_cadre, settings):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 4
    for name in ("a1", "a2", "a3", "a4"):
        _login(client, name, "wrong", STRANGER)
    assert "登录失败次数过多" in _login(client, "zhangzha_cadre", RIGHT, STRANGER).content.decode()
    assert _login(client, "zhangzha_cadre", RIGHT, "127.0.0.1").status_code == 302


def test_failures_and_locks_are_on_the_audit_page(client, county_admin, tuanjie_cadre, settings):
    settings.LOGIN_MAX_FAILURES = 2
    for _ in range(3):
        _login(client, "tuanjie_cadre", "wrong", STRANGER)
    _login(client, "513225198001010012", "wrong", STRANGER)  # an ID number typed as the username
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["login_failed", "login_failed", "login_locked", "login_failed"]
    assert not SecurityEvent.objects.filter(username__contains="198001010012").exists()
    client.force_login(county_admin)
    page = client.get(reverse("web:audit_log"), {"view": "security"}).content.decode()
    assert page.count("登录失败") >= 3 and "登录已锁定" in page and STRANGER in page and "tuanjie_cadre" in page


def test_a_township_reader_does_not_see_unknown_usernames(tuanjie_cadre, county_admin, client):
    from bangfu.audit.selectors import security_events_visible_to
    from bangfu.audit.services import security_event_record

    security_event_record(kind="login_failed", username="nobody", address=STRANGER, region_code="")
    security_event_record(kind="login_failed", actor=tuanjie_cadre, username="tuanjie_cadre", address=STRANGER)
    assert security_events_visible_to(county_admin).count() == 2
    assert list(security_events_visible_to(tuanjie_cadre).values_list("username", flat=True)) == ["tuanjie_cadre"]


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_cannot_pass_the_limit():
    import datetime as dt

    granted = []
    barrier = threading.Barrier(12)

    def attempt():
        try:
            barrier.wait()
            reservation = throttle_reserve("login:parallel|1.2.3.4", limit=5, window=dt.timedelta(minutes=15))
            granted.append(reservation.granted)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 12 and granted.count(True) == 5
