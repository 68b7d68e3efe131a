"""Writes to user accounts. Each service checks the actor's capability and jurisdiction, validates, writes in one
transaction and records the change (who, when, before, after). A password, or its hash, never reaches the
change history.

actor=None is the command line (`bangfu add-user`), run by whoever operates the server: no jurisdiction applies.
"""

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.forms import login_failures_clear
from bangfu.accounts.models import User
from bangfu.accounts.roles import UNIT_ROLES, Role
from bangfu.accounts.selectors import (
    regions_assignable_by,
    roles_assignable_by,
    units_assignable_by,
    users_visible_to,
)
from bangfu.assistance.models import Unit
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record, snapshot
from bangfu.regions.models import Region

FULL_NAME_MAX = User._meta.get_field("full_name").max_length
USERNAME_MAX = User._meta.get_field("username").max_length
PASSWORD_RULES = {
    "password_too_short": gettext_lazy("至少需要%(min_length)s个字符"),
    "password_too_similar": gettext_lazy("与%(verbose_name)s太相似"),
    "password_too_common": gettext_lazy("过于常见，容易被猜中"),
    "password_entirely_numeric": gettext_lazy("不能全是数字"),
}


def _role_list() -> str:
    return _("、").join(_("%(value)s（%(label)s）") % {"value": r.value, "label": r.label} for r in Role)


# --- guards -------------------------------------------------------------------------------------------------

def _require(actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("您的角色没有此项操作权限"))


def _require_user_in_scope(actor, user: User) -> None:
    if not users_visible_to(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(_("该用户不在您的管辖范围内"))


def _outranks(role: str, actor) -> bool:
    """Can the role do something the actor cannot? A manager never hands out, or takes over, more than it holds."""
    return actor is not None and role not in roles_assignable_by(actor)


def _user_snapshot(user: User) -> dict:
    return snapshot(user, exclude=frozenset({"password", "last_login", "totp_secret", "totp_last_step"}))


def _audit_region(user: User) -> str:
    """Where the change log files the record: the bound region, or a unit's county."""
    if user.unit_id:
        return user.unit.county_id
    return user.region_id or ""


def _password_error(password: str, user: User) -> str | None:
    """The configured validators (AUTH_PASSWORD_VALIDATORS), each rule in our own words, in the reader's language.
    Django 5.2's own Chinese catalogue misses the minimum-length message (its msgid changed), hence the table; a
    rule not in it falls back to Django's wording."""
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        rules = []
        for item in error.error_list:
            template = PASSWORD_RULES.get(item.code or "")
            rules.append(template % (item.params or {}) if template else " ".join(item.messages))
        return _("密码不符合要求：%(rules)s") % {"rules": _("；").join(rules)}
    return None


def _find_unit(name: str) -> Unit | None:
    return Unit.objects.filter(name=name).first() or Unit.objects.filter(short_name=name).first()


def _check_username(username: str, errors: dict[str, str]) -> None:
    if not username:
        errors["username"] = _("用户名不能为空")
        return
    if len(username) > USERNAME_MAX:
        errors["username"] = _("用户名不能超过%(max)s个字符") % {"max": USERNAME_MAX}
        return
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        errors["username"] = _("用户名只能由文字、数字和 @ . + - _ 组成，不能有空格")
        return
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("用户名 %(username)s 已存在") % {"username": username}


def _check_full_name(full_name: str, errors: dict[str, str]) -> None:
    if len(full_name) > FULL_NAME_MAX:
        errors["full_name"] = _("姓名不能超过%(max)s个字") % {"max": FULL_NAME_MAX}


def _check_grant(actor, *, role: str, region: Region | None, unit: Unit | None, errors: dict[str, str]) -> None:
    """A manager binds accounts only inside its own subtree, with roles that can do no more than it can."""
    if actor is None or actor.is_superuser:
        return
    if role in Role.values and _outranks(role, actor) and "role" not in errors:
        errors["role"] = _("不能授予权限超出您本人的角色“%(role)s”") % {"role": Role(role).label}
    if region is not None and not regions_assignable_by(actor).filter(code=region.code).exists():
        errors["region"] = _("所选区划“%(region)s”不在您的管辖范围内") % {"region": region.name}
    if unit is not None and not units_assignable_by(actor).filter(pk=unit.pk).exists():
        errors["unit"] = _("帮扶单位“%(unit)s”不属于您管辖的县") % {"unit": unit.name}


def _save(user: User) -> None:
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two managers opening the same username at once: the unique index lets exactly one through.
        raise ValidationError({"username": _("用户名 %(username)s 已存在") % {"username": user.username}}) from None


# --- accounts -----------------------------------------------------------------------------------------------

@transaction.atomic
def user_create(*, actor, username: str, password: str, role: str, full_name: str = "",
                region_code: str = "", unit_name: str = "") -> User:
    """Open an account (新增用户) bound to a region subtree, or for unit roles to an assisting unit.

    A manager (accounts.manage) opens accounts only inside its own jurisdiction and with roles that can do no more
    than its own; the command line (actor=None) may bind anywhere.
    """
    if actor is not None:
        _require(actor, "accounts.manage")
    username = username.strip()
    full_name = full_name.strip()
    errors: dict[str, str] = {}
    _check_username(username, errors)
    _check_full_name(full_name, errors)
    if role not in Role.values:
        errors["role"] = _("角色“%(role)s”无效，应为：%(roles)s") % {"role": role, "roles": _role_list()}
    region = unit = None
    if role in UNIT_ROLES:
        unit = _find_unit(unit_name)
        if unit is None:
            errors["unit"] = (_("帮扶单位“%(unit)s”不存在") % {"unit": unit_name} if unit_name
                              else _("帮扶单位角色必须绑定一个帮扶单位"))
    elif role in Role.values:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            errors["region"] = (_("区划代码“%(code)s”不存在（应为12位统计用区划代码）") % {"code": region_code} if region_code
                                else _("该角色必须绑定一个行政区划"))
    _check_grant(actor, role=role, region=region, unit=unit, errors=errors)
    user = User(username=username, full_name=full_name, role=role, region=region, unit=unit)
    if message := _password_error(password, user):
        errors["password"] = message
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    _save(user)
    change_record(actor=actor, action=ChangeRecord.Action.CREATE, instance=user, before=None,
                  after=_user_snapshot(user), region_code=_audit_region(user))
    return user


@transaction.atomic
def user_update(*, actor, user: User, full_name: str | None = None, role: str | None = None,
                region_code: str | None = None, unit_name: str | None = None,
                is_active: bool | None = None) -> User:
    """Change an account's name, role, binding or status (修改用户); None leaves a field as it is.

    The role decides the binding: unit roles keep a unit and no region, every other role a region and no unit.
    Nobody changes their own role or binding or deactivates themselves, so a county cannot lock out its
    administrator by a slip; another manager must do it.
    """
    _require(actor, "accounts.manage")
    user = User.objects.select_for_update(of=("self",)).select_related("region", "unit").get(pk=user.pk)
    _require_user_in_scope(actor, user)
    before = _user_snapshot(user)
    errors: dict[str, str] = {}
    if full_name is not None:
        full_name = full_name.strip()
        _check_full_name(full_name, errors)
    new_role = user.role if role is None else role
    region, unit = user.region, user.unit
    if new_role not in Role.values:
        errors["role"] = _("角色“%(role)s”无效，应为：%(roles)s") % {"role": new_role, "roles": _role_list()}
    elif new_role in UNIT_ROLES:
        region = None
        if unit_name is not None:
            unit = _find_unit(unit_name) if unit_name else None
        if unit is None:
            errors["unit"] = (_("帮扶单位“%(unit)s”不存在") % {"unit": unit_name} if unit_name
                              else _("帮扶单位角色必须绑定一个帮扶单位"))
    else:
        unit = None
        if region_code is not None:
            region = Region.objects.filter(code=region_code).first() if region_code else None
        if region is None:
            errors["region"] = (_("区划代码“%(code)s”不存在（应为12位统计用区划代码）") % {"code": region_code} if region_code
                                else _("该角色必须绑定一个行政区划"))
    if user.pk == actor.pk:
        if new_role != user.role:
            errors["role"] = _("不能更改自己的角色，请由另一位管理员操作")
        if region != user.region or unit != user.unit:
            errors["unit" if user.unit_id else "region"] = _("不能更改自己的所属区划或单位，请由另一位管理员操作")
        if is_active is False:
            errors["is_active"] = _("不能停用自己的账号")
    _check_grant(actor, role=new_role, region=region, unit=unit, errors=errors)
    if errors:
        raise ValidationError(errors)
    if full_name is not None:
        user.full_name = full_name
    user.role, user.region, user.unit = new_role, region, unit
    if is_active is not None:
        user.is_active = is_active
    user.save()
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=user, before=before,
                  after=_user_snapshot(user), region_code=_audit_region(user))
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> User:
    """An administrator sets a new password for an account (重置密码), e.g. when someone forgot theirs.

    The new password passes the same validators as any other; the account's failed-login lock is lifted so the
    person can log in with it. The change history says that the password was reset, never what it is.
    """
    _require(actor, "accounts.manage")
    user = User.objects.select_for_update(of=("self",)).select_related("region", "unit").get(pk=user.pk)
    _require_user_in_scope(actor, user)
    if _outranks(user.role, actor):
        raise PermissionDenied(_("该用户的角色权限超出您本人，不能重置其密码"))
    if message := _password_error(password, user):
        raise ValidationError({"password": message})
    user.set_password(password)
    user.save(update_fields=["password"])
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=user, before={"password": "（原密码）"},
                  after={"password": "（已由管理员重置）"}, region_code=_audit_region(user), reason="管理员重置密码")
    transaction.on_commit(lambda: login_failures_clear(user.username))
    return user
