"""The case workflow: identification and risk elimination (DOMAIN.md §5.4-5.6), assistance measures and visits.

A case walks a transition table (data, editable by the county); every decision appends an immutable record.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import Role
from bangfu.cases.choices import (
    CLOSED_STATES,
    SELF_REPORTS_PER_HOUR,
    CaseKind,
    CaseSource,
    CaseState,
    EliminationKind,
    MeasureGroup,
    MeasureStatus,
    RiskType,
    default_risk_measure_groups,
)
from bangfu.registry.choices import MonitoringType

REGION_HELP = "empty: the shipped defaults; else the county, prefecture or province the row belongs to"


def _config_region():
    """The region a row of configuration belongs to (regions.config resolves the one in force)."""
    return models.ForeignKey("regions.Region", verbose_name=_("所属区划"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", help_text=REGION_HELP)


class WorkflowSettings(models.Model):
    """A region's deadlines and elimination thresholds (one row per region; the row without a region holds the
    shipped defaults from DOMAIN.md §5.4/§5.6). The nearest enclosing region's row is in force."""

    region = _config_region()
    decision_days = models.PositiveSmallIntegerField(_("从线索到识别结论的期限（天）"), default=15)
    decision_working_days = models.BooleanField(_("期限按工作日计算"), default=False)
    notice_min_days = models.PositiveSmallIntegerField(_("公示最少天数"), default=5)
    elimination_min_months = models.PositiveSmallIntegerField(_("消除前至少监测月数"), default=6)
    income_stable_months = models.PositiveSmallIntegerField(_("收入稳定超过监测线的月数"), default=6)
    measure_due_days = models.PositiveSmallIntegerField(_("识别后落实帮扶措施的期限（天）"), default=30)
    max_member_age = models.PositiveSmallIntegerField(_("成员年龄核查上限（岁）"), default=110)
    self_reports_per_hour = models.PositiveSmallIntegerField(_("同一来源每小时最多自主申报次数"),
                                                             default=SELF_REPORTS_PER_HOUR)
    # risk type → the measure groups that answer it (cases.choices.DEFAULT_RISK_MEASURE_GROUPS shipped)
    risk_measure_groups = models.JSONField(_("风险与帮扶措施对应表"), default=default_risk_measure_groups)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("识别与消除设置")
        verbose_name_plural = _("识别与消除设置")
        # One row per region, and one without a region (the shipped defaults): NULL counts as a value here.
        constraints = [models.UniqueConstraint(Coalesce("region", Value("")), name="workflow_settings_one_per_region")]

    def __str__(self) -> str:
        return str(_("识别与消除设置"))


class Transition(models.Model):
    """One row of the workflow table: who may move a case of this kind from one state to another, on what
    conditions, and how long the next step may take. An empty from_state is the opening of a case.
    A region's table is its rows; rows without a region are the shipped table."""

    region = _config_region()
    kind = models.CharField(_("类型"), max_length=20, choices=CaseKind.choices)
    from_state = models.CharField(_("当前环节"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("下一环节"), max_length=20, choices=CaseState.choices)
    role = models.CharField(_("办理角色"), max_length=30, choices=Role.choices)
    label = models.CharField(_("操作名称"), max_length=40)
    preconditions = models.JSONField(_("前置条件"), default=list, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("下一环节期限（天）"), null=True, blank=True)
    working_days = models.BooleanField(_("按工作日计算"), default=False)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("流程环节")
        verbose_name_plural = _("流程环节")
        ordering = ["kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "from_state", "to_state", "role"],
                                    name="transition_unique_per_region"),
            models.UniqueConstraint(fields=["kind", "from_state", "to_state", "role"],
                                    condition=models.Q(region__isnull=True), name="transition_unique_default"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.label}"


class Case(models.Model):
    """A household's identification (识别) or risk-elimination (风险消除) case, from lead to the county's decision."""

    kind = models.CharField(_("类型"), max_length=20, choices=CaseKind.choices, default=CaseKind.IDENTIFICATION)
    # Users never delete a household (they retire it); only the demo's --force rebuild does, taking its cases.
    household = models.ForeignKey("registry.Household", verbose_name=_("农户"), on_delete=models.CASCADE,
                                  related_name="cases")
    # The household's village when the case opened: jurisdiction is checked on it like on households.
    village = models.ForeignKey("regions.Region", verbose_name=_("村（社区）"), on_delete=models.PROTECT,
                                related_name="+")
    state = models.CharField(_("环节"), max_length=20, choices=CaseState.choices, default=CaseState.VERIFICATION)
    # Raised by every decision: a decision taken on an older version is refused (two reviewers at once).
    version = models.PositiveIntegerField(default=1)
    source = models.CharField(_("线索来源"), max_length=20, choices=CaseSource.choices, default=CaseSource.MANUAL)
    # Where the case came from, when it came from the early-warning module (a confirmed warning, a self-report or
    # a cadre's visit); empty for a case opened by hand.
    lead = models.ForeignKey("monitoring.Lead", verbose_name=_("识别线索"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="cases")
    summary = models.TextField(_("困难情况"), blank=True)
    lead_date = models.DateField(_("线索发现日期"))
    due_on = models.DateField(_("办结期限"))
    step_due_on = models.DateField(_("本环节期限"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # What the steps recorded (kept here for the preconditions; the decision records keep the history).
    commitment_signed_on = models.DateField(_("承诺授权书签署日期"), null=True, blank=True)
    verification_notes = models.TextField(_("入户核实情况"), blank=True)
    comparison_result = models.TextField(_("信息比对结果"), blank=True)
    review_date = models.DateField(_("民主评议日期"), null=True, blank=True)
    review_participants = models.CharField(_("参会人员"), max_length=300, blank=True)
    review_outcome = models.CharField(_("评议结果"), max_length=300, blank=True)
    notice_started_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    # The days the comparison and the notice steps were recorded (by the system's clock): the review may not be
    # dated before the comparison, and the notice's minimum days run from the later of its stated start and this.
    comparison_recorded_on = models.DateField(_("信息比对完成日期"), null=True, blank=True)
    notice_recorded_on = models.DateField(_("公示录入日期"), null=True, blank=True)

    # The outcome.
    monitoring_type = models.CharField(_("监测对象类别"), max_length=20, choices=MonitoringType.choices, blank=True)
    risk_types = models.JSONField(_("风险类型"), default=list, blank=True)
    identified_month = models.CharField(_("识别监测时间"), max_length=6, blank=True)
    elimination_kind = models.CharField(_("消除类型"), max_length=20, choices=EliminationKind.choices, blank=True)
    reason = models.TextField(_("不纳入或不通过的理由"), blank=True)

    class Meta:
        verbose_name = _("识别与消除案件")
        verbose_name_plural = _("识别与消除案件")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["village", "state"]), models.Index(fields=["state", "step_due_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.household.number}"

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    @property
    def risk_labels(self) -> list[str]:
        labels = dict(RiskType.choices)
        return [str(labels.get(code, code)) for code in self.risk_types]

    @property
    def state_label(self) -> str:
        """The closed states read differently for the two kinds (纳入监测 / 风险已消除 ...)."""
        if self.state == CaseState.APPROVED:
            return str(_("纳入监测") if self.kind == CaseKind.IDENTIFICATION else _("风险已消除"))
        if self.state == CaseState.REJECTED:
            return str(_("不纳入监测") if self.kind == CaseKind.IDENTIFICATION else _("不予消除"))
        if self.state == CaseState.REVERSED:
            return str(_("已撤销消除"))
        return self.get_state_display()


# The typed dates a decision may record (ISO strings in Decision.data).
DATE_FIELDS = ("lead_date", "commitment_signed_on", "review_date", "notice_started_on")


class Decision(models.Model):
    """One decision on a case (who, when, what, comment). Appended, never changed or deleted."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="decisions")
    transition = models.ForeignKey(Transition, verbose_name=_("流程环节"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原环节"), max_length=20, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新环节"), max_length=20, choices=CaseState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), on_delete=models.PROTECT,
                              related_name="+")
    actor_role = models.CharField(_("办理人角色"), max_length=30, choices=Role.choices)
    at = models.DateTimeField(_("办理时间"), default=timezone.now)
    comment = models.TextField(_("意见"), blank=True)
    data = models.JSONField(_("记录内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("办理记录一经写入不可修改"))
        self._refuse_future_dates()
        super().save(*args, **kwargs)

    def _refuse_future_dates(self) -> None:
        """What is kept for ever cannot keep a date that has not come yet (the service refuses it first, naming
        the field; this is the last guard)."""
        from bangfu.cases import clock

        today = clock.today().isoformat()
        future = [key for key in DATE_FIELDS if str((self.data or {}).get(key) or "") > today]
        if future:
            raise ValidationError(_("办理记录不能保存晚于今天的日期：%(fields)s") % {"fields": "、".join(future)})

    def delete(self, *args, **kwargs):
        raise ValidationError(_("办理记录一经写入不可删除"))


class MeasureCategory(models.Model):
    """The measure catalogue (DOMAIN.md §5.5): data with shipped defaults (rows without a region), a region's
    own catalogue once its administrator edits it."""

    region = _config_region()
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("措施类别"), max_length=60)
    group = models.CharField(_("归类"), max_length=20, choices=MeasureGroup.choices)
    amount_limit = models.DecimalField(_("金额上限（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    term_limit_months = models.PositiveSmallIntegerField(_("期限上限（月）"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("帮扶措施类别")
        verbose_name_plural = _("帮扶措施类别")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="measure_category_code_per_region"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(region__isnull=True),
                                    name="measure_category_code_default"),
        ]

    def __str__(self) -> str:
        return self.name


class Measure(models.Model):
    """One assistance measure (帮扶措施) for a household."""

    household = models.ForeignKey("registry.Household", verbose_name=_("农户"), on_delete=models.CASCADE,
                                  related_name="measures")
    category = models.ForeignKey(MeasureCategory, verbose_name=_("措施类别"), on_delete=models.PROTECT,
                                 related_name="measures")
    description = models.CharField(_("措施内容"), max_length=200)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    responsible = models.CharField(_("责任单位或责任人"), max_length=100)
    status = models.CharField(_("状态"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["household_id", "start_on", "id"]

    def __str__(self) -> str:
        return f"{self.category.name}：{self.description}"


class AssistanceContact(models.Model):
    """The named person responsible for one monitored household (帮扶联系人)."""

    household = models.OneToOneField("registry.Household", verbose_name=_("农户"), on_delete=models.CASCADE,
                                     related_name="assistance_contact")
    name = models.CharField(_("帮扶联系人"), max_length=50)
    post = models.CharField(_("单位及职务"), max_length=100, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("系统账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    since = models.DateField(_("联系起始日期"))

    class Meta:
        verbose_name = _("帮扶联系人")
        verbose_name_plural = _("帮扶联系人")

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """A follow-up visit (走访) to a household: date, visitor, notes and the income found."""

    household = models.ForeignKey("registry.Household", verbose_name=_("农户"), on_delete=models.CASCADE,
                                  related_name="visits")
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT,
                                related_name="+")
    notes = models.TextField(_("走访情况"))
    per_capita_income = models.DecimalField(_("人均纯收入（元，走访时测算）"), max_digits=12, decimal_places=2,
                                            null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["household_id", "-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.household_id} {self.visited_on}"


class QualityRun(models.Model):
    """One run of the data-quality rules over a region (on demand or as a job)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    households_checked = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("数据质量核查")
        verbose_name_plural = _("数据质量核查")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.region_id} {self.started_at:%Y-%m-%d %H:%M}"


class QualityProblem(models.Model):
    """One problem one rule found in one household."""

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="problems")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(_("规则"), max_length=40)
    message = models.CharField(_("问题"), max_length=300)

    class Meta:
        verbose_name = _("数据质量问题")
        verbose_name_plural = _("数据质量问题")
        ordering = ["village_id", "household_id", "rule"]
        indexes = [models.Index(fields=["run", "village"])]

    def __str__(self) -> str:
        return f"{self.rule} {self.household_id}"
