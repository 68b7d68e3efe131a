"""The warning queue, the leads, the rules, the monitoring lines, the screening runs and the department-file
uploads as .xlsx, through the one list export (bangfu.web.exports)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import field_cipher
from bangfu.core.masking import mask_id_number
from bangfu.monitoring.exports import warning_kind_label
from bangfu.monitoring.forms import LeadFilterForm, WarningFilterForm
from bangfu.monitoring.models import Lead, MonitoringLine, Rule
from bangfu.monitoring.selectors import (
    feed_uploads_visible_to,
    leads_filtered,
    monitoring_lines_for_user,
    screening_changes,
    screening_rule_counts,
    screening_runs,
    screening_township_counts,
    township_names,
    warning_filter_from,
    warning_is_overdue,
    warnings_filtered,
)
from bangfu.regions.config import config_rows
from bangfu.web.exports import Column, ListExport, list_export, no_filters, region_words


def _warning_form(user, data):
    return WarningFilterForm({"state": "open", **data},
                             rules=list(config_rows(Rule, user.region_id).filter(is_exclusion=False)))


def _township(obj) -> str:
    return obj.village.parent.name if obj.village.parent_id else ""


list_export(ListExport(
    key="warnings", title=_("预警清单"), form=_warning_form, named=True,
    rows=lambda user, values: warnings_filtered(user, warning_filter_from(values)),
    prepare=lambda rows: rows.select_related("household", "village__parent", "rule", "verified_by"),
    allowed=lambda user: user.can("registry.view") and user.can("registry.export"),
    labels={"region": _("地区")}, words={"region": region_words},
    columns=(
        Column(_("户编号"), lambda w: w.household.number, 20), Column(_("户主"), lambda w: w.household.head_name, 10),
        Column(_("乡镇"), _township, 12), Column(_("村"), lambda w: w.village.name, 14),
        Column(_("规则代码"), lambda w: w.rule.code, 24), Column(_("规则"), lambda w: w.rule.name, 22),
        Column(_("证据"), lambda w: w.evidence, 60), Column(_("疑似不符合"), lambda w: w.exclusions, 18),
        Column(_("类别"), warning_kind_label, 30),
        Column(_("预警时间"), lambda w: w.created_at, 16), Column(_("状态"), lambda w: w.get_state_display(), 10),
        Column(_("逾期"), lambda w: warning_is_overdue(w, timezone.now()), 6, number=True),
        Column(_("走访日期"), lambda w: w.visit_date, 11), Column(_("核实人"), lambda w: w.verified_by or "", 10),
        Column(_("排除理由"), lambda w: w.dismiss_reason, 24),
    ),
))


def _lead_id(lead: Lead, *, full: bool) -> str:
    if not lead.id_number_cipher:
        return ""
    number = field_cipher().decrypt("id_number", lead.id_number_cipher)
    return number if full else mask_id_number(number)


def _lead_phone(lead: Lead) -> str:
    return field_cipher().decrypt("phone", lead.phone_cipher) if lead.phone_cipher else ""


list_export(ListExport(
    key="leads", title=_("识别线索"), form=lambda user, data: LeadFilterForm(data),
    rows=lambda user, values: leads_filtered(user, state=values.get("state") or "", source=values.get("source") or ""),
    prepare=lambda rows: rows.select_related("village__parent", "household", "warning__rule"),
    allowed=lambda user: user.can("registry.view") and user.can("registry.export"),
    may_reveal=lambda user: user.can("registry.export_personal"),
    columns=(
        Column(_("登记时间"), lambda lead: lead.created_at, 16), Column(_("来源"), lambda lead: lead.get_source_display(), 12),
        Column(_("乡镇"), _township, 12), Column(_("村"), lambda lead: lead.village.name, 14),
        Column(_("户编号"), lambda lead: lead.household.number if lead.household_id else "", 20),
        Column(_("户主"), lambda lead: lead.household.head_name if lead.household_id else "", 10),
        Column(_("申报人"), lambda lead: lead.reporter_name, 10),
        Column(_("证件号码"), lambda lead: _lead_id(lead, full=False), 22, full=lambda lead: _lead_id(lead, full=True)),
        Column(_("联系电话"), lambda lead: lead.phone_masked, 14, full=_lead_phone),
        Column(_("风险类型"), lambda lead: lead.get_risk_type_display(), 12),
        Column(_("困难情况"), lambda lead: lead.difficulty, 40), Column(_("状态"), lambda lead: lead.get_state_display(), 8),
    ),
))



# --- rules, lines, screening, uploads: small lists of no personal data, downloaded at once -------------------


def _description(rule: Rule) -> str:
    from bangfu.monitoring.rules import rule_description

    return rule_description(rule.code, rule.params, rule.description)


def _params(rule: Rule) -> str:
    from bangfu.monitoring.rules import rule_params_text

    return "；".join(f"{label}：{value}" for label, value in rule_params_text(rule.code, rule.params))


list_export(ListExport(
    key="rules", title=_("预警规则"), form=no_filters, inline=True,
    rows=lambda user, values: config_rows(Rule, user.region_id),
    allowed=lambda user: user.can("registry.view"),
    columns=(
        Column(_("规则代码"), lambda r: r.code, 24), Column(_("规则"), lambda r: r.name, 22),
        Column(_("风险类型"), lambda r: r.get_risk_type_display(), 10), Column(_("说明"), _description, 50),
        Column(_("参数"), _params, 30),
        Column(_("核实时限（天）"), lambda r: None if r.is_exclusion else r.verify_days, 10, number=True),
        Column(_("排除规则"), lambda r: r.is_exclusion, 8), Column(_("启用"), lambda r: r.enabled, 6),
    ),
))


def _lines(user, values):
    """The line in force for each year where the exporter sits (the page's rows, newest year first)."""
    return MonitoringLine.objects.filter(pk__in=[row["in_force"].pk for row in monitoring_lines_for_user(user)]
                                         ).order_by("-year")


def _with_levels(user, rows) -> list:
    """Each year's province, prefecture and county values beside the one in force, as the page shows them."""
    by_line = {row["in_force"].pk: row for row in monitoring_lines_for_user(user)}
    lines = list(rows)
    for line in lines:
        line.levels = by_line.get(line.pk, {})
    return lines


def _level(name: str):
    return lambda line: line.levels[name].amount if line.levels.get(name) else None


def _line_source(line) -> str:
    levels = line.levels
    return str(_("县设定") if levels.get("county") else _("州（市）定") if levels.get("prefecture") else _("省定"))


list_export(ListExport(
    key="monitoring-lines", title=_("监测范围"), form=no_filters, inline=True, rows=_lines, prepare_for=_with_levels,
    allowed=lambda user: bool(user.is_authenticated and user.region_id),
    columns=(
        Column(_("年度"), lambda line: line.year, 8, number=True),
        Column(_("执行数值（元）"), lambda line: line.amount, 14, number=True),
        Column(_("来源"), _line_source, 10),
        Column(_("省定（元）"), _level("province"), 12, number=True),
        Column(_("州（市）定（元）"), _level("prefecture"), 14, number=True),
        Column(_("本县设定（元）"), _level("county"), 14, number=True),
        Column(_("依据文件"), lambda line: line.source, 30),
    ),
))


def _screening_counts(user, rows) -> list:
    """Each run's hits by rule, and by township as far as the exporter may see (the page's rule), in a fixed
    number of queries per chunk."""
    runs = list(rows.select_related("started_by"))
    names = dict(Rule.objects.values_list("code", "name"))
    townships = township_names()
    for run in runs:
        run.by_rule = "；".join(f"{names.get(code, code)} {'—' if n is None else n}"
                               for code, n in screening_rule_counts(user, run).items())
        run.shown_created, run.shown_updated = screening_changes(user, run)
        run.by_township = "；".join(f"{name} {n}" for name, n in screening_township_counts(user, run, townships))
    return runs


def _may_read_screening(user) -> bool:
    return user.can("monitoring.screen") or user.can("monitoring.verify")


list_export(ListExport(
    key="screening-runs", title=_("筛查记录"), form=no_filters, inline=True,
    rows=lambda user, values: screening_runs(user), prepare_for=_screening_counts, allowed=_may_read_screening,
    columns=(
        Column(_("批次"), lambda r: r.pk, 6, number=True), Column(_("开始时间"), lambda r: r.started_at, 16),
        Column(_("完成时间"), lambda r: r.finished_at, 16), Column(_("状态"), lambda r: r.get_status_display(), 8),
        Column(_("发起人"), lambda r: r.started_by.display_name if r.started_by_id else _("命令行"), 12),
        Column(_("引擎"), lambda r: r.get_engine_display(), 8),
        Column(_("用时（秒）"), lambda r: r.seconds, 8, number=True),
        Column(_("读取农户"), lambda r: r.inputs.get("households"), 8, number=True),
        Column(_("读取人数"), lambda r: r.inputs.get("members"), 8, number=True),
        Column(_("部门数据行"), lambda r: r.inputs.get("feed"), 10, number=True),
        Column(_("新预警"), lambda r: r.shown_created, 8, number=True),
        Column(_("更新证据"), lambda r: r.shown_updated, 8, number=True),
        Column(_("按规则命中"), lambda r: r.by_rule, 40), Column(_("按乡镇命中"), lambda r: r.by_township, 40),
        Column(_("说明"), lambda r: r.message, 30),
    ),
))

list_export(ListExport(
    key="feed-uploads", title=_("部门数据上传记录"), form=no_filters, inline=True,
    rows=lambda user, values: feed_uploads_visible_to(user),
    prepare=lambda rows: rows.select_related("uploaded_by").defer("errors"),
    allowed=lambda user: user.can("monitoring.feed_upload"),
    columns=(
        Column(_("上传时间"), lambda u: u.uploaded_at, 16),
        Column(_("上传人"), lambda u: u.uploaded_by.display_name if u.uploaded_by_id else "", 12),
        Column(_("数据类型"), lambda u: u.get_kind_display(), 16), Column(_("数据月份"), lambda u: u.period, 10),
        Column(_("文件名"), lambda u: u.file_name, 30), Column(_("数据行数"), lambda u: u.rows, 10, number=True),
        Column(_("匹配成功"), lambda u: u.matched, 10, number=True),
        Column(_("未匹配"), lambda u: u.unmatched, 10, number=True),
        Column(_("无效行"), lambda u: u.invalid, 10, number=True),
        Column(_("重复行"), lambda u: u.duplicates, 10, number=True),
    ),
))
