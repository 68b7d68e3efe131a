"""The dashboards' 搬迁户至少1人就业 and 八必访 figures: each equals the list it links to, at county, township and
village, counts only the reader's jurisdiction, follows the writes at once, and the visit figures turn at the
quarter's edge (both sides)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from bangfu.care.groups import quarter_start, visit_states
from bangfu.care.services import care_visit_record
from bangfu.registry.selectors import households_visible_to
from bangfu.registry.services import member_update
from bangfu.relocation.services import employment_record
from bangfu.reports.dashboard import care_visit_figures, relocation_figures, scope_for
from bangfu.reports.models import VillageWelfareFigure
from bangfu.reports.summaries import welfare_figures_rebuild
from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE
from tests.reports.conftest import VISIT, YEAR

pytestmark = pytest.mark.django_db


def _figures(user, *, kept=None, **where):
    scope = scope_for(user, **where)
    figures = {c.key: c for c in relocation_figures(scope) + care_visit_figures(scope)}
    if kept is not None:  # read from the kept village rows, or counted live
        assert (scope.welfare is not None) == kept
    return figures


@pytest.fixture(params=["kept", "live"])
def counted(request, world):
    """The same figures from the kept village rows (all villages counted) and live (rows missing)."""
    if request.param == "kept":
        welfare_figures_rebuild()
    else:
        VillageWelfareFigure.objects.all().delete()
    return request.param == "kept"


def _listed(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


@pytest.mark.parametrize(("region", "expected"), [
    ("", {"relocation_labour": 2, "relocation_employed": 1, "relocation_without": 1, "care_must_visit": 2,
          "care_visited": 1, "care_due": 1, "care_overdue": 1}),
    (SHUANGHE, {"relocation_labour": 1, "relocation_employed": 1, "relocation_without": 0, "care_must_visit": 1,
                "care_visited": 1, "care_due": 0, "care_overdue": 0}),
    (TUANJIE, {"relocation_labour": 1, "relocation_employed": 1, "relocation_without": 0, "care_must_visit": 1,
               "care_visited": 1, "care_due": 0, "care_overdue": 0}),
    (ZHANGZHA_TOWN, {"relocation_labour": 1, "relocation_employed": 0, "relocation_without": 1,
                     "care_must_visit": 1, "care_visited": 0, "care_due": 1, "care_overdue": 1}),
])
def test_each_figure_equals_its_list_at_every_level(client, county_admin, world, counted, region, expected):
    client.force_login(county_admin)
    figures = _figures(county_admin, kept=counted, region=region)
    assert {k: c.value for k, c in figures.items()} == expected
    for cell in figures.values():
        assert _listed(client, cell.url) == cell.value, cell.url
        assert f"region={region or '513225000000'}" in cell.url  # the place's own list, not the whole door


def test_rates_on_the_tiles(client, county_admin, world):
    figures = _figures(county_admin)
    assert figures["relocation_employed"].rate == 50 and figures["care_visited"].rate == 50
    client.force_login(county_admin)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert re.search(r'data-rate="relocation_employed">覆盖率 50\.0%<', page)
    assert re.search(r'data-rate="care_visited">走访率 50\.0%<', page)
    for key in figures:
        assert f'data-figure="{key}"' in page


def test_a_township_reader_counts_and_lists_only_its_own(client, shuanghe_reviewer, world, counted):
    figures = _figures(shuanghe_reviewer, kept=counted)
    assert figures["relocation_labour"].value == 1 and figures["care_must_visit"].value == 1
    client.force_login(shuanghe_reviewer)
    # another township's place through the visit queue's region: the door leaves nothing (own place: the control)
    for state in ("all", "overdue", ""):
        assert _listed(client, reverse("care:visit_queue") + f"?state={state}&region={ZHANGZHA_VILLAGE}") == 0
    assert _listed(client, reverse("care:visit_queue") + f"?state=all&region={TUANJIE}") == 1
    assert client.get(reverse("reports:dashboard"), {"region": ZHANGZHA_TOWN}).status_code == 404


def test_the_figures_follow_the_writes(county_admin, world):
    """The kept rows follow each writer in its transaction: a visit, a job, a job removed, 分散供养 recorded,
    the county's employed months changed; the kept figures stay equal to a live count throughout."""
    from bangfu.care.services import care_facts_save, care_settings_save
    from bangfu.relocation.models import Employment
    from bangfu.relocation.services import employment_remove

    welfare_figures_rebuild()

    def both():
        kept = {k: c.value for k, c in _figures(county_admin, kept=True).items()}
        VillageWelfareFigure.objects.update(year=1999)  # stale: the same figures counted live
        live = {k: c.value for k, c in _figures(county_admin, kept=False).items()}
        VillageWelfareFigure.objects.update(year=YEAR)
        assert kept == live
        return kept

    assert both()["relocation_employed"] == 1
    job = Employment.objects.get()
    employment_remove(actor=county_admin, employment=job)
    assert both()["relocation_employed"] == 0
    employment_record(actor=county_admin, member=world["reloc_tj"].members.get(),
                      data={"year": YEAR, "kind": "local", "place": "县城", "months": 2})
    assert both()["relocation_employed"] == 1  # 2 months: the default minimum counts it
    care_settings_save(actor=county_admin, data={"employed_min_months": 3})
    assert both()["relocation_employed"] == 0  # 2 < 3 months: no longer employed
    tekun = world["never"].members.get()
    member_update(actor=county_admin, member=tekun, data={"health": "healthy", "tekun": True})
    assert both()["care_must_visit"] == 1  # no longer seriously ill, tekun without a support mode: no kind
    tekun.refresh_from_db()
    care_facts_save(actor=county_admin, member=tekun, data={"tekun_support": "dispersed"})
    assert both()["care_must_visit"] == 2  # 分散供养特困
    care_settings_save(actor=county_admin, data={"employed_min_months": 1})
    care_visit_record(actor=county_admin, household=world["never"], data={**VISIT, "visited_on": dt.date.today()})
    employment_record(actor=county_admin, member=world["reloc_zz"].members.get(),
                      data={"year": YEAR, "kind": "local", "place": "县城", "months": 6})
    figures = both()
    assert figures["care_visited"] == 2 and figures["care_due"] == 0 and figures["care_overdue"] == 0
    assert figures["relocation_employed"] == 2 and figures["relocation_without"] == 0


def test_visit_figures_turn_at_the_quarters_edge(county_admin, world):
    """A visit on the quarter's last day counts as visited that quarter; on the next quarter's first day the
    household is due again but not overdue; a quarter later (no visit) it is overdue."""
    start = quarter_start(dt.date.today())
    last_day = start - dt.timedelta(days=1)
    households = households_visible_to(county_admin).filter(pk=world["never"].pk)
    care_visit_record(actor=county_admin, household=world["never"], data={**VISIT, "visited_on": last_day},
                      today=last_day)
    assert visit_states(households, day=last_day) == {"all": 1, "visited": 1, "": 0, "overdue": 0}
    assert visit_states(households, day=start) == {"all": 1, "visited": 0, "": 1, "overdue": 0}
    next_start = quarter_start(start + dt.timedelta(days=95))
    assert visit_states(households, day=next_start - dt.timedelta(days=1))["overdue"] == 0
    assert visit_states(households, day=next_start) == {"all": 1, "visited": 0, "": 1, "overdue": 1}


def test_kept_rows_of_another_quarter_are_not_read(county_admin, world):
    """When the quarter turns the kept rows (counted last quarter) are not used: the figures are counted live."""
    welfare_figures_rebuild()
    today = dt.date.today()
    assert scope_for(county_admin, today=today).welfare is not None
    next_quarter = quarter_start(quarter_start(today) + dt.timedelta(days=95))
    scope = scope_for(county_admin, today=next_quarter)
    assert scope.welfare is None
    assert {c.key: c.value for c in care_visit_figures(scope)}["care_visited"] == 0  # live: no visit yet
