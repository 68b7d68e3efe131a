"""The case list's columns, declared once (bangfu.web.tables): a card on a phone shows the household, the step,
its deadline and the one action; the wide table the same, key columns first."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bangfu.cases import clock
from bangfu.web.tables import Col, Table, text


def _url(case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def _due(case):
    if not (case.is_open and case.due):
        return ""
    today = clock.today()
    if case.due < today:
        return format_html('<span class="badge overdue" title="{}">{} {}</span>',
                           _("本环节期限与办结期限中较早的一个已过"), text(case.due), _("逾期"))
    if case.due == today:
        return format_html('<span class="badge due-today">{} {}</span>', text(case.due), _("今天到期"))
    return text(case.due)


def _action(case):
    if case.is_open:
        return format_html('<a class="button primary" href="{}">{}</a>', _url(case), _("办理"))
    return format_html('<a class="button" href="{}">{}</a>', _url(case), _("查看"))


def _row(case) -> str:
    return "is-overdue" if case.is_open and case.due and case.due < clock.today() else ""


CASE_TABLE = Table(
    name="cases", empty=_("没有符合条件的案件。"), row_css=_row,
    columns=(
        Col("head", _("户主"), lambda c: format_html('<a href="{}">{}</a> <small class="muted">{}</small>', _url(c),
                                                   c.household.head_name or "—", c.household.number), card="title"),
        Col("state", _("环节"), lambda c: format_html('<span class="badge state-{}">{}</span>', c.state,
                                                     c.state_label), card="bare"),
        Col("due", _("期限"), _due),
        Col("kind", _("类型"), lambda c: c.get_kind_display(), card="bare"),
        Col("village", _("村（社区）"), lambda c: c.household.village.name, place=True),
        Col("source", _("线索来源"), lambda c: c.get_source_display(), card="hide"),
        Col("step_due", _("本环节期限"), lambda c: text(c.step_due_on) if c.is_open else "", card="hide"),
        Col("due_on", _("办结期限"), lambda c: text(c.due_on) if c.kind == "identification" else "", card="hide"),
        Col("action", "", _action, card="action"),
    ),
)


def _may_assist(user) -> bool:
    from bangfu.cases.permissions import can

    return can(user, "cases.assist")


def _amount(m):
    return text(m.amount) if m.amount is not None else ""


MEASURE_TABLE = Table(
    name="measures", empty=_("还没有帮扶措施。"),
    columns=(
        Col("category", _("措施类别"), lambda m: m.category.name, card="title"),
        Col("status", _("状态"), lambda m: format_html('<span class="badge">{}</span>', m.get_status_display()),
            card="bare"),
        Col("description", _("措施内容"), lambda m: m.description, wrap=True, card="bare"),
        Col("period", _("起止"), lambda m: f"{text(m.start_on)} — {text(m.end_on)}"),
        Col("amount", _("金额（元）"), _amount, num=True),
        Col("responsible", _("责任单位或责任人"), lambda m: m.responsible),
        Col("edit", "", lambda m: format_html('<a class="button" href="{}">{}</a>',
                                              reverse("cases:measure_edit", args=[m.pk]), _("修改")),
            card="action", only=_may_assist),
    ),
)

VISIT_TABLE = Table(
    name="visits", empty=_("还没有走访记录。"),
    columns=(
        Col("date", _("走访日期"), lambda v: text(v.visited_on), card="title"),
        Col("visitor", _("走访人"), lambda v: v.visitor.display_name if v.visitor_id else "", card="bare"),
        Col("income", _("人均纯收入（元）"), lambda v: text(v.per_capita_income), num=True),
        Col("notes", _("走访情况"), lambda v: v.notes, wrap=True, card="bare"),
    ),
)
