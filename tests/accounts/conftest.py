"""Accounts fixtures: a second county (松潘县) beside 九寨沟, a unit in each, a township reviewer given
accounts.manage, and a fingerprint of every account and change record to prove a refused write changed nothing.
"""

import pytest

from bangfu.accounts.models import User
from bangfu.accounts.roles import CAPABILITIES, Role
from bangfu.assistance.models import Unit
from bangfu.audit.models import ChangeRecord
from bangfu.regions.services import regions_load
from tests.conftest import COUNTY, make_user

SONGPAN = "513224000000"
JINAN = "513224100000"
JINAN_COMMUNITY = "513224100001"
SONGPAN_ROWS = """code,name,level,parent_code
513224000000,松潘县,county,513200000000
513224100000,进安镇,township,513224000000
513224100001,进安镇社区居民委员会,village,513224100000
"""
PASSWORD = "a-long-password-1"



@pytest.fixture
def songpan(regions):
    """松潘县, the county next door in the same prefecture, with one township and one community."""
    regions_load(text=SONGPAN_ROWS)


@pytest.fixture
def songpan_admin(songpan):
    return make_user("songpan_admin", "county_admin", SONGPAN)


@pytest.fixture
def songpan_cadre(songpan):
    return make_user("songpan_cadre", "village_cadre", JINAN_COMMUNITY)


@pytest.fixture
def unit(regions):
    return Unit.objects.create(name="成都大学", short_name="成大", county_id=COUNTY)


@pytest.fixture
def songpan_unit(songpan):
    return Unit.objects.create(name="松潘帮扶单位", county_id=SONGPAN)


@pytest.fixture
def unit_liaison(unit):
    return make_user("cdu_liaison", "unit_liaison", unit=unit)


@pytest.fixture
def songpan_liaison(songpan_unit):
    return make_user("songpan_liaison", "unit_liaison", unit=songpan_unit)


@pytest.fixture
def township_manager(shuanghe_reviewer, monkeypatch):
    """The 双河镇 reviewer, with accounts.manage added to its role for the test (a county could set this up)."""
    extended = CAPABILITIES[Role.TOWNSHIP_REVIEWER] | {"accounts.manage"}
    monkeypatch.setitem(CAPABILITIES, Role.TOWNSHIP_REVIEWER, extended)
    return shuanghe_reviewer


@pytest.fixture
def fingerprint():
    """Every account and change record: equal before and after means nothing was written."""
    def _fingerprint() -> dict[str, list[dict]]:
        return {"User": list(User.objects.order_by("pk").values()),
                "ChangeRecord": list(ChangeRecord.objects.order_by("pk").values())}

    return _fingerprint


@pytest.fixture
def admin_client(client, county_admin):
    client.force_login(county_admin)
    return client
