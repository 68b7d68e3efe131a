"""Assisting units and the villages each is linked to (联系点). The rest of paired assistance builds on these."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """An assisting unit (帮扶单位): an organ, university, hospital, state company or democratic party."""

    class Kind(models.TextChoices):
        ORGAN = "organ", _("党政机关")
        UNIVERSITY = "university", _("高校")
        HOSPITAL = "hospital", _("医院")
        ENTERPRISE = "enterprise", _("国有企业")
        PARTY = "party", _("民主党派")
        OTHER = "other", _("其他")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_lead = models.BooleanField(_("牵头单位"), default=False)
    county = models.ForeignKey("regions.Region", verbose_name=_("帮扶县"), on_delete=models.PROTECT,
                               related_name="assisting_units")

    class Meta:
        verbose_name = _("帮扶单位")
        verbose_name_plural = _("帮扶单位")
        ordering = ["-is_lead", "name"]

    def __str__(self) -> str:
        return self.name


class LinkedVillage(models.Model):
    """A village a unit is linked to (联系点) for a period."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="linked_villages")
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="linked_units")
    since = models.DateField(_("起始日期"), null=True, blank=True)
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联系点")
        verbose_name_plural = _("联系点")
        constraints = [models.UniqueConstraint(fields=["unit", "village"], name="linked_village_unique")]

    def __str__(self) -> str:
        return f"{self.unit} → {self.village}"
