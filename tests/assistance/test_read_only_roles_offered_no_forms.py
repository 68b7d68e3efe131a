"""Pages offer only what the reader may do: a leader, an auditor and the lead unit read every unit's cadres, but are
not offered another unit's check-in or leave form (its POST would be refused); the cadre's own unit is (the control),
and the cadre list links those forms only where they may be submitted."""

import pytest
from django.urls import reverse

from tests.conftest import COUNTY, make_user

pytestmark = pytest.mark.django_db

FORMS = ("assistance:check_in", "assistance:leave_submit")
FIELD = {"assistance:check_in": b'name="log"', "assistance:leave_submit": b'name="start"'}  # each form's own field


@pytest.fixture
def auditor(regions):
    return make_user("auditor", "auditor", COUNTY)


@pytest.mark.parametrize("who", ["leader", "auditor", "lead_coordinator"])
@pytest.mark.parametrize("name", FORMS)
def test_readers_of_other_units_get_no_form(client, request, records, cdu, who, name):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name, args=[records[cdu.pk]["cadre"].pk]))
    assert response.status_code in (403, 404)
    assert FIELD[name] not in response.content


@pytest.mark.parametrize(("who", "unit"), [("cdu_liaison", "cdu"), ("lead_coordinator", "court")])
@pytest.mark.parametrize("name", FORMS)
def test_the_cadres_own_unit_gets_the_form(client, request, records, who, unit, name):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name, args=[records[request.getfixturevalue(unit).pk]["cadre"].pk]))
    assert response.status_code == 200 and FIELD[name] in response.content


def test_the_cadre_list_links_forms_only_for_the_readers_own_unit(client, records, court, cdu, lead_coordinator,
                                                                  leader):
    from bangfu.assistance.models import Cadre

    Cadre.objects.filter(pk__in=[records[court.pk]["cadre"].pk, records[cdu.pk]["cadre"].pk]).update(
        kind="first_secretary")
    client.force_login(lead_coordinator)
    page = client.get(reverse("assistance:cadre_list")).content.decode()
    assert reverse("assistance:check_in", args=[records[court.pk]["cadre"].pk]) in page
    assert reverse("assistance:check_in", args=[records[cdu.pk]["cadre"].pk]) not in page
    client.force_login(leader)
    page = client.get(reverse("assistance:cadre_list")).content.decode()
    assert "assistance/cadres/" not in page or reverse("assistance:check_in", args=[records[cdu.pk]["cadre"].pk]) \
        not in page
