"""Writes to user accounts. Each service checks the actor's capability and jurisdiction, validates, writes in one
transaction and records the change (who, when, before, after). A password, or its hash, never reaches the
change history.

actor=None is the command line (`bangfu add-user`), run by whoever operates the server: no jurisdiction applies.
"""

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.forms import login_failures_clear
from bangfu.accounts.models import User
from bangfu.accounts.roles import ROLE_LEVEL, UNIT_ROLES, Role
from bangfu.accounts.selectors import (
    regions_assignable_by,
    roles_assignable_by,
    units_assignable_by,
    users_visible_to,
)
from bangfu.accounts.throttle import throttle_clear, throttle_reserve
from bangfu.accounts.totp import totp_matching_step, totp_secret_open, totp_secret_seal
from bangfu.assistance.models import Unit
from bangfu.audit.models import ChangeRecord, SecurityEvent
from bangfu.audit.services import change_record, security_event_record, snapshot
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


def _check_role_level(role: str, region, errors: dict) -> None:
    """A prefecture administrator sits on a prefecture, a province administrator on the province."""
    level = ROLE_LEVEL.get(role)
    if region is not None and level and region.level != level and "region" not in errors:
        errors["region"] = _("%(role)s须绑定%(level)s级区划") % {
            "role": Role(role).label, "level": dict(Region.Level.choices)[level]}


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
def _check_department(role: str, department: str, errors: dict) -> str:
    """A department clerk is bound to one department (it uploads only that department's files); no other role
    has one."""
    from bangfu.monitoring.feeds import Department

    if role != Role.DEPARTMENT_OPERATOR:
        return ""
    if department not in Department.values:
        errors["department"] = (_("部门“%(department)s”无效，应为：%(all)s") % {
            "department": department, "all": "、".join(f"{d.value}={d.label}" for d in Department)}
            if department else _("部门数据员必须绑定一个部门"))
    return department


def user_create(*, actor, username: str, password: str, role: str, full_name: str = "",
                region_code: str = "", unit_name: str = "", department: str = "") -> User:
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
    _check_role_level(role, region, errors)
    _check_grant(actor, role=role, region=region, unit=unit, errors=errors)
    department = _check_department(role, department, errors)
    user = User(username=username, full_name=full_name, role=role, region=region, unit=unit, department=department)
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
                is_active: bool | None = None, department: str | None = None) -> User:
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
    _check_role_level(new_role, region, errors)
    _check_grant(actor, role=new_role, region=region, unit=unit, errors=errors)
    new_department = _check_department(new_role, user.department if department is None else department, errors)
    if errors:
        raise ValidationError(errors)
    if full_name is not None:
        user.full_name = full_name
    user.role, user.region, user.unit, user.department = new_role, region, unit, new_department
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


# --- the second login step (TOTP) ---------------------------------------------------------------------------

TOTP_OFF, TOTP_ON = "（未启用）", "（已启用）"  # what the change history records (audit.models.RECORDED_PHRASES)


def _totp_record(*, actor, user: User, before: str, after: str, reason: str) -> None:
    change_record(actor=actor, action=ChangeRecord.Action.UPDATE, instance=user, before={"totp_secret": before},
                  after={"totp_secret": after}, region_code=_audit_region(user), reason=reason)


def _totp_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


def _locked_message(until) -> str:
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return _("错误次数过多，已暂时锁定，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}


@transaction.atomic
def totp_enable(*, actor, secret: str, code: str) -> User:
    """An administrator turns on the second login step (动态验证码) for their own account, proving with a first
    code that their authenticator app holds the secret. The secret is stored encrypted; that code is used up."""
    _require(actor, "accounts.manage")
    user = User.objects.select_for_update(of=("self",)).select_related("region", "unit").get(pk=actor.pk)
    if user.totp_secret:
        raise ValidationError({"code": _("动态验证码已启用；如需更换，请先停用再重新设置")})
    step = totp_matching_step(secret, code)
    if step is None:
        raise ValidationError({"code": _("验证码不正确：请输入验证器应用当前显示的6位数字，并确认手机时间准确")})
    user.totp_secret, user.totp_last_step = totp_secret_seal(secret), step
    user.save(update_fields=["totp_secret", "totp_last_step"])
    _totp_record(actor=actor, user=user, before=TOTP_OFF, after=TOTP_ON, reason="启用动态验证码")
    return user


def totp_disable(*, actor, password: str, address: str = "") -> User:
    """An administrator turns the second step off for their own account, confirming with their password (wrong
    passwords count towards a lock, as at login)."""
    _require(actor, "accounts.manage")
    key = f"totp-disable:{actor.pk}"
    reservation = throttle_reserve(key, limit=settings.LOGIN_MAX_FAILURES, window=_totp_window())
    if not reservation.granted:
        raise ValidationError({"password": _locked_message(reservation.until)})
    if not actor.check_password(password):
        security_event_record(kind=SecurityEvent.Kind.LOGIN_FAILED, actor=actor, username=actor.username,
                              address=address, detail=_("停用动态验证码时密码错误"))
        raise ValidationError({"password": _("密码不正确")})
    throttle_clear(key)
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).select_related("region", "unit").get(pk=actor.pk)
        if user.totp_secret:
            user.totp_secret = ""
            user.save(update_fields=["totp_secret"])
            _totp_record(actor=actor, user=user, before=TOTP_ON, after=TOTP_OFF, reason="停用动态验证码")
    return user


@transaction.atomic
def totp_reset(*, actor, user: User) -> User:
    """An administrator turns off another account's second step (重置动态验证码), e.g. when its phone was lost;
    the person logs in with the password alone and may set it up again."""
    _require(actor, "accounts.manage")
    user = User.objects.select_for_update(of=("self",)).select_related("region", "unit").get(pk=user.pk)
    _require_user_in_scope(actor, user)
    if user.pk == actor.pk:
        raise ValidationError({"__all__": _("不能重置自己的动态验证码：请在“动态验证码”页面用密码停用")})
    if _outranks(user.role, actor):
        raise PermissionDenied(_("该用户的角色权限超出您本人，不能重置其动态验证码"))
    if not user.totp_secret:
        raise ValidationError({"__all__": _("该用户未启用动态验证码")})
    user.totp_secret = ""
    user.save(update_fields=["totp_secret"])
    _totp_record(actor=actor, user=user, before=TOTP_ON, after=TOTP_OFF, reason="管理员重置动态验证码")
    return user


def totp_login_check(*, user: User, code: str, address: str = "") -> str | None:
    """The second login step: None when the code is right (its time step then used up), else the message.

    Tries are counted per account before the code is checked (LOGIN_MAX_FAILURES in LOGIN_LOCK_MINUTES), so
    parallel guesses cannot pass the limit; every wrong or replayed code is a security event."""
    key = f"totp:{user.pk}"
    reservation = throttle_reserve(key, limit=settings.LOGIN_MAX_FAILURES, window=_totp_window())
    if not reservation.granted:
        return _locked_message(reservation.until)
    user = User.objects.get(pk=user.pk)
    secret = totp_secret_open(user.totp_secret)
    step = totp_matching_step(secret, code, after_step=user.totp_last_step)
    # Used up atomically: the same code sent twice at once gets in once.
    if step is not None and User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step):
        throttle_clear(key)
        return None
    replayed = totp_matching_step(secret, code) is not None
    region = user.region_id or (user.unit.county_id if user.unit_id else "")
    security_event_record(kind=SecurityEvent.Kind.TOTP_FAILED, actor=user, username=user.username, address=address,
                          region_code=region, detail=_("验证码已使用过（重放）") if replayed else "")
    if reservation.count == settings.LOGIN_MAX_FAILURES:
        security_event_record(kind=SecurityEvent.Kind.LOGIN_LOCKED, actor=user, username=user.username,
                              address=address, region_code=region,
                              detail=_("动态验证码错误次数过多，已锁定至 %(until)s") % {
                                  "until": f"{timezone.localtime(reservation.until):%H:%M}"})
    if replayed:
        return _("该验证码已使用过，请等待验证器应用显示新的验证码后输入。")
    return _("验证码不正确，请输入验证器应用当前显示的6位数字。")
