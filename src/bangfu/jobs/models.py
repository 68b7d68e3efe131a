"""Long work (exports, imports, screening runs) as jobs that run in the worker and report progress."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    """One piece of background work requested by a user, with its progress and its result file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                     related_name="jobs")
    params = models.JSONField(_("参数"), default=dict)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    result_name = models.CharField(_("结果文件名"), max_length=200, blank=True)
    result_path = models.CharField(max_length=500, blank=True)
    # Who runs it (host:pid) and when it last said it was alive: a job whose worker died is found and failed.
    worker = models.CharField(_("执行进程"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    # What the job acts on ("county", "import:12", a region code): one queued or running job of a kind per target.
    target = models.CharField(_("作用对象"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "target"], name="one_live_job_per_target",
                                    condition=Q(status__in=["queued", "running"]) & ~Q(target="")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class PeriodicRun(models.Model):
    """When a piece of periodic work (jobs.periodic) last started and how it ended: the worker runs what is due,
    and only one worker claims each turn."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    started_at = models.DateTimeField(_("最近开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("最近结束"), null=True, blank=True)
    message = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("定期任务")
        verbose_name_plural = _("定期任务")

    def __str__(self) -> str:
        return self.name
