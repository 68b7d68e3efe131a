"""The kept figures (village summaries) equal a full recount of the registry after every kind of write."""

from decimal import Decimal

import pytest

from bangfu.regions.models import Region
from bangfu.registry.models import Household, Member
from bangfu.registry.selectors import (
    HouseholdFilter,
    households_filtered,
    households_paginator,
    households_visible_to,
)
from bangfu.registry.services import (
    household_create,
    household_reopen,
    household_update,
    income_record_save,
    member_add,
    member_remove,
)
from bangfu.reports.indicators import (
    INDICATORS,
    registry_totals,
    summary_below_line,
    summary_breakdown,
    summary_totals,
)
from bangfu.reports.models import VillageSummary
from bangfu.reports.selectors import village_summaries_visible_to
from bangfu.reports.summaries import village_summaries_rebuild, village_summaries_refresh
from tests.conftest import SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE, synthetic_id

LIST_FILTERS = [
    HouseholdFilter(),
    HouseholdFilter(region_code=SHUANGHE),
    HouseholdFilter(region_code=ZHANGZHA_VILLAGE),
    HouseholdFilter(household_type="formerly_poor"),
    HouseholdFilter(monitoring_status="monitored"),
    HouseholdFilter(monitoring_status="risk_open", region_code=SHUANGHE),
    HouseholdFilter(unsafe_housing=True),
    HouseholdFilter(relocated=True, household_type="formerly_poor"),
    HouseholdFilter(below_line=True),
    HouseholdFilter(below_line=True, region_code=SHUANGHE),
]


def _kept_rows() -> list[tuple]:
    return sorted(VillageSummary.objects.values_list(
        "village_id", "household_type", "monitoring_type", "monitoring_status", "housing_safety", "relocated",
        "below_line", "households", "people"))


def assert_kept_equals_recount(*users) -> None:
    """For each reader: every indicator, the breakdown and every list total, kept versus recounted; and the kept
    rows themselves equal a rebuild from scratch."""
    for user in users:
        kept = summary_totals(village_summaries_visible_to(user))
        recount = registry_totals(households_visible_to(user))
        assert kept == recount, user.username
        assert summary_below_line(village_summaries_visible_to(user)) == \
            households_filtered(user, HouseholdFilter(below_line=True)).count(), user.username
        for level, width in (("township", 9), ("village", 12)):
            by_area = {row["code"]: row["households"] for row in
                       summary_breakdown(village_summaries_visible_to(user), level=level)}
            counted: dict[str, int] = {}
            for code in households_visible_to(user).values_list("village_id", flat=True):
                key = code[:width].ljust(12, "0")
                counted[key] = counted.get(key, 0) + 1
            assert by_area == counted, (user.username, level)
        for flt in LIST_FILTERS:
            assert households_paginator(user, flt, per_page=2).count == households_filtered(user, flt).count(), flt
    before = _kept_rows()
    village_summaries_rebuild()
    assert _kept_rows() == before


@pytest.fixture
def readers(county_admin, shuanghe_reviewer, tuanjie_cadre, zhangzha_cadre):
    return county_admin, shuanghe_reviewer, tuanjie_cadre, zhangzha_cadre


def _household(actor, village, **fields):
    household = household_create(actor=actor, data={"number": "", "village": Region.objects.get(code=village),
                                                    **fields})
    member_add(actor=actor, household=household, data={"name": "汇总户主", "relation": "head"},
               id_number=synthetic_id())
    return household


def test_create_edit_move_close_and_members(county_admin, readers):
    assert_kept_equals_recount(*readers)
    a = _household(county_admin, TUANJIE, household_type="formerly_poor")
    b = _household(county_admin, TUANJIE, monitoring_type="marginal", identified_month="202401",
                   housing_safety="C")
    c = _household(county_admin, ZHANGZHA_VILLAGE, relocated=True, resettlement_site="安置点")
    assert_kept_equals_recount(*readers)
    assert summary_totals(village_summaries_visible_to(county_admin))["people"] == 3

    # edit: the kind changes (ordinary → monitored, risk eliminated; housing repaired)
    household_update(actor=county_admin, household=b, data={
        "monitoring_status": "risk_eliminated", "eliminated_month": "202405", "housing_safety": "B"})
    household_update(actor=county_admin, household=a, data={"monitoring_type": "unstable", "identified_month": "202402"})
    assert_kept_equals_recount(*readers)

    # members come and go
    spouse = member_add(actor=county_admin, household=a, data={"name": "配偶甲", "relation": "spouse"},
                        id_number=synthetic_id(male=False))
    member_add(actor=county_admin, household=c, data={"name": "之子丙", "relation": "son"}, id_number=synthetic_id())
    assert_kept_equals_recount(*readers)
    member_remove(actor=county_admin, member=spouse, reason="married_out")
    assert_kept_equals_recount(*readers)

    # move: to another village of the same township, then to another township
    household_update(actor=county_admin, household=a, data={"village": Region.objects.get(code=SONGBAI)})
    assert_kept_equals_recount(*readers)
    household_update(actor=county_admin, household=c, data={"village": Region.objects.get(code=TUANJIE)})
    assert_kept_equals_recount(*readers)
    assert households_paginator(readers[3], HouseholdFilter(), per_page=50).count == 0  # 漳扎村 is empty now

    # close (the last member leaves): the household leaves the figures with its members; reopen brings it back
    son = c.members.get(relation="son")
    member_remove(actor=county_admin, member=son, reason="moved_out")
    member_remove(actor=county_admin, member=c.members.get(), reason="moved_out")
    c.refresh_from_db()
    assert not c.is_active
    assert_kept_equals_recount(*readers)
    totals = summary_totals(village_summaries_visible_to(county_admin))
    assert (totals["households"], totals["people"], totals["relocated"]) == (2, 2, 0)
    assert {i.key for i in INDICATORS} == set(totals)
    household_reopen(actor=county_admin, household=c, reason="误销户")
    assert_kept_equals_recount(*readers)
    assert summary_totals(village_summaries_visible_to(county_admin))["households"] == 3


def test_a_bulk_write_then_refresh_equals_a_recount(county_admin, readers):
    """What an importer does: write many rows directly, then refresh the villages it touched."""
    _household(county_admin, TUANJIE)
    villages = {TUANJIE: Region.objects.get(code=TUANJIE), SONGBAI: Region.objects.get(code=SONGBAI)}
    rows = Household.objects.bulk_create(
        [Household(number=f"{TUANJIE if n % 2 else SONGBAI}9{n:03d}", village=villages[TUANJIE if n % 2 else SONGBAI],
                   household_type="formerly_poor" if n % 3 else "ordinary") for n in range(12)])
    Member.objects.bulk_create([Member(household=h, name="导入成员", relation="head", sex="male",
                                       birth_date="1980-01-01", id_number_digest=f"digest-{n}")
                                for n, h in enumerate(rows)])
    assert summary_totals(village_summaries_visible_to(county_admin))["households"] == 1  # not yet refreshed
    village_summaries_refresh(villages)
    assert_kept_equals_recount(*readers)
    assert summary_totals(village_summaries_visible_to(county_admin))["households"] == 13


def test_home_page_shows_the_kept_figures(admin_client, county_admin):
    _household(county_admin, TUANJIE, household_type="formerly_poor")
    _household(county_admin, ZHANGZHA_VILLAGE, monitoring_type="marginal", identified_month="202401")
    response = admin_client.get("/")
    shown = {indicator.key: value for indicator, value in response.context["indicators"]}
    assert shown == registry_totals(households_visible_to(county_admin))
    assert (shown["households"], shown["people"], shown["formerly_poor"], shown["monitored"]) == (2, 2, 1, 1)


def test_rebuild_command_recounts_after_a_write_by_other_means(county_admin, readers, capsys):
    from django.core.management import call_command

    _household(county_admin, TUANJIE)
    _household(county_admin, SONGBAI, household_type="formerly_poor")
    Household.objects.filter(village_id=SONGBAI).update(household_type="ordinary")  # e.g. SQL by hand
    assert summary_totals(village_summaries_visible_to(county_admin))["formerly_poor"] == 1
    call_command("rebuild_summaries")
    assert "已重算村级汇总" in capsys.readouterr().out
    assert summary_totals(village_summaries_visible_to(county_admin))["formerly_poor"] == 0
    assert_kept_equals_recount(*readers)


def _income(actor, household, year, per_person_net):
    """One member, no spending: the net income per person is the wage."""
    income_record_save(actor=actor, household=household, year=year,
                       data={"wage_income": Decimal(per_person_net), "members_counted": 1})


def test_incomes_and_the_monitoring_line_move_households_across_the_line(county_admin, readers, regions):
    """收入低于监测线但未纳入监测 is kept too: an income written or corrected, a line changed, a household taken into
    monitoring — each moves the kept figure exactly as a recount moves."""
    from bangfu.monitoring.services import monitoring_line_save

    monitoring_line_save(actor=county_admin, region=regions["513225000000"], year=2025, amount=Decimal("7800"))
    a = _household(county_admin, TUANJIE)
    b = _household(county_admin, ZHANGZHA_VILLAGE)
    _income(county_admin, a, 2025, "7000")
    _income(county_admin, b, 2025, "9000")
    assert_kept_equals_recount(*readers)
    assert summary_below_line(village_summaries_visible_to(county_admin)) == 1

    _income(county_admin, a, 2025, "8000")  # corrected: a is above the line now
    assert_kept_equals_recount(*readers)
    assert summary_below_line(village_summaries_visible_to(county_admin)) == 0
    monitoring_line_save(actor=county_admin, region=regions["513225000000"], year=2025, amount=Decimal("9600"))
    assert_kept_equals_recount(*readers)
    assert summary_below_line(village_summaries_visible_to(county_admin)) == 2  # both below 9,600
    assert summary_below_line(village_summaries_visible_to(readers[2])) == 1  # 团结村 sees its own

    household_update(actor=county_admin, household=b, data={"monitoring_type": "marginal", "identified_month": "202501"})
    assert_kept_equals_recount(*readers)
    assert summary_below_line(village_summaries_visible_to(county_admin)) == 1  # monitored now: not missed


def test_a_bulk_writer_through_the_services_recounts_each_village_once(county_admin, readers):
    """village_summaries_deferred: record-by-record services inside it note their villages; the figures follow
    on leaving, with one recount per village instead of one per record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bangfu.reports.summaries import village_summaries_deferred

    households = [_household(county_admin, TUANJIE) for _ in range(3)]
    with CaptureQueriesContext(connection) as queries, village_summaries_deferred():
        for household in households:
            household_update(actor=county_admin, household=household, data={"household_type": "formerly_poor"})
        with village_summaries_deferred():  # nested: still once, by the outermost
            household_update(actor=county_admin, household=households[0], data={"housing_safety": "C"})
        assert summary_totals(village_summaries_visible_to(county_admin))["formerly_poor"] == 0  # not yet
    recounts = [q for q in queries.captured_queries if q["sql"].startswith("DELETE FROM \"reports_villagesummary\"")]
    assert len(recounts) == 1
    assert summary_totals(village_summaries_visible_to(county_admin))["formerly_poor"] == 3
    assert_kept_equals_recount(*readers)
