"""Two assisting units of 九寨沟县: the lead unit (省法院) and 成都大学, each with its users.

- lead_coordinator: 省法院's coordinator (reads every unit, writes 省法院's records, runs meetings)
- cdu_liaison: 成都大学's liaison (reads and writes 成都大学's records only)
- court_liaison: 省法院's liaison
"""

import datetime as dt
from decimal import Decimal

import pytest

from bangfu.assistance import services as s
from bangfu.assistance.models import LinkedVillage, Unit
from tests.conftest import COUNTY, SONGBAI, TUANJIE, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


@pytest.fixture
def court(regions):
    unit = Unit.objects.create(name="四川省高级人民法院", short_name="省法院", kind="organ", is_lead=True,
                               county=regions[COUNTY])
    LinkedVillage.objects.create(unit=unit, village=regions[SONGBAI], since=dt.date(2021, 7, 1))
    return unit


@pytest.fixture
def cdu(regions):
    unit = Unit.objects.create(name="成都大学", short_name="成都大学", kind="university", county=regions[COUNTY])
    LinkedVillage.objects.create(unit=unit, village=regions[TUANJIE], since=dt.date(2021, 7, 1))
    return unit


@pytest.fixture
def lead_coordinator(court):
    return make_user("fayuan", "lead_coordinator", unit=court)


@pytest.fixture
def court_liaison(court):
    return make_user("court_liaison", "unit_liaison", unit=court)


@pytest.fixture
def cdu_liaison(cdu):
    return make_user("cdu", "unit_liaison", unit=cdu)


@pytest.fixture
def records(court, cdu, court_liaison, cdu_liaison, county_admin, regions):
    """One of everything for each unit."""
    made = {}
    for unit, actor, village in ((court, court_liaison, SONGBAI), (cdu, cdu_liaison, TUANJIE)):
        fund = s.ledger_entry_record(actor=actor, kind="fund", unit=unit, data={
            "date": dt.date(2022, 3, 1), "flow": "invested", "amount": Decimal(1000), "source": "预算",
            "purpose": "产业"})
        cadre = s.cadre_save(actor=actor, unit=unit, data={
            "name": "驻村干部", "kind": "first_secretary", "village": regions[village],
            "term_start": dt.date(2021, 7, 1)})
        finding = s.finding_create(actor=county_admin, county_code=COUNTY, data={
            "source": "provincial", "found_on": dt.date(2023, 1, 1), "description": "问题", "owner_unit": unit,
            "owner": "某人", "deadline": dt.date(2030, 1, 1)})
        made[unit.pk] = {"fund": fund, "cadre": cadre, "finding": finding, "village": regions[village]}
    meeting = s.meeting_save(actor=county_admin, county_code=COUNTY, units=[court, cdu], data={
        "date": dt.date(2022, 8, 18), "place": "县委", "chair": "院长", "reports_since": dt.date(2021, 7, 1)})
    for unit in (court, cdu):
        made[unit.pk]["task"] = s.task_create(actor=county_admin, meeting=meeting, decision="落实", owner_unit=unit,
                                              owner="某人", deadline=dt.date(2030, 1, 1))
        made[unit.pk]["speech"] = s.speech_save(actor=county_admin, meeting=meeting, cadre=made[unit.pk]["cadre"],
                                                text="发言")
        made[unit.pk]["need"] = s.need_create(actor=county_admin, meeting=meeting, need="需求", owner_unit=unit)
        made[unit.pk]["leave"] = s.leave_request_submit(
            actor=county_admin, cadre=made[unit.pk]["cadre"], start=dt.date(2030, 1, 1), end=dt.date(2030, 1, 2),
            reason="事假")
    made["meeting"] = meeting
    return made
