"""Monitoring: the line (data per region and year), department feeds, warning rules, screening runs,
warnings and the leads they become."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bangfu.monitoring.feeds import FEED_KIND_CHOICES


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


# --- department feeds --------------------------------------------------------------------------------------


class FeedUpload(models.Model):
    """One department file accepted by its operator: what kind, which month, who, when, and the counts.

    Written only when the operator commits (a previewed or rejected file leaves nothing behind)."""

    kind = models.CharField(_("数据类型"), max_length=30, choices=FEED_KIND_CHOICES)
    period = models.CharField(_("数据月份"), max_length=7, help_text="YYYY-MM")
    file_name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="feed_uploads")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    matched = models.PositiveIntegerField(_("匹配成功"), default=0)
    unmatched = models.PositiveIntegerField(_("未匹配"), default=0)
    invalid = models.PositiveIntegerField(_("无效行"), default=0)
    duplicates = models.PositiveIntegerField(_("重复行"), default=0)
    errors = models.JSONField(_("问题行"), default=list, blank=True)

    class Meta:
        verbose_name = _("部门数据上传")
        verbose_name_plural = _("部门数据上传")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["kind", "period"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class FeedRow(models.Model):
    """One matched row of a department file, in the typed slots its kind declares (see monitoring/feeds.py).

    The person is the member found by the blind index of the ID number; the number itself is not kept.
    Amounts are in cents (分), so the rules compare exact integers."""

    upload = models.ForeignKey(FeedUpload, on_delete=models.CASCADE, related_name="feed_rows")
    kind = models.CharField(max_length=30, choices=FEED_KIND_CHOICES)
    period = models.CharField(max_length=7)
    row_number = models.PositiveIntegerField()
    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="feed_rows")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="feed_rows")
    date1 = models.DateField(null=True, blank=True)
    date2 = models.DateField(null=True, blank=True)
    amount1 = models.BigIntegerField(null=True, blank=True)
    amount2 = models.BigIntegerField(null=True, blank=True)
    amount3 = models.BigIntegerField(null=True, blank=True)
    amount4 = models.BigIntegerField(null=True, blank=True)
    amount5 = models.BigIntegerField(null=True, blank=True)
    code1 = models.CharField(max_length=40, blank=True, default="")
    code2 = models.CharField(max_length=40, blank=True, default="")
    text = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("部门数据行")
        verbose_name_plural = _("部门数据行")
        indexes = [models.Index(fields=["kind", "period"]), models.Index(fields=["household"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} #{self.row_number}"


# --- rules, runs, warnings ---------------------------------------------------------------------------------


class RiskType(models.TextChoices):
    INCOME = "income", _("收入骤减或支出骤增")
    MEDICAL = "medical", _("因病")
    DISABILITY = "disability", _("因残")
    HOUSING = "housing", _("住房安全")
    EDUCATION = "education", _("因学")
    INSURANCE = "insurance", _("基本医疗保障")
    ACCIDENT = "accident", _("因意外事故")
    EMPLOYMENT = "employment", _("务工就业不稳")
    DISASTER = "disaster", _("因自然灾害")
    OTHER = "other", _("其他")
    EXCLUSION = "exclusion", _("信息比对（疑似不符合）")


class Rule(models.Model):
    """A warning rule (预警规则): its code names the SQL in monitoring/engine/rules.py; its thresholds are
    parameters the county edits. Exclusion rules do not raise warnings: they mark them 疑似不符合.
    Rows without a region are the shipped rules; a region's own rows are in force in it (regions.config)."""

    region = models.ForeignKey("regions.Region", verbose_name=_("所属区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text="empty: the shipped defaults; else the region the row belongs to")
    code = models.CharField(_("规则代码"), max_length=40)
    name = models.CharField(_("规则名称"), max_length=100)
    risk_type = models.CharField(_("风险类型"), max_length=20, choices=RiskType.choices)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    verify_days = models.PositiveSmallIntegerField(_("核实时限（天）"), default=3,
                                                   help_text=_("预警下发后应在几天内入户核实，超期标为逾期"))
    is_exclusion = models.BooleanField(_("排除规则"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["is_exclusion", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="rule_code_per_region"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(region__isnull=True),
                                    name="rule_code_default"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegistryChange(models.Model):
    """A mark that the registry (households, members, income records) changed, written by database triggers on
    those tables whatever writes them (a service, an import, raw SQL): a screening run reuses the registry
    snapshot the previous run kept only while the marks read the same (monitoring/engine/cache.py). PostgreSQL
    keeps one row per writing transaction (`txid`) counting its writing statements (`writes`): concurrent
    writers never wait on one row, a transaction committing after a run read the marks adds to their count, and
    one writing again adds to its `writes`. SQLite, one writer at a time, keeps one row (id 1) whose token each
    written row replaces with a random one."""

    token = models.CharField(max_length=32, default="", blank=True)
    txid = models.BigIntegerField(null=True, blank=True, unique=True)
    writes = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.pk}:{self.token}"


class ScreeningRun(models.Model):
    """One screening run (筛查): who started it, what it read, what it found, how long it took."""

    class Status(models.TextChoices):
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Engine(models.TextChoices):
        # Names of programs: the same in every language.
        DUCKDB = "duckdb", "DuckDB"
        SPARK = "spark", "Spark"

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="screening_runs")
    # The county the run covers (one run per county; a prefecture or province runs one per county below it).
    # Empty: a run over the whole database (runs from before counties were kept apart, the benchmark).
    region = models.ForeignKey("regions.Region", verbose_name=_("筛查的县"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    # Where the rules ran (monitoring.services.screening_engine): runs from before it was recorded ran on DuckDB
    # unless `bangfu screen --engine spark` started them.
    engine = models.CharField(_("引擎"), max_length=10, choices=Engine.choices, default=Engine.DUCKDB)
    inputs = models.JSONField(_("输入"), default=dict, blank=True)
    counts_by_rule = models.JSONField(_("按规则统计"), default=dict, blank=True)
    counts_by_township = models.JSONField(_("按乡镇统计"), default=dict, blank=True)
    counts_monitored_open = models.JSONField(
        _("已纳入监测户（随案跟进）按规则统计"), default=dict, blank=True,
        help_text="of counts_by_rule, the hits on households monitored with their risk open (no verification)")
    # {village code: {rule code: hits}}: what a reader below the county sees per rule is summed from their own
    # villages (monitoring.selectors.screening_rule_counts), like the warnings they may open.
    counts_by_village = models.JSONField(_("按村按规则统计"), default=dict, blank=True)
    created = models.PositiveIntegerField(_("新预警"), default=0)
    updated = models.PositiveIntegerField(_("更新证据"), default=0)
    # {village code: [new warnings, warnings whose evidence was updated]}: created/updated as a reader below the
    # county sees them (monitoring.selectors.screening_changes).
    changes_by_village = models.JSONField(_("按村新预警与更新证据"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # The process running it (host:pid) and when it last said it was alive: a run whose process is gone (a killed
    # `bangfu screen`, a killed worker) is ended as failed by the reaper (monitoring.services.screening_runs_reap).
    process = models.CharField(_("执行进程"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        verbose_name = _("筛查批次")
        verbose_name_plural = _("筛查批次")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"筛查 {self.pk}"


# The label of a warning on a household monitored with its risk open (RiskWarning.monitored_open), wherever shown.
FOLLOW_LABEL = _("已纳入监测（风险未消除）：新情况随案跟进")


class RiskWarning(models.Model):
    """A warning (预警): one household, one rule, with its evidence as a sentence. Goes to the household's
    village; the cadre verifies it (a visit) and confirms it (it becomes a lead) or dismisses it with a reason."""

    class State(models.TextChoices):
        OPEN = "open", _("待核实")
        CONFIRMED = "confirmed", _("核实属实")
        DISMISSED = "dismissed", _("核实排除")
        FOLLOWED = "followed", _("已随案跟进")

    # No index of its own: the (household, rule) index below leads with it (one index fewer for every warning a
    # screening writes).
    household = models.ForeignKey("registry.Household", verbose_name=_("农户"), on_delete=models.CASCADE,
                                  related_name="warnings", db_index=False)
    village = models.ForeignKey("regions.Region", verbose_name=_("村（社区）"), on_delete=models.PROTECT,
                                related_name="+")
    rule = models.ForeignKey(Rule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="warnings")
    evidence = models.TextField(_("证据"))
    fact = models.CharField(max_length=100, blank=True, default="",
                            help_text="what the warning is about (e.g. 2025-05 stay): a dismissed fact is not re-raised")
    exclusions = models.CharField(_("排除比对"), max_length=200, blank=True, default="",
                                  help_text="comma-separated exclusion rule codes (疑似不符合)")
    exclusion_evidence = models.TextField(_("比对说明"), blank=True, default="")
    # Raised on a household already monitored with its risk open (registry.models.risk_open_q): not a new risk to
    # verify into a lead but a new fact for its case (DOMAIN.md §5.4-5.6). Set by each screening run.
    monitored_open = models.BooleanField(_("已纳入监测（风险未消除）"), default=False)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.OPEN)
    first_run = models.ForeignKey(ScreeningRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_run = models.ForeignKey(ScreeningRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("预警时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    visit_date = models.DateField(_("走访日期"), null=True, blank=True)
    visit_notes = models.TextField(_("走访情况"), blank=True, default="")
    dismiss_reason = models.CharField(_("排除理由"), max_length=300, blank=True, default="")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "village"]), models.Index(fields=["household", "rule"])]
        constraints = [models.UniqueConstraint(fields=["household", "rule"], condition=models.Q(state="open"),
                                               name="warning_one_open_per_household_rule")]

    def __str__(self) -> str:
        return f"{self.household.number} {self.rule.name}"

    @property
    def suspected_ineligible(self) -> bool:
        return bool(self.exclusions)

    @property
    def to_follow(self) -> bool:
        """Open and on a household monitored with its risk open: followed with its case, not verified."""
        return self.state == self.State.OPEN and self.monitored_open


class Lead(models.Model):
    """A lead (线索) for identification: a confirmed warning, a household's self-report (农户自主申报) or a cadre's
    visit. The case workflow starts from a lead; the lead stays as the record of where the case came from."""

    class Source(models.TextChoices):
        WARNING = "warning", _("部门筛查预警")
        SELF_REPORT = "self_report", _("农户自主申报")
        CADRE_VISIT = "cadre_visit", _("干部走访排查")

    class State(models.TextChoices):
        NEW = "new", _("待处理")
        TAKEN = "taken", _("已纳入识别")
        ATTACHED = "attached", _("已并入在办案件")
        CLOSED = "closed", _("已关闭")

    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.NEW)
    village = models.ForeignKey("regions.Region", verbose_name=_("村（社区）"), on_delete=models.PROTECT,
                                related_name="+")
    household = models.ForeignKey("registry.Household", verbose_name=_("农户"), on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="leads")
    warning = models.OneToOneField(RiskWarning, verbose_name=_("预警"), on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="lead")
    risk_type = models.CharField(_("风险类型"), max_length=20, choices=RiskType.choices)
    difficulty = models.TextField(_("困难情况"))
    reporter_name = models.CharField(_("申报人姓名"), max_length=50, blank=True)
    phone_cipher = models.TextField(blank=True, default="")
    phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True, default="")
    id_number_cipher = models.TextField(blank=True, default="")
    id_number_digest = models.CharField(max_length=40, blank=True, default="", db_index=True)
    client_digest = models.CharField(max_length=40, blank=True, default="", db_index=True,
                                     help_text="keyed hash of the sender's address, for the rate limit")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # How it left the queue when not opened as a case of its own: attached to the household's open case, or
    # closed with a reason (who and when for both).
    case = models.ForeignKey("cases.Case", verbose_name=_("并入的案件"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="attached_leads")
    close_reason = models.TextField(_("关闭理由"), blank=True, default="")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("识别线索")
        verbose_name_plural = _("识别线索")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "village"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.village_id}"
