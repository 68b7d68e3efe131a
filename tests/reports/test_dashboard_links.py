"""Every dashboard figure leads to a list whose count (or, for money, whose total) equals the figure.

On a small demo county (households of every kind, warnings, cases at every step, units with ledgers and
targets), for readers at every level and for each kind of period: every cell of every dashboard group and every
statistics table is followed to its list page, and the page's own count is compared with the figure. Runs on
SQLite and PostgreSQL alike (DATABASE_URL).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.demo.builder import demo_build
from bangfu.reports.dashboard import dashboard_figures, scope_for
from bangfu.reports.statistics import statistics_tables

TODAY = dt.date.today()


@pytest.fixture
def county(db):
    return demo_build(people=800, seed=7)


def list_count(client, url: str, seen: dict):
    """What the list page behind a figure says it holds: its paginator's count, or the ledger's indicator total
    (each URL read once per test: the statistics tables repeat the dashboard's cells)."""
    if url in seen:
        return seen[url]
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    total = context.get("indicator_total")
    if total is not None:
        seen[url] = total[1]
    elif "page" in context:
        seen[url] = context["page"].paginator.count
    else:
        seen[url] = context["total"]
    return seen[url]


def _cells(scope):
    for group, cells in dashboard_figures(scope):
        for cell in cells:
            yield group.key, cell
    for table in statistics_tables(scope):
        for _label, cells in table.rows:
            for cell in cells:
                yield table.key, cell


def _assert_links(client, user, read=None, **where):
    client.force_login(user)
    scope = scope_for(user, today=TODAY, **where)
    read = {} if read is None else read
    seen, nonzero = 0, set()
    for group, cell in _cells(scope):
        listed = list_count(client, cell.url, read)
        assert Decimal(listed) == Decimal(cell.value), (user.username, where, group, cell.key, cell.url)
        seen += 1
        if cell.value:
            nonzero.add(group)
    return seen, nonzero


# What each level's dashboard must show (issue 19), for a reader who may see it all (the county's admin): monitored
# households by kind and risk type, per place below, per month; warnings; overdue cases by step; funds and
# projects by unit and direction; relocation employment; visits. The lists behind them are checked above.
EVERY_LEVEL = {"monitored", "risk_types", "months", "warnings", "cases", "units", "directions", "relocation",
               "care_visits"}


@pytest.mark.parametrize(("where", "expected"), [
    ({}, EVERY_LEVEL | {"places"}),
    ({"region": "513225103000"}, EVERY_LEVEL | {"places"}),  # a township
    ({"region": "513225103213"}, EVERY_LEVEL),  # a village: nothing below it
])
def test_each_level_shows_every_group_that_applies_and_each_figure_equals_its_list(client, county, where, expected):
    from bangfu.reports.dashboard import groups_for

    admin = User.objects.get(username="admin")
    scope = scope_for(admin, today=TODAY, **where)
    assert {g.key for g in groups_for(scope)} == expected
    nonzero, read = set(), {}
    for period in ("", "plan", f"{TODAY:%Y-%m}"):  # each kind of the period picker
        seen, found = _assert_links(client, admin, read, period=period, **where)
        assert seen > 0
        nonzero |= found
    if where.get("region") == "513225103000":  # the demo's township has linked units with local entries
        assert {"units", "directions"} <= nonzero, nonzero


def test_county_dashboard_figures_equal_their_lists(client, county):
    admin = User.objects.get(username="admin")
    read: dict = {}  # a list read for one period is not read again for the next
    seen, nonzero = _assert_links(client, admin, read)  # this year
    assert seen > 40
    # the demo gives each kind of figure something to count, so the equality is not 0 == 0
    assert {"monitored", "risk_types", "places", "warnings", "cases", "units", "directions", "months",
            "relocation", "care_visits"} <= nonzero, nonzero
    # and each relocation and visit figure on its own (the demo has employed and idle workers, visited, due and
    # overdue households)
    scope = scope_for(admin, today=TODAY)
    assert scope.welfare is not None  # read from the kept village rows the demo build counted
    figures = {cell.key: cell.value for group, cells in dashboard_figures(scope)
               if group.key in ("relocation", "care_visits") for cell in cells}
    assert len(figures) == 7 and all(figures.values()), figures
    # the same figures counted live from the definitions (kept rows made stale)
    from bangfu.reports.models import VillageWelfareFigure

    VillageWelfareFigure.objects.update(year=1999)
    live = scope_for(admin, today=TODAY)
    assert live.welfare is None
    assert figures == {cell.key: cell.value for group, cells in dashboard_figures(live)
                       if group.key in ("relocation", "care_visits") for cell in cells}
    for period in ("plan", f"{TODAY:%Y-%m}"):  # the period picker's other kinds
        _assert_links(client, admin, read, period=period)


@pytest.mark.parametrize(("username", "where"), [
    ("admin", {"region": "513225103000"}),  # a township from the county
    ("shuanghe", {}),  # a township reviewer's own
    ("admin", {"region": "513225103213"}),  # a village
    ("tuanjie", {}),  # a village cadre's own
    ("cdu", {}),  # a unit's liaison: the unit
    ("fayuan", {}),  # the lead unit's coordinator
    ("leader", {}),
])
def test_every_level_dashboard_figure_equals_its_list(client, county, username, where):
    user = User.objects.get(username=username)
    seen, _nonzero = _assert_links(client, user, **where)
    assert seen > 0


def test_a_unit_dashboard_from_the_county(client, county):
    from bangfu.assistance.models import Unit

    admin = User.objects.get(username="admin")
    unit = Unit.objects.order_by("id").first()
    seen, nonzero = _assert_links(client, admin, unit=str(unit.pk))
    assert {"units", "directions"} <= nonzero


def test_the_pages_show_the_same_figures_as_links(client, county):
    """The dashboard page carries each cell's link (data-figure) and the map and statistics pages answer."""
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    page = client.get(reverse("reports:dashboard"), {"period": "plan"}).content.decode()
    scope = scope_for(admin, period="plan", today=TODAY)
    for _group, cells in dashboard_figures(scope):
        for cell in cells:
            assert f'data-figure="{cell.key}"' in page, cell.key
    assert client.get(reverse("reports:county_map"), {"indicator": "risk_open"}).status_code == 200
    assert client.get(reverse("reports:statistics"), {"period": "plan"}).status_code == 200
