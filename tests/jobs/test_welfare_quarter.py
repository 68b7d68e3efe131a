"""The periodic job `welfare-quarter` counts the new quarter's kept 搬迁就业/八必访 rows (VillageWelfareFigure) for
the villages still holding last quarter's, so the dashboards read kept rows again without waiting for a write or
`rebuild-summaries`. Boundaries: a visit on the last day of last quarter is "visited" in last quarter's rows and
only "visited recently" in this quarter's; villages already counted for this quarter are left alone; the job is a
no-op when every row is fresh."""

import datetime as dt

import pytest
from django.utils import timezone

from bangfu.care.groups import quarter_start, visit_states
from bangfu.care.services import care_visit_record
from bangfu.jobs.models import PeriodicRun
from bangfu.jobs.periodic import periodic_run_due
from bangfu.regions.models import Region
from bangfu.registry.selectors import households_visible_to
from bangfu.registry.services import member_update
from bangfu.reports.dashboard import care_visit_figures, scope_for
from bangfu.reports.models import VillageWelfareFigure
from bangfu.reports.summaries import _recount_welfare, welfare_figures_turn
from tests.conftest import TUANJIE

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
LAST_QUARTER_DAY = quarter_start(TODAY) - dt.timedelta(days=1)


@pytest.fixture
def last_quarters_rows(county_admin, make_household):
    """A 低保 household in Tuanjie visited on the last day of last quarter; every village's row counted then."""
    household = make_household(TUANJIE)
    member_update(actor=county_admin, member=household.members.get(), data={"dibao": True})
    care_visit_record(actor=county_admin, household=household,
                      data={"visitor": "村支书", "found": "正常", "done": "宣传", "visited_on": LAST_QUARTER_DAY})
    VillageWelfareFigure.objects.all().delete()
    VillageWelfareFigure.objects.bulk_create(_recount_welfare(None, day=LAST_QUARTER_DAY))
    return household


def _figures(user):
    scope = scope_for(user, today=TODAY)
    return scope, {cell.key: cell.value for cell in care_visit_figures(scope)}


def test_the_job_counts_the_new_quarters_rows(county_admin, last_quarters_rows):
    last = VillageWelfareFigure.objects.get(village_id=TUANJIE)
    assert (last.must_visit, last.visited) == (1, 1)  # last quarter: visited
    scope, live = _figures(county_admin)
    assert scope.welfare is None  # the control: last quarter's rows are not read, the figures are counted live
    assert live["care_visited"] == 0 and live["care_due"] == 1

    assert "welfare-quarter" in periodic_run_due(timezone.now())
    assert "计入" in PeriodicRun.objects.get(name="welfare-quarter").message
    villages = Region.objects.filter(level=Region.Level.VILLAGE).count()
    assert VillageWelfareFigure.objects.filter(year=TODAY.year, quarter_start=quarter_start(TODAY)).count() == villages
    row = VillageWelfareFigure.objects.get(village_id=TUANJIE)
    assert (row.must_visit, row.visited, row.visited_recent) == (1, 0, 1)  # this quarter: due, not overdue
    scope, kept = _figures(county_admin)
    assert scope.welfare is not None and kept == live  # read from the kept rows, equal to the live count
    assert visit_states(households_visible_to(county_admin), day=TODAY)["visited"] == kept["care_visited"]


def test_only_stale_villages_are_counted_and_a_fresh_county_is_a_no_op(county_admin, last_quarters_rows):
    villages = Region.objects.filter(level=Region.Level.VILLAGE).count()
    fresh = list(Region.objects.filter(level=Region.Level.VILLAGE).order_by("code")
                 .values_list("code", flat=True)[:5])
    VillageWelfareFigure.objects.filter(village_id__in=fresh).update(
        year=TODAY.year, quarter_start=quarter_start(TODAY), counted_on=TODAY, must_visit=7)
    assert welfare_figures_turn(TODAY, batch=7) == villages - 5  # in several batches
    assert set(VillageWelfareFigure.objects.filter(must_visit=7).values_list("village_id", flat=True)) == set(fresh)
    assert welfare_figures_turn(TODAY) == 0
    # a new day: the care lists (ages) are counted again, every village (a new quarter too, on its last day)
    assert welfare_figures_turn(TODAY + dt.timedelta(days=1)) == villages
