"""On a phone (390 px): the county administrator links 何磊 (成都大学's first secretary in 团结村) to the `cadre`
account from 用户管理; the cadre signs in, checks in elsewhere (kept, not counted) and from their village (counted),
asks two days' leave; the 双河镇 reviewer approves it in 请假审批."""

import datetime as dt

import pytest
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assistance.models import Cadre, CheckIn, LeaveRequest

from .conftest import login

pytestmark = pytest.mark.browser

TUANJIE, SONGBAI = "513225103213", "513225103212"


def _phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, "the page fits a phone's width"


def test_a_cadre_checks_in_and_the_township_approves_their_leave(browser, live_server, demo_county, artifacts):
    cadre = Cadre.objects.get(unit__name="成都大学", name="何磊")
    Cadre.objects.filter(pk=cadre.pk).update(user=None)  # the demo links it; here the county does
    today = timezone.localdate()

    # The county administrator links the cadre record to the account, from the account's page.
    context, page = _phone(browser)
    login(page, live_server.url, "admin")
    account = User.objects.get(username="cadre")
    page.goto(f"{live_server.url}/accounts/{account.pk}/edit/")
    page.click(".account-cadres a:has-text('何磊')")
    assert page.locator("#id_user").input_value() == str(account.pk)
    page.screenshot(path=str(artifacts / "cadre-link-account-phone.png"), full_page=True)
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已保存")
    assert page.locator("dd:has-text('cadre')").count() >= 1
    _fits(page)
    context.close()
    assert Cadre.objects.get(pk=cadre.pk).user.username == "cadre"

    # The cadre: a check-in elsewhere yesterday is kept and said not to count; today's in 团结村 counts.
    context, page = _phone(browser)
    login(page, live_server.url, "cadre")
    page.wait_for_selector("text=我的驻村")
    assert page.locator(".month-days").first.inner_text() == "0"
    page.click("a:has-text('在其他村签到')")
    page.fill("#id_date", (today - dt.timedelta(days=1)).isoformat())
    page.select_option("#id_village", SONGBAI)
    page.fill("#id_log", "参加双河镇驻村工作例会")
    page.click("button:has-text('签到')")
    page.wait_for_selector("text=不在驻村村，不计入驻村天数")
    assert page.locator(".month-days").first.inner_text() == "0"
    page.fill("textarea[name=log]", "走访监测户3户，核实收入情况")
    page.click("button:has-text('在双河镇团结村签到')")
    page.wait_for_selector("text=今日已签到")
    assert page.locator(".month-days").first.inner_text() == "1"
    assert "没有权限" not in page.content()
    _fits(page)
    page.screenshot(path=str(artifacts / "cadre-home-checked-in-phone.png"), full_page=True)
    assert CheckIn.objects.get(cadre=cadre, date=today).village_id == TUANJIE
    assert CheckIn.objects.get(cadre=cadre, date=today - dt.timedelta(days=1)).village_id == SONGBAI

    # Two days' leave.
    start = today + dt.timedelta(days=3)
    page.click("a:has-text('请假申请')")
    page.fill("#id_start", start.isoformat())
    page.fill("#id_end", (start + dt.timedelta(days=1)).isoformat())
    page.fill("#id_reason", "回成都参加派出单位年度考核")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已提交请假申请")
    page.wait_for_selector("text=待乡镇审批")
    context.close()

    # The township reviewer approves it in its own page.
    context, page = _phone(browser)
    login(page, live_server.url, "shuanghe")
    page.click("nav a:has-text('请假审批')")
    item = page.locator(".pending-leave li", has_text="何磊")
    page.screenshot(path=str(artifacts / "township-leave-list-phone.png"), full_page=True)
    _fits(page)
    item.locator("input[name=note]").fill("同意，注意安全")
    item.locator("button[name=approve][value='1']").click()
    page.wait_for_selector("text=已审批：何磊")
    page.wait_for_selector(".decided-leave li:has-text('何磊')")
    page.screenshot(path=str(artifacts / "township-leave-approved-phone.png"), full_page=True)
    context.close()
    leave = LeaveRequest.objects.get(cadre=cadre, start=start)
    assert (leave.status, leave.decided_by.username, leave.days) == ("approved", "shuanghe", 2)
