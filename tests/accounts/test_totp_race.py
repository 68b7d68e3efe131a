"""The same TOTP code sent twice at the same moment (two sessions that both passed the password step) logs in
once: the code's time step is used up atomically (issue 15: removing that guard went unnoticed, because the
replay test sends the code twice one after the other). Real threads, each with its own database connection, on
whichever database the suite uses; both requests are held at the point where each has checked the code and neither
has used it up yet, so the race happens on every run rather than by chance."""

import datetime as dt
import threading

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from bangfu.accounts import services as account_services
from bangfu.accounts.services import totp_enable

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-for-tests-1"
NOW = dt.datetime(2026, 11, 29, 9, 0, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _codes_clock(monkeypatch):
    monkeypatch.setattr("bangfu.accounts.totp._now", lambda: NOW)


def _code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(NOW) + offset)


@pytest.fixture
def both_checked(monkeypatch):
    """Hold each request after its code check until both have checked (or a few seconds have passed)."""
    barrier = threading.Barrier(2)
    real = account_services.totp_matching_step

    def checked(secret, code, *, after_step=0, at=None):
        step = real(secret, code, after_step=after_step, at=at)
        if after_step:  # the login check (the replay lookup after it passes no after_step)
            try:
                barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                pass
        return step

    monkeypatch.setattr(account_services, "totp_matching_step", checked)


def _race(clients, code) -> list[int]:
    codes: list[int] = []
    start = threading.Barrier(len(clients))

    def post(client):
        try:
            start.wait(timeout=10)
            codes.append(client.post(reverse("web:login_totp"), {"code": code}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return codes


def _after_password(username) -> Client:
    client = Client()
    response = client.post(reverse("web:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("web:login_totp")
    return client


def test_one_code_sent_twice_at_once_logs_in_once(county_admin, both_checked):
    secret = pyotp.random_base32()
    totp_enable(actor=county_admin, secret=secret, code=_code(secret, -1))
    clients = [_after_password("county_admin"), _after_password("county_admin")]
    codes = _race(clients, _code(secret))
    assert sorted(codes) == [302, 400], codes
    logged_in = [client for client in clients if "_auth_user_id" in client.session]
    assert len(logged_in) == 1


def test_control_two_codes_of_two_steps_both_log_in(county_admin):
    """Two different time steps, one after the other: each is a fresh code, both log in."""
    secret = pyotp.random_base32()
    totp_enable(actor=county_admin, secret=secret, code=_code(secret, -1))
    first, second = _after_password("county_admin"), _after_password("county_admin")
    assert first.post(reverse("web:login_totp"), {"code": _code(secret)}).status_code == 302
    assert second.post(reverse("web:login_totp"), {"code": _code(secret, 1)}).status_code == 302
