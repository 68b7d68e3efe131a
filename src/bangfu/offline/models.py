"""Offline capture (我的村): what a village cadre's phone recorded without signal, received once.

A phone keeps its village's copy encrypted with a key the server hands to the logged-in user (OfflineKey) and
forgets at logout. Each submission made offline carries a key chosen on the phone; OfflineSubmission records it
with the moment it was made and the moment it arrived, so a retry of the same submission is answered from here
and never recorded twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfflineKey(models.Model):
    """The key a user's phones encrypt their offline copy with; deleted at logout (the copy becomes unreadable)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_key")
    key_cipher = models.TextField()  # the 32 raw bytes, base64, encrypted with the field key like an ID number
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("离线密钥")
        verbose_name_plural = _("离线密钥")

    def __str__(self) -> str:
        return f"{self.user_id}"


class OfflineSubmission(models.Model):
    """One form filled on a phone without signal and recorded when it was sent (the idempotency record)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("入户走访")
        WARNING_VERIFY = "warning_verify", _("预警核实")
        LEAD = "lead", _("登记识别线索")
        CHECK_IN = "check_in", _("驻村签到")
        MEASURE = "measure", _("帮扶措施跟进")
        CARE_VISIT = "care_visit", _("关爱走访")

    key = models.UUIDField(_("提交编号"), unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    made_at = models.DateTimeField(_("录入时间（手机上）"))
    received_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    object_type = models.CharField(_("记录类型"), max_length=50)
    object_id = models.CharField(_("记录编号"), max_length=40)
    object_label = models.CharField(_("记录"), max_length=200, blank=True)
    household_id = models.BigIntegerField(_("所属户"), null=True, blank=True)
    region_code = models.CharField(_("所属区划"), max_length=12, blank=True, db_index=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)

    class Meta:
        verbose_name = _("离线录入")
        verbose_name_plural = _("离线录入")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["user", "received_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.object_label}"
