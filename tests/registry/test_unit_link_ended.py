"""An assisting unit sees its linked villages while the link lasts, and no longer once it has ended."""

import datetime as dt

from bangfu.assistance.models import LinkedVillage, Unit
from bangfu.registry.selectors import households_visible_to
from tests.conftest import COUNTY, SONGBAI, TUANJIE, make_user


def test_an_ended_link_closes_the_village(regions, make_household):
    tuanjie, songbai = make_household(TUANJIE, number="8800000029"), make_household(SONGBAI, number="8800000030")
    unit = Unit.objects.create(name="成都大学", county_id=COUNTY)
    LinkedVillage.objects.create(unit=unit, village_id=TUANJIE)
    LinkedVillage.objects.create(unit=unit, village_id=SONGBAI, until=dt.date.today() - dt.timedelta(days=1))
    liaison = make_user("cdu", "unit_liaison", unit=unit)
    assert set(households_visible_to(liaison)) == {tuanjie}
    assert songbai not in households_visible_to(liaison)


def test_a_units_list_page_shows_its_linked_villages_as_the_tree(client, regions, make_household):
    from django.urls import reverse

    make_household(TUANJIE, number="8800000031")
    unit = Unit.objects.create(name="成都大学", county_id=COUNTY)
    LinkedVillage.objects.create(unit=unit, village_id=TUANJIE)
    client.force_login(make_user("cdu", "unit_liaison", unit=unit))
    response = client.get(reverse("registry:household_list"))
    tree = response.context["tree"]()  # built only when the page shows it (not for an htmx table refresh)
    assert [node["region"].code for node in tree] == ["513225103000"]
    assert [child["region"].code for child in tree[0]["children"]] == [TUANJIE]
    assert "本单位联系点" in response.content.decode()
