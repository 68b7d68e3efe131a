"""What the import remembers: how the columns of a file shape map to fields."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportMapping(models.Model):
    """A user's column choices for files of one shape (the same headers in the same order): the next file of
    that shape is read with them, so a county maps its own ledger's odd columns once."""

    kind = models.CharField(_("导入类型"), max_length=40)
    shape = models.TextField(_("表头"))
    shape_digest = models.CharField(max_length=64)
    mapping = models.JSONField(_("列对应"), default=dict)  # normalised header -> field key, "" = ignored
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设置人"), on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("导入列对应")
        verbose_name_plural = _("导入列对应")
        constraints = [models.UniqueConstraint(fields=["kind", "shape_digest"], name="import_mapping_one_per_shape")]

    def __str__(self) -> str:
        return f"{self.kind} {self.shape[:60]}"

    @staticmethod
    def digest(shape: str) -> str:
        return hashlib.sha256(shape.encode()).hexdigest()


class ImportRun(models.Model):
    """One uploaded file on its way from preview to commit: where it lies, the user's choices and the last
    report (counts, problems, defaults applied)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        PREVIEWED = "previewed", _("已预览")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导入类型"), max_length=40)  # "households", or "feed-<kind>" for a department file
    file_name = models.CharField(_("文件名"), max_length=200)
    file_path = models.CharField(max_length=500)
    year = models.PositiveSmallIntegerField(_("收入年度"), null=True, blank=True)
    period = models.CharField(_("数据月份"), max_length=7, blank=True, default="")  # a department file's YYYY-MM
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT,
                                     related_name="import_runs")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.UPLOADED)
    report = models.JSONField(_("预览结果"), default=dict)
    mapping = models.JSONField(_("列对应"), default=dict)  # this run's choices (normalised header -> field or "")
    job = models.ForeignKey("jobs.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导入")
        verbose_name_plural = _("导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
