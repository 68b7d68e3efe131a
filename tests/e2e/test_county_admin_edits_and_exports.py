"""The county administrator corrects a household in the browser: a wrong ID number is named, the fixed one
is saved, the change shows in the history, and the village's ledger exports with a progress page."""

import pytest

from bangfu.core.id_number import make_id_number
from bangfu.registry.models import Household

from .conftest import login

pytestmark = pytest.mark.browser

TUANJIE = "513225103213"


def test_add_member_with_a_typo_then_export(page, live_server, demo_county, artifacts):
    import datetime as dt

    household = Household.objects.filter(village_id=TUANJIE).order_by("number").first()
    good = make_id_number("513225", dt.date(2012, 3, 4), 995)
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")

    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/households/?region={TUANJIE}")
    page.click(f"text={household.number}")
    page.click("text=添加成员")
    page.fill("#id_name", "新生儿")
    page.select_option("#id_relation", "grandson")
    page.fill("#id_id_number", typo)
    page.click("button:has-text('保存')")
    error = page.inner_text(".has-error .field-error")
    assert "校验码错误" in error
    page.screenshot(path=str(artifacts / "admin-member-typo.png"), full_page=True)
    assert not household.members.filter(name="新生儿").exists()

    page.fill("#id_id_number", good.lower())
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已添加成员 新生儿")
    member = household.members.get(name="新生儿")
    assert (member.sex, member.birth_date) == ("male", dt.date(2012, 3, 4))
    history = page.inner_text("table.history")
    assert "新增" in history and "新生儿" in history

    page.goto(f"{live_server.url}/households/?region={TUANJIE}")
    page.click("summary:has-text('导出')")
    page.click("button:has-text('开始导出')")
    page.wait_for_selector("text=已完成")
    with page.expect_download() as download_info:
        page.click("a:has-text('下载')")
    download = download_info.value
    path = artifacts / "tuanjie-ledger.xlsx"
    download.save_as(str(path))
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("农户").to_python()
    assert len(rows) - 4 == Household.objects.filter(village_id=TUANJIE).count()
    page.screenshot(path=str(artifacts / "admin-export-done.png"), full_page=True)
