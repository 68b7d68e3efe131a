"""Paired assistance (定点帮扶, DOMAIN.md §6): assisting units and their linked villages, the cadres they send, the
multi-year plan with its targets, the ledger of what each unit did, joint meetings and their tasks, assessment
findings and their rectification, and the configuration (quotas, role requirements, grade thresholds) behind them.

Plan progress and evaluation are never stored: they are computed from the ledger
(`bangfu.reports.assistance_indicators`).
"""

import datetime as dt

from django.conf import settings
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
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_post = models.CharField(_("联系人职务"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话（办公）"), max_length=30, blank=True,
                                     help_text=_("单位办公电话，不填个人手机"))

    class Meta:
        verbose_name = _("帮扶单位")
        verbose_name_plural = _("帮扶单位")
        ordering = ["-is_lead", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class LinkedVillage(models.Model):
    """A village a unit is linked to (联系点) for a period."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="linked_villages")
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="linked_units")
    since = models.DateField(_("起始日期"), null=True, blank=True)
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联系点")
        verbose_name_plural = _("联系点")
        ordering = ["village_id", "-since"]
        # A link that ended is kept (history); the same unit may link the same village again later, never twice at
        # once (assistance.services.linked_village_add checks the periods).

    def __str__(self) -> str:
        return f"{self.unit} → {self.village}"

    def active_on(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)


# --- configuration (data with shipped defaults, edited by the county, audited) --------------------------------


class AttendanceQuota(models.Model):
    """How many days a resident cadre must spend in the village (rules vary by province: per month or per year)."""

    county = models.OneToOneField("regions.Region", verbose_name=_("县"), on_delete=models.CASCADE,
                                  related_name="attendance_quota")
    days_per_month = models.PositiveSmallIntegerField(_("每月在村天数"), default=20)
    days_per_year = models.PositiveSmallIntegerField(_("每年在村天数"), default=200)
    township_approves_up_to = models.PositiveSmallIntegerField(
        _("乡镇可批准的请假天数"), default=3, help_text=_("不超过此天数的请假由乡镇审批，超过的由县审批"))

    class Meta:
        verbose_name = _("驻村考勤要求")
        verbose_name_plural = _("驻村考勤要求")

    def __str__(self) -> str:
        return f"{self.county}：{self.days_per_month}天/月"


class AssistanceRole(models.TextChoices):
    """The assistance roles a village may be required to have (四川"五个一"; 九寨沟"四位一体" is a subset)."""

    COUNTY_LEADER = "county_leader", _("县级联系领导")
    ASSISTING_UNIT = "assisting_unit", _("帮扶单位")
    WORK_TEAM = "work_team", _("驻村工作队")
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    AGRI_TECHNICIAN = "agri_technician", _("农技员")


class VillageRoleRequirement(models.Model):
    """One assistance role each assisted village of the county must have (configuration)."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.CASCADE,
                               related_name="village_role_requirements")
    role = models.CharField(_("帮扶力量"), max_length=30, choices=AssistanceRole.choices)

    class Meta:
        verbose_name = _("村帮扶力量要求")
        verbose_name_plural = _("村帮扶力量要求")
        constraints = [models.UniqueConstraint(fields=["county", "role"], name="village_role_requirement_unique")]

    def __str__(self) -> str:
        return self.get_role_display()


class VillageRoleHolder(models.Model):
    """The person who fills one assistance role in one village for a period (e.g. the county contact leader
    县级联系领导 of 双河镇团结村). Resident cadres fill their roles through their cadre record; this holds the rest."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT,
                                related_name="assistance_role_holders")
    role = models.CharField(_("帮扶力量"), max_length=30, choices=AssistanceRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    unit = models.ForeignKey("Unit", verbose_name=_("所在单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("村帮扶力量人员")
        verbose_name_plural = _("村帮扶力量人员")
        ordering = ["village_id", "role", "-since"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    def active_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


class EvaluationGrade(models.Model):
    """A grade of the yearly unit evaluation and the lowest score (percent of targets met) that earns it."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.CASCADE,
                               related_name="evaluation_grades")
    label = models.CharField(_("等次"), max_length=10)
    min_score = models.DecimalField(_("最低得分（%）"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("评价等次")
        verbose_name_plural = _("评价等次")
        ordering = ["-min_score"]
        constraints = [models.UniqueConstraint(fields=["county", "label"], name="evaluation_grade_unique")]

    def __str__(self) -> str:
        return f"{self.label} ≥ {self.min_score}"


class CountyIndicator(models.Model):
    """An indicator the county adds to the standard ones, defined as an aggregate over one kind of ledger entry."""

    class Aggregate(models.TextChoices):
        COUNT = "count", _("条数")
        SUM = "sum", _("合计")

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.CASCADE,
                               related_name="assistance_indicators")
    key = models.SlugField(_("代码"), max_length=40)
    label = models.CharField(_("指标名称"), max_length=50)
    measure = models.CharField(_("计量单位"), max_length=10, default="")
    ledger_kind = models.CharField(_("台账"), max_length=20)
    aggregate = models.CharField(_("统计方式"), max_length=10, choices=Aggregate.choices, default=Aggregate.SUM)
    field = models.CharField(_("合计字段"), max_length=30, blank=True)
    filter_field = models.CharField(_("筛选字段"), max_length=30, blank=True)
    filter_value = models.CharField(_("筛选值"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("县增指标")
        verbose_name_plural = _("县增指标")
        constraints = [models.UniqueConstraint(fields=["county", "key"], name="county_indicator_unique")]

    def __str__(self) -> str:
        return self.label


# --- cadres ---------------------------------------------------------------------------------------------------


class Cadre(models.Model):
    """A cadre a unit sends: seconded into a county post (挂职) or resident in a village (驻村)."""

    class Kind(models.TextChoices):
        SECONDED = "seconded", _("挂职干部")
        FIRST_SECRETARY = "first_secretary", _("驻村第一书记")
        WORK_TEAM = "work_team", _("驻村工作队员")
        AGRI_TECHNICIAN = "agri_technician", _("农技员")

    RESIDENT_KINDS = (Kind.FIRST_SECRETARY, Kind.WORK_TEAM, Kind.AGRI_TECHNICIAN)

    unit = models.ForeignKey(Unit, verbose_name=_("派出单位"), on_delete=models.PROTECT, related_name="cadres")
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    post = models.CharField(_("挂任职务"), max_length=50, blank=True)
    village = models.ForeignKey("regions.Region", verbose_name=_("驻村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="resident_cadres")
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("系统账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="cadre_posts")

    class Meta:
        verbose_name = _("帮扶干部")
        verbose_name_plural = _("帮扶干部")
        ordering = ["unit", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_resident(self) -> bool:
        return self.kind in self.RESIDENT_KINDS

    def serving_on(self, day: dt.date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class CheckIn(models.Model):
    """A resident cadre's day in the village (签到) with the day's work log (驻村日志)."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField(_("日期"))
    village = models.ForeignKey("regions.Region", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    log = models.TextField(_("工作日志"), blank=True)
    # When the check-in was made (the day's first); empty for check-ins kept before it was recorded.
    recorded_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("驻村签到")
        verbose_name_plural = _("驻村签到")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["cadre", "date"], name="check_in_one_per_day")]

    def __str__(self) -> str:
        return f"{self.cadre.name} {self.date}"

    @property
    def in_own_village(self) -> bool:
        """Whether this day counts as a day in the cadre's village (assistance.attendance has the one definition)."""
        return self.village_id == self.cadre.village_id


class LeaveRequest(models.Model):
    """A resident cadre's leave; the township approves short leave, the county longer (quota configuration)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="leave_requests")
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=200)
    approver_level = models.CharField(_("审批层级"), max_length=10, choices=[("township", _("乡镇")),
                                                                          ("county", _("县"))])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"{self.cadre.name} {self.start}~{self.end}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def closed_on(self, today: dt.date) -> bool:
        """A leave still pending when its first day has passed can no longer be approved or refused (已过期)."""
        return self.status == self.Status.PENDING and self.start < today


# --- the plan ---------------------------------------------------------------------------------------------------


class Plan(models.Model):
    """A multi-year paired-assistance work plan (工作规划) for a county, e.g. 2021-2025."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.PROTECT,
                               related_name="assistance_plans")
    class Status(models.TextChoices):
        DRAFT = "draft", _("征求意见稿")
        ADOPTED = "adopted", _("已印发")

    name = models.CharField(_("规划名称"), max_length=100)
    start_year = models.PositiveSmallIntegerField(_("起始年度"))
    end_year = models.PositiveSmallIntegerField(_("终止年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    adopted_on = models.DateField(_("印发日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶工作规划")
        verbose_name_plural = _("帮扶工作规划")
        ordering = ["-start_year"]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED


class PlanVersion(models.Model):
    """One version of the plan's text (第1稿, 第2稿 ...); the latest is the current one, earlier ones are kept."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("稿次"))
    text = models.TextField(_("规划正文"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("保存人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规划文稿")
        verbose_name_plural = _("规划文稿")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan.name} 第{self.number}稿"


class PlanComment(models.Model):
    """A comment on a draft plan (征求意见) from a unit or the county, on the version it read."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(PlanVersion, verbose_name=_("稿次"), on_delete=models.CASCADE,
                                related_name="comments")
    unit = models.ForeignKey("Unit", verbose_name=_("提出单位"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规划意见")
        verbose_name_plural = _("规划意见")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class PlanTarget(models.Model):
    """A unit's target for one indicator in one year of the plan. What was done comes from the ledger."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, verbose_name=_("帮扶单位"), on_delete=models.CASCADE, related_name="plan_targets")
    year = models.PositiveSmallIntegerField(_("年度"))
    indicator = models.CharField(_("指标"), max_length=40)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("规划目标")
        verbose_name_plural = _("规划目标")
        constraints = [models.UniqueConstraint(fields=["plan", "unit", "year", "indicator"],
                                               name="plan_target_unique")]

    def __str__(self) -> str:
        return f"{self.unit.label} {self.year} {self.indicator} {self.target}"


# --- the ledger (台账) ----------------------------------------------------------------------------------------


class LedgerEntry(models.Model):
    """What every ledger entry has: the unit it belongs to, the day it happened, the village it concerns."""

    unit = models.ForeignKey(Unit, verbose_name=_("帮扶单位"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    village = models.ForeignKey("regions.Region", verbose_name=_("村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-date", "-id"]


class Direction(models.TextChoices):
    """The five directions of assistance work."""

    INDUSTRY = "industry", _("产业帮扶")
    TALENT = "talent", _("人才帮扶")
    CULTURE = "culture", _("文化帮扶")
    ECOLOGY = "ecology", _("生态帮扶")
    ORGANISATION = "organisation", _("组织帮扶")


class Project(LedgerEntry):
    """An assistance project in one of the five directions (date: when it started)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划")
        ONGOING = "ongoing", _("实施中")
        COMPLETED = "completed", _("已完工")

    name = models.CharField(_("项目名称"), max_length=100)
    direction = models.CharField(_("帮扶方向"), max_length=20, choices=Direction.choices)
    budget = models.DecimalField(_("项目资金（元）"), max_digits=14, decimal_places=2)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ONGOING)
    beneficiaries = models.PositiveIntegerField(_("受益人数"), default=0)

    class Meta(LedgerEntry.Meta):
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")

    def __str__(self) -> str:
        return self.name


class Fund(LedgerEntry):
    """Money a unit invested directly (直接投入) or brought in from others (引进)."""

    class Flow(models.TextChoices):
        INVESTED = "invested", _("直接投入")
        BROUGHT_IN = "brought_in", _("引进")

    flow = models.CharField(_("类别"), max_length=20, choices=Flow.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    source = models.CharField(_("资金来源"), max_length=100)
    purpose = models.CharField(_("用途"), max_length=200)
    project = models.ForeignKey(Project, verbose_name=_("所属项目"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="funds")

    class Meta(LedgerEntry.Meta):
        verbose_name = _("帮扶资金")
        verbose_name_plural = _("帮扶资金")

    def __str__(self) -> str:
        return f"{self.get_flow_display()} {self.amount}元 {self.purpose}"


class Donation(LedgerEntry):
    """A donation in money or in kind, valued. A joint donation is one entry per unit with the same joint name."""

    class Form(models.TextChoices):
        MONEY = "money", _("资金")
        IN_KIND = "in_kind", _("物资")

    form = models.CharField(_("形式"), max_length=10, choices=Form.choices)
    recipient = models.CharField(_("受赠方"), max_length=100)
    items = models.CharField(_("物资明细"), max_length=200, blank=True)
    value = models.DecimalField(_("价值（元）"), max_digits=14, decimal_places=2)
    joint_name = models.CharField(_("联合捐赠名称"), max_length=100, blank=True,
                                  help_text=_("几家单位共同捐赠时填写同一名称，简报合并列示"))

    class Meta(LedgerEntry.Meta):
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")

    def __str__(self) -> str:
        return f"{self.recipient} {self.value}元"


class Training(LedgerEntry):
    """A training a unit held or paid for, with how many took part."""

    class Kind(models.TextChoices):
        GRASSROOTS_CADRES = "grassroots_cadres", _("基层干部")
        TECHNICIANS = "technicians", _("乡村振兴带头人/技术人员")
        OTHER = "other", _("其他")

    kind = models.CharField(_("培训对象"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("培训名称"), max_length=100)
    participants = models.PositiveIntegerField(_("培训人数"))

    class Meta(LedgerEntry.Meta):
        verbose_name = _("培训")
        verbose_name_plural = _("培训")

    def __str__(self) -> str:
        return f"{self.title}（{self.participants}人）"


class ProduceTrade(LedgerEntry):
    """Consumption assistance (消费帮扶): county produce the unit bought, or helped to sell."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("购买")
        SALE = "sale", _("帮助销售")

    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    product = models.CharField(_("产品"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    counterpart = models.CharField(_("供货方/采购方"), max_length=100, blank=True)

    class Meta(LedgerEntry.Meta):
        verbose_name = _("消费帮扶")
        verbose_name_plural = _("消费帮扶")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.product} {self.amount}元"


class LeaderVisit(LedgerEntry):
    """A leader's visit (调研督导): who, when, where, what was seen; `people` counts the person-times."""

    leaders = models.CharField(_("带队领导"), max_length=200)
    people = models.PositiveSmallIntegerField(_("人次"), default=1)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    seen = models.TextField(_("调研内容"), blank=True)

    class Meta(LedgerEntry.Meta):
        verbose_name = _("领导调研")
        verbose_name_plural = _("领导调研")

    def __str__(self) -> str:
        return f"{self.leaders} {self.date}"


class EvidenceFile(models.Model):
    """A photo or scan attached to a ledger entry or a rectification item. Served only to who may read the record."""

    record_type = models.CharField(max_length=30)
    record_id = models.PositiveBigIntegerField()
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    stored_as = models.CharField(max_length=100, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        indexes = [models.Index(fields=["record_type", "record_id"])]

    def __str__(self) -> str:
        return self.name


# --- joint meetings, decisions, tasks -----------------------------------------------------------------------------


class JointMeeting(models.Model):
    """The joint meeting (联席会议) of the units assisting a county, held by the lead unit."""

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("会议日期"))
    place = models.CharField(_("地点"), max_length=100)
    chair = models.CharField(_("主持人"), max_length=50)
    units = models.ManyToManyField(Unit, verbose_name=_("参会单位"), related_name="meetings", blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    reports_since = models.DateField(_("汇报起始日期"), help_text=_("各单位汇报此日期以来的工作"))
    title = models.CharField(_("会议名称"), max_length=100, blank=True)
    attendance = models.TextField(_("出席人员"), blank=True, help_text=_("每行一位：单位、姓名、职务"))
    county_reporter = models.CharField(_("县情汇报人"), max_length=50, blank=True)
    county_report = models.TextField(_("县情汇报"), blank=True, help_text=_("县委、县政府通报的乡村振兴情况"))
    plan = models.ForeignKey(Plan, verbose_name=_("审议的规划"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    plan_review = models.TextField(_("规划审议情况"), blank=True)
    requirements = models.TextField(_("会议要求"), blank=True, help_text=_("每行一条"))

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.title or f"{self.date} {self.place}"

    @property
    def requirement_lines(self) -> list[str]:
        return [line.strip() for line in self.requirements.splitlines() if line.strip()]

    @property
    def attendance_lines(self) -> list[str]:
        return [line.strip() for line in self.attendance.splitlines() if line.strip()]


class UnitReport(models.Model):
    """A unit's report to a joint meeting: drafted from its ledger, then edited by the unit."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("帮扶单位"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("汇报内容"))
    next_steps = models.TextField(_("下一步打算"), blank=True)
    position = models.PositiveSmallIntegerField(_("发言顺序"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("单位汇报")
        verbose_name_plural = _("单位汇报")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="unit_report_unique")]

    def __str__(self) -> str:
        return f"{self.unit.label} @ {self.meeting}"


class CadreSpeech(models.Model):
    """What a dispatched or resident cadre said at a joint meeting (挂职、驻村干部发言), in speaking order."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="speeches")
    cadre = models.ForeignKey(Cadre, verbose_name=_("发言干部"), on_delete=models.PROTECT, related_name="speeches")
    text = models.TextField(_("发言要点"))
    position = models.PositiveSmallIntegerField(_("发言顺序"), default=0)

    class Meta:
        verbose_name = _("干部发言")
        verbose_name_plural = _("干部发言")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.cadre.name} @ {self.meeting}"


class AssistanceNeed(models.Model):
    """One of the county's assistance needs (帮扶需求) put to a joint meeting; assigned to a unit and followed up
    like a decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("推进中")
        DONE = "done", _("已完成")

    meeting = models.ForeignKey(JointMeeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(_("帮扶需求"), max_length=200)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("承接单位"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="needs")
    owner = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    progress = models.CharField(_("进展"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("帮扶需求")
        verbose_name_plural = _("帮扶需求")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.need


class Task(models.Model):
    """A decision of a joint meeting turned into a task with an owner and a deadline, followed by the lead unit."""

    class Status(models.TextChoices):
        OPEN = "open", _("推进中")
        DONE = "done", _("已完成")

    meeting = models.ForeignKey(JointMeeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="tasks")
    decision = models.CharField(_("会议决定"), max_length=200)
    owner_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="tasks")
    owner = models.CharField(_("责任人"), max_length=50)
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    progress = models.CharField(_("进展"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["status", "deadline"]

    def __str__(self) -> str:
        return self.decision

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.deadline < (today or dt.date.today())


# --- assessment findings and rectification --------------------------------------------------------------------


class Finding(models.Model):
    """A problem an assessment found (考核评估发现问题) and its rectification (整改): owner, measures, deadline,
    evidence (EvidenceFile) and sign-off."""

    class Source(models.TextChoices):
        NATIONAL = "national", _("国家考核评估")
        PROVINCIAL = "provincial", _("省级考核评估")
        PREFECTURE = "prefecture", _("州级督查")
        COUNTY = "county", _("县级自查")

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        RECTIFIED = "rectified", _("待销号")
        SIGNED_OFF = "signed_off", _("已销号")

    county = models.ForeignKey("regions.Region", verbose_name=_("县"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("问题来源"), max_length=20, choices=Source.choices)
    found_on = models.DateField(_("发现日期"))
    description = models.TextField(_("问题描述"))
    owner_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="findings")
    owner = models.CharField(_("责任人"), max_length=50)
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改时限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("销号人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(_("销号时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改问题")
        verbose_name_plural = _("整改问题")
        ordering = ["status", "deadline"]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status != self.Status.SIGNED_OFF and self.deadline < (today or dt.date.today())
