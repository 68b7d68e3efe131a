"""The warning queue's and the leads' columns, declared once (bangfu.web.tables): the wide table and the phone's
cards read the same declaration."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from bangfu.web.tables import Col, Table, text


def _warning_url(w) -> str:
    return reverse("monitoring:warning_detail", args=[w.pk])


def _warning_badges(w):
    badges = []
    if w.exclusions:
        badges.append(("warn", _("疑似不符合")))
    if w.monitored_open:
        badges.append(("follow", _("已纳入监测（风险未消除）：新情况随案跟进")))
    return format_html("{}{}", w.evidence, format_html_join("", ' <span class="badge {}">{}</span>', badges))


def _warning_state(w):
    if getattr(w, "overdue", False):
        return format_html('{} <span class="badge warn">{}</span>', w.get_state_display(), _("逾期"))
    return w.get_state_display()


def _warning_action(w):
    label = _("核实") if w.state == "open" and not w.monitored_open else (
        _("跟进") if w.state == "open" else _("查看"))
    css = "button primary" if w.state == "open" else "button"
    return format_html('<a class="{}" href="{}">{}</a>', css, _warning_url(w), label)


WARNING_TABLE = Table(
    name="warnings", empty=_("没有符合条件的预警。"),
    columns=(
        Col("head", _("户主"), lambda w: format_html('<a href="{}">{}</a> <small class="muted">{}</small>',
                                                   _warning_url(w), w.household.head_name or "—",
                                                   w.household.number), card="title"),
        Col("rule", _("规则"), lambda w: w.rule.name),
        Col("evidence", _("证据"), _warning_badges, wrap=True),
        Col("state", _("状态"), _warning_state),
        Col("created", _("预警时间"), lambda w: text(w.created_at.date() if w.created_at else None), card="hide"),
        Col("township", _("乡镇"), lambda w: w.village.parent.name if w.village.parent_id else "", place=True,
            card="hide"),
        Col("village", _("村"), lambda w: w.village.name, place=True),
        Col("action", "", _warning_action, card="action"),
    ),
)


def _lead_url(lead) -> str:
    return reverse("cases:lead_detail", args=[lead.pk])


def _lead_who(lead):
    if lead.household_id:
        return format_html('<a href="{}">{}</a> <small class="muted">{}</small>', _lead_url(lead),
                           lead.household.head_name or "—", lead.household.number)
    return format_html('<a href="{}">{}</a> <small class="muted">{}</small> <span class="badge warn">{}</span>',
                       _lead_url(lead), lead.reporter_name or "—", lead.phone_masked, _("未匹配到农户"))


def _lead_action(lead):
    if lead.state == "new":
        return format_html('<a class="button primary" href="{}">{}</a>', _lead_url(lead), _("处理"))
    return format_html('<a class="button" href="{}">{}</a>', _lead_url(lead), _("查看"))


LEAD_TABLE = Table(
    name="leads", empty=_("暂无识别线索。"),
    columns=(
        Col("who", _("农户"), _lead_who, card="title"),
        Col("risk", _("风险类型"), lambda lead: lead.get_risk_type_display()),
        Col("difficulty", _("困难情况"), lambda lead: (lead.difficulty or "")[:80], wrap=True),
        Col("state", _("状态"), lambda lead: lead.get_state_display()),
        Col("source", _("来源"), lambda lead: lead.get_source_display()),
        Col("created", _("登记时间"), lambda lead: text(lead.created_at.date() if lead.created_at else None)),
        Col("village", _("村"), lambda lead: f"{lead.village.parent.name} {lead.village.name}"
            if lead.village.parent_id else lead.village.name, place=True),
        Col("action", "", _lead_action, card="action"),
    ),
)
