"""household_update: changing a household's file, within jurisdiction, with before/after history."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import ChangeRecord
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.registry.services import household_update
from tests.conftest import SONGBAI, TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


def _fields(household: Household) -> dict:
    household.refresh_from_db()
    return {f.attname: getattr(household, f.attname) for f in Household._meta.concrete_fields
            if f.attname not in {"updated_at", "phone_cipher"}}


def _updates():
    return ChangeRecord.objects.filter(action=ChangeRecord.Action.UPDATE)


def test_change_is_saved_and_recorded_with_before_and_after(make_household, county_admin):
    household = make_household(group="1组")
    household_update(actor=county_admin, household=household, data={"group": "2组", "housing_safety": "C"})
    household.refresh_from_db()
    assert (household.group, household.housing_safety) == ("2组", "C")
    record = _updates().get()
    assert record.actor == county_admin
    assert record.object_id == str(household.pk)
    assert record.household_id == household.pk
    assert record.before["group"] == "1组" and record.after["group"] == "2组"
    assert record.changed_fields == [("group", "1组", "2组"), ("housing_safety", "", "C")]


def test_update_that_changes_nothing_writes_no_record(make_household, county_admin):
    household = make_household(group="1组")
    household_update(actor=county_admin, household=household, data={"group": "1组", "village": household.village})
    household_update(actor=county_admin, household=household, data={})
    assert not _updates().exists()


def test_same_amount_typed_differently_writes_no_record(make_household, county_admin):
    household = make_household(housing_area=Decimal("80.5"))
    household_update(actor=county_admin, household=household, data={"housing_area": Decimal("80.50")})
    household_update(actor=county_admin, household=household, data={"housing_area": Decimal("80.500")})
    assert not _updates().exists()
    household_update(actor=county_admin, household=household, data={"housing_area": Decimal("81")})
    assert _updates().get().changed_fields == [("housing_area", "80.50", "81.00")]


def test_same_phone_again_writes_no_record(make_household, county_admin):
    household = make_household(phone="10012345678")
    household_update(actor=county_admin, household=household, data={}, phone="100 1234 5678")
    assert not _updates().exists()
    household.refresh_from_db()
    assert household.reveal_phone() == "10012345678"


def test_phone_change_is_recorded_masked(make_household, county_admin):
    household = make_household(phone="10012345678")
    household_update(actor=county_admin, household=household, data={}, phone="10087654321")
    household.refresh_from_db()
    assert household.reveal_phone() == "10087654321"
    record = _updates().get()
    changed = {name: (old, new) for name, old, new in record.changed_fields}
    assert changed["phone_masked"] == ("100****5678", "100****4321")
    assert changed["phone"][0].startswith("指纹 ") and changed["phone"][0] != changed["phone"][1]
    assert "10087654321" not in str(record.after) and "10012345678" not in str(record.before)


def test_phone_none_keeps_and_empty_clears(make_household, county_admin):
    household = make_household(phone="10012345678")
    household_update(actor=county_admin, household=household, data={"group": "3组"}, phone=None)
    household.refresh_from_db()
    assert household.reveal_phone() == "10012345678"
    household_update(actor=county_admin, household=household, data={}, phone="")
    household.refresh_from_db()
    assert (household.phone_cipher, household.phone_digest, household.phone_masked) == ("", "", "")


def test_head_name_is_not_editable_here(make_household, county_admin):
    household = make_household(head_name="王一")
    household_update(actor=county_admin, household=household, data={"head_name": "李二"})
    household.refresh_from_db()
    assert household.head_name == "王一"
    assert not _updates().exists()


def test_reviewer_moves_household_within_township(make_household, shuanghe_reviewer):
    household = make_household(TUANJIE)
    household_update(actor=shuanghe_reviewer, household=household, data={"village": Region.objects.get(code=SONGBAI)})
    household.refresh_from_db()
    assert household.village_id == SONGBAI
    record = _updates().get()
    assert record.actor == shuanghe_reviewer
    assert record.changed_fields == [("village", TUANJIE, SONGBAI)]
    assert record.region_code == SONGBAI


def test_cadre_cannot_update_a_household_of_another_township(make_household, tuanjie_cadre, counts):
    household = make_household(ZHANGZHA_VILLAGE, group="1组")
    before, state = counts(), _fields(household)
    with pytest.raises(PermissionDenied):
        household_update(actor=tuanjie_cadre, household=household, data={"group": "被改"}, phone="10087654321")
    assert counts() == before
    assert _fields(household) == state


def test_cadre_cannot_move_own_household_out_of_jurisdiction(make_household, tuanjie_cadre, counts):
    household = make_household(TUANJIE, group="1组")
    before, state = counts(), _fields(household)
    with pytest.raises(ValidationError) as caught:
        household_update(actor=tuanjie_cadre, household=household,
                         data={"village": Region.objects.get(code=ZHANGZHA_VILLAGE), "group": "被改"})
    assert "village" in caught.value.message_dict
    assert counts() == before
    assert _fields(household) == state


def test_read_only_role_cannot_update(make_household, leader, counts):
    household = make_household()
    before = counts()
    with pytest.raises(PermissionDenied):
        household_update(actor=leader, household=household, data={"group": "被改"})
    assert counts() == before


def test_invalid_update_is_not_half_written(make_household, county_admin, counts):
    household = make_household(group="1组")
    before, state = counts(), _fields(household)
    with pytest.raises(ValidationError) as caught:
        household_update(actor=county_admin, household=household,
                         data={"group": "被改", "identified_month": "202413", "monitoring_type": "marginal"},
                         phone="10087654321")
    assert "identified_month" in caught.value.message_dict
    assert counts() == before
    assert _fields(household) == state


def test_bad_phone_is_rejected_and_nothing_changes(make_household, county_admin, counts):
    household = make_household(group="1组")
    before, state = counts(), _fields(household)
    with pytest.raises(ValidationError) as caught:
        household_update(actor=county_admin, household=household, data={"group": "被改"}, phone="123")
    assert "phone" in caught.value.message_dict
    assert counts() == before
    assert _fields(household) == state


def test_number_taken_by_another_household_is_rejected(make_household, county_admin, counts):
    first = make_household(number="8800000006")
    second = make_household(number="8800000007")
    before, state = counts(), _fields(second)
    with pytest.raises(ValidationError) as caught:
        household_update(actor=county_admin, household=second, data={"number": first.number})
    assert "8800000006" in caught.value.message_dict["number"][0]
    assert counts() == before
    assert _fields(second) == state


def test_elimination_needs_its_month(make_household, county_admin):
    household = make_household(monitoring_type="marginal", identified_month="202401")
    assert household.monitoring_status == "risk_open"
    with pytest.raises(ValidationError) as caught:
        household_update(actor=county_admin, household=household, data={"monitoring_status": "risk_eliminated"})
    assert "eliminated_month" in caught.value.message_dict
    household_update(actor=county_admin, household=household,
                     data={"monitoring_status": "risk_eliminated", "eliminated_month": "202406"})
    household.refresh_from_db()
    assert household.monitoring_status == "risk_eliminated"
    assert _updates().get().changed_fields == [
        ("eliminated_month", "", "202406"), ("monitoring_status", "risk_open", "risk_eliminated")]


def test_a_phone_change_that_masks_the_same_is_still_recorded(make_household, county_admin):
    """100****5678 before and after: only the fingerprint shows that the number changed."""
    household = make_household(phone="10011115678")
    household_update(actor=county_admin, household=household, data={}, phone="10099995678")
    record = _updates().get()
    changed = {name: (old, new) for name, old, new in record.changed_fields}
    assert set(changed) == {"phone"} and changed["phone"][0] != changed["phone"][1]
