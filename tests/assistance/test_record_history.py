"""Record pages show their history through the one history selector (audit.selectors.object_history): a plan's
county by name, read without another query when the plan came with it, and by a query when not; a unit's history
holds its own village links' changes and no other unit's."""

import datetime as dt

import pytest
from django.urls import reverse

from bangfu.assistance import services as s
from bangfu.assistance import setup
from bangfu.assistance.models import Plan
from bangfu.audit.selectors import object_history
from tests.conftest import COUNTY, SONGBAI, TUANJIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(county_admin, court, cdu):
    return s.plan_create(actor=county_admin, county_code=COUNTY, name="2026-2030规划", start_year=2026,
                         end_year=2030, text="征求意见稿")


def _county_shown(records) -> str:
    created = next(r for r in records if r.action == "create")
    return dict(created.values_for_display)["县"]


def test_the_county_in_hand_is_named_without_a_query(plan, django_assert_num_queries):
    with_county = Plan.objects.select_related("county").get(pk=plan.pk)
    with django_assert_num_queries(1):  # the records only
        records = object_history(with_county)
    assert _county_shown(records) == "九寨沟县"


def test_the_county_not_in_hand_is_read_once(plan, django_assert_num_queries):
    """The control: the same name when the plan came alone, one query more."""
    alone = Plan.objects.get(pk=plan.pk)
    with django_assert_num_queries(2):
        records = object_history(alone)
    assert _county_shown(records) == "九寨沟县"


def test_the_plan_page_names_its_county_in_its_history(client, county_admin, plan):
    client.force_login(county_admin)
    page = client.get(reverse("assistance:plan_detail", args=[plan.pk])).content.decode()
    assert "<b>县</b>：九寨沟县" in page and "<b>县</b>：513225000000" not in page


def test_a_units_history_holds_its_links_and_no_other_units(court, cdu, county_admin, regions,
                                                            django_assert_num_queries):
    mine = setup.linked_village_add(actor=county_admin, unit=court, village=regions[TUANJIE],
                                    since=dt.date(2024, 1, 1))
    theirs = setup.linked_village_add(actor=county_admin, unit=cdu, village=regions[SONGBAI],
                                      since=dt.date(2024, 2, 1))
    links = list(court.linked_villages.select_related("village", "village__parent"))
    with django_assert_num_queries(1):  # the records; the links' villages and unit came with the links
        records = object_history(court, also=links)
    assert {(r.object_type, r.object_id) for r in records} == {("linkedvillage", str(mine.pk))}
    assert {"团结村村民委员会", "四川省高级人民法院"} <= {value for _label, value in records[0].values_for_display}
    control = object_history(cdu, also=list(cdu.linked_villages.all()))  # the other unit has its own
    assert {(r.object_type, r.object_id) for r in control} == {("linkedvillage", str(theirs.pk))}
