"""Care for vulnerable groups (脱贫人口和弱势群体帮扶关爱): the few facts the registry does not hold (how a 特困
person is supported, whether a child is an orphan), care visits (关爱走访), and the county's age definitions.

The groups themselves are derived from the registry and defined once in `care.groups`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class TekunSupport(models.TextChoices):
    UNKNOWN = "", _("未登记")
    DISPERSED = "dispersed", _("分散供养")
    CENTRALISED = "centralised", _("集中供养")


class CareFacts(models.Model):
    """What civil affairs knows about a member beyond the registry's flags: 特困 support mode, orphan."""

    member = models.OneToOneField("registry.Member", verbose_name=_("成员"), on_delete=models.CASCADE,
                                  related_name="care_facts")
    tekun_support = models.CharField(_("特困供养方式"), max_length=20, choices=TekunSupport.choices, blank=True,
                                     default="")
    orphan = models.BooleanField(_("孤儿"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("关爱对象信息")
        verbose_name_plural = _("关爱对象信息")

    def __str__(self) -> str:
        return str(self.member)


class CareVisit(models.Model):
    """A care visit (关爱走访) to a household: who went, when, what they found and what was done."""

    household = models.ForeignKey("registry.Household", verbose_name=_("走访农户"), on_delete=models.CASCADE,
                                  related_name="care_visits")
    visitor = models.CharField(_("走访人"), max_length=50)
    visited_on = models.DateField(_("走访日期"))
    found = models.TextField(_("发现情况"), max_length=1000)
    done = models.TextField(_("处理情况"), max_length=1000, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("关爱走访")
        verbose_name_plural = _("关爱走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on:%Y-%m-%d}"


class CareSettings(models.Model):
    """A region's age definitions for the care lists (one row per region, the nearest enclosing region's in force;
    the row without a region holds the shipped defaults)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    elderly_age = models.PositiveSmallIntegerField(_("老年人年龄（周岁及以上）"), default=60)
    child_age_below = models.PositiveSmallIntegerField(_("留守儿童年龄（不满周岁）"), default=16)
    orphan_age_below = models.PositiveSmallIntegerField(_("孤儿年龄（不满周岁）"), default=18)
    working_age_from = models.PositiveSmallIntegerField(_("劳动年龄起（周岁）"), default=18)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("关爱对象年龄设置")
        verbose_name_plural = _("关爱对象年龄设置")
        # One row per region, and one without a region (the shipped defaults): NULL counts as a value here.
        constraints = [models.UniqueConstraint(Coalesce("region", Value("")), name="care_settings_one_per_region")]

    def __str__(self) -> str:
        return str(_("关爱对象年龄设置"))


def care_settings(region_code: str | None = None) -> CareSettings:
    """The settings in force at `region_code` (a village, a county, a prefecture): the nearest enclosing region's
    row, else the shipped row, else the defaults (regions.config, the one resolver)."""
    from bangfu.regions.config import config_nearest

    return config_nearest(CareSettings, region_code) or CareSettings()
