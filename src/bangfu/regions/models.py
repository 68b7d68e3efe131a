"""The administrative tree, keyed by the 12-digit statistical division code (统计用区划代码)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

LEVEL_PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


class Region(models.Model):
    """A province, prefecture, county, township or village. Retired codes keep their row with valid_to set."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市（州）")
        COUNTY = "county", _("县（区）")
        TOWNSHIP = "township", _("乡镇（街道）")
        VILLAGE = "village", _("村（社区）")

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", db_constraint=False)
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def short_name(self) -> str:
        """团结村 for 团结村村民委员会: what pages and charts show."""
        return short_region_name(self.name)

    @property
    def prefix(self) -> str:
        """The leading digits shared by every code in this subtree."""
        return self.code[: LEVEL_PREFIX_LENGTH[self.level]]

    @property
    def code_range(self) -> tuple[str, str]:
        """Inclusive range of codes in this subtree: an index-friendly filter on any database."""
        return self.prefix.ljust(12, "0"), self.prefix.ljust(12, "9")

    def contains(self, code: str) -> bool:
        low, high = self.code_range
        return low <= code <= high


# The statistical names end in the kind of committee (团结村村民委员会, 荷叶社区居民委员会): pages say 团结村.
COMMITTEE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "委员会")


def short_region_name(name: str) -> str:
    """团结村村民委员会 → 团结村, 荷叶社区居民委员会 → 荷叶社区, 双河镇 → 双河镇."""
    for suffix in COMMITTEE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name
