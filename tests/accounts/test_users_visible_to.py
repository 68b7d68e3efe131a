"""Who sees which accounts: the actor's region subtree, plus the units whose county lies inside it."""

import pytest
from django.http import Http404

from bangfu.accounts.models import User
from bangfu.accounts.selectors import user_get_for_user, users_visible_to
from tests.accounts.conftest import SONGPAN
from tests.conftest import make_user


@pytest.fixture
def everyone(county_admin, shuanghe_reviewer, tuanjie_cadre, zhangzha_cadre, leader, unit_liaison, songpan_admin,
             songpan_cadre, songpan_liaison):
    return {u.username: u for u in User.objects.all()}


def _names(actor) -> set[str]:
    return set(users_visible_to(actor).values_list("username", flat=True))


JIUZHAIGOU = {"county_admin", "shuanghe_reviewer", "tuanjie_cadre", "zhangzha_cadre", "leader", "cdu_liaison"}
SONGPAN_USERS = {"songpan_admin", "songpan_cadre", "songpan_liaison"}


def test_county_admin_sees_its_county_and_its_units_only(everyone):
    assert _names(everyone["county_admin"]) == JIUZHAIGOU


def test_other_county_admin_sees_only_its_own(everyone):
    assert _names(everyone["songpan_admin"]) == SONGPAN_USERS


def test_township_actor_sees_its_township_and_no_units(everyone):
    assert _names(everyone["shuanghe_reviewer"]) == {"shuanghe_reviewer", "tuanjie_cadre"}


def test_unit_bound_actor_sees_nobody(everyone):
    assert _names(everyone["cdu_liaison"]) == set()


def test_superuser_sees_all_and_is_seen_only_by_a_superuser(everyone):
    root = User.objects.create_superuser(username="root", password="pw-for-tests-1", region_id=SONGPAN)
    assert _names(root) == JIUZHAIGOU | SONGPAN_USERS | {"root"}
    assert "root" not in _names(everyone["songpan_admin"])


def test_inactive_and_anonymous_see_nobody(everyone):
    from django.contrib.auth.models import AnonymousUser

    admin = everyone["county_admin"]
    admin.is_active = False
    assert _names(admin) == set()
    assert not users_visible_to(AnonymousUser()).exists()


def test_unbound_user_sees_nobody(regions):
    assert _names(make_user("nowhere", "county_admin")) == set()


def test_get_outside_scope_is_404(everyone):
    admin = everyone["county_admin"]
    assert user_get_for_user(admin, pk=everyone["tuanjie_cadre"].pk).username == "tuanjie_cadre"
    for pk in (everyone["songpan_cadre"].pk, everyone["songpan_liaison"].pk, 999999, "x"):
        with pytest.raises(Http404):
            user_get_for_user(admin, pk=pk)
