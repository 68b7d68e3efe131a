"""Lists and figures over several counties count each county by its own definition: a prefecture's care list
takes each county's elderly age, the 至少1人就业 figure each county's employed months (regions.config.config_q).
One 62-year-old living alone in 九寨沟县 and one in 松潘县; the shipped elderly age is 60. One relocated household
in each county whose one worker worked 2 months away; the shipped employed minimum is 1 month."""

import datetime as dt

import pytest

from bangfu.care.groups import group_members
from bangfu.care.services import care_settings_save
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load
from bangfu.registry.models import Household, Member
from bangfu.registry.services import household_create, member_add
from bangfu.relocation import indicators
from tests.accounts.conftest import JINAN_COMMUNITY, SONGPAN, SONGPAN_ROWS
from tests.conftest import COUNTY, TUANJIE, make_user, synthetic_id
from tests.relocation.factories import recount

pytestmark = pytest.mark.django_db


@pytest.fixture
def songpan(regions):
    regions_load(text=SONGPAN_ROWS)


@pytest.fixture
def admins(regions, songpan):
    return {"jiuzhaigou": make_user("jzg_admin", "county_admin", COUNTY),
            "songpan": make_user("sp_admin", "county_admin", SONGPAN),
            "prefecture": make_user("aba_admin", "county_admin", "513200000000")}


def _lone_person(actor, village: str) -> Member:
    household = household_create(actor=actor, data={"number": "", "village": Region.objects.get(code=village)},
                                 phone="10012345678")
    birth = dt.date.today().replace(year=dt.date.today().year - 62) - dt.timedelta(days=1)
    return member_add(actor=actor, household=household, data={"name": "独居老人", "relation": "head"},
                      id_number=synthetic_id(birth.strftime("%Y%m%d")))


@pytest.fixture
def elders(admins):
    return {"jiuzhaigou": _lone_person(admins["jiuzhaigou"], TUANJIE).pk,
            "songpan": _lone_person(admins["songpan"], JINAN_COMMUNITY).pk}


def _elderly() -> set[int]:
    return set(group_members(Member.objects.all(), "elderly").values_list("pk", flat=True))


def test_control_the_shipped_age_counts_both(elders):
    assert _elderly() == {elders["jiuzhaigou"], elders["songpan"]}


@pytest.mark.parametrize(("age", "songpan_counted"), [(62, True), (63, False)])
def test_a_countys_own_age_counts_only_there(admins, elders, age, songpan_counted):
    care_settings_save(actor=admins["songpan"], data={"elderly_age": age})
    assert _elderly() == {elders["jiuzhaigou"]} | ({elders["songpan"]} if songpan_counted else set())


def test_the_prefectures_age_reaches_the_counties_without_their_own(admins, elders):
    care_settings_save(actor=admins["songpan"], data={"elderly_age": 60})  # 松潘 keeps 60 as its own
    care_settings_save(actor=admins["prefecture"], data={"elderly_age": 65})
    assert _elderly() == {elders["songpan"]}


@pytest.fixture
def workers(elders):
    """The elders' households, relocated, each elder having worked 2 months away this year (fields set directly:
    the figure, not the relocation services, is under test)."""
    Member.objects.filter(pk__in=elders.values()).update(labour_ability="ordinary", work_place="in_province",
                                                         work_months=2)
    homes = {county: Member.objects.get(pk=pk).household_id for county, pk in elders.items()}
    Household.objects.filter(pk__in=homes.values()).update(relocated=True, is_active=True)
    return homes


def _employed() -> set[int]:
    found = set(indicators.with_employed(Household.objects.all()).values_list("pk", flat=True))
    assert found == recount()["employed"]  # the plain recount, county by county, agrees
    return found


@pytest.mark.parametrize(("months", "songpan_counted"), [(2, True), (3, False)])
def test_a_countys_own_employed_months_count_only_there(admins, workers, months, songpan_counted):
    assert _employed() == set(workers.values())  # control: the shipped minimum counts both
    care_settings_save(actor=admins["songpan"], data={"employed_min_months": months})
    assert _employed() == {workers["jiuzhaigou"]} | ({workers["songpan"]} if songpan_counted else set())
