"""Creating users from the command line: bound to a region or a unit, bad input named field by field."""

import pytest
from django.core.management import CommandError, call_command

from bangfu.accounts.models import User
from bangfu.assistance.models import Unit
from bangfu.audit.models import ChangeRecord
from tests.conftest import COUNTY, SONGBAI


def test_creates_a_region_bound_user_and_records_it(regions):
    call_command("add_user", "songbai", role="village_cadre", region=SONGBAI, password="a-long-password-1")
    user = User.objects.get(username="songbai")
    assert user.region_id == SONGBAI and user.check_password("a-long-password-1")
    record = ChangeRecord.objects.get(object_type="user", object_id=str(user.pk))
    assert "password" not in record.after and record.after["role"] == "village_cadre"


def test_creates_a_unit_bound_user(regions):
    Unit.objects.create(name="成都大学", short_name="成都大学", county_id=COUNTY)
    call_command("add_user", "cdu", role="unit_liaison", unit="成都大学", password="a-long-password-1")
    assert User.objects.get(username="cdu").unit.name == "成都大学"


def test_bad_input_names_each_field_and_creates_nothing(regions):
    with pytest.raises(CommandError) as error:
        call_command("add_user", "x", role="village_cadre", region="123", password="short")
    message = str(error.value)
    assert "region" in message and "区划代码“123”不存在" in message
    assert "password" in message and "密码" in message
    assert not User.objects.filter(username="x").exists()


def test_unknown_role_and_duplicate_username(regions):
    call_command("add_user", "dup", role="leader", region=COUNTY, password="a-long-password-1")
    with pytest.raises(CommandError) as error:
        call_command("add_user", "dup", role="wizard", region=COUNTY, password="a-long-password-1")
    assert "用户名 dup 已存在" in str(error.value) and "角色“wizard”无效" in str(error.value)
