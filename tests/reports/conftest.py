"""What several report tests stand on: a small county with relocated households and vulnerable groups."""

import datetime as dt

import pytest

from bangfu.care.services import care_visit_record
from bangfu.registry.models import Household
from bangfu.registry.services import member_update
from bangfu.relocation.services import employment_record, relocated_household_save, site_save
from bangfu.reports.summaries import village_summaries_deferred
from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE

YEAR = dt.date.today().year
VISIT = {"visitor": "村支书", "found": "生活正常", "done": "宣传政策"}


@pytest.fixture
def world(county_admin, make_household, regions):
    """Two sites in two townships, a relocated household at each: Tuanjie's with a worker employed this year,
    Zhangzha's with labour and nobody employed; a dibao household in Tuanjie visited today; a seriously ill one in
    Zhangzha never visited. The village figures are as the writers left them (tests/reports/test_welfare_pages.py
    counts every village afresh on top)."""
    with village_summaries_deferred():  # one recount of the villages touched, at the end
        made = {}
        for key, village, town in (("tj", TUANJIE, SHUANGHE), ("zz", ZHANGZHA_VILLAGE, ZHANGZHA_TOWN)):
            site = site_save(actor=county_admin, data={"name": f"{key}安置点", "township": regions[town]})
            household = make_household(village, head_name=f"搬迁{key}")
            household.members.update(labour_ability="ordinary")
            relocated_household_save(actor=county_admin, household=household,
                                     data={"site": site, "relocation_year": 2018, "certificate": "issued"})
            made[f"reloc_{key}"] = Household.objects.get(pk=household.pk)
            made[f"site_{key}"] = site
        employment_record(actor=county_admin, member=made["reloc_tj"].members.get(),
                          data={"year": YEAR, "kind": "local", "place": "县城", "months": 8})
        own = make_household(TUANJIE, head_name="团结低保")
        member_update(actor=county_admin, member=own.members.get(), data={"dibao": True})
        care_visit_record(actor=county_admin, household=own, data={**VISIT, "visited_on": dt.date.today()})
        zz = make_household(ZHANGZHA_VILLAGE, head_name="漳扎大病")
        member_update(actor=county_admin, member=zz.members.get(), data={"health": "serious"})
        made.update(visited=own, never=zz)
        return made
