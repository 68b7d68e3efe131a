"""Assistance list pages run the same number of queries with few rows and with many."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.assistance.ledger import LEDGER_KINDS
from bangfu.assistance.models import (
    Cadre,
    Donation,
    Finding,
    Fund,
    LeaderVisit,
    LeaveRequest,
    Plan,
    Project,
    Task,
    Training,
)
from tests.assistance.conftest import PNG
from tests.conftest import COUNTY, TUANJIE
from tests.support import assert_queries_flat, queries_for

pytestmark = pytest.mark.django_db


def _grow(court, cdu, meeting):
    def grow():
        for unit in (court, cdu):
            for n in range(15):
                day = dt.date(2022, 1, 1) + dt.timedelta(days=n)
                Fund.objects.create(unit=unit, date=day, flow="invested", amount=Decimal(100), source="预算",
                                    purpose="产业", village_id=TUANJIE)
                Project.objects.create(unit=unit, date=day, name=f"项目{n}", direction="industry",
                                       budget=Decimal(1000), village_id=TUANJIE)
                Donation.objects.create(unit=unit, date=day, form="money", recipient="学校", value=Decimal(10))
                Training.objects.create(unit=unit, date=day, kind="technicians", title="培训", participants=3,
                                        village_id=TUANJIE)
                LeaderVisit.objects.create(unit=unit, date=day, leaders="领导", people=2, village_id=TUANJIE)
                Cadre.objects.create(unit=unit, name=f"干部{n}", kind="work_team", village_id=TUANJIE,
                                     term_start=dt.date(2021, 1, 1))
                Task.objects.create(meeting=meeting, decision=f"事项{n}", owner_unit=unit, owner="某",
                                    deadline=day)
                Finding.objects.create(county_id=COUNTY, source="county", found_on=day, description=f"问题{n}",
                                       owner_unit=unit, owner="某", deadline=day)
    return grow


@pytest.mark.parametrize("name", ["ledger", "home", "cadre_list", "meeting_list", "finding_list"])
def test_assistance_pages_do_not_grow_queries(client, records, court, cdu, lead_coordinator, name):
    client.force_login(lead_coordinator)
    grow = _grow(court, cdu, records["meeting"])
    if name == "ledger":
        urls = [reverse("assistance:ledger_list", args=[kind.key]) for kind in LEDGER_KINDS]
        grow()  # every ledger with rows (an empty page skips its rows' query): then more than a page of them
        few = [queries_for(client, url) for url in urls]
        grow()
        assert [queries_for(client, url) for url in urls] == few
        return
    assert_queries_flat(client, reverse(f"assistance:{name}"), grow)


def _of(name: str, *records_of_court: str, kind: str = "", query: str = ""):
    """A page's url: the ledger kind if any, then the ids of 省法院's records named ("fund", "cadre" ...)."""
    def url(records, court):
        ids = [records[court.pk][key].pk for key in records_of_court]
        return reverse(f"assistance:{name}", args=([kind] if kind else []) + ids) + query
    return url


# The detail and form pages: name -> (who looks: 省法院's coordinator or the county, url, at most this many queries).
DETAIL_PAGES = {
    # + its history: the records, then the objects they point to, one query per kind (its village; its unit came
    # with the entry, audit.selectors.object_history names it without a query)
    "ledger-detail": ("coordinator", _of("ledger_detail", "fund", kind="fund"), 8),
    "ledger-create": ("coordinator", lambda r, court: reverse("assistance:ledger_create", args=["fund"])
                      + f"?unit={court.pk}", 7),
    "ledger-edit": ("coordinator", _of("ledger_edit", "fund", kind="fund"), 8),
    "plan": ("coordinator", _of("plan"), 15),
    "plan-2022": ("coordinator", _of("plan", query="?year=2022"), 15),
    "evaluation": ("coordinator", _of("evaluation", query="?year=2022"), 17),
    "briefing": ("coordinator", _of("briefing"), 3),
    "unit-edit": ("coordinator", lambda r, court: reverse("assistance:unit_edit", args=[court.pk]), 6),
    "cadre-create": ("coordinator", lambda r, court: reverse("assistance:cadre_create") + f"?unit={court.pk}", 6),
    # + the recent check-ins name their township (was one query per check-in)
    # + whether the reader may act for the cadre (the form is offered only then)
    "check-in": ("coordinator", _of("check_in", "cadre"), 7),
    "leave-submit": ("coordinator", _of("leave_submit", "cadre"), 5),
    # the cadre's record: the quota, the month's and year's days and the year's leave (4), its check-ins with their
    # villages, its leave with the deciders, one history query; whether the reader may ask leave, and check in
    "cadre-detail": ("coordinator", _of("cadre_detail", "cadre"), 14),
    "cadre-edit": ("county", _of("cadre_edit", "cadre"), 7),  # + the accounts the county may link
    "cadre-end": ("coordinator", _of("cadre_end", "cadre"), 5),
    "leave-list": ("county", _of("leave_list"), 6),  # pending, closed and decided: one query each
    "meeting-create": ("coordinator", _of("meeting_create"), 5),
    # + the tasks' units come with the tasks (was one query per task); the meeting record's parts (needs, unit
    # reports, speeches, the plan under review) one query each, whatever their number
    "meeting-detail": ("coordinator", lambda r, court: reverse("assistance:meeting_detail", args=[r["meeting"].pk]),
                       16),
    "meeting-edit": ("coordinator", lambda r, court: reverse("assistance:meeting_edit", args=[r["meeting"].pk]), 9),
    "finding-create": ("county", _of("finding_create"), 4),
    # + the item's history (one query, however many changes)
    "finding-detail": ("coordinator", _of("finding_detail", "finding"), 7),
    # setting the work up (assistance.setup_views)
    "unit-detail": ("county", lambda r, court: reverse("assistance:unit_detail", args=[court.pk]), 8),
    "units": ("county", lambda r, court: reverse("assistance:unit_list"), 7),
    "plan-detail": ("county", lambda r, court: reverse("assistance:plan_detail",
                                                       args=[Plan.objects.order_by("id").first().pk]), 11),
    "plan-targets": ("county", lambda r, court: reverse("assistance:plan_targets",
                                                        args=[Plan.objects.order_by("id").first().pk, court.pk]), 8),
    "role-holders": ("county", lambda r, court: reverse("assistance:role_holders"), 11),
    # + where each of its three sections' values come from (regions.config.config_provenance: one query each)
    "settings": ("coordinator", _of("settings"), 14),
}


def test_assistance_detail_pages_do_not_grow_queries(client, records, court, cdu, lead_coordinator, court_liaison,
                                                     county_admin, settings, tmp_path):
    """Each detail and form page once with a few rows and once with many (one set of records for all pages)."""
    from bangfu.assistance.services import check_in_record, evidence_attach, plan_create, plan_target_set

    settings.VAR_DIR = tmp_path  # the evidence files
    plan = plan_create(actor=county_admin, county_code=COUNTY, name="2021-2025规划", start_year=2021, end_year=2025)
    for unit in (court, cdu):
        plan_target_set(actor=county_admin, plan=plan, unit=unit, year=2022, indicator="funds_invested", target="1000")
    viewers = {"coordinator": lead_coordinator, "county": county_admin}

    def counts():
        result = {}
        for name, (who, url, _most) in DETAIL_PAGES.items():
            client.force_login(viewers[who])
            result[name] = queries_for(client, url(records, court))
        return result

    few = counts()
    _grow(court, cdu, records["meeting"])()
    cadre = records[court.pk]["cadre"]
    for n in range(5):
        check_in_record(actor=lead_coordinator, cadre=cadre, date=dt.date(2022, 1, 1) + dt.timedelta(days=n),
                        village=cadre.village, log=f"走访{n}")
        for status in ("pending", "approved"):
            LeaveRequest.objects.create(cadre=cadre, start=dt.date(2030, 3 + n, 1 if status == "pending" else 10),
                                        end=dt.date(2030, 3 + n, 2 if status == "pending" else 11), reason="事假",
                                        approver_level="township", status=status,
                                        decided_by=county_admin if status == "approved" else None)
        for record in (records[court.pk]["fund"], records[court.pk]["finding"]):
            evidence_attach(actor=court_liaison, record=record, name=f"p{n}.png", content=PNG)
    _grow_setup(plan, court, county_admin, court_liaison)
    many = counts()
    print({name: (few[name], many[name]) for name in few})  # pytest -s: the counts to pin
    grew = {name: (few[name], n) for name, n in many.items() if n != few[name]}
    assert not grew, f"queries with few rows, with many: {grew}"
    over = {name: (n, DETAIL_PAGES[name][2]) for name, n in many.items() if n > DETAIL_PAGES[name][2]}
    assert not over, f"queries, at most: {over}"


def _grow_setup(plan, court, county_admin, court_liaison):
    """More links, role holders, plan versions, comments and targets: the setup pages must not grow queries."""
    from bangfu.assistance import setup
    from bangfu.regions.models import Region

    villages = list(Region.objects.filter(level="village", code__startswith=COUNTY[:6]).order_by("code")[:4])
    for n, village in enumerate(villages):
        setup.linked_village_add(actor=county_admin, unit=court, village=village, since=dt.date(2024, 1, 1 + n),
                                 until=dt.date(2024, 12, 31))
        setup.role_holder_add(actor=county_admin, county_code=COUNTY, village=village, role="county_leader",
                              name=f"领导{n}", since=dt.date(2024, 1, 1))
    for n in range(3):
        setup.plan_version_save(actor=county_admin, plan=plan, text=f"第{n}稿")
        setup.plan_comment_add(actor=court_liaison, plan=plan, text=f"意见{n}")
    setup.plan_targets_grid_save(actor=county_admin, plan=plan, unit=court, cells={
        setup.grid_key(y, "cadres_trained"): "10" for y in plan.years})
