"""The warning queue and the leads as .xlsx, through the one list export (bangfu.web.exports)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bangfu.core.crypto import field_cipher
from bangfu.core.masking import mask_id_number
from bangfu.monitoring.forms import WarningFilterForm
from bangfu.monitoring.models import Lead, Rule
from bangfu.monitoring.selectors import (
    leads_visible_to,
    warning_filter_from,
    warning_is_overdue,
    warnings_filtered,
)
from bangfu.web.exports import Column, ListExport, list_export, no_filters, region_words


def _warning_form(user, data):
    return WarningFilterForm({"state": "open", **data}, rules=list(Rule.objects.filter(is_exclusion=False)))


def _township(obj) -> str:
    return obj.village.parent.name if obj.village.parent_id else ""


list_export(ListExport(
    key="warnings", title=_("预警清单"), form=_warning_form,
    rows=lambda user, values: warnings_filtered(user, warning_filter_from(values)),
    prepare=lambda rows: rows.select_related("household", "village__parent", "rule", "verified_by"),
    allowed=lambda user: user.can("registry.view") and user.can("registry.export"),
    labels={"region": _("地区")}, words={"region": region_words},
    columns=(
        Column(_("户编号"), lambda w: w.household.number, 20), Column(_("户主"), lambda w: w.household.head_name, 10),
        Column(_("乡镇"), _township, 12), Column(_("村"), lambda w: w.village.name, 14),
        Column(_("规则代码"), lambda w: w.rule.code, 24), Column(_("规则"), lambda w: w.rule.name, 22),
        Column(_("证据"), lambda w: w.evidence, 60), Column(_("疑似不符合"), lambda w: w.exclusions, 18),
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
    key="leads", title=_("识别线索"), form=no_filters,
    rows=lambda user, values: leads_visible_to(user),
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

