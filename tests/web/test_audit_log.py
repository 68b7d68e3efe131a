"""The audit pages: changes and reveals/exports, filtered, and only within the reader's jurisdiction."""

import datetime as dt

import pytest
from django.urls import reverse

from bangfu.audit.models import RevealRecord
from bangfu.registry.services import household_update, member_reveal_id_number
from tests.conftest import TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE, make_user


@pytest.fixture
def activity(make_household, county_admin, shuanghe_reviewer):
    tuanjie = make_household(TUANJIE, number="8800000028", head_name="团结户主")
    zhangzha = make_household(ZHANGZHA_VILLAGE, number="8800000032", head_name="远方户主")
    household_update(actor=shuanghe_reviewer, household=tuanjie, data={"group": "3组"})
    household_update(actor=county_admin, household=zhangzha, data={"group": "5组"})
    member_reveal_id_number(actor=shuanghe_reviewer, member=tuanjie.members.get())
    member_reveal_id_number(actor=county_admin, member=zhangzha.members.get())
    return {"tuanjie": tuanjie, "zhangzha": zhangzha}


def _page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("web:audit_log"), params)
    assert response.status_code == 200
    return response


def test_reveals_tab_lists_who_saw_what_in_scope(client, activity, regions):
    auditor = make_user("zz_auditor", "auditor", ZHANGZHA_TOWN)
    records = list(_page(client, auditor, view="reveals").context["page"].object_list)
    assert [(r.actor.username, r.household_id) for r in records] == [("county_admin", activity["zhangzha"].pk)]
    assert all(isinstance(r, RevealRecord) for r in records)


def test_changes_are_filtered_by_actor_and_action(client, activity, county_admin):
    records = _page(client, county_admin, actor="shuanghe", action="update").context["page"].object_list
    assert [(r.actor.username, r.action, r.household_id) for r in records] == [
        ("shuanghe_reviewer", "update", activity["tuanjie"].pk)]


def test_changes_are_filtered_by_date(client, activity, county_admin):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert not _page(client, county_admin, date_from=tomorrow.isoformat()).context["page"].object_list
    assert _page(client, county_admin, date_to=tomorrow.isoformat()).context["page"].object_list


def test_a_bad_date_is_named_not_a_crash(client, activity, county_admin):
    response = _page(client, county_admin, date_from="2026-13-45")
    assert "日期格式不正确" in response.content.decode()


def test_export_is_listed_with_its_kind(client, county_admin, regions, django_capture_on_commit_callbacks):
    from bangfu.registry.exports import household_ledger_export_start
    from bangfu.registry.selectors import HouseholdFilter

    with django_capture_on_commit_callbacks(execute=True):
        household_ledger_export_start(actor=county_admin, flt=HouseholdFilter())
    page = _page(client, county_admin, view="reveals").content.decode()
    assert "导出台账（脱敏）" in page
