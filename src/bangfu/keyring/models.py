"""Which field key this database is encrypted with (its fingerprint, never the key), and a rotation under way."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldKeyState(models.Model):
    """One row: the fingerprint of the key in use; while `bangfu rotate-key` runs, the new key's fingerprint and
    how far each table has been re-encrypted (committed with each batch, so a killed rotation resumes)."""

    fingerprint = models.CharField(_("密钥指纹"), max_length=32)
    rotating_to = models.CharField(_("轮换中的新密钥指纹"), max_length=32, blank=True)
    rotation_progress = models.JSONField(_("轮换进度"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("字段加密密钥状态")
        verbose_name_plural = _("字段加密密钥状态")

    def __str__(self) -> str:
        return self.fingerprint
