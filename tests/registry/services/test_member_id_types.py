"""Documents other than the resident ID card: a disability certificate carries the ID number; a newborn without
any document is entered with the sex and birth date typed in."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bangfu.core.id_number import make_id_number
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.registry.services import member_add, member_update
from tests.conftest import TUANJIE


@pytest.fixture
def household(make_household):
    return make_household(TUANJIE, number="8800000011")


def test_disability_certificate_derives_from_its_id_part(county_admin, household):
    cert = make_id_number("513225", dt.date(1970, 5, 6), 31) + "42"
    member = member_add(actor=county_admin, household=household,
                        data={"name": "残疾证持有人", "relation": "father", "id_type": "disability_cert"}, id_number=cert)
    assert (member.sex, member.birth_date, member.reveal_id_number()) == ("male", dt.date(1970, 5, 6), cert)
    assert member.id_number_masked == cert[:6] + "*" * 10 + cert[-4:]


@pytest.mark.parametrize(("typed", "message"), [
    ("5132251970050603", "残疾人证号应为20位"),
    (make_id_number("513225", dt.date(1970, 5, 6), 31)[:-1] + "0" + "42", "残疾人证号前18位："),
])
def test_a_bad_disability_certificate_is_named(county_admin, household, typed, message):
    with pytest.raises(ValidationError) as error:
        member_add(actor=county_admin, household=household,
                   data={"name": "某人", "relation": "son", "id_type": "disability_cert"}, id_number=typed)
    assert message in error.value.message_dict["id_number"][0]


def test_a_newborn_without_a_document_needs_sex_and_birth_date(county_admin, household):
    with pytest.raises(ValidationError) as error:
        member_add(actor=county_admin, household=household,
                   data={"name": "新生儿", "relation": "grandson", "id_type": "other"}, id_number="CS-2026-001")
    assert set(error.value.message_dict) == {"sex", "birth_date"}
    member = member_add(actor=county_admin, household=household,
                        data={"name": "新生儿", "relation": "grandson", "id_type": "other"}, id_number="cs-2026-001",
                        sex="male", birth_date=dt.date(2026, 10, 1))
    assert (member.sex, member.birth_date, member.reveal_id_number()) == ("male", dt.date(2026, 10, 1), "CS-2026-001")
    # later the child gets an ID card: the type and number change together, and sex and birth date follow it
    number = make_id_number("513225", dt.date(2026, 10, 1), 13)
    member_update(actor=county_admin, member=member, data={"id_type": "resident_id"}, id_number=number)
    member.refresh_from_db()
    assert (member.id_type, member.reveal_id_number()) == ("resident_id", number)


def test_changing_the_type_without_a_number_is_refused(county_admin, household):
    member = household.members.get()
    with pytest.raises(ValidationError) as error:
        member_update(actor=county_admin, member=member, data={"id_type": "other"})
    assert "更改证件类型时请重新填写证件号码" in error.value.message_dict["id_number"][0]


def test_a_resident_id_is_still_found_by_search(county_admin, household):
    number = household.members.get().reveal_id_number()
    assert list(households_filtered(county_admin, HouseholdFilter(q=number))) == [household]
