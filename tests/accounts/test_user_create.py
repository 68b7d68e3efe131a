"""Opening an account (user_create): a manager binds it inside its own jurisdiction, with a role it may give;
bad input names each field; a refusal writes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.accounts.models import User
from bangfu.accounts.services import user_create
from tests.accounts.conftest import JINAN_COMMUNITY, PASSWORD, SONGPAN
from tests.conftest import COUNTY, SHUANGHE, TUANJIE, ZHANGZHA_VILLAGE


def _errors(caught) -> dict[str, str]:
    return {field: messages[0] for field, messages in caught.value.message_dict.items()}


def test_county_admin_opens_a_village_account(county_admin):
    user = user_create(actor=county_admin, username="tuanjie2", password=PASSWORD, role="village_cadre",
                       full_name=" 团结村 文书 ", region_code=TUANJIE)
    assert (user.region_id, user.unit_id, user.full_name, user.is_active) == (TUANJIE, None, "团结村 文书", True)
    assert user.check_password(PASSWORD)


def test_county_admin_opens_a_unit_account(county_admin, unit):
    user = user_create(actor=county_admin, username="cdu2", password=PASSWORD, role="unit_liaison",
                       region_code=TUANJIE, unit_name="成都大学")
    assert (user.unit_id, user.region_id) == (unit.pk, None)  # a unit role is bound to the unit alone


def test_command_line_binds_anywhere(songpan):
    assert user_create(actor=None, username="sp", password=PASSWORD, role="county_admin",
                       region_code=SONGPAN).region_id == SONGPAN


def test_a_role_without_the_capability_is_refused(tuanjie_cadre, fingerprint):
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        user_create(actor=tuanjie_cadre, username="x1", password=PASSWORD, role="village_cadre", region_code=TUANJIE)
    assert fingerprint() == before


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"region_code": SONGPAN}, "region", "所选区划“松潘县”不在您的管辖范围内"),
    ({"region_code": JINAN_COMMUNITY}, "region", "所选区划“进安镇社区居民委员会”不在您的管辖范围内"),
    ({"region_code": "513200000000"}, "region", "所选区划“阿坝藏族羌族自治州”不在您的管辖范围内"),
    ({"role": "unit_liaison", "unit_name": "松潘帮扶单位"}, "unit", "帮扶单位“松潘帮扶单位”不属于您管辖的县"),
], ids=["other-county", "other-county-village", "prefecture-above", "other-county-unit"])
def test_binding_outside_the_jurisdiction_is_refused(county_admin, songpan_unit, fingerprint, kwargs, field, message):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_create(actor=county_admin, username="x2", password=PASSWORD, **{"role": "village_cadre", **kwargs})
    assert _errors(caught) == {field: message}
    assert fingerprint() == before


def test_township_manager_binds_only_inside_its_township(township_manager, unit, fingerprint):
    before = fingerprint()
    for kwargs, field in (({"region_code": ZHANGZHA_VILLAGE}, "region"), ({"region_code": COUNTY}, "region"),
                          ({"role": "unit_liaison", "unit_name": "成都大学"}, "unit")):
        with pytest.raises(ValidationError) as caught:
            user_create(actor=township_manager, username="x3", password=PASSWORD,
                        **{"role": "village_cadre", **kwargs})
        assert "不" in _errors(caught)[field]
    assert fingerprint() == before
    user = user_create(actor=township_manager, username="tj", password=PASSWORD, role="village_cadre",
                       region_code=TUANJIE)
    assert user.region_id == TUANJIE


def test_township_manager_cannot_give_a_role_stronger_than_its_own(township_manager, fingerprint):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_create(actor=township_manager, username="x4", password=PASSWORD, role="county_admin",
                    region_code=SHUANGHE)
    assert _errors(caught) == {"role": "不能授予权限超出您本人的角色“县级监测管理员”"}
    assert fingerprint() == before


def test_each_bad_field_is_named_and_nothing_is_written(county_admin, fingerprint):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_create(actor=county_admin, username="has space", password="short", role="village_cadre",
                    full_name="长" * 51, region_code="")
    assert _errors(caught) == {
        "username": "用户名只能由文字、数字和 @ . + - _ 组成，不能有空格",
        "full_name": "姓名不能超过50个字",
        "region": "该角色必须绑定一个行政区划",
        "password": "密码不符合要求：至少需要8个字符",
    }
    assert fingerprint() == before


def test_unit_role_without_unit_and_unknown_role(county_admin, fingerprint):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_create(actor=county_admin, username="x5", password=PASSWORD, role="unit_liaison")
    assert _errors(caught) == {"unit": "帮扶单位角色必须绑定一个帮扶单位"}
    with pytest.raises(ValidationError) as caught:
        user_create(actor=county_admin, username="x5", password=PASSWORD, role="wizard", region_code=TUANJIE)
    assert _errors(caught)["role"].startswith("角色“wizard”无效，应为：county_admin（县级监测管理员）")
    assert fingerprint() == before


def test_username_taken_in_any_case(county_admin, tuanjie_cadre, fingerprint):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        user_create(actor=county_admin, username="Tuanjie_Cadre", password=PASSWORD, role="village_cadre",
                    region_code=TUANJIE)
    assert _errors(caught) == {"username": "用户名 Tuanjie_Cadre 已存在"}
    assert fingerprint() == before
    assert User.objects.filter(username__iexact="tuanjie_cadre").count() == 1
