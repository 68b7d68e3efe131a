"""An assisting unit sees its linked villages while the link lasts, and no longer once it has ended."""

import datetime as dt

from bangfu.assistance.models import LinkedVillage, Unit
from bangfu.registry.selectors import households_visible_to
from tests.conftest import COUNTY, SONGBAI, TUANJIE, make_user


def test_an_ended_link_closes_the_village(regions, make_household):
    tuanjie, songbai = make_household(TUANJIE, number="UL-1"), make_household(SONGBAI, number="UL-2")
    unit = Unit.objects.create(name="成都大学", county_id=COUNTY)
    LinkedVillage.objects.create(unit=unit, village_id=TUANJIE)
    LinkedVillage.objects.create(unit=unit, village_id=SONGBAI, until=dt.date.today() - dt.timedelta(days=1))
    liaison = make_user("cdu", "unit_liaison", unit=unit)
    assert set(households_visible_to(liaison)) == {tuanjie}
    assert songbai not in households_visible_to(liaison)
