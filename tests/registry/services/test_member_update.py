"""member_update: correcting a member's record; the ID number stays the source of sex and birth date."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import ChangeRecord
from bangfu.core.id_number import make_id_number
from bangfu.registry.models import Member
from bangfu.registry.services import member_add, member_update
from tests.conftest import ZHANGZHA_VILLAGE, synthetic_id

pytestmark = pytest.mark.django_db


def _state(member: Member) -> dict:
    member = Member.objects.get(pk=member.pk)
    return {f.attname: getattr(member, f.attname) for f in Member._meta.concrete_fields
            if f.attname not in {"updated_at", "id_number_cipher"}} | {"plain": member.reveal_id_number()}


def _updates():
    return ChangeRecord.objects.filter(object_type="member", action=ChangeRecord.Action.UPDATE)


@pytest.fixture
def household(make_household):
    return make_household(head_name="户主甲")


@pytest.fixture
def son(household, county_admin):
    return member_add(actor=county_admin, household=household, data={"name": "儿子", "relation": "son"},
                      id_number=make_id_number("513225", dt.date(2005, 3, 4), 21))


def test_change_is_saved_and_recorded(son, county_admin):
    member_update(actor=county_admin, member=son, data={"name": "儿子改名", "work_place": "in_county",
                                                        "work_months": 6})
    son.refresh_from_db()
    assert (son.name, son.work_place, son.work_months) == ("儿子改名", "in_county", 6)
    record = _updates().get()
    assert record.actor == county_admin
    assert record.object_id == str(son.pk)
    assert record.household_id == son.household_id
    assert record.changed_fields == [("name", "儿子", "儿子改名"), ("work_months", 0, 6),
                                     ("work_place", "", "in_county")]


def test_update_that_changes_nothing_writes_no_record(son, county_admin):
    member_update(actor=county_admin, member=son, data={"name": "儿子"})
    member_update(actor=county_admin, member=son, data={}, id_number=son.reveal_id_number().lower())
    assert not _updates().exists()


def test_new_id_number_rederives_sex_and_birth_date(son, county_admin):
    new = make_id_number("513225", dt.date(2006, 8, 9), 22)
    member_update(actor=county_admin, member=son, data={"relation": "daughter"}, id_number=new)
    son.refresh_from_db()
    assert (son.sex, son.birth_date, son.reveal_id_number()) == ("female", dt.date(2006, 8, 9), new)
    changed = dict((name, (old, after)) for name, old, after in _updates().get().changed_fields)
    assert changed["sex"] == ("male", "female")
    assert "birth_date" not in changed  # never kept in history: the fingerprint says the number changed
    assert changed["id_number"][1] == f"指纹 {son.id_number_digest[:8]}" != changed["id_number"][0]
    assert new not in str(_updates().get().after)


def test_sex_or_birth_date_without_new_number_is_rejected(son, county_admin, counts):
    before, state = counts(), _state(son)
    for entered in ({"sex": "female"}, {"birth_date": dt.date(2005, 3, 5)}):
        with pytest.raises(ValidationError) as caught:
            member_update(actor=county_admin, member=son, data={"name": "被改"}, **entered)
        assert "由身份证号决定" in caught.value.message_dict["id_number"][0]
    assert counts() == before
    assert _state(son) == state


def test_conflicting_sex_with_new_number_is_rejected_on_sex(son, county_admin, counts):
    before, state = counts(), _state(son)
    with pytest.raises(ValidationError) as caught:
        member_update(actor=county_admin, member=son, data={}, sex="female",
                      id_number=make_id_number("513225", dt.date(2006, 8, 9), 23))
    assert list(caught.value.message_dict) == ["sex"]
    assert counts() == before
    assert _state(son) == state


def test_number_held_by_another_member_is_rejected(son, household, county_admin, counts):
    head_number = household.members.get(relation="head").reveal_id_number()
    before, state = counts(), _state(son)
    with pytest.raises(ValidationError) as caught:
        member_update(actor=county_admin, member=son, data={"name": "被改"}, id_number=head_number)
    assert household.number in caught.value.message_dict["id_number"][0]
    assert counts() == before
    assert _state(son) == state


def test_bad_number_leaves_everything_as_it_was(son, county_admin, counts):
    before, state = counts(), _state(son)
    with pytest.raises(ValidationError) as caught:
        member_update(actor=county_admin, member=son, data={"name": "被改"}, id_number="110105194912310021")
    assert "校验码" in caught.value.message_dict["id_number"][0]
    assert counts() == before
    assert _state(son) == state


def test_renaming_the_head_syncs_head_name(household, county_admin):
    head = household.members.get(relation="head")
    member_update(actor=county_admin, member=head, data={"name": "户主乙"})
    household.refresh_from_db()
    assert household.head_name == "户主乙"


def test_head_becoming_spouse_clears_head_name_and_frees_the_role(household, son, county_admin):
    head = household.members.get(relation="head")
    member_update(actor=county_admin, member=head, data={"relation": "spouse"})
    household.refresh_from_db()
    assert household.head_name == ""
    member_update(actor=county_admin, member=son, data={"relation": "head"})
    household.refresh_from_db()
    assert household.head_name == "儿子"


def test_making_a_second_head_is_rejected(household, son, county_admin, counts):
    before, state = counts(), _state(son)
    with pytest.raises(ValidationError) as caught:
        member_update(actor=county_admin, member=son, data={"relation": "head"})
    assert "户主甲" in caught.value.message_dict["relation"][0]
    assert counts() == before
    assert _state(son) == state


def test_cadre_cannot_update_a_member_of_another_township(make_household, tuanjie_cadre, counts):
    member = make_household(ZHANGZHA_VILLAGE).members.get()
    before, state = counts(), _state(member)
    with pytest.raises(PermissionDenied):
        member_update(actor=tuanjie_cadre, member=member, data={"name": "被改"}, id_number=synthetic_id())
    assert counts() == before
    assert _state(member) == state


def test_read_only_role_cannot_update(son, leader, counts):
    before = counts()
    with pytest.raises(PermissionDenied):
        member_update(actor=leader, member=son, data={"name": "被改"})
    assert counts() == before
