"""The dashboards and the county map at 1280 and 390 px: the county's and a township's dashboard, the map; a
click on a figure opens its list with the same count, a click on a township opens its dashboard. Screenshots go
to artifacts/e2e/ to be looked at."""

import re

import pytest

from .conftest import login

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
SHUANGHE = "513225103000"


def _page_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize(("name", "query"), [("county", "?period=plan"), ("township", f"?region={SHUANGHE}")])
def test_dashboard_screens(page, live_server, demo_county, artifacts, name, query):
    login(page, live_server.url, "admin")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/reports/dashboard/{query}")
        page.wait_for_selector("#chart-months canvas")
        page.wait_for_timeout(400)  # the charts' entry animation
        page.screenshot(path=str(artifacts / f"dashboard-{name}-{width}.png"), full_page=True)
        assert _page_fits(page), f"{name} dashboard scrolls sideways at {width}px"
        # every level shows the risk types and the units' funds (a township: those recorded in its villages)
        assert page.locator("#group-risk_types canvas").count() and page.locator("#group-units table").count()
        # on a phone the unit table is one block per unit, its headings beside the figures (not scrolled away)
        headings_shown = page.locator("#group-units thead").first.is_visible()
        assert headings_shown == (width > 600), width
        table = page.locator("#group-units table").first
        assert page.evaluate("(t) => t.scrollWidth <= t.parentElement.clientWidth + 1", table.element_handle())
    # A figure leads to its list, whose count is the figure.
    tile = page.locator("#group-monitored a.tile").first
    figure = tile.locator(".tile-value").inner_text().replace(",", "")
    tile.click()
    page.wait_for_url(re.compile(r"/households/"))
    assert figure in page.inner_text("main").replace(",", "")


def test_county_map_screens(page, live_server, demo_county, artifacts):
    login(page, live_server.url, "admin")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/reports/map/?indicator=risk_open")
        page.wait_for_selector("#county-map canvas")
        page.wait_for_timeout(400)
        assert "示意图" in page.inner_text(".schematic-note")
        page.screenshot(path=str(artifacts / f"map-{width}.png"), full_page=True)
        assert _page_fits(page), f"map scrolls sideways at {width}px"
    # Desktop: a click on a township opens its dashboard (the chart's centre of 双河镇's hexagon, found through
    # ECharts' own coordinate conversion).
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/reports/map/?indicator=risk_open")
    page.wait_for_selector("#county-map canvas")
    page.wait_for_timeout(400)
    point = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('county-map'));
        const box = document.getElementById('county-map').getBoundingClientRect();
        const xy = chart.convertToPixel({seriesIndex: 0}, [4.5, -0.87]);
        return [box.left + xy[0], box.top + xy[1] + window.scrollY];
    }""")
    page.mouse.move(point[0], point[1] - page.evaluate("window.scrollY"))
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "map-hover-1280.png"))
    page.mouse.click(point[0], point[1] - page.evaluate("window.scrollY"))
    page.wait_for_url(re.compile(rf"/reports/dashboard/\?.*region={SHUANGHE}"))
