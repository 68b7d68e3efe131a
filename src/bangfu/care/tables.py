"""The care lists' columns, declared once (bangfu.web.tables): the vulnerable-group members, the 八必访 queue and a
household's care visits; a table on a wide screen and a card on a phone, 乡镇/村 dropped for a village user."""

from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bangfu.web.tables import Col, Table, text


def _may_edit(user) -> bool:
    return user.can("registry.edit")


def _village(household) -> str:
    village = household.village
    return f"{village.parent.short_name if village.parent_id else ''}{village.short_name}"


def _health(member) -> str:
    grade = f" {member.get_disability_grade_display()}" if member.disability_grade else ""
    return f"{member.get_health_display()}{grade}"


def _member_actions(member):
    return format_html('<div class="row-actions"><a class="button primary" href="{}">{}</a>'
                       '<a class="button" href="{}">{}</a></div>',
                       reverse("care:household_visits", args=[member.household_id]), _("关爱走访"),
                       reverse("care:member_facts", args=[member.pk]), _("供养方式/孤儿"))


MEMBER_TABLE = Table(
    name="care-members", empty=_("没有符合条件的成员。"),
    columns=(
        Col("name", _("姓名"), lambda m: m.name, card="title"),
        Col("age", _("年龄"), lambda m: getattr(m, "age_today", ""), num=True),
        Col("household", _("户编号"), lambda m: format_html(
            '<a href="{}">{}</a>', reverse("registry:household_detail", args=[m.household_id]), m.household.number)),
        Col("village", _("村（社区）"), lambda m: _village(m.household), place=True),
        Col("health", _("健康状况"), _health),
        Col("actions", "", _member_actions, card="action", only=_may_edit),
    ),
)


DUE_TABLE = Table(
    name="care-due", empty=_("没有待走访的农户。"),
    columns=(
        Col("head", _("户主"), lambda h: format_html(
            '<a href="{}">{}</a> <small class="muted">{}</small>',
            reverse("registry:household_detail", args=[h.pk]), h.head_name or "—", h.number), card="title"),
        Col("village", _("村（社区）"), _village, place=True),
        Col("reasons", _("应访原因"), lambda h: "、".join(getattr(h, "reasons", [])), wrap=True),
        Col("last_visit", _("上次走访"), lambda h: text(getattr(h, "last_visit", None)) or "—"),
        Col("visit", "", lambda h: format_html('<a class="button primary" href="{}">{}</a>',
                                               reverse("care:household_visits", args=[h.pk]), _("登记走访")),
            card="action", only=_may_edit),
    ),
)


CARE_VISIT_TABLE = Table(
    name="care-visits", empty=_("还没有走访记录。"),
    columns=(
        Col("date", _("走访日期"), lambda v: text(v.visited_on), card="title"),
        Col("visitor", _("走访人"), lambda v: v.visitor),
        Col("found", _("发现情况"), lambda v: linebreaksbr(v.found), wrap=True),
        Col("done", _("处理情况"), lambda v: linebreaksbr(v.done), wrap=True),
    ),
)
