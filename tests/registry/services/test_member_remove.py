"""member_remove: taking a person off a household; the history keeps the (masked) record and the reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import ChangeRecord
from bangfu.registry.models import Member
from bangfu.registry.services import member_add, member_remove
from tests.conftest import ZHANGZHA_VILLAGE, synthetic_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(make_household):
    return make_household(head_name="户主甲")


@pytest.fixture
def son(household, county_admin):
    return member_add(actor=county_admin, household=household, data={"name": "儿子", "relation": "son"},
                      id_number=synthetic_id())


def test_member_is_removed_and_recorded(son, household, county_admin):
    pk, fingerprint, number = son.pk, f"指纹 {son.id_number_digest[:8]}", son.reveal_id_number()
    member_remove(actor=county_admin, member=son, reason="  婚出  ")
    assert not Member.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(action=ChangeRecord.Action.DELETE)
    assert record.actor == county_admin
    assert (record.object_type, record.object_id) == ("member", str(pk))
    assert record.household_id == household.pk
    assert record.region_code == household.village_id
    assert record.reason == "婚出"
    assert record.after is None
    assert record.before["name"] == "儿子"
    assert record.before["id_number"] == fingerprint
    assert number not in str(record.before)
    household.refresh_from_db()
    assert household.head_name == "户主甲"


def test_removing_the_head_clears_head_name(household, county_admin):
    member_remove(actor=county_admin, member=household.members.get(relation="head"), reason="死亡")
    household.refresh_from_db()
    assert household.head_name == ""


def test_removed_number_can_be_registered_again(son, household, county_admin):
    number = son.reveal_id_number()
    member_remove(actor=county_admin, member=son, reason="迁出")
    again = member_add(actor=county_admin, household=household, data={"name": "儿子", "relation": "son"},
                       id_number=number)
    assert again.reveal_id_number() == number


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(son, county_admin, counts, reason):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_remove(actor=county_admin, member=son, reason=reason)
    assert caught.value.message_dict["reason"] == ["请填写减员原因"]
    assert counts() == before
    assert Member.objects.filter(pk=son.pk).exists()


def test_cadre_cannot_remove_a_member_of_another_township(make_household, tuanjie_cadre, counts):
    member = make_household(ZHANGZHA_VILLAGE).members.get()
    before = counts()
    with pytest.raises(PermissionDenied):
        member_remove(actor=tuanjie_cadre, member=member, reason="迁出")
    assert counts() == before
    assert Member.objects.filter(pk=member.pk).exists()


def test_read_only_role_cannot_remove(son, leader, counts):
    before = counts()
    with pytest.raises(PermissionDenied):
        member_remove(actor=leader, member=son, reason="迁出")
    assert counts() == before
