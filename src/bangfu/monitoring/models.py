"""Monitoring configuration. The monitoring line is data, set per region and year by the county."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonitoringLine(models.Model):
    """The per-capita net income line (监测范围) for a region (province or county) and year."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT,
                               related_name="monitoring_lines")
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("人均纯收入监测线（元）"), max_digits=10, decimal_places=2)
    source = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("监测范围")
        verbose_name_plural = _("监测范围")
        ordering = ["region_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="monitoring_line_unique")]

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.amount}"
