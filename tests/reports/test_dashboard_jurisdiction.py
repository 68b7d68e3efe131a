"""The dashboards, the map and the statistics tables open only places and units in the reader's jurisdiction, and
count only what lies there."""

import pytest
from django.urls import reverse

from bangfu.reports.dashboard import scope_for
from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE

PAGES = ("reports:dashboard", "reports:county_map", "reports:statistics")  # the export: test_report_statistics.py


@pytest.fixture
def two_townships(make_household):
    make_household(TUANJIE, household_type="formerly_poor", monitoring_type="unstable", monitoring_status="risk_open", identified_month="202605")
    make_household(ZHANGZHA_VILLAGE, monitoring_type="marginal", monitoring_status="risk_open",
                   identified_month="202605")
    make_household(ZHANGZHA_VILLAGE, monitoring_type="marginal", monitoring_status="risk_open",
                   identified_month="202605")


@pytest.mark.parametrize("name", PAGES)
def test_another_township_is_not_found_and_own_opens(client, shuanghe_reviewer, two_townships, name):
    client.force_login(shuanghe_reviewer)
    assert client.get(reverse(name), {"region": ZHANGZHA_TOWN}).status_code == 404
    assert client.get(reverse(name), {"region": ZHANGZHA_VILLAGE}).status_code == 404
    assert client.get(reverse(name), {"region": SHUANGHE}).status_code == 200  # the control
    assert client.get(reverse(name), {"region": TUANJIE}).status_code == 200
    assert client.get(reverse(name)).status_code == 200


def test_a_unit_out_of_reach_is_not_found(client, shuanghe_reviewer, regions):
    client.force_login(shuanghe_reviewer)  # no assistance capability: no unit is visible
    assert client.get(reverse("reports:dashboard"), {"unit": "1"}).status_code == 404


def test_figures_count_only_own_jurisdiction(county_admin, shuanghe_reviewer, two_townships):
    from bangfu.reports.dashboard import monitored_figures, month_figures

    own = {c.key: c.value for c in monitored_figures(scope_for(shuanghe_reviewer))}
    county = {c.key: c.value for c in monitored_figures(scope_for(county_admin))}
    assert own["monitored"] == 1 and own["kind_unstable"] == 1 and own["kind_marginal"] == 0
    assert county["monitored"] == 3 and county["kind_marginal"] == 2
    months = {c.key: c.value for c in month_figures(scope_for(shuanghe_reviewer, period="2026"))}
    assert months["identified_202605"] == 1 and months["identified_202604"] == 0
    county_months = {c.key: c.value for c in month_figures(scope_for(county_admin, period="2026-05"))}
    assert county_months == {"identified_202605": 3, "eliminated_202605": 0}


def test_the_month_figures_follow_the_household(county_admin, shuanghe_reviewer, two_townships):
    """A household's identification month moved by its service moves the kept month figure with it."""
    from bangfu.registry.models import Household
    from bangfu.registry.services import household_update
    from bangfu.reports.dashboard import month_figures

    household = Household.objects.get(village_id=TUANJIE)
    household_update(actor=county_admin, household=household, data={"identified_month": "202604"},
                     version=household.version)
    months = {c.key: c.value for c in month_figures(scope_for(shuanghe_reviewer, period="2026"))}
    assert months["identified_202604"] == 1 and months["identified_202605"] == 0


def test_the_dashboard_reads_a_constant_number_of_queries(client, county_admin, make_household):
    """Query pin: the county dashboard, map and statistics cost the same queries with more households, months
    and townships holding them (kept figures and grouped aggregates, no per-row reads)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(county_admin)
    pages = [reverse(name) + "?period=plan" for name in ("reports:dashboard", "reports:county_map",
                                                         "reports:statistics")]

    def counts():
        result = []
        for url in pages:
            client.get(url)  # sessions and caches settled
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    make_household(TUANJIE, household_type="formerly_poor", monitoring_type="unstable",
                   monitoring_status="risk_open", identified_month="202305")
    few = counts()
    for village, month in ((ZHANGZHA_VILLAGE, "202402"), (ZHANGZHA_VILLAGE, "202511"), (TUANJIE, "202207")):
        make_household(village, monitoring_type="marginal", monitoring_status="risk_open", identified_month=month)
    assert counts() == few
