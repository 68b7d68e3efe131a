"""A new county administrator sets paired assistance up on a phone (390 px): creates a unit, links a village,
drafts a plan, enters the unit's target grid in one submit (a bad cell named first, nothing saved), and adopts
the plan. Screenshots in artifacts/e2e/."""

from decimal import Decimal

import pytest

from bangfu.assistance.models import LinkedVillage, Plan, PlanTarget, Unit
from bangfu.audit.models import ChangeRecord

from .conftest import login

pytestmark = pytest.mark.browser

TUANJIE = "513225103213"
COUNTY = "513225000000"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, f"{page.url} is wider than the phone"


def test_new_county_admin_sets_up_a_unit_a_link_and_a_plan_on_a_phone(browser, live_server, demo_county, artifacts):
    from bangfu.accounts.models import User
    from bangfu.demo.builder import DEMO_PASSWORD

    User.objects.create_user(username="xin_admin", password=DEMO_PASSWORD, role="county_admin", region_id=COUNTY,
                             full_name="新任县管理员")
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(20_000)
    login(page, live_server.url, "xin_admin")

    # A unit
    page.goto(f"{live_server.url}/assistance/units/")
    page.click("a:has-text('新增帮扶单位')")
    page.fill("#id_name", "四川农业大学")
    page.fill("#id_short_name", "川农大")
    page.select_option("#id_kind", "university")
    page.fill("#id_contact_name", "张老师")
    page.fill("#id_contact_phone", "0835-2882000")
    page.screenshot(path=str(artifacts / "setup-1-unit-form-phone.png"), full_page=True)
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新增帮扶单位")
    _fits(page)

    # A linked village
    page.select_option("#id_l-village", TUANJIE)
    page.fill("#id_l-since", "2026-03-01")
    page.click("button:has-text('联系该村')")
    page.wait_for_selector("text=已联系该村")
    page.screenshot(path=str(artifacts / "setup-2-unit-linked-phone.png"), full_page=True)
    _fits(page)
    unit = Unit.objects.get(name="四川农业大学")
    link = LinkedVillage.objects.get(unit=unit)
    assert (link.village_id, str(link.since), link.until) == (TUANJIE, "2026-03-01", None)

    # A plan, drafted for comment
    page.goto(f"{live_server.url}/assistance/plans/")
    page.click("a:has-text('新建规划')")
    page.fill("#id_name", "九寨沟县定点帮扶工作规划（2031—2035年）")
    page.fill("#id_start_year", "2031")
    page.fill("#id_end_year", "2035")
    page.fill("#id_text", "一、总体要求\n巩固拓展帮扶成果。\n二、年度目标\n见附表。")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新建规划")
    plan = Plan.objects.get(name__contains="2031")
    assert plan.status == Plan.Status.DRAFT and plan.versions.count() == 1
    _fits(page)

    # Its target grid for the new unit: one bad cell refused by name, then the whole grid in one submit
    page.click("tr[data-unit='四川农业大学'] a:has-text('填写目标')")
    page.wait_for_selector("table.target-grid")
    for year in range(2031, 2036):
        page.fill(f"input[name='t_{year}_funds_invested']", str(100000 * (year - 2030)))
        page.fill(f"input[name='t_{year}_cadres_trained']", "60")
    page.fill("input[name='t_2033_projects']", "三个")
    page.click("button:has-text('保存全部目标')")
    page.wait_for_selector("text=2033年“帮扶项目”")
    page.screenshot(path=str(artifacts / "setup-3-target-grid-error-phone.png"), full_page=True)
    assert not PlanTarget.objects.filter(plan=plan).exists()
    _fits(page)
    page.fill("input[name='t_2033_projects']", "3")
    page.click("button:has-text('保存全部目标')")
    page.wait_for_selector("text=11项有变化")
    assert PlanTarget.objects.filter(plan=plan, unit=unit).count() == 11
    assert PlanTarget.objects.get(plan=plan, unit=unit, year=2035, indicator="funds_invested").target == Decimal(
        500000)

    # Adopted
    page.click("button:has-text('印发')")
    page.wait_for_selector("text=规划已印发")
    page.screenshot(path=str(artifacts / "setup-4-plan-adopted-phone.png"), full_page=True)
    _fits(page)
    plan.refresh_from_db()
    assert plan.is_adopted
    assert ChangeRecord.objects.filter(object_type="plan", object_id=str(plan.pk), action="update",
                                       actor__username="xin_admin").exists()

    # 2026 has the demo's adopted plan's targets; a year no plan covers says so
    page.goto(f"{live_server.url}/assistance/plan/?year=2026")
    assert "2026—2030" in page.inner_text("h1")
    assert "尚未填写" not in page.content() and page.locator("td[data-indicator='funds_invested']").count() >= 6
    assert "/ —" not in page.locator("tr[data-unit='成都大学'] td[data-indicator='funds_invested']").inner_text()
    page.goto(f"{live_server.url}/assistance/plan/?year=2036")
    page.wait_for_selector("text=2036年不在任何帮扶工作规划的期限内")
    phone.close()
