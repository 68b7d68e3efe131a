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


class ProcessLease(models.Model):
    """A server or worker process running against this database, renewed by the process itself every
    JOB_HEARTBEAT_SECONDS. `bangfu rotate-key` refuses while one is live: a process that keeps the old key
    would write data nobody could read after the switch."""

    class Kind(models.TextChoices):
        SERVER = "server", _("网站服务")
        WORKER = "worker", _("后台任务进程")

    name = models.CharField(_("进程"), max_length=100, unique=True)  # host:pid
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField(_("启动时间"))
    heartbeat_at = models.DateTimeField(_("最近心跳"))

    class Meta:
        verbose_name = _("运行中的进程")
        verbose_name_plural = _("运行中的进程")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
