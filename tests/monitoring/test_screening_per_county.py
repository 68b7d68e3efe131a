"""Screening per county: a county's run reads its own households with its own rules; another county's
administrator cannot screen it; a prefecture administrator screens its counties one run each and reads both
counties' lists through the one door."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.monitoring.models import RiskWarning, Rule, ScreeningRun
from bangfu.monitoring.selectors import screening_runs, warnings_visible_to
from bangfu.monitoring.services import rule_update, screening_run, screening_runs_for_subtree
from bangfu.regions.config import config_rows
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load
from bangfu.registry.selectors import households_visible_to
from tests.accounts.conftest import JINAN_COMMUNITY, SONGPAN, SONGPAN_ROWS
from tests.conftest import COUNTY, TUANJIE, make_user, synthetic_id
from tests.monitoring.factories import cents, feed_row, head

pytestmark = pytest.mark.django_db
PREFECTURE = "513200000000"


@pytest.fixture
def two(regions, make_household):
    """A household in each county, each with a 12,000-yuan hospital stay (over the shipped 10,000 line)."""
    from bangfu.registry.services import household_create, member_add

    regions_load(text=SONGPAN_ROWS)
    songpan_admin = make_user("sp_admin", "county_admin", SONGPAN)
    theirs = household_create(actor=songpan_admin, data={"number": "", "village": Region.objects.get(
        code=JINAN_COMMUNITY)}, phone="10012345678")
    member_add(actor=songpan_admin, household=theirs, data={"name": "松潘户主", "relation": "head"},
               id_number=synthetic_id())
    ours = make_household(TUANJIE)
    for household in (ours, theirs):
        feed_row(head(household), "medical", "2025-05", date1=dt.date(2025, 5, 3), amount1=cents(30000),
                 amount5=cents("12000"))
    return {"ours": ours, "theirs": theirs, "songpan_admin": songpan_admin,
            "prefecture_admin": make_user("aba_admin", "prefecture_admin", PREFECTURE)}


def _warned() -> set[int]:
    return set(RiskWarning.objects.values_list("household_id", flat=True))


def test_a_countys_run_screens_its_own_households_only(two, county_admin):
    run = screening_run(actor=two["songpan_admin"])
    assert run.region_id == SONGPAN and _warned() == {two["theirs"].pk}
    run = screening_run(actor=county_admin)  # control: 九寨沟's own run finds its own
    assert run.region_id == COUNTY and _warned() == {two["theirs"].pk, two["ours"].pk}


def test_another_countys_administrator_cannot_screen_it(two):
    with pytest.raises(PermissionDenied):
        screening_run(actor=two["songpan_admin"], county=COUNTY)
    assert not ScreeningRun.objects.exists() and not RiskWarning.objects.exists()


def test_each_county_screens_with_its_own_rules(two, county_admin):
    rule = config_rows(Rule, SONGPAN).get(code="medical_stay_oop")
    rule_update(actor=two["songpan_admin"], rule=rule, params={**rule.params, "other_yuan": 20000}, enabled=True)
    screening_run(actor=two["songpan_admin"])
    screening_run(actor=county_admin)
    assert _warned() == {two["ours"].pk}  # 松潘's line is 20,000 now; 九寨沟 keeps the shipped 10,000


def test_the_prefecture_screens_county_by_county_and_reads_both(two):
    aba = two["prefecture_admin"]
    with pytest.raises(ValidationError, match="请选择要筛查的县"):
        screening_run(actor=aba)
    runs = screening_runs_for_subtree(actor=aba)
    assert [run.region_id for run in runs] == [SONGPAN, COUNTY]
    assert _warned() == {two["ours"].pk, two["theirs"].pk}
    # One door: the prefecture's lists hold both counties; each county's only its own.
    assert set(households_visible_to(aba).values_list("pk", flat=True)) == {two["ours"].pk, two["theirs"].pk}
    assert set(warnings_visible_to(aba).values_list("household_id", flat=True)) == {two["ours"].pk,
                                                                                     two["theirs"].pk}
    assert set(households_visible_to(two["songpan_admin"]).values_list("pk", flat=True)) == {two["theirs"].pk}
    assert {run.region_id for run in screening_runs(aba)} == {SONGPAN, COUNTY}
    assert {run.region_id for run in screening_runs(two["songpan_admin"])} == {SONGPAN}


def test_a_county_administrator_cannot_screen_a_subtree_above_it(two):
    with pytest.raises(PermissionDenied):
        screening_runs_for_subtree(actor=two["songpan_admin"], region=PREFECTURE)


def test_a_running_screening_elsewhere_is_said_without_who_started_it(two, county_admin):
    """One screening at a time across counties (the store and the engine are shared): 松潘's administrator is told
    a run is under way, not the name of 九寨沟's administrator who started it; 九寨沟's own colleagues see it."""
    from bangfu.keyring.leases import process_name
    from bangfu.monitoring.services import ScreeningBusy, screening_start

    ScreeningRun.objects.create(started_by=county_admin, region_id=COUNTY, process=process_name())
    with pytest.raises(ScreeningBusy) as refused:
        screening_start(actor=two["songpan_admin"])
    assert "其他地区于" in refused.value.messages[0] and county_admin.display_name not in refused.value.messages[0]
    with pytest.raises(ScreeningBusy) as refused:  # control: a colleague in the same county
        screening_start(actor=make_user("jzg_admin2", "county_admin", COUNTY))
    assert f"{county_admin.display_name}于" in refused.value.messages[0]
    with pytest.raises(ScreeningBusy) as refused:  # and the prefecture above it
        screening_start(actor=two["prefecture_admin"])
    assert f"{county_admin.display_name}于" in refused.value.messages[0]
