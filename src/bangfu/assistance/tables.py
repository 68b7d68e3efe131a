"""The assistance lists' columns for the page (bangfu.web.tables): a ledger's from its kind's own columns
(assistance.ledger, which the spreadsheet and the documents read too), cadres' and the meeting's tasks'."""

from functools import cache

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bangfu.assistance.ledger import LEDGER_KINDS, cell
from bangfu.web.tables import Col, Table, text


def _ledger_col(kind, column, *, title: bool) -> Col:
    def value(entry, column=column):
        shown = cell(entry, column)
        if title:
            url = reverse("assistance:ledger_detail", args=[kind.key, entry.pk])
            return format_html('<a href="{}">{}</a>', url, text(shown) or "—")
        return shown

    card = "title" if title else ("bare" if column.key in ("unit_label", "date") else "")
    return Col(column.key, column.heading, value, card=card, num=column.number,
               place=column.key == "village_name", wrap=column.width >= 28 and not title)


@cache
def ledger_table(kind_key: str) -> Table:
    """One ledger kind's table: its own columns, the first after 单位 and 日期 as the card's title (a link to the
    entry), then 单位 and 日期, then the rest; 查看 on the wide table (a card's title is its link)."""
    kind = next(k for k in LEDGER_KINDS if k.key == kind_key)
    rest = [c for c in kind.columns if c.key not in ("unit_label", "date")]
    lead, others = rest[0], rest[1:]
    firsts = [c for c in kind.columns if c.key in ("unit_label", "date")]
    columns = [_ledger_col(kind, lead, title=True), *(_ledger_col(kind, c, title=False) for c in firsts),
               *(_ledger_col(kind, c, title=False) for c in others)]
    columns.append(Col("open", "", lambda e: format_html(
        '<a class="button" href="{}">{}</a>', reverse("assistance:ledger_detail", args=[kind.key, e.pk]), _("查看")),
        card="hide"))  # on a phone the card's title is the link
    return Table(name=f"ledger ledger-{kind.key}", columns=tuple(columns), empty=_("暂无记录"))


LEDGER_TABLES = {kind.key: ledger_table(kind.key) for kind in LEDGER_KINDS}


def _task_state(task):
    overdue = task.status == "open" and task.deadline and task.deadline < _today()
    return format_html('{}{}{}', task.get_status_display(),
                       format_html(' <span class="badge warn">{}</span>', _("逾期")) if overdue else "",
                       format_html('<br><small class="muted">{}</small>', task.progress) if task.progress else "")


def _today():
    from django.utils import timezone

    return timezone.localdate()


TASK_TABLE = Table(
    name="tasks", empty=_("暂无督办事项"),
    columns=(
        Col("decision", _("会议决定"), lambda t: t.decision, card="title", wrap=True),
        Col("state", _("状态"), _task_state),
        Col("deadline", _("完成时限"), lambda t: text(t.deadline)),
        Col("unit", _("责任单位"), lambda t: t.owner_unit.label if t.owner_unit_id else ""),
        Col("owner", _("责任人"), lambda t: t.owner),
        # Only those who may report progress see the form (read-only roles saw it and met 403).
        Col("update", "", template="assistance/_task_update.html", card="action",
            only=lambda user: user.can("assistance.edit")),
    ),
)


def _cadre_days(row):
    cadre, days, short = row[0], row[1], row[2]
    if not cadre.is_resident:
        return "—"
    return format_html('{}{}', days, format_html(' <span class="badge warn">{}</span>', _("不足")) if short else "")


def _cadre_place(row):
    from bangfu.assistance.selectors import village_label

    cadre = row[0]
    return village_label(cadre.village) if cadre.village_id else cadre.post


def _cadre_name(row):
    cadre, serving = row[0], row[3] if len(row) > 3 else True
    badge = ""
    if not serving:
        badge = format_html(' <span class="badge">{}</span>',
                            _("未到任") if cadre.term_start > _today() else _("已离任"))
    return format_html('<a href="{}">{}</a>{}', reverse("assistance:cadre_detail", args=[cadre.pk]), cadre.name, badge)


CADRE_TABLE = Table(
    name="cadres", empty=_("暂无在任干部"),
    columns=(
        Col("name", _("姓名"), _cadre_name, card="title"),
        Col("kind", _("类别"), lambda r: r[0].get_kind_display(), card="bare"),
        Col("days", _("本月在村天数"), _cadre_days, num=True),
        Col("year_days", _("本年在村天数"), lambda r: getattr(r[0], "year_days", "") if r[0].is_resident else "—",
            num=True),
        Col("place", _("驻村/职务"), _cadre_place),
        Col("unit", _("派出单位"), lambda r: r[0].unit.label),
        Col("term", _("任期"), lambda r: f"{text(r[0].term_start)} — {text(r[0].term_end)}"),
        Col("actions", "", template="assistance/_cadre_actions.html", card="action"),
    ),
)
