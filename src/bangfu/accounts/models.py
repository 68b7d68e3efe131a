"""Users, their role, and where each is bound: a region subtree or an assisting unit."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import CAPABILITIES, ROLE_LEVEL, UNIT_ROLES, Role
from bangfu.monitoring.feeds import Department


class User(AbstractUser):
    """A person who works in the system. Sees only their region subtree, or their unit's linked villages."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, default=Role.VILLAGE_CADRE)
    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="users")
    unit = models.ForeignKey("assistance.Unit", verbose_name=_("所属帮扶单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")
    # A department clerk (部门数据员) uploads only its department's files (monitoring.feeds.feed_kinds_for).
    department = models.CharField(_("所属部门"), max_length=30, choices=Department.choices, blank=True, default="")
    # Optional second factor for administrators (RFC 6238 TOTP, accounts.totp): the shared secret once confirmed,
    # encrypted with the field key (empty: not enabled), and the last time step used, so a code cannot be used twice.
    totp_secret = models.CharField(_("动态验证码密钥"), max_length=200, blank=True, default="")
    totp_last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        # Usernames are unique without regard to case (the services check first; this makes two managers opening
        # Admin and admin at once get the same refusal as one after the other).
        constraints = [models.UniqueConstraint(Lower("username"), name="user_username_unique_any_case")]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        if self.role in UNIT_ROLES and not self.unit_id:
            raise ValidationError({"unit": _("帮扶单位角色必须绑定一个帮扶单位")})
        if self.role not in UNIT_ROLES and not self.region_id:
            raise ValidationError({"region": _("该角色必须绑定一个行政区划")})
        if self.role in ROLE_LEVEL and self.region_id and self.region.level != ROLE_LEVEL[self.role]:
            raise ValidationError({"region": _("%(role)s须绑定%(level)s级区划") % {
                "role": self.get_role_display(), "level": dict(self.region.Level.choices)[ROLE_LEVEL[self.role]]}})
        if self.role == Role.DEPARTMENT_OPERATOR and not self.department:
            raise ValidationError({"department": _("部门数据员必须绑定一个部门")})

    def can(self, capability: str) -> bool:
        return self.is_active and capability in CAPABILITIES.get(self.role, frozenset())

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def place_label(self) -> str:
        if self.unit_id:
            return self.unit.name
        return self.region.name if self.region_id else ""


class Throttle(models.Model):
    """A counter of attempts under a key (failed logins by account and address, ID numbers found outside a
    user's jurisdiction) within a window that starts at the first attempt. See accounts.throttle."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("尝试计数")
        verbose_name_plural = _("尝试计数")

    def __str__(self) -> str:
        return f"{self.key} {self.count}"


class ApiToken(models.Model):
    """A key a department system or a script uses instead of a login (接口令牌): it acts as its user, within one
    or more scopes, until it expires or is revoked. Only a hash is kept (SHA-256 of a 256-bit random token: a
    slow hash adds nothing to a key nobody chose); the token itself is shown once, when it is made."""

    class Scope(models.TextChoices):
        FEEDS = "feeds", _("上报部门数据")
        READ = "read", _("查询预警、线索、案件和台账")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100, blank=True, default="")
    prefix = models.CharField(_("令牌开头"), max_length=12, db_index=True)  # shown in lists to tell tokens apart
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(_("权限范围"), max_length=100)  # comma-separated Scope values
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(User, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name=_("吊销人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def scope_list(self) -> list[str]:
        return [s for s in self.scopes.split(",") if s]

    @property
    def scope_labels(self) -> str:
        labels = dict(self.Scope.choices)
        return "、".join(str(labels.get(s, s)) for s in self.scope_list)

    def state(self, now) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"
