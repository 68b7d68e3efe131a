"""The API's reads for department systems and scripts (warnings, leads, cases, the ledger) go through the pages'
selectors: a token of 团结村's cadre reads 团结村 only, a unit's token its own unit's ledger only; the county's token
(the control) reads both."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bangfu.accounts.tokens import api_token_create
from bangfu.assistance.models import LinkedVillage, Unit
from bangfu.assistance.services import ledger_entry_record
from bangfu.cases.services import case_open, transitions_ensure_defaults
from bangfu.monitoring.models import Lead, RiskWarning, Rule
from tests.conftest import COUNTY, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(regions, make_household, county_admin, tuanjie_cadre, zhangzha_cadre):
    transitions_ensure_defaults()
    rule = Rule.objects.filter(is_exclusion=False).first()
    now = timezone.now()
    made = {}
    for village, cadre in ((TUANJIE, tuanjie_cadre), (ZHANGZHA_VILLAGE, zhangzha_cadre)):
        household = make_household(village)
        RiskWarning.objects.create(household=household, village_id=village, rule=rule, evidence="证据", created_at=now,
                                   updated_at=now)
        Lead.objects.create(source=Lead.Source.CADRE_VISIT, village_id=village, household=household,
                            risk_type="illness", difficulty="住院", created_by=cadre)
        case_open(actor=cadre, household=household, summary="户主住院")
        made[village] = household
    return made


@pytest.fixture
def units(regions, county_admin):
    made = {}
    for name, village in (("成都大学", TUANJIE), ("省法院", SONGBAI)):
        unit = Unit.objects.create(name=name, short_name=name, kind="organ", county=regions[COUNTY])
        LinkedVillage.objects.create(unit=unit, village=regions[village], since=dt.date(2021, 7, 1))
        liaison = make_user(f"liaison_{village}", "unit_liaison", unit=unit)
        ledger_entry_record(actor=liaison, kind="fund", unit=unit, data={
            "date": dt.date(2026, 3, 1), "flow": "invested", "amount": Decimal(1000), "source": "预算",
            "purpose": name + "产业"})
        made[name] = (unit, liaison)
    return made


def _read(client, raw, path):
    response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("path", ["/api/v1/warnings", "/api/v1/leads", "/api/v1/cases"])
def test_a_village_token_reads_its_village_only(client, world, county_admin, tuanjie_cadre, path):
    raw = api_token_create(actor=county_admin, user=tuanjie_cadre, scopes=["read"], days=30)[1]
    body = _read(client, raw, path)
    assert body["count"] == 1
    row = body["results"][0]
    assert row.get("village_code") == TUANJIE
    county = api_token_create(actor=county_admin, user=county_admin, scopes=["read"], days=30)[1]
    assert _read(client, county, path)["count"] == 2  # control


def test_a_unit_token_reads_its_own_ledger_only(client, units, county_admin):
    unit, liaison = units["成都大学"]
    raw = api_token_create(actor=county_admin, user=liaison, scopes=["read"], days=30)[1]
    body = _read(client, raw, "/api/v1/ledger/fund")
    assert body["count"] == 1 and body["results"][0]["unit"] == unit.label
    assert body["results"][0]["columns"]["用途"] == "成都大学产业"
    county = api_token_create(actor=county_admin, user=county_admin, scopes=["read"], days=30)[1]
    assert _read(client, county, "/api/v1/ledger/fund")["count"] == 2  # control
    missing = client.get("/api/v1/ledger/nonsense", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert missing.status_code == 404 and "没有这种台账" in missing.json()["detail"]
