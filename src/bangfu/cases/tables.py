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
