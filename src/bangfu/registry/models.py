"""The registry (一户一档): households, their members and their yearly income.

Personal identifiers are stored as an AES-GCM ciphertext (*_cipher) and a keyed hash for exact look-up
(*_digest); phones also as their masked form (*_masked). ID numbers are masked when shown, never stored masked
(see Member.id_number_masked). The plaintext never reaches the database.
"""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import field_cipher
from bangfu.core.masking import mask_id_number
from bangfu.registry import choices as c
from bangfu.registry import income


def risk_open_q(prefix: str = "") -> models.Q:
    """监测对象（风险未消除）: a household identified as a monitoring object whose risk has not been marked
    eliminated. The one definition: the household (risk_open), the indicators, the measure-due queue and the
    screening snapshot (a warning on such a household follows its case, monitoring.engine) read it."""
    return models.Q(**{f"{prefix}monitoring_status": c.MonitoringStatus.RISK_OPEN}) & ~models.Q(
        **{f"{prefix}monitoring_type": ""})


class Household(models.Model):
    """A rural household: the unit of monitoring. Belongs to one village (and a group within it)."""

    number = models.CharField(_("户编号"), max_length=30, unique=True)
    village = models.ForeignKey("regions.Region", verbose_name=_("村（社区）"), on_delete=models.PROTECT,
                                related_name="households")
    group = models.CharField(_("组"), max_length=20, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=50, blank=True, db_index=True,
                                 help_text=_("由成员“户主”自动同步"))
    household_type = models.CharField(_("户类型"), max_length=20, choices=c.HouseholdType.choices,
                                      default=c.HouseholdType.ORDINARY)
    monitoring_type = models.CharField(_("监测对象类别"), max_length=20, choices=c.MonitoringType.choices,
                                       blank=True, default="")
    monitoring_status = models.CharField(_("风险消除状态"), max_length=20, choices=c.MonitoringStatus.choices,
                                         blank=True, default="")
    identified_month = models.CharField(_("识别监测时间"), max_length=6, blank=True, help_text="YYYYMM")
    eliminated_month = models.CharField(_("消除监测时间"), max_length=6, blank=True, help_text="YYYYMM")

    phone_cipher = models.TextField(blank=True, default="")
    phone_digest = models.CharField(max_length=40, blank=True, default="", db_index=True)
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, default="")

    housing_safety = models.CharField(_("住房安全等级"), max_length=2, choices=c.HousingSafety.choices,
                                      blank=True, default="")
    housing_area = models.DecimalField(_("住房面积（㎡）"), max_digits=8, decimal_places=2, null=True, blank=True)
    drinking_water_safe = models.BooleanField(_("饮水安全有保障"), default=True)
    relocated = models.BooleanField(_("易地扶贫搬迁户"), default=False)
    resettlement_site = models.CharField(_("安置点"), max_length=100, blank=True)
    farmland_mu = models.DecimalField(_("耕地面积（亩）"), max_digits=8, decimal_places=2, null=True, blank=True)
    forest_mu = models.DecimalField(_("林地面积（亩）"), max_digits=8, decimal_places=2, null=True, blank=True)
    road_type = models.CharField(_("入户路类型"), max_length=10, choices=c.RoadType.choices, blank=True, default="")
    road_distance_km = models.DecimalField(_("距村主干路（公里）"), max_digits=6, decimal_places=2, null=True, blank=True)
    has_electricity = models.BooleanField(_("通生活用电"), default=True)
    cooperative_member = models.BooleanField(_("加入农民专业合作社"), default=False)

    is_active = models.BooleanField(_("在册"), default=True)
    closed_on = models.DateField(_("销户日期"), null=True, blank=True)
    closed_reason = models.CharField(_("销户原因"), max_length=200, blank=True, default="")
    # Optimistic concurrency: each saved change adds one; a form sends back the version it was read at, and a
    # save from an older version is refused (registry.services.check_version) instead of undoing another's work.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["village_id", "number"]
        indexes = [
            models.Index(fields=["village", "number"]),
            models.Index(fields=["monitoring_status", "village"]),
            # The few households no longer registered: what the warning and case queues leave out
            # (`registry.selectors.households_closed`) is read through this, not by joining every household.
            models.Index(fields=["id"], condition=models.Q(is_active=False), name="household_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"

    @property
    def is_monitored(self) -> bool:
        return bool(self.monitoring_type)

    @property
    def risk_open(self) -> bool:
        """risk_open_q() for one household."""
        return bool(self.monitoring_type) and self.monitoring_status == c.MonitoringStatus.RISK_OPEN

    @property
    def unsafe_housing(self) -> bool:
        return self.housing_safety in {c.HousingSafety.C, c.HousingSafety.D}

    def reveal_phone(self) -> str:
        return field_cipher().decrypt("phone", self.phone_cipher) if self.phone_cipher else ""


class Member(models.Model):
    """A member of a household. Sex and birth date come from the ID number."""

    household = models.ForeignKey(Household, verbose_name=_("所属户"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    relation = models.CharField(_("与户主关系"), max_length=20, choices=c.Relation.choices)
    id_type = models.CharField(_("证件类型"), max_length=20, choices=c.IdType.choices, default=c.IdType.RESIDENT_ID)
    id_number_cipher = models.TextField(default="")
    id_number_digest = models.CharField(max_length=40, unique=True)
    sex = models.CharField(_("性别"), max_length=6, choices=c.Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=10, choices=c.Ethnicity.choices, default=c.Ethnicity.HAN)
    political_status = models.CharField(_("政治面貌"), max_length=10, choices=c.PoliticalStatus.choices,
                                        default=c.PoliticalStatus.MASSES)
    education = models.CharField(_("文化程度"), max_length=20, choices=c.Education.choices, blank=True)
    student_status = models.CharField(_("在校生情况"), max_length=30, choices=c.StudentStatus.choices,
                                      blank=True, default="")
    health = models.CharField(_("健康状况"), max_length=10, choices=c.Health.choices, default=c.Health.HEALTHY)
    disability_grade = models.CharField(_("残疾等级"), max_length=2, choices=c.DisabilityGrade.choices,
                                        blank=True, default="")
    labour_ability = models.CharField(_("劳动技能"), max_length=10, choices=c.LabourAbility.choices,
                                      default=c.LabourAbility.ORDINARY)
    work_place = models.CharField(_("务工地点"), max_length=20, choices=c.WorkPlace.choices, blank=True, default="")
    work_months = models.PositiveSmallIntegerField(_("务工时间（月）"), default=0)
    medical_insurance = models.BooleanField(_("参加城乡居民基本医疗保险"), default=True)
    serious_illness_insurance = models.BooleanField(_("参加大病保险"), default=True)
    pension_insurance = models.BooleanField(_("参加城乡居民基本养老保险"), default=False)
    dibao = models.BooleanField(_("享受低保"), default=False)
    tekun = models.BooleanField(_("特困供养"), default=False)
    public_welfare_job = models.BooleanField(_("公益岗位"), default=False)
    public_welfare_months = models.PositiveSmallIntegerField(_("公益岗位（月）"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)  # as Household.version
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"

    def reveal_id_number(self) -> str:
        return field_cipher().decrypt("id_number", self.id_number_cipher)

    @cached_property
    def id_number_masked(self) -> str:
        """513225********123X, computed when shown and never stored: next to the birth date kept in clear for
        statistics, a stored mask would give the whole number back to anyone holding the database file."""
        return mask_id_number(self.reveal_id_number()) if self.id_number_cipher else ""

    @property
    def age(self) -> int:
        return self.age_on(dt.date.today())

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class IncomeRecord(models.Model):
    """A household's income for one year (家庭纯收入 and its parts), with compliant out-of-pocket spending.

    Ledgers record income at three depths: the four components and production costs; only the household's net
    income; or only the per-capita net income (人均纯收入, with 家庭人口数). `given` says which one this record holds,
    and what was not given is not invented: for "net" and "per_capita" the components stay zero and are shown as
    not given, and the net or per-capita figure is the one the ledger wrote."""

    class Given(models.TextChoices):
        COMPONENTS = "components", _("分项收入")
        NET = "net", _("仅家庭纯收入")
        PER_CAPITA = "per_capita", _("仅人均纯收入")

    household = models.ForeignKey(Household, verbose_name=_("所属户"), on_delete=models.CASCADE,
                                  related_name="income_records")
    year = models.PositiveSmallIntegerField(_("年度"))
    members_counted = models.PositiveSmallIntegerField(_("家庭人口数"))
    wage_income = models.DecimalField(_("工资性收入"), max_digits=12, decimal_places=2, default=Decimal(0))
    business_income = models.DecimalField(_("生产经营性收入"), max_digits=12, decimal_places=2, default=Decimal(0))
    property_income = models.DecimalField(_("财产性收入"), max_digits=12, decimal_places=2, default=Decimal(0))
    transfer_income = models.DecimalField(_("转移性收入"), max_digits=12, decimal_places=2, default=Decimal(0))
    production_cost = models.DecimalField(_("生产经营性支出"), max_digits=12, decimal_places=2, default=Decimal(0))
    medical_spending = models.DecimalField(_("合规自付医疗支出"), max_digits=12, decimal_places=2, default=Decimal(0))
    education_spending = models.DecimalField(_("合规自付教育支出"), max_digits=12, decimal_places=2, default=Decimal(0))
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)  # as Household.version
    given = models.CharField(_("收入口径"), max_length=12, choices=Given.choices, default=Given.COMPONENTS)
    given_net_income = models.DecimalField(_("台账家庭纯收入"), max_digits=12, decimal_places=2, null=True, blank=True)
    given_per_capita_income = models.DecimalField(_("台账人均纯收入"), max_digits=12, decimal_places=2, null=True,
                                                  blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("收入记录")
        verbose_name_plural = _("收入记录")
        ordering = ["household_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="income_record_one_per_year"),
            models.CheckConstraint(condition=models.Q(members_counted__gte=1), name="income_record_members_positive",
                                   violation_error_message=_("家庭人口数至少为1")),
        ]

    def __str__(self) -> str:
        return f"{self.household.number} {self.year}"

    @property
    def components_given(self) -> bool:
        return self.given == self.Given.COMPONENTS

    # The figures are defined once, in registry/income.py; these read them for templates and the API.
    @property
    def net_income(self) -> Decimal:
        """家庭纯收入 (registry.income.net_income)."""
        return income.net_income(self)

    @property
    def per_capita_net_income(self) -> Decimal:
        """人均纯收入 (registry.income.per_capita_net_income)."""
        return income.per_capita_net_income(self)

    @property
    def compliant_spending(self) -> Decimal:
        return income.compliant_spending(self)

    @property
    def per_capita_after_spending(self) -> Decimal:
        """扣除合规自付支出后人均收入, what is judged against the line (registry.income.per_capita_for_line)."""
        return income.per_capita_for_line(self)


def birth_date_cutoff(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone at least `years` old on `day` (Member.age_on as a date bound, for
    queries): age_on(day) >= years exactly when birth_date <= this. Born on 29 February: a year later that day is
    28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
