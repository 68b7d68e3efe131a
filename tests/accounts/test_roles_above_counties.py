"""The prefecture and province administrators: bound to a prefecture (province), refused on a county (the role
would read as a county's); their capabilities are what they need and no more than a county administrator's."""

import pytest
from django.core.exceptions import ValidationError

from bangfu.accounts.roles import CAPABILITIES, Role
from bangfu.accounts.services import user_create
from tests.accounts.conftest import PASSWORD
from tests.conftest import COUNTY

PREFECTURE = "513200000000"


@pytest.mark.parametrize(("role", "good", "bad"), [("prefecture_admin", PREFECTURE, COUNTY),
                                                   ("province_admin", "510000000000", PREFECTURE)])
def test_bound_to_their_level_only(regions, role, good, bad):
    with pytest.raises(ValidationError) as caught:
        user_create(actor=None, username=f"{role}_bad", full_name="甲", role=role, region_code=bad,
                    password=PASSWORD)
    assert "region" in caught.value.message_dict
    user = user_create(actor=None, username=f"{role}_good", full_name="乙", role=role, region_code=good,
                       password=PASSWORD)
    assert user.region_id == good and user.can("monitoring.configure") and user.can("monitoring.screen")


def test_they_read_and_configure_but_do_not_edit_the_registry():
    for role in (Role.PREFECTURE_ADMIN, Role.PROVINCE_ADMIN):
        assert {"registry.edit", "monitoring.verify", "accounts.manage"}.isdisjoint(CAPABILITIES[role])
        assert CAPABILITIES[role] <= CAPABILITIES[Role.COUNTY_ADMIN]
