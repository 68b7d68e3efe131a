"""Two assisting units of 九寨沟县: the lead unit (省法院) and 成都大学, each with its users.

- lead_coordinator: 省法院's coordinator (reads every unit, writes 省法院's records, runs meetings)
- cdu_liaison: 成都大学's liaison (reads and writes 成都大学's records only)
- court_liaison: 省法院's liaison
"""

import datetime as dt

import pytest

from bangfu.assistance.models import LinkedVillage, Unit
from tests.conftest import COUNTY, SONGBAI, TUANJIE, make_user


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
