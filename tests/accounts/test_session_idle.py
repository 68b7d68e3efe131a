"""A session ends after BANGFU_SESSION_IDLE_MINUTES without a request; activity keeps it alive."""

import time

from django.urls import reverse

from bangfu.accounts.middleware import SESSION_KEY


def _last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session[SESSION_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_session_ends(client, county_admin, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    client.force_login(county_admin)
    _last_seen(client, 31 * 60)
    response = client.get(reverse("registry:household_list"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "长时间未操作" in page


def test_an_active_session_stays_and_its_clock_moves(client, county_admin, settings):
    settings.SESSION_IDLE_SECONDS = 30 * 60
    client.force_login(county_admin)
    _last_seen(client, 29 * 60)
    assert client.get(reverse("registry:household_list")).status_code == 200
    assert int(time.time()) - client.session[SESSION_KEY] < 5
    _last_seen(client, 29 * 60)
    assert client.get(reverse("registry:household_list")).status_code == 200


def test_the_api_ends_an_idle_session_too(client, county_admin, settings):
    settings.SESSION_IDLE_SECONDS = 60
    client.force_login(county_admin)
    _last_seen(client, 120)
    assert client.get(reverse("api:household_list")).status_code == 401
