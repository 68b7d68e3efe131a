"""Login with a lock after repeated failures, so a password cannot be guessed by trying; the user management
forms."""

import datetime as dt
import hashlib
import math

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.models import Throttle, User
from bangfu.accounts.throttle import throttle_clear, throttle_release, throttle_reserve
from bangfu.assistance.models import Unit
from bangfu.audit.models import SecurityEvent
from bangfu.audit.services import security_event_record
from bangfu.regions.models import Region
from bangfu.web.forms import Form, PrintableTextMixin


def client_address(request) -> str:
    """The client's address as the server saw it (behind BANGFU_TRUSTED_PROXY, waitress has put the real
    client's there)."""
    return (request.META.get("REMOTE_ADDR", "") if request is not None else "")[:45]


def _account_key(username: str) -> str:
    # Hashed: a username may be anything typed, even an ID number, and keys are stored.
    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:32]


def _pair_key(username: str, address: str) -> str:
    return f"login:{_account_key(username)}|{address}"


def _address_key(address: str) -> str:
    return f"login-address:{address}"


class LockingAuthenticationForm(PrintableTextMixin, AuthenticationForm):
    """Each attempt reserves its place in two counters before the password is checked: this account from this
    address, and this address for any account. Parallel guesses cannot get past the limit, and a stranger
    guessing from elsewhere locks only their own address, never the real user out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误，请重新输入。"),
        "inactive": _("该账号已停用，请联系县级管理员。"),
        "locked": _("登录失败次数过多，已暂时锁定，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        address = client_address(self.request)
        window = dt.timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        pair = throttle_reserve(_pair_key(username, address), limit=settings.LOGIN_MAX_FAILURES, window=window)
        if not pair.granted:
            self._refuse_locked(pair)
        whole = throttle_reserve(_address_key(address), limit=settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
                                 window=window)
        if not whole.granted:
            throttle_release(pair.key)
            self._refuse_locked(whole)
        try:
            cleaned = super().clean()
        except ValidationError:
            self._record_failure(username, address, pair, whole)
            raise
        throttle_clear(pair.key)  # this account from this address proved itself
        throttle_release(whole.key)
        return cleaned

    def _refuse_locked(self, reservation):
        minutes = max(1, math.ceil((reservation.until - timezone.now()).total_seconds() / 60))
        raise ValidationError(self.error_messages["locked"], code="locked", params={"minutes": minutes})

    def _record_failure(self, username, address, pair, whole) -> None:
        user = User.objects.filter(username__iexact=username).first()
        region = (user.region_id or "") if user else ""
        security_event_record(kind=SecurityEvent.Kind.LOGIN_FAILED, actor=user, username=username, address=address,
                              region_code=region)
        for reservation, what in ((pair, gettext("该账号在此地址")), (whole, gettext("此地址的所有账号"))):
            if reservation.count == reservation_limit(reservation):
                security_event_record(kind=SecurityEvent.Kind.LOGIN_LOCKED, actor=user, username=username,
                                      address=address, region_code=region,
                                      detail=gettext("%(what)s已锁定至 %(until)s") % {
                                          "what": what, "until": f"{timezone.localtime(reservation.until):%H:%M}"})


def reservation_limit(reservation) -> int:
    return (settings.LOGIN_MAX_FAILURES if reservation.key.startswith("login:")
            else settings.LOGIN_MAX_FAILURES_PER_ADDRESS)


def login_failures_clear(username: str) -> None:
    """Lift the locks on an account (from every address), e.g. once an administrator has set a new password."""
    Throttle.objects.filter(key__startswith=f"login:{_account_key(username)}|").delete()


# --- user management: the forms check types; accounts.services checks the rules ------------------------------


class RegionChoiceField(forms.ModelChoiceField):
    """Regions in tree order; a village carries its township's name, since village names repeat."""

    def label_from_instance(self, region: Region) -> str:
        if region.level == Region.Level.VILLAGE and region.parent_id:
            return f"{region.parent.name} · {region.name}"
        return region.name


class UserForm(Form):
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("角色"))
    region = RegionChoiceField(label=_("所属区划"), queryset=Region.objects.none(), required=False,
                               empty_label=_("（帮扶单位角色不填）"),
                               help_text=_("只能看到该区划及其下级的数据；帮扶单位联络员、牵头单位协调员不填"))
    unit = forms.ModelChoiceField(label=_("所属帮扶单位"), queryset=Unit.objects.none(), required=False,
                                  empty_label=_("（仅帮扶单位角色填写）"),
                                  help_text=_("仅帮扶单位联络员、牵头单位协调员填写：只能看到该单位联系的村"))

    department = forms.ChoiceField(label=_("所属部门"), required=False,
                                   help_text=_("仅部门数据员填写：只能上传本部门的数据、查看本部门的上传记录"))

    def __init__(self, *args, regions, units, roles, **kwargs):
        from bangfu.monitoring.feeds import Department

        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("（仅部门数据员填写）")), *Department.choices]
        self.fields["region"].queryset = regions
        self.fields["unit"].queryset = units
        self.fields["role"].choices = [("", _("请选择角色")), *((r.value, r.label) for r in roles)]

    def binding(self) -> dict[str, str]:
        """The chosen place as the services take it: a region code and a unit name."""
        region, unit = self.cleaned_data.get("region"), self.cleaned_data.get("unit")
        return {"region_code": region.code if region else "", "unit_name": unit.name if unit else "",
                "department": self.cleaned_data.get("department") or ""}


def _password_field(label):
    return forms.CharField(label=label, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class PasswordPairMixin:
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_confirm"):
            self.add_error("password_confirm", _("两次输入的密码不一致"))
        return cleaned


class UserCreateForm(PasswordPairMixin, UserForm):
    username = forms.CharField(label=_("用户名"), max_length=150, help_text=_("登录用，创建后不能修改"),
                               widget=forms.TextInput(attrs={"autocomplete": "off"}))
    password = _password_field(_("初始密码"))
    password_confirm = _password_field(_("确认密码"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _("至少8位；请当面或电话告知本人")
        self.order_fields(["username", "full_name", "role", "region", "unit", "department", "password",
                           "password_confirm"])


class UserEditForm(UserForm):
    is_active = forms.BooleanField(label=_("账号启用（取消勾选即停用，停用后不能登录）"), required=False)

    def __init__(self, *args, user: User, actor: User, **kwargs):
        kwargs.setdefault("initial", {"full_name": user.full_name, "role": user.role, "region": user.region_id,
                                      "unit": user.unit_id, "department": user.department,
                                      "is_active": user.is_active})
        super().__init__(*args, **kwargs)
        if user.pk == actor.pk:
            # One's own role, place and status are another manager's to change (accounts.services.user_update).
            for name in ("role", "region", "unit", "department", "is_active"):
                self.fields[name].disabled = True
            self.fields["role"].choices = [(user.role, user.get_role_display())]
            self.fields["role"].help_text = _("不能修改自己的角色、所属区划和状态，请由另一位管理员操作")


class PasswordSetForm(PasswordPairMixin, Form):
    password = _password_field(_("新密码"))
    password_confirm = _password_field(_("确认新密码"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = _("至少8位；请当面或电话告知本人")


# --- the second login step (TOTP) ----------------------------------------------------------------------------


class TotpCodeForm(Form):
    code = forms.CharField(label=_("动态验证码"), max_length=12, help_text=_("验证器应用当前显示的6位数字"),
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class TotpDisableForm(Form):
    password = forms.CharField(label=_("当前密码"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


# --- API tokens (接口令牌) ---------------------------------------------------------------------------------------


class ApiTokenCreateForm(Form):
    name = forms.CharField(label=_("用途"), max_length=100, required=False,
                           help_text=_("如“医保局数据系统”，便于日后辨认"))
    scopes = forms.MultipleChoiceField(label=_("权限范围"), widget=forms.CheckboxSelectMultiple,
                                       choices=[])  # the scopes the user's role allows (the view fills them)
    days = forms.IntegerField(label=_("有效天数"), min_value=1, initial=90,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, account, **kwargs):
        from bangfu.accounts.models import ApiToken
        from bangfu.accounts.tokens import SCOPE_CAPABILITY

        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(s.value, s.label) for s in ApiToken.Scope
                                         if account.can(SCOPE_CAPABILITY[s])]
        self.fields["days"].help_text = gettext("1 到 %(max)s 天，到期后需重新创建") % {"max": settings.API_TOKEN_MAX_DAYS}
