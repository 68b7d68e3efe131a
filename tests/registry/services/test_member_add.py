"""member_add: a person joins a household; sex and birth date come from the ID number."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import ChangeRecord
from bangfu.core.crypto import field_cipher
from bangfu.core.id_number import make_id_number
from bangfu.registry.models import Member
from bangfu.registry.services import member_add
from tests.conftest import ZHANGZHA_VILLAGE, synthetic_id

pytestmark = pytest.mark.django_db


def test_member_is_added_with_derived_sex_and_birth_date(make_household, county_admin):
    household = make_household()
    number = make_id_number("513225", dt.date(1992, 5, 17), 42)  # even sequence: female
    member = member_add(actor=county_admin, household=household, data={"name": "李梅", "relation": "spouse"},
                        id_number=number)
    member.refresh_from_db()
    assert (member.sex, member.birth_date) == ("female", dt.date(1992, 5, 17))
    assert member.id_number_masked == number[:6] + "********" + number[-4:]
    assert member.id_number_digest == field_cipher().blind_index("id_number", number)
    assert number not in member.id_number_cipher
    assert member.reveal_id_number() == number


def test_typed_number_is_stored_normalised(make_household, county_admin):
    household = make_household()
    number = synthetic_id()
    member = member_add(actor=county_admin, household=household, data={"name": "张三", "relation": "son"},
                        id_number=f" {number[:6]} {number[6:].lower()} ")
    assert member.reveal_id_number() == number


def test_add_writes_a_change_record(make_household, county_admin):
    household = make_household()
    number = synthetic_id()
    member = member_add(actor=county_admin, household=household, data={"name": "张三", "relation": "son"},
                        id_number=number)
    record = ChangeRecord.objects.get(object_type="member", object_id=str(member.pk))
    assert record.action == ChangeRecord.Action.CREATE
    assert record.actor == county_admin
    assert record.before is None
    assert record.household_id == household.pk
    assert record.region_code == household.village_id
    assert record.after["name"] == "张三"
    assert record.after["id_number"] == f"指纹 {member.id_number_digest[:8]}"
    assert "birth_date" not in record.after  # next to any form of the number it would narrow it down
    assert record.after["household"] == household.pk
    assert not any(key.endswith(("_cipher", "_digest", "_masked")) for key in record.after)
    assert number not in str(record.after) and number not in record.object_label


def test_matching_sex_and_birth_date_are_accepted(make_household, county_admin):
    household = make_household()
    number = make_id_number("513225", dt.date(1970, 1, 2), 11)
    member = member_add(actor=county_admin, household=household, data={"name": "王五", "relation": "father"},
                        id_number=number, sex="male", birth_date=dt.date(1970, 1, 2))
    assert member.sex == "male"


@pytest.mark.parametrize(("entered", "field", "words"), [
    ({"sex": "female"}, "sex", "性别与身份证号不符：身份证号显示为男"),
    ({"birth_date": dt.date(1970, 1, 3)}, "birth_date", "出生日期与身份证号不符：身份证号显示为1970-01-02"),
])
def test_conflicting_entry_is_rejected_on_that_field(make_household, county_admin, counts, entered, field, words):
    household = make_household()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=household, data={"name": "王五", "relation": "father"},
                   id_number=make_id_number("513225", dt.date(1970, 1, 2), 11), **entered)
    assert list(caught.value.message_dict) == [field]
    assert caught.value.message_dict[field] == [words]
    assert counts() == before


def test_duplicate_id_number_names_the_household_holding_it(make_household, county_admin, counts):
    holder = make_household(number="8800000010", head_name="赵大")
    number = holder.members.get().reveal_id_number()
    other = make_household(number="8800000020")
    before = counts()
    for typed in (number, number.lower(), f" {number} "):
        with pytest.raises(ValidationError) as caught:
            member_add(actor=county_admin, household=other, data={"name": "冒名", "relation": "son"}, id_number=typed)
        message = caught.value.message_dict["id_number"][0]
        assert "身份证号重复" in message
        assert "8800000010" in message
    assert counts() == before


def test_duplicate_within_the_same_household_is_rejected(make_household, county_admin, counts):
    household = make_household(number="8800000026")
    number = household.members.get().reveal_id_number()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=household, data={"name": "重复", "relation": "son"}, id_number=number)
    assert "8800000026" in caught.value.message_dict["id_number"][0]
    assert counts() == before


@pytest.mark.parametrize(("raw", "words"), [
    ("110105194912310021", "校验码"),
    ("110105194913310021", "出生日期无效"),
    ("4405241880010100", "应为18位"),
    ("513225209901010010", "晚于今天"),
    ("", "不能为空"),
])
def test_bad_id_number_is_rejected_with_the_rule(make_household, county_admin, counts, raw, words):
    household = make_household()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=household, data={"name": "王五", "relation": "son"}, id_number=raw)
    assert list(caught.value.message_dict) == ["id_number"]
    assert words in caught.value.message_dict["id_number"][0]
    assert counts() == before


def test_second_head_is_rejected(make_household, county_admin, counts):
    household = make_household(head_name="户主甲")
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=household, data={"name": "户主乙", "relation": "head"},
                   id_number=synthetic_id())
    assert caught.value.message_dict["relation"] == ["该户已有户主 户主甲"]
    assert counts() == before
    household.refresh_from_db()
    assert household.head_name == "户主甲"


def test_head_name_is_synced_from_the_head(county_admin, make_household):
    from bangfu.regions.models import Region
    from bangfu.registry.services import household_create

    household = household_create(actor=county_admin, data={"number": "8800000015", "village": Region.objects.get(
        code="513225103213")})
    assert household.head_name == ""
    member_add(actor=county_admin, household=household, data={"name": "刘备", "relation": "son"},
               id_number=synthetic_id())
    household.refresh_from_db()
    assert household.head_name == ""
    member_add(actor=county_admin, household=household, data={"name": "刘大", "relation": "head"},
               id_number=synthetic_id())
    assert household.head_name == "刘大"
    household.refresh_from_db()
    assert household.head_name == "刘大"


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "  ", "relation": "son"}, "name"),
    ({"name": "王五", "relation": "son", "work_months": 13}, "work_months"),
    ({"name": "王五", "relation": "son", "public_welfare_months": 13}, "public_welfare_months"),
    ({"name": "王五", "relation": "son", "health": "disabled"}, "disability_grade"),
])
def test_invalid_member_is_rejected_on_its_field(make_household, county_admin, counts, data, field):
    household = make_household()
    before = counts()
    with pytest.raises(ValidationError) as caught:
        member_add(actor=county_admin, household=household, data=data, id_number=synthetic_id())
    assert field in caught.value.message_dict
    assert counts() == before


def test_cadre_cannot_add_to_a_household_of_another_township(make_household, tuanjie_cadre, counts):
    household = make_household(ZHANGZHA_VILLAGE)
    before = counts()
    with pytest.raises(PermissionDenied):
        member_add(actor=tuanjie_cadre, household=household, data={"name": "王五", "relation": "son"},
                   id_number=synthetic_id())
    assert counts() == before


def test_read_only_role_cannot_add(make_household, leader, counts):
    household = make_household()
    before = counts()
    with pytest.raises(PermissionDenied):
        member_add(actor=leader, household=household, data={"name": "王五", "relation": "son"},
                   id_number=synthetic_id())
    assert counts() == before


def test_cadre_adds_to_own_village(make_household, tuanjie_cadre):
    household = make_household()
    member = member_add(actor=tuanjie_cadre, household=household, data={"name": "王五", "relation": "son"},
                        id_number=synthetic_id())
    assert Member.objects.filter(household=household).count() == 2
    assert ChangeRecord.objects.get(object_type="member", object_id=str(member.pk)).actor == tuanjie_cadre
