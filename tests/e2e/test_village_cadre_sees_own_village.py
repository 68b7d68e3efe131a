"""The 团结村 cadre logs in on a phone-sized screen, sees only 团结村, opens a household, reveals an ID."""

import re

import pytest

from bangfu.audit.models import RevealRecord
from bangfu.registry.models import Household

from .conftest import login

pytestmark = pytest.mark.browser

TUANJIE = "513225103213"
ZHANGZHA_TOWN_RANGE = ("513225101000", "513225101999")


def test_tuanjie_cadre_sees_only_tuanjie(page, live_server, demo_county, artifacts):
    tuanjie = Household.objects.filter(village_id=TUANJIE)
    outsider = Household.objects.filter(village_id__gte=ZHANGZHA_TOWN_RANGE[0],
                                        village_id__lte=ZHANGZHA_TOWN_RANGE[1]).first()
    assert tuanjie.exists() and outsider is not None

    login(page, live_server.url, "tuanjie")
    page.click("text=一户一档")
    page.wait_for_selector("table.households")
    total = int(re.search(r"共 (\d+) 条", page.inner_text(".pager")).group(1))
    assert total == tuanjie.count()
    villages = page.locator("table.households tbody tr td:nth-child(3)").all_inner_texts()
    assert villages and all("团结村" in v for v in villages)
    assert outsider.number not in page.content()

    # Searching for the 漳扎镇 head by name finds nothing: the search goes through the same door.
    page.fill("input[name=q]", outsider.head_name)
    page.click("button:has-text('查询')")
    page.wait_for_selector("td.empty, table.households tbody tr")
    assert outsider.number not in page.inner_text("#results")

    # Typing the address of a 漳扎镇 household gives a 404, never its file.
    response = page.goto(f"{live_server.url}/households/{outsider.pk}/")
    assert response.status == 404
    assert outsider.head_name not in page.content()

    household = tuanjie.order_by("number").first()
    page.goto(f"{live_server.url}/households/")
    page.click(f"text={household.number}")
    page.wait_for_selector("h2:has-text('家庭成员')")
    member = household.members.order_by("id").first()
    masked = page.inner_text(f"#id-{member.pk}")
    assert "********" in masked

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts / "tuanjie-household-phone.png"), full_page=True)

    page.click(f"#id-{member.pk} button")
    page.wait_for_selector(f"#id-{member.pk}.revealed")
    assert page.locator(f"#id-{member.pk} button").count() == 0  # shown in place: no second 显示 to click
    revealed = page.inner_text(f"#id-{member.pk}")
    assert "*" not in revealed and len(revealed.strip()) == 18
    assert revealed.strip() == member.reveal_id_number()
    assert RevealRecord.objects.filter(actor__username="tuanjie", object_id=str(member.pk)).count() == 1
    page.screenshot(path=str(artifacts / "tuanjie-household-revealed.png"), full_page=True)
