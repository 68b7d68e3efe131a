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
    member_remove(actor=county_admin, member=son, reason="married_out")
    assert not Member.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(action=ChangeRecord.Action.DELETE)
    assert record.actor == county_admin
    assert (record.object_type, record.object_id) == ("member", str(pk))
    assert record.household_id == household.pk
    assert record.region_code == household.village_id
    assert record.reason == "婚嫁迁出"
    assert record.after is None
    assert record.before["name"] == "儿子"
    assert record.before["id_number"] == fingerprint
    assert number not in str(record.before)
    household.refresh_from_db()
    assert household.head_name == "户主甲"


def test_removing_the_head_clears_head_name(household, county_admin):
    member_remove(actor=county_admin, member=household.members.get(relation="head"), reason="death")
    household.refresh_from_db()
    assert household.head_name == ""


def test_removed_number_can_be_registered_again(son, household, county_admin):
    number = son.reveal_id_number()
    member_remove(actor=county_admin, member=son, reason="moved_out")
    again = member_add(actor=county_admin, household=household, data={"name": "儿子", "relation": "son"},
                       id_number=number)
    assert again.reveal_id_number() == number


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(son, county_admin, counts, reason):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_remove(actor=county_admin, member=son, reason=reason)
    assert "请选择减员原因" in caught.value.message_dict["reason"][0]
    assert counts() == before
    assert Member.objects.filter(pk=son.pk).exists()


def test_cadre_cannot_remove_a_member_of_another_township(make_household, tuanjie_cadre, counts):
    member = make_household(ZHANGZHA_VILLAGE).members.get()
    before = counts()
    with pytest.raises(PermissionDenied):
        member_remove(actor=tuanjie_cadre, member=member, reason="moved_out")
    assert counts() == before
    assert Member.objects.filter(pk=member.pk).exists()


def test_read_only_role_cannot_remove(son, leader, counts):
    before = counts()
    with pytest.raises(PermissionDenied):
        member_remove(actor=leader, member=son, reason="moved_out")
    assert counts() == before


# --- the head of household, closing and reopening -----------------------------------------------------------

@pytest.fixture
def family(make_household, county_admin):
    """户主 (male), his wife, their son, the son's wife and a grandson."""
    household = make_household(head_name="老户主")
    add = lambda name, relation, male: member_add(  # noqa: E731
        actor=county_admin, household=household, data={"name": name, "relation": relation},
        id_number=synthetic_id("19600101" if relation == "spouse" else "19900101", male=male))
    return household, {"spouse": add("老伴", "spouse", False), "son": add("长子", "son", True),
                       "daughter_in_law": add("儿媳", "daughter_in_law", False),
                       "grandson": add("孙子", "grandson", True)}


def test_removing_the_head_needs_the_new_head(family, county_admin, counts):
    household, _ = family
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_remove(actor=county_admin, member=household.members.get(relation="head"), reason="death")
    assert "新户主" in caught.value.message_dict["new_head"][0]
    assert counts() == before


def test_son_as_new_head_updates_everyones_relation(family, county_admin):
    household, people = family
    result = member_remove(actor=county_admin, member=household.members.get(relation="head"), reason="death",
                           new_head=people["son"])
    relations = dict(household.members.values_list("name", "relation"))
    assert relations == {"长子": "head", "老伴": "mother", "儿媳": "spouse", "孙子": "son"}
    household.refresh_from_db()
    assert household.head_name == "长子" and household.is_active
    assert ("老伴", "配偶", "之母") in result["relations"]
    updates = ChangeRecord.objects.filter(action="update", object_type="member", reason="户主变更")
    assert updates.count() == 4


def test_spouse_as_new_head_keeps_the_childrens_relations(family, county_admin):
    household, people = family
    member_remove(actor=county_admin, member=household.members.get(relation="head"), reason="death",
                  new_head=people["spouse"])
    relations = dict(household.members.values_list("name", "relation"))
    assert relations == {"老伴": "head", "长子": "son", "儿媳": "daughter_in_law", "孙子": "grandson"}


def test_other_reason_needs_details(son, county_admin):
    with pytest.raises(ValidationError) as caught:
        member_remove(actor=county_admin, member=son, reason="other")
    assert "detail" in caught.value.message_dict
    member_remove(actor=county_admin, member=son, reason="other", detail="参军")
    assert ChangeRecord.objects.get(action="delete").reason == "其他：参军"


def test_last_member_leaving_closes_the_household_and_it_can_be_reopened(household, county_admin, tuanjie_cadre):
    from bangfu.registry.selectors import household_get_for_user, households_visible_to
    from bangfu.registry.services import household_reopen, household_update

    result = member_remove(actor=county_admin, member=household.members.get(), reason="death")
    assert result["closed"]
    household.refresh_from_db()
    assert not household.is_active and household.closed_reason == "死亡" and household.closed_on
    assert not households_visible_to(tuanjie_cadre).filter(pk=household.pk).exists()
    assert household_get_for_user(tuanjie_cadre, pk=household.pk) == household  # the file can still be read
    with pytest.raises(ValidationError):
        household_update(actor=county_admin, household=household, data={"group": "2组"})
    household_reopen(actor=tuanjie_cadre, household=household, reason="户籍迁回")
    household.refresh_from_db()
    assert household.is_active and household.closed_reason == "" and household.closed_on is None
    reasons = list(ChangeRecord.objects.filter(object_type="household", action="update").values_list("reason",
                                                                                                       flat=True))
    assert "销户：死亡" in reasons and "恢复在册：户籍迁回" in reasons


def test_reopen_is_refused_outside_jurisdiction(household, county_admin, zhangzha_cadre):
    from bangfu.registry.services import household_reopen

    member_remove(actor=county_admin, member=household.members.get(), reason="death")
    with pytest.raises(PermissionDenied):
        household_reopen(actor=zhangzha_cadre, household=household, reason="x")
