"""Writes to user accounts."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from bangfu.accounts.models import User
from bangfu.accounts.roles import UNIT_ROLES, Role
from bangfu.assistance.models import Unit
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.regions.models import Region


@transaction.atomic
def user_create(*, actor, username: str, password: str, role: str, full_name: str = "",
                region_code: str = "", unit_name: str = "") -> User:
    """Create a user bound to a region subtree (or, for unit roles, to an assisting unit)."""
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = "用户名不能为空"
    elif User.objects.filter(username=username).exists():
        errors["username"] = f"用户名 {username} 已存在"
    if role not in Role.values:
        errors["role"] = f"角色“{role}”无效，应为：{', '.join(Role.values)}"
    region = unit = None
    if role in UNIT_ROLES:
        unit = Unit.objects.filter(name=unit_name).first() or Unit.objects.filter(short_name=unit_name).first()
        if unit is None:
            errors["unit"] = f"帮扶单位“{unit_name}”不存在"
    elif role in Role.values:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            errors["region"] = f"区划代码“{region_code}”不存在（应为12位统计用区划代码）"
    try:
        validate_password(password)
    except ValidationError as error:
        errors["password"] = "密码不符合要求：" + "；".join(error.messages)
    if errors:
        raise ValidationError(errors)
    user = User(username=username, full_name=full_name, role=role, region=region, unit=unit)
    user.set_password(password)
    user.save()
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=user, before=None,
                  after=snapshot(user, exclude=frozenset({"password", "last_login"})),
                  region_code=region.code if region else "")
    return user
