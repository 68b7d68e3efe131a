"""The household list's filters: each is in the URL, and each list's count equals the dashboard figure that
links to it (组, 收入低于监测线但未纳入监测, 危房, 脱贫户/监测户住危房, 易地搬迁, 已销户)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.registry.services import income_record_save, member_remove
from bangfu.reports.indicators import INDICATORS
from tests.conftest import SONGBAI, TUANJIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, county_admin):
    client.force_login(county_admin)
    return client


@pytest.fixture
def county(make_household, county_admin, regions):
    from bangfu.monitoring.services import monitoring_line_save

    monitoring_line_save(actor=county_admin, region=regions["513225000000"], year=2025, amount=Decimal("7800"))
    poor_unsafe = make_household(TUANJIE, household_type="formerly_poor", housing_safety="D", group="3组")
    monitored_unsafe = make_household(TUANJIE, monitoring_type="marginal", identified_month="202401",
                                      housing_safety="C")
    relocated = make_household(SONGBAI, relocated=True, resettlement_site="安置点甲", group="3组")
    below = make_household(SONGBAI)  # 5,000 a head after compliant spending: below 7,800, not monitored
    income_record_save(actor=county_admin, household=below, year=2025,
                       data={"members_counted": 1, "wage_income": Decimal("6000"), "medical_spending": Decimal("1000")})
    above = make_household(SONGBAI)  # 9,000 a head: above the line
    income_record_save(actor=county_admin, household=above, year=2025,
                       data={"members_counted": 1, "wage_income": Decimal("9000")})
    # Below the line but already monitored: not "missed".
    income_record_save(actor=county_admin, household=monitored_unsafe, year=2025,
                       data={"members_counted": 1, "wage_income": Decimal("100")})
    closed = make_household(SONGBAI)
    member_remove(actor=county_admin, member=closed.members.get(), reason="death")
    return {"poor_unsafe": poor_unsafe, "monitored_unsafe": monitored_unsafe, "relocated": relocated,
            "below": below, "above": above, "closed": closed}


def _list_count(client, query: str) -> int:
    content = client.get(reverse("registry:household_list") + "?" + query).content.decode()
    match = re.search(r"共 (\d+) 条", content)
    return int(match.group(1)) if match else 0


def _numbers(client, **params) -> set[str]:
    content = client.get(reverse("registry:household_list"), params).content.decode()
    return set(re.findall(r'<td[^>]*data-label="户编号"><a href="[^"]+">(\d+)</a>', content))


def test_every_dashboard_tile_equals_the_list_it_links_to(admin_client, county):
    home = admin_client.get(reverse("web:home"))
    tiles = dict(re.findall(r'<a class="tile[^"]*" href="/households/\?([^"]*)"[^>]*><div class="tile-value">([\d,]+)<',
                            home.content.decode()))
    assert "below_line=on" in tiles
    for indicator in INDICATORS:
        if indicator.list_query:
            assert indicator.list_query.replace("&", "&amp;") in tiles, indicator.key
    for query, value in tiles.items():
        query = query.replace("&amp;", "&")
        assert _list_count(admin_client, query) == int(value.replace(",", "")), query


def test_below_line_finds_the_missed_household_only(admin_client, county):
    assert _numbers(admin_client, below_line="on") == {county["below"].number}


def test_combined_filters_from_the_dashboard(admin_client, county):
    assert _numbers(admin_client, household_type="formerly_poor", unsafe_housing="on") == {county["poor_unsafe"].number}
    assert _numbers(admin_client, monitoring_status="monitored", unsafe_housing="on") == {
        county["monitored_unsafe"].number}


def test_group_filter_accepts_3_and_3组(admin_client, county):
    expected = {county["poor_unsafe"].number, county["relocated"].number}
    assert _numbers(admin_client, group="3组") == expected
    assert _numbers(admin_client, group="3") == expected
    assert _numbers(admin_client, group="3", region=TUANJIE) == {county["poor_unsafe"].number}


def test_relocated_and_closed(admin_client, county):
    assert _numbers(admin_client, relocated="on") == {county["relocated"].number}
    assert _numbers(admin_client, closed="on") == {county["closed"].number}
    assert county["closed"].number not in _numbers(admin_client)


def test_a_shared_link_restores_the_filters(admin_client, county):
    """Each filter is a URL parameter: opening the link shows the same form state and the same households."""
    content = admin_client.get(reverse("registry:household_list"), {"below_line": "on", "group": "3"}).content.decode()
    assert re.search(r'<input type="checkbox" name="below_line"[^>]*checked', content)
    assert re.search(r'<input type="text" name="group" value="3"', content)
    assert 'name="below_line" value="on"' in content  # and the export carries them
