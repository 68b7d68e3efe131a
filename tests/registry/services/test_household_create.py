"""household_create: registering a household in a village of one's jurisdiction, with its history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.audit.models import ChangeRecord
from bangfu.core.crypto import field_cipher
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.registry.services import household_create
from tests.conftest import SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE

pytestmark = pytest.mark.django_db


def _data(village_code=TUANJIE, **extra):
    return {"number": "8800000008", "village": Region.objects.get(code=village_code), "group": "1组", **extra}


def test_creates_household_with_encrypted_phone(county_admin):
    household = household_create(actor=county_admin, data=_data(), phone="100 1234 5678")
    household.refresh_from_db()
    assert household.number == "8800000008"
    assert household.village_id == TUANJIE
    assert household.phone_masked == "100****5678"
    assert "10012345678" not in household.phone_cipher
    assert household.reveal_phone() == "10012345678"
    assert household.phone_digest == field_cipher().blind_index("phone", "10012345678")
    assert household.head_name == ""


def test_writes_a_change_record_with_actor_and_after(county_admin):
    household = household_create(actor=county_admin, data=_data(), phone="10012345678")
    record = ChangeRecord.objects.get()
    assert record.action == ChangeRecord.Action.CREATE
    assert record.actor == county_admin
    assert record.before is None
    assert record.object_type == "household"
    assert record.object_id == str(household.pk)
    assert record.household_id == household.pk
    assert record.region_code == TUANJIE
    assert record.after["number"] == "8800000008"
    assert record.after["village"] == TUANJIE
    assert record.after["group"] == "1组"
    assert record.after["phone_masked"] == "100****5678"
    assert not any(key.endswith(("_cipher", "_digest")) for key in record.after)
    assert "10012345678" not in str(record.after)


def test_without_phone_stores_nothing(county_admin):
    household = household_create(actor=county_admin, data=_data())
    assert (household.phone_cipher, household.phone_digest, household.phone_masked) == ("", "", "")


def test_monitored_household_defaults_to_risk_open(county_admin):
    household = household_create(actor=county_admin, data=_data(monitoring_type="marginal", identified_month="202403"))
    assert household.monitoring_status == "risk_open"


def test_village_cadre_creates_in_own_village(tuanjie_cadre):
    household = household_create(actor=tuanjie_cadre, data=_data())
    assert ChangeRecord.objects.get().actor == tuanjie_cadre
    assert household.village_id == TUANJIE


def test_reviewer_creates_anywhere_in_township(shuanghe_reviewer):
    assert household_create(actor=shuanghe_reviewer, data=_data(SONGBAI)).village_id == SONGBAI


@pytest.mark.parametrize("village", [ZHANGZHA_VILLAGE, SONGBAI])
def test_cadre_cannot_create_outside_own_village(tuanjie_cadre, counts, village):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        household_create(actor=tuanjie_cadre, data=_data(village), phone="10012345678")
    assert "village" in caught.value.message_dict
    assert "管辖范围" in caught.value.message_dict["village"][0]
    assert counts() == before


def test_read_only_role_cannot_create(leader, counts):
    before = counts()
    with pytest.raises(PermissionDenied):
        household_create(actor=leader, data=_data())
    assert counts() == before


@pytest.mark.parametrize(("extra", "field", "words"), [
    ({"identified_month": "2024-13", "monitoring_type": "marginal"}, "identified_month", "月份应在1至12之间"),
    ({"monitoring_type": "marginal"}, "identified_month", "识别监测时间"),
    ({"monitoring_status": "risk_open"}, "monitoring_status", "非监测对象"),
    ({"monitoring_type": "unstable", "household_type": "formerly_poor", "identified_month": "202301",
      "monitoring_status": "risk_eliminated"},
     "eliminated_month", "消除监测时间"),
    ({"relocated": True}, "resettlement_site", "安置点"),
])
def test_invalid_household_is_rejected_on_its_field(county_admin, counts, extra, field, words):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        household_create(actor=county_admin, data=_data(**extra), phone="10012345678")
    assert field in caught.value.message_dict
    assert words in caught.value.message_dict[field][0]
    assert counts() == before


def test_household_must_hang_on_a_village(county_admin, counts):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        household_create(actor=county_admin, data=_data(SHUANGHE))
    assert "村（社区）" in caught.value.message_dict["village"][0]
    assert counts() == before


@pytest.mark.parametrize("phone", ["12345", "1001234567", "2001234567x", "电话"])
def test_bad_phone_is_rejected(county_admin, counts, phone):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        household_create(actor=county_admin, data=_data(), phone=phone)
    assert "联系电话格式错误" in caught.value.message_dict["phone"][0]
    assert counts() == before


@pytest.mark.parametrize("phone", ["+86 100-1234-5678", "１００１２３４５６７８", "(100)12345678"])
def test_typed_phone_forms_are_normalised(county_admin, phone):
    household = household_create(actor=county_admin, data=_data(), phone=phone)
    assert household.reveal_phone() == "10012345678"


def test_fixed_line_with_area_code_is_accepted(county_admin):
    household = household_create(actor=county_admin, data=_data(), phone="0837-7731234")
    assert household.reveal_phone() == "08377731234"


def test_duplicate_number_is_rejected_and_names_it(county_admin, counts):
    household_create(actor=county_admin, data=_data())
    before = counts()
    with pytest.raises(ValidationError) as caught:
        household_create(actor=county_admin, data=_data(SONGBAI))
    assert "8800000008" in caught.value.message_dict["number"][0]
    assert counts() == before
    assert Household.objects.get().village_id == TUANJIE
