"""Kept figures: the registry counted once per village, so a page reads a few hundred rows, not a million."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.registry import choices as c


class VillageSummary(models.Model):
    """How many active households, and people in them, a village has of one kind.

    One row per village and combination of the household fields that indicators and the household list's
    filters use (`reports.summaries.DIMENSIONS`, and whether it is below the monitoring line), so every indicator and every list total without a search is a
    sum over these rows. Kept up to date by the registry's services inside their transaction
    (`village_summaries_refresh`) and rebuilt by `bangfu rebuild-summaries` after bulk loads.
    """

    village = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("村（社区）"))
    household_type = models.CharField(max_length=20, choices=c.HouseholdType.choices)
    monitoring_type = models.CharField(max_length=20, choices=c.MonitoringType.choices, blank=True)
    monitoring_status = models.CharField(max_length=20, choices=c.MonitoringStatus.choices, blank=True)
    housing_safety = models.CharField(max_length=2, choices=c.HousingSafety.choices, blank=True)
    relocated = models.BooleanField()
    # 收入低于监测线但未纳入监测 (registry.selectors.below_line_q): depends on incomes and the monitoring lines too,
    # so income writes and line changes refresh the summaries as household writes do.
    below_line = models.BooleanField(default=False)
    households = models.PositiveIntegerField(_("户数"))
    people = models.PositiveIntegerField(_("人数"))

    class Meta:
        verbose_name = _("村级汇总")
        verbose_name_plural = _("村级汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "household_type", "monitoring_type", "monitoring_status", "housing_safety",
                        "relocated", "below_line"], name="village_summary_one_row_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.household_type} {self.households}户 {self.people}人"


class MonthlyFigure(models.Model):
    """How many active households of a village were identified (识别监测时间) and how many had their risk eliminated
    (消除监测时间) in one month, by monitoring type: the dashboards' per-month figures, read without a scan of the
    registry. Kept like the village summaries, by the same refresh (`reports.summaries.village_summaries_refresh`),
    so a household write changes the month figures in its own transaction."""

    village = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("村（社区）"))
    month = models.CharField(_("月份"), max_length=6, help_text="YYYYMM")
    monitoring_type = models.CharField(max_length=20, choices=c.MonitoringType.choices, blank=True)
    identified = models.PositiveIntegerField(_("识别户数"), default=0)
    eliminated = models.PositiveIntegerField(_("消除户数"), default=0)

    class Meta:
        verbose_name = _("村级月度汇总")
        verbose_name_plural = _("村级月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["village", "month", "monitoring_type"],
                                    name="monthly_figure_one_row_per_month"),
        ]
        indexes = [models.Index(fields=["month", "village"])]

    def __str__(self) -> str:
        return f"{self.village_id} {self.month} +{self.identified} -{self.eliminated}"


class VillageWelfareFigure(models.Model):
    """A village's 搬迁户至少1人就业 and 八必访 figures, counted from their definitions (`relocation.indicators`,
    `care.groups`) for one year's employment and one quarter's visits: the dashboards read these rows instead of
    counting the registry per request. Recounted by `village_summaries_refresh` (registry writes, employment,
    care visits and facts call it in their transaction); a dashboard whose villages' rows are missing or of
    another quarter or year counts live instead (`reports.dashboard`), so a row never shows a stale figure."""

    village = models.OneToOneField("regions.Region", on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("村（社区）"))
    year = models.PositiveSmallIntegerField(_("就业年度"))
    quarter_start = models.DateField(_("走访季度起"))
    relocated_labour = models.PositiveIntegerField(_("有劳动力搬迁户"), default=0)
    relocated_employed = models.PositiveIntegerField(_("至少1人就业户"), default=0)
    must_visit = models.PositiveIntegerField(_("应访户"), default=0)
    visited = models.PositiveIntegerField(_("本季度已访"), default=0)
    visited_recent = models.PositiveIntegerField(_("上季度以来已访"), default=0)
    # The named care lists (care.groups.GROUPS) depend on ages, so they are counted for one day: the care page reads
    # them when counted today (the periodic job recounts the villages each new day), else counts live.
    counted_on = models.DateField(_("关爱对象计数日期"), null=True, blank=True)
    group_members = models.JSONField(_("关爱对象人数"), default=dict, blank=True)  # {group key: members}

    class Meta:
        verbose_name = _("村级搬迁就业与走访汇总")
        verbose_name_plural = _("村级搬迁就业与走访汇总")

    def __str__(self) -> str:
        return f"{self.village_id} {self.year} {self.quarter_start}"


class VillageRiskFigure(models.Model):
    """How many monitored households of a village list a risk type in their current identification
    (`reports.indicators.risk_type_q`): the dashboards' 监测对象（按风险类型） figures. Kept like the village
    summaries, by the same refresh: a case's approval changes the household through the registry's service,
    whose refresh recounts the village in the same transaction. Only risk types with households get a row."""

    village = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("村（社区）"))
    risk_type = models.CharField(_("风险类型"), max_length=30)
    households = models.PositiveIntegerField(_("户数"))

    class Meta:
        verbose_name = _("村级风险类型汇总")
        verbose_name_plural = _("村级风险类型汇总")
        constraints = [
            models.UniqueConstraint(fields=["village", "risk_type"], name="village_risk_figure_one_row_per_risk"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.risk_type} {self.households}户"


class VillageSiteFigure(models.Model):
    """至少1人就业 by resettlement site within a village: relocated households with labour and those with one
    employed, for the year of the village's `VillageWelfareFigure` (written by the same refresh, so fresh when it is).
    `site_key` is the site's id, or `relocation.indicators.NO_SITE`. Only pairs with households get a row."""

    village = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("村（社区）"))
    site_key = models.CharField(_("安置点"), max_length=20)
    relocated_labour = models.PositiveIntegerField(_("有劳动力搬迁户"), default=0)
    relocated_employed = models.PositiveIntegerField(_("至少1人就业户"), default=0)

    class Meta:
        verbose_name = _("村级分安置点就业汇总")
        verbose_name_plural = _("村级分安置点就业汇总")
        constraints = [models.UniqueConstraint(fields=["village", "site_key"], name="village_site_figure_one_row")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.site_key}"
