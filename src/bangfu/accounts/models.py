"""Users, their role, and where each is bound: a region subtree or an assisting unit."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import CAPABILITIES, UNIT_ROLES, Role
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
