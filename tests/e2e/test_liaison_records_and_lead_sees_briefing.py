"""The 成都大学 liaison records a donation and a training on a phone; the 省法院 coordinator finds both in the
generated briefing (.docx text) and in the plan's progress."""

from decimal import Decimal

import pytest
from docx import Document

from bangfu.assistance.models import Donation, Training, Unit
from bangfu.reports.assistance_indicators import unit_figures, year_span

from .conftest import login

pytestmark = pytest.mark.browser

TUANJIE = "513225103213"


def test_liaison_records_on_a_phone_and_the_lead_unit_sees_it(browser, live_server, demo_county, artifacts):
    cdu = Unit.objects.get(name="成都大学")
    before = unit_figures([cdu.pk], *year_span(2025))[cdu.pk]

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server.url, "cdu")
    page.goto(f"{live_server.url}/assistance/")
    page.click("a:has-text('登记捐赠')")
    page.fill("#id_date", "2025-11-20")
    page.select_option("#id_form", "in_kind")
    page.fill("#id_recipient", "团结村幼儿园")
    page.fill("#id_items", "儿童图书500册、绘本架4个")
    page.fill("#id_value", "12345")
    page.select_option("#id_village", TUANJIE)
    page.screenshot(path=str(artifacts / "assistance-donation-phone.png"), full_page=True)
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已登记捐赠")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, "the page fits a phone's width"

    page.goto(f"{live_server.url}/assistance/")
    page.click("a:has-text('登记培训')")
    page.fill("#id_date", "2025-11-21")
    page.select_option("#id_kind", "technicians")
    page.fill("#id_title", "高原蔬菜种植技术培训（手机登记）")
    page.fill("#id_participants", "37")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已登记培训")
    page.screenshot(path=str(artifacts / "assistance-training-list-phone.png"), full_page=True)
    phone.close()

    donation = Donation.objects.get(recipient="团结村幼儿园")
    training = Training.objects.get(title="高原蔬菜种植技术培训（手机登记）")
    assert (donation.unit, donation.value, training.unit, training.participants) == (cdu, Decimal(12345), cdu, 37)

    # The lead unit's coordinator: the briefing (Word) and the plan's progress.
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = desk.new_page()
    page.set_default_timeout(30_000)
    login(page, live_server.url, "fayuan")
    page.goto(f"{live_server.url}/assistance/briefing/")
    page.fill("#id_since", "2021-07-01")
    with page.expect_download() as caught:
        page.click("#make-briefing")
    path = artifacts / "assistance-briefing.docx"
    caught.value.save_as(str(path))
    document = Document(str(path))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    # The briefing summarises the ledger (never lists it): the liaison's entries are in 成都大学's figures.
    import datetime as dt

    from bangfu.assistance.documents import fmt

    period = unit_figures([cdu.pk], dt.date(2021, 7, 1), dt.date.today())[cdu.pk]
    assert fmt(period["donations"], "元") in text and fmt(period["technicians_trained"], "人次") in text
    for name in ("四川省高级人民法院", "成都大学", "华西集团"):
        assert name in text

    page.goto(f"{live_server.url}/assistance/plan/?year=2025")
    row = page.locator("tr[data-unit='成都大学']")
    after = unit_figures([cdu.pk], *year_span(2025))[cdu.pk]
    assert after["technicians_trained"] == before["technicians_trained"] + 37
    assert after["donations"] == before["donations"] + 12345
    trained = row.locator("td[data-indicator='technicians_trained']").inner_text()
    donated = row.locator("td[data-indicator='donations']").inner_text()
    assert Decimal(trained.split("/")[0].strip().replace(",", "")) == after["technicians_trained"]
    assert Decimal(donated.split("/")[0].strip().replace(",", "")) == after["donations"]
    page.screenshot(path=str(artifacts / "assistance-plan-progress.png"), full_page=True)
    desk.close()
