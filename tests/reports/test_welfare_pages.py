"""/relocation/ (至少1人就业 by site and township) and /care/ (each named list, 八必访) read the kept village rows
(reports.welfare) instead of counting the registry per request; what they read equals the live count from the
same definitions after every kind of write, for the county and a township, and the pages fall back to the live
count when the rows are not fresh (another quarter, care lists counted another day)."""

import datetime as dt

import pytest
from django.urls import reverse

from bangfu.care import groups as g
from bangfu.care.services import care_facts_save, care_visit_record
from bangfu.registry.selectors import households_visible_to
from bangfu.registry.services import member_update
from bangfu.relocation import indicators
from bangfu.relocation.services import employment_record, relocated_household_save
from bangfu.reports.models import VillageWelfareFigure
from bangfu.reports.summaries import welfare_figures_rebuild
from bangfu.reports.welfare import kept_care, kept_coverage
from tests.reports.conftest import VISIT, YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(world):
    """The shared world (tests/reports/conftest.py) with every village counted (the demo build and the periodic job
    do this)."""
    welfare_figures_rebuild()
    return world


def _rows(rows):
    return [(r.key, r.name, r.with_labour, r.employed) for r in rows]


def _live_coverage(user):
    households = households_visible_to(user)
    return (_rows(indicators.coverage(households, by="site")), _rows(indicators.coverage(households, by="township")),
            _rows([indicators.coverage_total(households)]))


def _live_care(user):
    members = g.members_visible_to(user)
    states = g.visit_states(households_visible_to(user))
    return {"groups": {group.key: g.group_members(members, group.key).count() for group in g.GROUPS},
            "must_visit": states["all"], "due": states[""], "overdue": states["overdue"]}


def assert_kept_equals_live(*users):
    for user in users:
        by_site, by_township, total = kept_coverage(user)
        assert (_rows(by_site), _rows(by_township), _rows([total])) == _live_coverage(user), user.username
        assert kept_care(user) == _live_care(user), user.username


def test_kept_equals_live_after_the_writes(county_admin, shuanghe_reviewer, world):
    assert_kept_equals_live(county_admin, shuanghe_reviewer)
    county = kept_coverage(county_admin)
    assert [r.with_labour for r in county[0]] == [1, 1] and county[2].employed == 1  # not 0 == 0
    assert kept_care(county_admin)["groups"]["dibao"] == 1 and kept_care(county_admin)["groups"]["serious_illness"] == 1
    # another site for the employed household; a job at the other site; a 特困 member dispersed; a visit
    relocated_household_save(actor=county_admin, household=world["reloc_tj"],
                             data={"site": world["site_zz"], "relocation_year": 2018, "certificate": "issued"})
    assert_kept_equals_live(county_admin, shuanghe_reviewer)
    assert [(r.name, r.with_labour) for r in kept_coverage(county_admin)[0]] == [("zz安置点", 2)]
    employment_record(actor=county_admin, member=world["reloc_zz"].members.get(),
                      data={"year": YEAR, "kind": "local", "place": "县城", "months": 8})
    tekun = world["never"].members.get()
    member_update(actor=county_admin, member=tekun, data={"tekun": True})
    tekun.refresh_from_db()
    care_facts_save(actor=county_admin, member=tekun, data={"tekun_support": "dispersed"})
    care_visit_record(actor=county_admin, household=world["never"], data={**VISIT, "visited_on": dt.date.today()})
    assert_kept_equals_live(county_admin, shuanghe_reviewer)
    assert kept_care(county_admin)["groups"]["tekun_dispersed"] == 1 and kept_care(county_admin)["overdue"] == 0


def test_the_pages_read_the_kept_rows_and_count_live_when_stale(client, county_admin, world,
                                                                django_assert_max_num_queries):
    client.force_login(county_admin)
    pages = {}
    for name in ("relocation:coverage", "care:index"):
        pages[name] = client.get(reverse(name)).context
    assert pages["relocation:coverage"]["total"].with_labour == 2
    assert dict((group.key, n) for group, n in pages["care:index"]["groups"])["dibao"] == 1
    # Stale rows (the care lists counted yesterday; the quarter turned): not read, the pages count live.
    VillageWelfareFigure.objects.update(counted_on=dt.date.today() - dt.timedelta(days=1))
    assert kept_care(county_admin) is None and kept_coverage(county_admin) is not None
    VillageWelfareFigure.objects.update(year=1999)
    assert kept_coverage(county_admin) is None
    for name in ("relocation:coverage", "care:index"):
        live = client.get(reverse(name)).context
        if name == "care:index":
            assert [(gr.key, n) for gr, n in live["groups"]] == [(gr.key, n) for gr, n in pages[name]["groups"]]
            assert (live["must_visit"], live["due"], live["overdue"]) == (
                pages[name]["must_visit"], pages[name]["due"], pages[name]["overdue"])
        else:
            assert _rows(live["by_site"]) == _rows(pages[name]["by_site"])
            assert _rows([live["total"]]) == _rows([pages[name]["total"]])
