"""One log line per refusal, no traceback; and a security event when one account is refused more than
BANGFU_REFUSALS_PER_HOUR times in an hour (the login and duplicate-check mechanism, accounts.throttle)."""

import logging

import pytest
from django.urls import reverse

from bangfu.audit.models import SecurityEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _refusal_lines(caplog):
    return [r for r in caplog.records if r.name == "bangfu.refusals"]


def test_a_refused_page_is_one_line_without_a_traceback(client, tuanjie_cadre, caplog):
    client.force_login(tuanjie_cadre)
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 403
    lines = _refusal_lines(caplog)
    assert len(lines) == 1
    assert lines[0].getMessage().startswith("refused 403 GET /accounts/ user=tuanjie_cadre reason=")
    assert all(r.exc_info is None for r in caplog.records)  # no traceback anywhere
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_a_refused_api_call_is_one_line_with_its_reason(client, regions, caplog):
    nobody = make_user("no_role", "", None)
    client.force_login(nobody)
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/households/")
    assert response.status_code == 403
    lines = _refusal_lines(caplog)
    assert len(lines) == 1 and "user=no_role" in lines[0].getMessage()
    assert "您的角色不能查看农户档案" in lines[0].getMessage()


def test_an_allowed_page_logs_no_refusal(client, county_admin, caplog):
    client.force_login(county_admin)
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("accounts:user_list")).status_code == 200
    assert _refusal_lines(caplog) == []


def test_more_refusals_than_the_threshold_in_an_hour_raise_one_security_event(client, tuanjie_cadre, zhangzha_cadre,
                                                                             county_admin, settings):
    settings.REFUSALS_PER_HOUR = 3
    client.force_login(tuanjie_cadre)
    for _ in range(3):
        assert client.get(reverse("accounts:user_list")).status_code == 403
    assert not SecurityEvent.objects.filter(kind="refusals").exists()  # at the threshold: none yet
    assert client.get(reverse("accounts:user_list")).status_code == 403
    events = SecurityEvent.objects.filter(kind="refusals")
    assert [(e.actor, e.region_code) for e in events] == [(tuanjie_cadre, tuanjie_cadre.region_id)]
    for _ in range(5):  # one event an hour, not one a refusal
        client.get(reverse("accounts:user_list"))
    assert SecurityEvent.objects.filter(kind="refusals").count() == 1
    # The control: another account's refusals are its own.
    client.force_login(zhangzha_cadre)
    for _ in range(3):
        client.get(reverse("accounts:user_list"))
    assert SecurityEvent.objects.filter(kind="refusals", actor=zhangzha_cadre).count() == 0
    # The security officer sees it on the audit page.
    client.force_login(county_admin)
    page = client.get(reverse("web:audit_log"), {"view": "security"}).content.decode()
    assert "频繁被拒绝访问" in page
