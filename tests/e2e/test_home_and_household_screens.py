"""Screens people meet first, at 1280 and 390 px: the home page as the county, a township and an assisting
unit, and a household page. Screenshots go to artifacts/e2e/ to be looked at; the assertions check what can be
checked by machine (charts drawn, short names, no sideways scrolling of the page on a phone)."""

import pytest

from bangfu.registry.models import Household

from .conftest import login

pytestmark = pytest.mark.browser

TUANJIE = "513225103213"
WIDTHS = (1280, 390)


def _page_fits(page) -> bool:
    """The page itself never scrolls sideways (a wide table scrolls inside its own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(("username", "place", "expect"), [
    ("admin", "county", "双河镇"), ("shuanghe", "township", "团结村"), ("cdu", "unit", "镇"),
])
def test_home_page_screens(page, live_server, demo_county, artifacts, username, place, expect):
    login(page, live_server.url, username)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/")
        page.wait_for_selector("#chart-households canvas")
        page.wait_for_selector("#chart-monitored canvas")
        page.wait_for_timeout(300)  # the charts' entry animation
        page.screenshot(path=str(artifacts / f"home-{place}-{width}.png"), full_page=True)
        assert _page_fits(page), f"home page of {username} scrolls sideways at {width}px"
        table = page.inner_text("table.compact")
        assert expect in table and "村民委员会" not in table


def test_household_page_screens(page, live_server, demo_county, artifacts):
    household = (Household.objects.filter(village_id=TUANJIE, income_records__isnull=False)
                 .order_by("number").first())
    login(page, live_server.url, "admin")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/households/{household.pk}/")
        page.wait_for_selector("h2:has-text('收入情况')")
        page.screenshot(path=str(artifacts / f"household-{width}.png"), full_page=True)
        assert _page_fits(page), f"household page scrolls sideways at {width}px"
        income = page.locator("table.income tbody tr").first
        assert "扣除合规自付支出后人均" in page.content()
        assert income.is_visible()
    # On a phone the income rows are cards: the compared figure is on screen without scrolling sideways.
    box = page.locator("table.income td[data-label='扣除合规自付支出后人均收入']").first.bounding_box()
    assert box["x"] + box["width"] <= 390


def test_phone_list_starts_with_the_list(page, live_server, demo_county, artifacts):
    login(page, live_server.url, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/households/")
    page.wait_for_selector("table.households")
    assert page.evaluate("document.querySelector('details[data-close-on-phone]').open") is False
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=str(artifacts / "household-list-390.png"), full_page=True)
    assert height < 6_000, f"a page of cards is {height}px tall"  # was 10,900 (issue 7)
