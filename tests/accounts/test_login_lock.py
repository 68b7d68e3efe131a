"""Login: a wrong password says so in Chinese; repeated failures lock the username for a while."""

import pytest
from django.core.cache import cache
from django.urls import reverse


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, username, password):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def test_wrong_password_is_named(client, tuanjie_cadre):
    response = _login(client, "tuanjie_cadre", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_locks_after_repeated_failures_even_with_the_right_password(client, tuanjie_cadre, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, "tuanjie_cadre", "wrong-password")
    response = _login(client, "tuanjie_cadre", "pw-for-tests-1")
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_success_clears_the_failures(client, tuanjie_cadre, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(2):
        _login(client, "tuanjie_cadre", "wrong-password")
    assert _login(client, "tuanjie_cadre", "pw-for-tests-1").status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "tuanjie_cadre", "wrong-password")
    assert _login(client, "tuanjie_cadre", "pw-for-tests-1").status_code == 302
