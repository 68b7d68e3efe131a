"""Coded values of the case workflow (DOMAIN.md §5.4-5.6), with the labels county staff use."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    IDENTIFICATION = "identification", _("识别纳入")
    ELIMINATION = "elimination", _("风险消除")


class CaseState(models.TextChoices):
    """Where a case stands. Both kinds walk the same chain (DOMAIN.md §5.6: 'same approval chain')."""

    VERIFICATION = "verification", _("入户核实")
    COMPARISON = "comparison", _("信息比对")
    VILLAGE_REVIEW = "village_review", _("民主评议")
    NOTICE = "notice", _("村内公示")
    TOWNSHIP_REVIEW = "township_review", _("乡镇审核")
    COUNTY_APPROVAL = "county_approval", _("县级审定")
    APPROVED = "approved", _("已审定")
    REJECTED = "rejected", _("未通过")
    REVERSED = "reversed", _("已撤销")


OPEN_STATES = (CaseState.VERIFICATION, CaseState.COMPARISON, CaseState.VILLAGE_REVIEW, CaseState.NOTICE,
               CaseState.TOWNSHIP_REVIEW, CaseState.COUNTY_APPROVAL)
CLOSED_STATES = (CaseState.APPROVED, CaseState.REJECTED, CaseState.REVERSED)


class CaseSource(models.TextChoices):
    MANUAL = "manual", _("手动登记")
    CADRE_REPORT = "cadre_report", _("干部排查")
    SELF_REPORT = "self_report", _("农户自主申报")
    WARNING = "warning", _("部门筛查预警")


class RiskType(models.TextChoices):
    ILLNESS = "illness", _("因病")
    SCHOOLING = "schooling", _("因学")
    DISABILITY = "disability", _("因残")
    DISASTER = "disaster", _("因自然灾害")
    ACCIDENT = "accident", _("因意外事故")
    INDUSTRY_FAILURE = "industry_failure", _("因产业项目失败")
    UNSTABLE_EMPLOYMENT = "unstable_employment", _("因务工就业不稳")
    LABOUR_SHORTAGE = "labour_shortage", _("缺劳动力")
    OTHER = "other", _("其他")


MAX_RISKS = 5  # the national system holds risks 1-5

# The shipped default of the self-report limit per sender and hour; the county's number is
# WorkflowSettings.self_reports_per_hour (edited on the workflow settings page, audited).
SELF_REPORTS_PER_HOUR = 5


class EliminationKind(models.TextChoices):
    BY_ASSISTANCE = "by_assistance", _("帮扶消除")
    NATURAL = "natural", _("自然消除")


class MeasureGroup(models.TextChoices):
    """What a measure category does, for matching measures to risks (DOMAIN.md §5.5)."""

    DEVELOPMENT = "development", _("发展类（产业、就业）")
    HEALTH = "health", _("健康")
    EDUCATION = "education", _("教育")
    PROTECTION = "protection", _("兜底保障")
    SOCIAL = "social", _("社会帮扶")
    HOUSING = "housing", _("住房安全")
    WATER = "water", _("饮水安全")
    OTHER = "other", _("其他")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    IN_PROGRESS = "in_progress", _("实施中")
    DONE = "done", _("已完成")
    STOPPED = "stopped", _("已终止")


MEASURE_IN_PLACE = (MeasureStatus.IN_PROGRESS, MeasureStatus.DONE)

# The measure catalogue shipped with the system (DOMAIN.md §5.5): code, name, group. The county edits it as data.
DEFAULT_MEASURE_CATALOGUE = (
    ("industry", "产业帮扶", MeasureGroup.DEVELOPMENT),
    ("employment", "就业帮扶", MeasureGroup.DEVELOPMENT),
    ("microcredit", "金融帮扶（小额信贷）", MeasureGroup.DEVELOPMENT),
    ("public_welfare_job", "公益岗位帮扶", MeasureGroup.DEVELOPMENT),
    ("health", "健康帮扶", MeasureGroup.HEALTH),
    ("compulsory_education", "义务教育保障", MeasureGroup.EDUCATION),
    ("other_education", "其他教育帮扶（雨露计划等）", MeasureGroup.EDUCATION),
    ("social_protection", "综合保障（低保/特困/临时救助）", MeasureGroup.PROTECTION),
    ("housing", "住房安全保障", MeasureGroup.HOUSING),
    ("water", "饮水安全保障", MeasureGroup.WATER),
    ("social", "社会帮扶", MeasureGroup.SOCIAL),
    ("relocation", "搬迁", MeasureGroup.OTHER),
    ("living_conditions", "生产生活条件改善", MeasureGroup.OTHER),
    ("infrastructure", "基础设施建设", MeasureGroup.OTHER),
)

# Limits some catalogue categories carry (DOMAIN.md §5.5: 小额信贷 up to 50,000 yuan for up to 3 years): amount in
# yuan, term in months. Data on the catalogue row, editable; a measure beyond them is saved with a warning.
DEFAULT_CATALOGUE_LIMITS = {"microcredit": (Decimal("50000"), 36)}

# The measure-to-risk table ("缺什么补什么", DOMAIN.md §5.5): a household with this risk needs a measure of one of
# these groups. The shipped default; the county's table is WorkflowSettings.risk_measure_groups (edited with the
# workflow settings, audited). That a household with labour needs a development measure is the principle itself.
DEFAULT_RISK_MEASURE_GROUPS = {
    RiskType.ILLNESS: (MeasureGroup.HEALTH, MeasureGroup.SOCIAL, MeasureGroup.PROTECTION),
    RiskType.SCHOOLING: (MeasureGroup.EDUCATION,),
}


def default_risk_measure_groups() -> dict[str, list[str]]:
    return {str(risk): [str(group) for group in groups] for risk, groups in DEFAULT_RISK_MEASURE_GROUPS.items()}
