"""Assistance list pages run the same number of queries with few rows and with many."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.assistance.ledger import LEDGER_KINDS
from bangfu.assistance.models import Cadre, Donation, Finding, Fund, LeaderVisit, Project, Task, Training
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
        few = [queries_for(client, url) for url in urls]
        grow()
        assert [queries_for(client, url) for url in urls] == few
        return
    assert_queries_flat(client, reverse(f"assistance:{name}"), grow)
