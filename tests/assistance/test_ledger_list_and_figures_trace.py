"""The ledger list shows every row, a page at a time, and exports the same rows with the same filter; every
figure on /assistance/, the plan and the evaluation links to a list of the records it sums, whose total equals it."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from bangfu.assistance.models import Fund, Training
from bangfu.reports.assistance_indicators import (
    STANDARD_INDICATORS,
    indicator_records_url,
    unit_figures,
    year_span,
)
from tests.conftest import COUNTY, TUANJIE

pytestmark = pytest.mark.django_db


def _count(html: str) -> int:
    return int(re.search(r"共 (\d+) 条", html).group(1))


def _entry_ids(html: str) -> set[str]:
    return set(re.findall(r'href="/assistance/ledger/fund/(\d+)/"', html))


def test_the_ledger_list_reaches_every_row_and_exports_the_same_rows(client, records, cdu, lead_coordinator):
    """520 entries in 2024 (more than the 500 the list used to cut at) and a few in 2023: the list filtered to
    2024 counts 520, its pages hold 520 different entries, and its export with the same filter has 520 rows."""
    Fund.objects.bulk_create([Fund(unit=cdu, date=dt.date(2024, 1, 1) + dt.timedelta(days=n % 360), flow="invested",
                                   amount=Decimal(n + 1), source="预算", purpose="产业") for n in range(520)]
                             + [Fund(unit=cdu, date=dt.date(2023, 5, 1), flow="invested", amount=Decimal(7),
                                     source="预算", purpose="产业") for _ in range(3)])
    client.force_login(lead_coordinator)
    url = reverse("assistance:ledger_list", args=["fund"])
    first = client.get(url, {"year": 2024}).content.decode()
    assert _count(first) == 520
    seen = set()
    for number in range(1, 12):
        seen |= _entry_ids(client.get(url, {"year": 2024, "page": number}).content.decode())
    assert len(seen) == 520
    total = re.search(r'data-total="amount" data-value="([\d.]+)"', first).group(1)
    assert Decimal(total) == sum(Decimal(n + 1) for n in range(520))
    exported = CalamineWorkbook.from_filelike(io.BytesIO(client.post(
        reverse("web:list_export", args=["ledger-fund"]), {"year": 2024}).content)).get_sheet_by_index(0).to_python()
    assert "2024" in exported[1][0]  # the filter named on the file's first lines
    assert len(exported[4:]) == 520
    # The control: without the year, the 2023 entries (and the fixture's 2022 ones) are counted too.
    assert _count(client.get(url).content.decode()) == 520 + 3 + 2


def _list_total(client, url: str, field: str) -> Decimal:
    html = client.get(url).content.decode()
    found = re.search(rf'data-total="{field}" data-value="([\d.]+)"', html)
    return Decimal(found.group(1)) if found else Decimal(0)


def test_each_figure_on_the_overview_links_to_the_records_it_sums(client, records, cdu, court, lead_coordinator):
    today = timezone.localdate()
    start, end = year_span(today.year)
    for flow, amount in (("invested", 300), ("invested", 45), ("brought_in", 1000)):
        Fund.objects.create(unit=cdu, date=start, flow=flow, amount=Decimal(amount), source="预算", purpose="产业")
    Fund.objects.create(unit=court, date=start, flow="invested", amount=Decimal(9), source="预算", purpose="产业")
    Fund.objects.create(unit=cdu, date=dt.date(today.year - 1, 12, 31), flow="invested", amount=Decimal(5000),
                        source="预算", purpose="产业")  # the year before: not this year's figure
    for kind, people in (("grassroots_cadres", 12), ("technicians", 30)):
        Training.objects.create(unit=cdu, date=start, kind=kind, title="培训", participants=people, village_id=TUANJIE)
    client.force_login(lead_coordinator)
    home = client.get(reverse("assistance:home")).content.decode()
    figures = unit_figures([cdu.pk], start, end)[cdu.pk]
    checked = 0
    for indicator in STANDARD_INDICATORS:
        if indicator.ledger_kind == "cadre" or indicator.aggregate != "sum":
            continue
        url = indicator_records_url(indicator, cdu.pk, start, end)
        if indicator.key in ("funds_invested", "funds_brought_in", "cadres_trained", "technicians_trained",
                             "donations", "leader_visits"):
            assert url.replace("&", "&amp;") in home, indicator.key  # the overview's figure links there
        assert _list_total(client, url, indicator.field) == figures[indicator.key], indicator.key
        checked += 1
    assert checked >= 6 and figures["funds_invested"] == 345 and figures["funds_brought_in"] == 1000
    # The control: the whole fund ledger's total is not the figure (the link's condition and period matter).
    assert _list_total(client, reverse("assistance:ledger_list", args=["fund"]), "amount") != 345


def test_a_count_figure_links_to_as_many_records(client, records, cdu, lead_coordinator):
    from bangfu.assistance.models import Project

    for n in range(3):
        Project.objects.create(unit=cdu, date=dt.date(2024, 3, 1), name=f"项目{n}", direction="industry",
                               budget=Decimal(100), village_id=TUANJIE)
    Project.objects.create(unit=cdu, date=dt.date(2023, 3, 1), name="旧项目", direction="industry",
                           budget=Decimal(100), village_id=TUANJIE)
    indicator = next(i for i in STANDARD_INDICATORS if i.key == "projects")
    start, end = year_span(2024)
    client.force_login(lead_coordinator)
    html = client.get(indicator_records_url(indicator, cdu.pk, start, end)).content.decode()
    assert _count(html) == unit_figures([cdu.pk], start, end)[cdu.pk]["projects"] == 3


def test_a_made_up_indicator_is_ignored_not_obeyed(client, records, lead_coordinator):
    client.force_login(lead_coordinator)
    url = reverse("assistance:ledger_list", args=["fund"])
    whole = _count(client.get(url).content.decode())
    assert whole > 0
    assert _count(client.get(url, {"indicator": "nonsense"}).content.decode()) == whole
    assert _count(client.get(url, {"indicator": "funds_brought_in"}).content.decode()) == 0  # the control
    assert _count(client.get(url, {"indicator": "projects"}).content.decode()) == 0  # another ledger's indicator


def test_an_old_match_link_redirects_to_its_indicator(client, records, cdu, lead_coordinator):
    """Links made before `indicator=` (match=field:value) land on the same list, now named by its indicator."""
    Fund.objects.create(unit=cdu, date=dt.date(2022, 4, 1), flow="brought_in", amount=Decimal(5), source="预算",
                        purpose="产业")
    client.force_login(lead_coordinator)
    url = reverse("assistance:ledger_list", args=["fund"])
    response = client.get(url, {"match": "flow:invested", "year": 2022})
    assert response.status_code == 302
    assert "indicator=funds_invested" in response.url and "match" not in response.url and "year=2022" in response.url
    invested = _count(client.get(response.url).content.decode())
    assert invested == _count(client.get(url, {"indicator": "funds_invested", "year": 2022}).content.decode())
    whole = _count(client.get(url, {"year": 2022}).content.decode())
    assert invested == whole - 1  # the brought-in entry is not an invested one
    # a condition no indicator has (not a coded field, or not one of its codes) is dropped, as it always was
    for made_up in ("purpose:产业", "flow:nonsense"):
        followed = client.get(url, {"match": made_up, "year": 2022}, follow=True)
        assert _count(followed.content.decode()) == whole, made_up


def test_no_figure_link_uses_match(client, records, cdu):
    """One form of figure link: every assistance indicator's records URL names it with indicator=."""
    for indicator in STANDARD_INDICATORS:
        url = indicator_records_url(indicator, cdu.pk, *year_span(2024))
        assert "match=" not in url
        if indicator.ledger_kind != "cadre":
            assert f"indicator={indicator.key}" in url


@pytest.mark.parametrize("page", ["assistance:plan", "assistance:evaluation"])
def test_plan_and_evaluation_figures_link_to_their_records(client, records, cdu, lead_coordinator, page):
    from bangfu.assistance.models import Plan

    Plan.objects.create(county_id=COUNTY, name="规划", start_year=2021, end_year=2025)
    client.force_login(lead_coordinator)
    html = client.get(reverse(page), {"year": 2022}).content.decode()
    indicator = next(i for i in STANDARD_INDICATORS if i.key == "funds_invested")
    url = indicator_records_url(indicator, cdu.pk, *year_span(2022))
    assert url.replace("&", "&amp;") in html
    assert _list_total(client, url, "amount") == unit_figures([cdu.pk], *year_span(2022))[cdu.pk]["funds_invested"] \
        == 1000
