"""Follow-up support for relocated households (易地搬迁后续扶持, DOMAIN.md §7): resettlement sites with their
workshops, the relocation details of a registry household, and relocated workers' employment.

Whether a household is relocated stays the registry's fact (`Household.relocated`); a `RelocatedHousehold` row
adds where to and when. Figures over these rows are defined once in `relocation.indicators`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class SizeBand(models.TextChoices):
    SMALL = "small", _("800人以下")
    MEDIUM = "medium", _("800-3000人")
    LARGE = "large", _("3000人以上")


# The one definition of a site's size band (DOMAIN.md §7): 800 and 3,000 themselves fall in the middle band.
SIZE_BAND_MEDIUM_FROM = 800
SIZE_BAND_LARGE_ABOVE = 3000


def size_band(population: int | None) -> str:
    if population is None:
        return ""
    if population < SIZE_BAND_MEDIUM_FROM:
        return SizeBand.SMALL
    if population <= SIZE_BAND_LARGE_ABOVE:
        return SizeBand.MEDIUM
    return SizeBand.LARGE


def size_band_q(band: str) -> models.Q:
    """size_band() as a filter on ResettlementSite.population."""
    return {
        SizeBand.SMALL: models.Q(population__lt=SIZE_BAND_MEDIUM_FROM),
        SizeBand.MEDIUM: models.Q(population__gte=SIZE_BAND_MEDIUM_FROM, population__lte=SIZE_BAND_LARGE_ABOVE),
        SizeBand.LARGE: models.Q(population__gt=SIZE_BAND_LARGE_ABOVE),
    }[band]


class Facility(models.TextChoices):
    SCHOOL = "school", _("学校")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    CLINIC = "clinic", _("卫生室（院）")
    SERVICE_CENTRE = "service_centre", _("便民服务中心")
    ELDERLY_CARE = "elderly_care", _("养老服务站")
    MARKET = "market", _("农贸市场")
    ACTIVITY = "activity", _("文化活动室")


class ResettlementSite(models.Model):
    """A resettlement site (安置点) in a township: how many people live there, when it was built, what it has."""

    name = models.CharField(_("安置点名称"), max_length=100, unique=True)
    township = models.ForeignKey("regions.Region", verbose_name=_("所在乡镇"), on_delete=models.PROTECT,
                                 related_name="resettlement_sites")
    population = models.PositiveIntegerField(_("安置人口"), null=True, blank=True)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    facilities = models.JSONField(_("配套设施"), default=list, blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True, default="")
    notes = models.CharField(_("备注"), max_length=200, blank=True, default="")
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("安置点")
        verbose_name_plural = _("安置点")
        ordering = ["township_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def size_band(self) -> str:
        return size_band(self.population)

    def get_size_band_display(self) -> str:
        band = self.size_band
        return str(SizeBand(band).label) if band else ""

    def facilities_display(self) -> str:
        labels = dict(Facility.choices)
        return "、".join(str(labels.get(code, code)) for code in self.facilities)


class WorkshopKind(models.TextChoices):
    WORKSHOP = "workshop", _("帮扶车间")
    BUSINESS = "business", _("企业")
    COOPERATIVE = "cooperative", _("合作社")


class Workshop(models.Model):
    """A workshop or business at a site (帮扶车间) with the jobs it offers and how many are filled."""

    site = models.ForeignKey(ResettlementSite, verbose_name=_("安置点"), on_delete=models.CASCADE,
                             related_name="workshops")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=WorkshopKind.choices, default=WorkshopKind.WORKSHOP)
    jobs_offered = models.PositiveIntegerField(_("提供岗位"), default=0)
    jobs_filled = models.PositiveIntegerField(_("已就业人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("帮扶车间")
        verbose_name_plural = _("帮扶车间")
        ordering = ["site_id", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="workshop_name_per_site")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.jobs_filled > self.jobs_offered:
            raise ValidationError({"jobs_filled": _("已就业人数不能多于提供岗位数")})


class CertificateState(models.TextChoices):
    NONE = "none", _("未办理")
    IN_PROGRESS = "in_progress", _("办理中")
    ISSUED = "issued", _("已办证")


class RelocatedHousehold(models.Model):
    """Where a relocated household (易地扶贫搬迁户) was moved to, when, from where, and its 不动产权证."""

    household = models.OneToOneField("registry.Household", verbose_name=_("农户"), on_delete=models.CASCADE,
                                     related_name="relocation")
    site = models.ForeignKey(ResettlementSite, verbose_name=_("安置点"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="households")
    relocation_year = models.PositiveSmallIntegerField(_("搬迁年份"), null=True, blank=True)
    certificate = models.CharField(_("不动产权证"), max_length=20, choices=CertificateState.choices,
                                   default=CertificateState.NONE)
    former_village = models.ForeignKey("regions.Region", verbose_name=_("迁出村"), on_delete=models.PROTECT,
                                       null=True, blank=True, related_name="+", db_constraint=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("搬迁户")
        verbose_name_plural = _("搬迁户")
        ordering = ["household_id"]

    def __str__(self) -> str:
        return str(self.household)


class EmploymentKind(models.TextChoices):
    WORKSHOP = "workshop", _("帮扶车间")
    PUBLIC_WELFARE = "public_welfare", _("公益岗位")
    MIGRANT = "migrant", _("外出务工")
    LOCAL = "local", _("就近就业")


class EmploymentSource(models.TextChoices):
    CADRE = "cadre", _("干部录入")
    FEED = "feed", _("人社数据")


class Employment(models.Model):
    """A relocated worker's employment in a year: where, of which kind, how many months."""

    member = models.ForeignKey("registry.Member", verbose_name=_("就业人员"), on_delete=models.CASCADE,
                               related_name="employments")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("就业类型"), max_length=20, choices=EmploymentKind.choices)
    place = models.CharField(_("就业地点或单位"), max_length=100)
    workshop = models.ForeignKey(Workshop, verbose_name=_("帮扶车间"), on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="employments")
    months = models.PositiveSmallIntegerField(_("年务工月数"))
    source = models.CharField(_("来源"), max_length=10, choices=EmploymentSource.choices,
                              default=EmploymentSource.CADRE)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("搬迁劳动力就业")
        verbose_name_plural = _("搬迁劳动力就业")
        ordering = ["member_id", "-year", "id"]
        indexes = [models.Index(fields=["year", "member"])]

    def __str__(self) -> str:
        return f"{self.member.name} {self.year} {self.get_kind_display()}"


class RelocationSettings(models.Model):
    """A region's definition of "employed" for 至少1人就业 (one row per region, the nearest enclosing region's in
    force; the row without a region holds the shipped default)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    employed_min_months = models.PositiveSmallIntegerField(_("计为就业的最少年务工月数"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("搬迁就业设置")
        verbose_name_plural = _("搬迁就业设置")
        # One row per region, and one without a region (the shipped defaults): NULL counts as a value here.
        constraints = [models.UniqueConstraint(Coalesce("region", Value("")),
                                               name="relocation_settings_one_per_region")]

    def __str__(self) -> str:
        return str(_("搬迁就业设置"))


def relocation_settings(region_code: str | None = None) -> RelocationSettings:
    """The settings in force at `region_code` (a village, a county, a prefecture): the nearest enclosing region's
    row, else the shipped row, else the defaults (regions.config, the one resolver)."""
    from bangfu.regions.config import config_nearest

    return config_nearest(RelocationSettings, region_code) or RelocationSettings()
