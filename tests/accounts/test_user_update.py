"""Changing an account (user_update): name, role, binding, status; only inside the jurisdiction, with the role
deciding the binding; a refusal names the field and writes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.accounts.services import user_update
from tests.accounts.conftest import SONGPAN
from tests.conftest import COUNTY, SHUANGHE, SONGBAI, TUANJIE, ZHANGZHA_VILLAGE


def _errors(caught) -> dict[str, str]:
    return {field: messages[0] for field, messages in caught.value.message_dict.items()}


def test_county_admin_renames_moves_and_deactivates(county_admin, tuanjie_cadre):
    user = user_update(actor=county_admin, user=tuanjie_cadre, full_name="新名字", role="township_reviewer",
                       region_code=SHUANGHE, is_active=False)
    user.refresh_from_db()
    assert (user.full_name, user.role, user.region_id, user.is_active) == ("新名字", "township_reviewer", SHUANGHE,
                                                                           False)


def test_none_leaves_a_field_as_it_is(county_admin, tuanjie_cadre):
    user_update(actor=county_admin, user=tuanjie_cadre, full_name="只改名")
    tuanjie_cadre.refresh_from_db()
    assert (tuanjie_cadre.full_name, tuanjie_cadre.role, tuanjie_cadre.region_id, tuanjie_cadre.is_active) == (
        "只改名", "village_cadre", TUANJIE, True)


def test_a_unit_role_takes_a_unit_and_drops_the_region(county_admin, tuanjie_cadre, unit, fingerprint):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_update(actor=county_admin, user=tuanjie_cadre, role="unit_liaison")
    assert _errors(caught) == {"unit": "帮扶单位角色必须绑定一个帮扶单位"}
    assert fingerprint() == before
    user_update(actor=county_admin, user=tuanjie_cadre, role="unit_liaison", unit_name="成都大学")
    tuanjie_cadre.refresh_from_db()
    assert (tuanjie_cadre.unit_id, tuanjie_cadre.region_id) == (unit.pk, None)
    user_update(actor=county_admin, user=tuanjie_cadre, role="leader", region_code=COUNTY, unit_name="")
    tuanjie_cadre.refresh_from_db()
    assert (tuanjie_cadre.unit_id, tuanjie_cadre.region_id) == (None, COUNTY)


def test_cannot_move_an_account_out_of_the_jurisdiction(county_admin, tuanjie_cadre, songpan, fingerprint):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_update(actor=county_admin, user=tuanjie_cadre, region_code=SONGPAN)
    assert _errors(caught) == {"region": "所选区划“松潘县”不在您的管辖范围内"}
    assert fingerprint() == before


def test_an_account_outside_the_jurisdiction_is_refused(county_admin, songpan_cadre, fingerprint):
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        user_update(actor=county_admin, user=songpan_cadre, full_name="越界")
    assert fingerprint() == before


def test_township_manager_stays_in_its_township(township_manager, tuanjie_cadre, zhangzha_cadre, fingerprint):
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        user_update(actor=township_manager, user=zhangzha_cadre, is_active=False)
    with pytest.raises(ValidationError) as caught:
        user_update(actor=township_manager, user=tuanjie_cadre, region_code=ZHANGZHA_VILLAGE)
    assert _errors(caught) == {"region": "所选区划“漳扎村村民委员会”不在您的管辖范围内"}
    with pytest.raises(ValidationError) as caught:
        user_update(actor=township_manager, user=tuanjie_cadre, role="county_admin")
    assert _errors(caught) == {"role": "不能授予权限超出您本人的角色“县级监测管理员”"}
    assert fingerprint() == before
    user_update(actor=township_manager, user=tuanjie_cadre, region_code=SONGBAI)
    tuanjie_cadre.refresh_from_db()
    assert tuanjie_cadre.region_id == SONGBAI


def test_a_role_without_the_capability_is_refused(shuanghe_reviewer, tuanjie_cadre, fingerprint):
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        user_update(actor=shuanghe_reviewer, user=tuanjie_cadre, full_name="无权")
    assert fingerprint() == before


def test_bad_values_are_named(county_admin, tuanjie_cadre, fingerprint):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_update(actor=county_admin, user=tuanjie_cadre, full_name="长" * 51, role="wizard")
    errors = _errors(caught)
    assert errors["full_name"] == "姓名不能超过50个字" and errors["role"].startswith("角色“wizard”无效")
    with pytest.raises(ValidationError) as caught:
        user_update(actor=county_admin, user=tuanjie_cadre, region_code="")
    assert _errors(caught) == {"region": "该角色必须绑定一个行政区划"}
    assert fingerprint() == before
