"""Revealing an ID number or phone: only by permission, within jurisdiction, and always logged."""

import pytest
from django.core.exceptions import PermissionDenied

from bangfu.audit.models import ChangeRecord, RevealRecord
from bangfu.registry.services import household_reveal_phone, member_reveal_id_number
from tests.conftest import ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


def test_revealing_an_id_number_is_logged(make_household, tuanjie_cadre):
    household = make_household()
    member = household.members.get()
    changes = ChangeRecord.objects.count()
    number = member_reveal_id_number(actor=tuanjie_cadre, member=member)
    assert len(number) == 18
    assert number[:6] + "********" + number[-4:] == member.id_number_masked
    record = RevealRecord.objects.get()
    assert record.actor == tuanjie_cadre
    assert record.field == "id_number"
    assert (record.object_type, record.object_id) == ("member", str(member.pk))
    assert record.household_id == household.pk
    assert number not in str(vars(record))
    assert ChangeRecord.objects.count() == changes


def test_revealing_a_phone_is_logged(make_household, county_admin):
    household = make_household(phone="10012345678")
    assert household_reveal_phone(actor=county_admin, household=household) == "10012345678"
    record = RevealRecord.objects.get()
    assert (record.actor, record.field, record.object_type) == (county_admin, "phone", "household")
    assert record.object_id == str(household.pk)
    assert record.household_id == household.pk


def test_every_reveal_is_logged_separately(make_household, county_admin):
    member = make_household().members.get()
    member_reveal_id_number(actor=county_admin, member=member)
    member_reveal_id_number(actor=county_admin, member=member)
    assert RevealRecord.objects.filter(object_id=str(member.pk)).count() == 2


def test_leader_without_reveal_permission_is_refused(make_household, leader):
    household = make_household()
    assert not leader.can("registry.reveal")
    with pytest.raises(PermissionDenied):
        member_reveal_id_number(actor=leader, member=household.members.get())
    with pytest.raises(PermissionDenied):
        household_reveal_phone(actor=leader, household=household)
    assert not RevealRecord.objects.exists()


def test_cadre_cannot_reveal_in_another_township(make_household, tuanjie_cadre):
    household = make_household(ZHANGZHA_VILLAGE)
    with pytest.raises(PermissionDenied):
        member_reveal_id_number(actor=tuanjie_cadre, member=household.members.get())
    with pytest.raises(PermissionDenied):
        household_reveal_phone(actor=tuanjie_cadre, household=household)
    assert not RevealRecord.objects.exists()


def test_household_without_phone_reveals_empty(make_household, county_admin):
    household = make_household(phone="")
    assert household_reveal_phone(actor=county_admin, household=household) == ""
    assert RevealRecord.objects.count() == 1
