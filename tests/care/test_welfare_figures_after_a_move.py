"""The kept welfare figures (八必访 and 至少1人就业, `VillageWelfareFigure`) of both villages are right at once
after a household moves between villages, and equal a recount of every village; the village recount reads only
its villages' members and visits, and counts the same as the full pass."""

import datetime as dt

import pytest

from bangfu.care.services import care_visit_record
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.registry.services import household_update, member_update
from bangfu.relocation.services import employment_record, relocated_household_save, site_save
from bangfu.reports.models import VillageWelfareFigure
from bangfu.reports.summaries import _recount_welfare
from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db
FIELDS = ("must_visit", "visited", "visited_recent", "relocated_labour", "relocated_employed")
VISIT = {"visitor": "村支书", "found": "生活正常", "done": "宣传政策"}


def _kept(village: str) -> dict[str, int]:
    row = VillageWelfareFigure.objects.get(village_id=village)
    return {field: getattr(row, field) for field in FIELDS}


def _recounted() -> dict[str, dict[str, int]]:
    """Every village counted in the one full pass (the rebuild's), not the few-village path."""
    return {row.village_id: {field: getattr(row, field) for field in FIELDS} for row in _recount_welfare(None)}


@pytest.fixture
def tuanjie(county_admin, make_household, regions):
    """团结村: a 低保 household visited today and a relocated household with a worker employed this year;
    漳扎村: a seriously ill household never visited."""
    dibao = make_household(TUANJIE, head_name="团结低保")
    member_update(actor=county_admin, member=dibao.members.get(), data={"dibao": True})
    care_visit_record(actor=county_admin, household=dibao, data={**VISIT, "visited_on": dt.date.today()})
    relocated = make_household(TUANJIE, head_name="团结搬迁")
    relocated.members.update(labour_ability="ordinary")
    site = site_save(actor=county_admin, data={"name": "团结安置点", "township": regions[SHUANGHE]})
    relocated_household_save(actor=county_admin, household=relocated,
                             data={"site": site, "relocation_year": 2018, "certificate": "issued"})
    employment_record(actor=county_admin, member=relocated.members.get(),
                      data={"year": dt.date.today().year, "kind": "local", "place": "县城", "months": 8})
    ill = make_household(ZHANGZHA_VILLAGE, head_name="漳扎大病")
    member_update(actor=county_admin, member=ill.members.get(), data={"health": "serious"})
    return {"dibao": dibao, "relocated": Household.objects.get(pk=relocated.pk)}


def _move(actor, household, village):
    household_update(actor=actor, household=Household.objects.get(pk=household.pk),
                     data={"village": Region.objects.get(code=village)})


def test_both_villages_right_after_a_move_and_back(county_admin, tuanjie):
    assert _kept(TUANJIE) == {"must_visit": 1, "visited": 1, "visited_recent": 1, "relocated_labour": 1,
                              "relocated_employed": 1}
    assert _kept(ZHANGZHA_VILLAGE) == {"must_visit": 1, "visited": 0, "visited_recent": 0, "relocated_labour": 0,
                                       "relocated_employed": 0}
    for household in tuanjie.values():
        _move(county_admin, household, ZHANGZHA_VILLAGE)
    assert _kept(TUANJIE) == dict.fromkeys(FIELDS, 0)  # the old village loses them at once
    assert _kept(ZHANGZHA_VILLAGE) == {"must_visit": 2, "visited": 1, "visited_recent": 1, "relocated_labour": 1,
                                       "relocated_employed": 1}
    recount = _recounted()
    assert (_kept(TUANJIE), _kept(ZHANGZHA_VILLAGE)) == (recount[TUANJIE], recount[ZHANGZHA_VILLAGE])

    _move(county_admin, tuanjie["dibao"], TUANJIE)  # and back: the visit goes with the household
    assert _kept(TUANJIE)["must_visit"] == _kept(TUANJIE)["visited"] == 1
    assert _kept(ZHANGZHA_VILLAGE)["must_visit"] == 1 and _kept(ZHANGZHA_VILLAGE)["visited"] == 0
    recount = _recounted()
    assert (_kept(TUANJIE), _kept(ZHANGZHA_VILLAGE)) == (recount[TUANJIE], recount[ZHANGZHA_VILLAGE])

