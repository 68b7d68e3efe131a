"""The home page's other queues (overdue warnings, new leads with the self-reports, measures due) reach whoever
must act, each counted by the filter of the list its heading links to, and scoped by the jurisdiction door."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.cases.models import Measure, MeasureCategory
from bangfu.cases.quality import Context, r_no_measure
from bangfu.cases.services import workflow_settings
from bangfu.monitoring.models import Lead, RiskWarning, Rule
from bangfu.registry.models import Household
from tests.conftest import ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


def _home_count(html: str, key: str) -> int | None:
    found = re.search(rf'data-queue="{key}".*?class="queue-count">(\d+)<', html, re.S)
    return int(found.group(1)) if found else None


def _list_count(client, url: str) -> int:
    html = client.get(url).content.decode()
    found = re.search(r"共 (\d+) 条", html)
    return int(found.group(1)) if found else 0


def _queue_url(html: str, key: str) -> str:
    found = re.search(rf'data-queue="{key}">\s*<h3><a href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&")


def _warning(household, *, age: dt.timedelta, code="unsafe_housing") -> RiskWarning:
    at = timezone.now() - age
    return RiskWarning.objects.create(household=household, village_id=household.village_id,
                                      rule=Rule.objects.get(code=code), evidence="房屋鉴定为C级危房",
                                      created_at=at, updated_at=at)


def test_overdue_warnings_counted_like_the_list_on_both_sides_of_the_limit(client, make_household, tuanjie_cadre,
                                                                           shuanghe_reviewer, county_admin,
                                                                           zhangzha_cadre):
    days = Rule.objects.get(code="unsafe_housing").verify_days
    late = _warning(make_household(head_name="逾期户"), age=dt.timedelta(days=days, minutes=1))
    _warning(make_household(head_name="未逾期户"), age=dt.timedelta(days=days) - dt.timedelta(minutes=1))
    _warning(make_household(ZHANGZHA_VILLAGE, head_name="外村户"), age=dt.timedelta(days=days + 5))
    for user, expected in ((tuanjie_cadre, 1), (shuanghe_reviewer, 1), (county_admin, 2), (zhangzha_cadre, 1)):
        client.force_login(user)
        home = client.get(reverse("web:home")).content.decode()
        url = _queue_url(home, "warnings")
        assert url == reverse("monitoring:warning_list") + "?overdue=on"
        assert _home_count(home, "warnings") == _list_count(client, url) == expected, user.username
        # and the list marks as late exactly the rows it counts (warning_is_overdue per row, the filter in SQL)
        listed = client.get(reverse("monitoring:warning_list"), {"state": "open"}).content.decode()
        assert listed.count(f'<span class="badge warn">{"逾期"}</span>') == expected, user.username
    client.force_login(tuanjie_cadre)
    home = client.get(reverse("web:home")).content.decode()
    overdue = home[home.index('data-queue="warnings"'):home.index('data-queue="follow"')]
    assert "逾期户" in overdue and "未逾期户" not in overdue and "外村户" not in home
    assert reverse("monitoring:warning_detail", args=[late.pk]) in overdue
    assert "未逾期户" in home[home.index('data-queue="verify"'):home.index('data-queue="warnings"')]


def _identified(household, month: str) -> Household:
    Household.objects.filter(pk=household.pk).update(monitoring_type="marginal", monitoring_status="risk_open",
                                                     identified_month=month)
    household.refresh_from_db()
    return household


def test_measures_due_counted_like_the_household_list_and_the_quality_rule(client, make_household, tuanjie_cadre,
                                                                            county_admin, defaults, today):
    days = workflow_settings().measure_due_days  # 30: a household identified in April is due on 1 May
    today.set(dt.date(2026, 5, 1))
    due_today = _identified(make_household(head_name="今天到期户"), "202604")
    older = _identified(make_household(head_name="三月户"), "202603")
    helped = _identified(make_household(head_name="有措施户"), "202603")
    Measure.objects.create(household=helped, category=MeasureCategory.objects.first(), description="家庭医生签约",
                           start_on=today.day, responsible="卫生院", status="in_progress", created_by=county_admin)
    stopped = _identified(make_household(head_name="措施已停户"), "202603")
    Measure.objects.create(household=stopped, category=MeasureCategory.objects.first(), description="临时救助",
                           start_on=today.day, responsible="民政", status="stopped", created_by=county_admin)
    assert days == 30

    def quality(h):
        return bool(r_no_measure(h, Context(today=today.day, settings=workflow_settings(), lines={})))

    client.force_login(tuanjie_cadre)
    home = client.get(reverse("web:home")).content.decode()
    url = _queue_url(home, "measures")
    assert url == reverse("registry:household_list") + "?measure_due=on"
    assert _home_count(home, "measures") == _list_count(client, url) == 2  # 三月户 and 措施已停户
    assert [quality(h) for h in (due_today, older, helped, stopped)] == [False, True, False, True]

    today.forward(1)  # 2 May: the April household is late now, by every reader
    home = client.get(reverse("web:home")).content.decode()
    assert _home_count(home, "measures") == _list_count(client, url) == 3
    assert quality(due_today)


def test_new_leads_and_self_reports_reach_the_village_township_and_county(client, make_household, regions,
                                                                          tuanjie_cadre, shuanghe_reviewer,
                                                                          county_admin, zhangzha_cadre, leader,
                                                                          defaults, today):
    household = make_household()
    Lead.objects.create(source="cadre_visit", village_id=household.village_id, household=household,
                        risk_type="medical", difficulty="走访发现大病住院")
    Lead.objects.create(source="self_report", village=regions["513225103213"], risk_type="medical",
                        difficulty="老伴住院花钱多", reporter_name="王大妈")
    Lead.objects.create(source="self_report", village=regions["513225103213"], risk_type="medical",
                        difficulty="已关闭的申报", reporter_name="李大爷", state="closed")
    for user, expected in ((tuanjie_cadre, 2), (shuanghe_reviewer, 2), (county_admin, 2), (zhangzha_cadre, 0)):
        client.force_login(user)
        home = client.get(reverse("web:home")).content.decode()
        url = _queue_url(home, "leads")
        assert _home_count(home, "leads") == _list_count(client, url) == expected, user.username
        assert ("王大妈" in home) == bool(expected) and "李大爷" not in home
    client.force_login(leader)  # reads, does not act: no queue of things to do
    assert _home_count(client.get(reverse("web:home")).content.decode(), "leads") is None


def test_new_warnings_reach_the_village_home_not_only_overdue_ones(client, make_household, tuanjie_cadre,
                                                                   zhangzha_cadre):
    """A warning raised an hour ago is on the cadre's home (待入户核实的预警), counted by the list's own filter;
    the other village's cadre sees none of it (the control)."""
    _warning(make_household(head_name="新预警户"), age=dt.timedelta(hours=1))
    client.force_login(tuanjie_cadre)
    home = client.get(reverse("web:home")).content.decode()
    url = _queue_url(home, "verify")
    assert url == reverse("monitoring:warning_list") + "?state=open&kind=verify"
    assert _home_count(home, "verify") == _list_count(client, url) == 1
    assert "新预警户" in home and _home_count(home, "warnings") == 0  # not overdue
    client.force_login(zhangzha_cadre)
    home = client.get(reverse("web:home")).content.decode()
    assert _home_count(home, "verify") == 0 and "新预警户" not in home
