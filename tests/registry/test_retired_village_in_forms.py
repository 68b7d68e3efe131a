"""A retired village is not offered for new households or accounts, but a household still in one can be edited."""

import datetime as dt

from django.urls import reverse

from bangfu.regions.models import Region
from tests.conftest import SONGBAI, TUANJIE


def test_retired_village_is_offered_only_to_its_own_households(client, county_admin, make_household):
    household = make_household(SONGBAI, number="8800000025")
    Region.objects.filter(code=SONGBAI).update(valid_to=dt.date.today() - dt.timedelta(days=1))
    client.force_login(county_admin)
    offered = client.get(reverse("registry:household_create")).context["form"].fields["village"].queryset
    assert TUANJIE in offered.values_list("code", flat=True)
    assert SONGBAI not in offered.values_list("code", flat=True)
    editing = client.get(reverse("registry:household_edit", args=[household.pk])).context["form"]
    assert SONGBAI in editing.fields["village"].queryset.values_list("code", flat=True)
    accounts = client.get(reverse("accounts:user_create")).context["form"].fields["region"].queryset
    assert SONGBAI not in accounts.values_list("code", flat=True)
