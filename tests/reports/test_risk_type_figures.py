"""监测对象（按风险类型）: the dashboard's figure per risk type, read from the kept village rows, equals the household
list it links to (risk_type=), which is a recount with the one definition (reports.indicators.risk_type_q).

Boundaries: a household counts under the risks of its *latest* approved identification only (an older approved
one, or a newer one not yet approved, does not count); a household with two risks counts under each; a household
that is no longer monitored does not count; the kept rows follow the approval's write (through the registry's
service), a move to another township, and a rebuild from scratch gives the same rows.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.cases.models import Case
from bangfu.regions.models import Region
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.registry.services import household_update
from bangfu.reports.dashboard import risk_type_figures, scope_for
from bangfu.reports.models import VillageRiskFigure
from bangfu.reports.summaries import village_summaries_rebuild
from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _approve(actor, household, risks, *, state="approved", days_ago=0):
    """An identification case in `state`; approved: applied to the household through the registry's service, as
    cases.services._apply_outcome does (so the kept rows are recounted in that write)."""
    closed = timezone.now() - dt.timedelta(days=days_ago)
    Case.objects.create(kind="identification", household=household, village_id=household.village_id, state=state,
                        opened_by=actor, lead_date=TODAY, due_on=TODAY, closed_at=closed if state == "approved" else None,
                        monitoring_type="marginal", risk_types=risks, identified_month=f"{TODAY:%Y%m}")
    if state == "approved":
        household_update(actor=actor, household=household, data={
            "monitoring_type": "marginal", "monitoring_status": "risk_open", "identified_month": f"{TODAY:%Y%m}"})


def _figures(user, **where) -> dict[str, int]:
    scope = scope_for(user, today=TODAY, **where)
    return {cell.key.removeprefix("risk_"): cell.value for cell in risk_type_figures(scope)}


def _listed(client, user, risk, **where) -> int:
    client.force_login(user)
    response = client.get(reverse("registry:household_list"), {"risk_type": risk, **where})
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_each_risk_figure_equals_its_list_and_a_recount(client, county_admin, shuanghe_reviewer, make_household):
    a = make_household(TUANJIE)
    b = make_household(TUANJIE)
    c = make_household(ZHANGZHA_VILLAGE)
    d = make_household(TUANJIE)  # identified earlier with illness, then again with disability: disability only
    e = make_household(TUANJIE)  # an approved identification, then a newer one still open: the approved one counts
    make_household(TUANJIE)  # never identified: counts nowhere (the control for "monitored")
    _approve(county_admin, a, ["illness", "schooling"])  # two risks: counted under each
    _approve(county_admin, b, ["illness"])
    _approve(county_admin, c, ["disaster"])
    _approve(county_admin, d, ["illness"], days_ago=400)
    _approve(county_admin, d, ["disability"])
    _approve(county_admin, e, ["accident"])
    _approve(county_admin, e, ["labour_shortage"], state="verification")

    county = _figures(county_admin)
    assert county["illness"] == 2 and county["schooling"] == 1 and county["disaster"] == 1
    assert county["disability"] == 1 and county["accident"] == 1 and county["labour_shortage"] == 0
    township = _figures(shuanghe_reviewer)
    assert township["disaster"] == 0 and township["illness"] == 2  # 漳扎 is outside 双河
    for user, figures in ((county_admin, county), (shuanghe_reviewer, township)):
        for risk, value in figures.items():
            assert _listed(client, user, risk) == value, (user.username, risk)
            assert households_filtered(user, HouseholdFilter(risk_type=risk)).count() == value
    # the county dashboard's own cells lead there too (region of a township)
    scope = scope_for(county_admin, region=SHUANGHE, today=TODAY)
    for cell in risk_type_figures(scope):
        assert f"region={SHUANGHE}" in cell.url and "risk_type=" in cell.url

    # A move to another township takes the household's risks along; eliminating keeps it a monitored household
    # (the figure counts monitored households, as the 监测对象 figure does); closing the file takes it off.
    household_update(actor=county_admin, household=a, data={"village": Region.objects.get(code=ZHANGZHA_VILLAGE)})
    assert _figures(shuanghe_reviewer)["schooling"] == 0 and _figures(county_admin)["schooling"] == 1
    household_update(actor=county_admin, household=b, data={"monitoring_type": "", "monitoring_status": ""})
    assert _figures(county_admin)["illness"] == 1 == _listed(client, county_admin, "illness")

    before = sorted(VillageRiskFigure.objects.values_list("village_id", "risk_type", "households"))
    village_summaries_rebuild()
    assert sorted(VillageRiskFigure.objects.values_list("village_id", "risk_type", "households")) == before


def test_the_dashboard_draws_the_risk_group_with_links(client, county_admin, make_household):
    household = make_household(TUANJIE)
    _approve(county_admin, household, ["illness"])
    client.force_login(county_admin)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert 'data-figure="risk_illness"' in page and "risk_type=illness" in page
