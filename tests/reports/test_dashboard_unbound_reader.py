"""A reader bound to no region and no unit (a superuser) opens the dashboard at the top of the tree, covering
every county, not at whichever county sorts first (松潘县 513224 sorts before 九寨沟县 513225)."""

import pytest

from bangfu.accounts.models import User
from bangfu.regions.services import regions_load
from bangfu.reports.dashboard import scope_for
from tests.accounts.conftest import SONGPAN, SONGPAN_ROWS
from tests.conftest import COUNTY, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_counties(regions):
    regions_load(text=SONGPAN_ROWS)


def test_a_reader_bound_nowhere_sees_every_county(two_counties):
    root = User.objects.create_superuser(username="root", password="pw-for-tests-1")
    region = scope_for(root).region
    assert region.parent_id is None
    assert region.contains(COUNTY) and region.contains(SONGPAN)


def test_control_a_county_reader_opens_their_county(two_counties):
    assert scope_for(make_user("sp_admin", "county_admin", SONGPAN)).region.code == SONGPAN
