"""The assistance ledgers (funds, projects, donations ...) as .xlsx, one export per ledger kind, through the one
list export (bangfu.web.exports): the columns are the ones the page shows (declared once in assistance.ledger)."""


from django.utils.translation import gettext_lazy as _

from bangfu.assistance.forms import LedgerFilterForm
from bangfu.assistance.ledger import LEDGER_KINDS, cell
from bangfu.assistance.selectors import ledger_entries_visible_to, units_visible_to
from bangfu.web.exports import Column, ListExport, list_export, no_filters


def ledger_rows(user, kind, data: dict):
    """The ledger page's rows for its filter's cleaned values (unit, year; what a figure's link carries: its period,
    `indicator=` (the indicator's own condition), a direction (projects) and a place (`region=`: entries recorded
    in its villages, the township and village dashboards' figures))."""
    from bangfu.core.scoping import code_range_q
    from bangfu.regions.models import Region
    from bangfu.reports.assistance_indicators import indicator_condition, year_span

    year = data.get("year")
    since, until = year_span(year) if year else (None, None)
    if data.get("since"):
        since = max(since, data["since"]) if since else data["since"]
    if data.get("until"):
        until = min(until, data["until"]) if until else data["until"]
    unit_id = int(data["unit"]) if data.get("unit") else None
    rows = ledger_entries_visible_to(user, kind, unit_id=unit_id, since=since, until=until)
    key = kind if isinstance(kind, str) else kind.key
    if data.get("indicator"):
        condition = indicator_condition(data["indicator"], key)
        if condition is not None:  # an unknown name is ignored, never obeyed as a condition
            rows = rows.filter(condition)
    if data.get("direction") and key == "project":
        rows = rows.filter(direction=data["direction"])
    if data.get("region"):
        region = Region.objects.filter(code=data["region"]).first()
        rows = rows.filter(code_range_q(region.code_range, field="village_id")) if region else rows.none()
    return rows


def _column(kind_column) -> Column:
    return Column(kind_column.heading, lambda entry: cell(entry, kind_column), kind_column.width,
                  number=kind_column.number)


for _kind in LEDGER_KINDS:
    list_export(ListExport(
        key=f"ledger-{_kind.key}", title=_kind.label, inline=True,
        form=lambda user, data: LedgerFilterForm(data, units=units_visible_to(user)),
        rows=lambda user, values, kind=_kind: ledger_rows(user, kind, values),
        prepare=lambda rows: rows.select_related("unit", "village__parent"),
        allowed=lambda user: user.can("assistance.view"),
        columns=tuple(_column(c) for c in _kind.columns),
    ))


def _cadres(user, values):
    from django.utils import timezone

    from bangfu.assistance.selectors import cadres_listed

    return cadres_listed(user, status=values.get("status") or "serving", today=timezone.localdate())


def _cadre_filters(user, data):
    from bangfu.assistance.forms import CadreFilterForm

    return CadreFilterForm(data)


def _with_days(rows):
    """Each cadre's in-village days this month and year (assistance.attendance), in the chunk's one query."""
    from django.utils import timezone

    from bangfu.assistance.selectors import with_in_village_days

    return with_in_village_days(rows.select_related("unit", "village__parent"), today=timezone.localdate())


def _village(obj) -> str:
    from bangfu.assistance.selectors import village_label

    return village_label(obj.village) if obj.village_id else ""


list_export(ListExport(
    key="cadres", title=_("帮扶干部"), inline=True, form=_cadre_filters, rows=_cadres,
    prepare=_with_days,
    allowed=lambda user: user.can("assistance.view"),
    columns=(
        Column(_("派出单位"), lambda c: c.unit.label, 16), Column(_("姓名"), lambda c: c.name, 10),
        Column(_("类别"), lambda c: c.get_kind_display(), 14), Column(_("挂任职务"), lambda c: c.post, 16),
        Column(_("驻村"), _village, 18), Column(_("任期开始"), lambda c: c.term_start, 11),
        Column(_("任期结束"), lambda c: c.term_end, 11),
        Column(_("本月在村天数"), lambda c: c.month_days, 10, number=True),
        Column(_("本年在村天数"), lambda c: c.year_days, 10, number=True),
    ),
))


def _findings(user, values):
    from bangfu.assistance.selectors import findings_visible_to

    return findings_visible_to(user).order_by("status", "deadline", "id")


list_export(ListExport(
    key="findings", title=_("考核评估发现问题整改台账"), inline=True, form=no_filters, rows=_findings,
    prepare=lambda rows: rows.select_related("owner_unit", "signed_off_by"),
    allowed=lambda user: user.can("assistance.view"),
    columns=(
        Column(_("问题来源"), lambda f: f.get_source_display(), 14), Column(_("发现日期"), lambda f: f.found_on, 11),
        Column(_("问题描述"), lambda f: f.description, 40),
        Column(_("责任单位"), lambda f: f.owner_unit.label if f.owner_unit_id else "", 16),
        Column(_("责任人"), lambda f: f.owner, 10), Column(_("整改措施"), lambda f: f.measures, 40),
        Column(_("整改时限"), lambda f: f.deadline, 11), Column(_("状态"), lambda f: f.get_status_display(), 8),
        Column(_("销号人"), lambda f: f.signed_off_by or "", 10), Column(_("销号时间"), lambda f: f.signed_off_at, 16),
    ),
))


def _tasks(user, values):
    from bangfu.assistance.selectors import tasks_visible_to

    return tasks_visible_to(user).order_by("status", "deadline", "id")


list_export(ListExport(
    key="tasks", title=_("联席会议任务"), inline=True, form=no_filters, rows=_tasks,
    prepare=lambda rows: rows.select_related("owner_unit", "meeting"),
    allowed=lambda user: user.can("assistance.view"),
    columns=(
        Column(_("会议"), lambda t: t.meeting.date, 11), Column(_("会议决定"), lambda t: t.decision, 40),
        Column(_("责任单位"), lambda t: t.owner_unit.label, 16), Column(_("责任人"), lambda t: t.owner, 10),
        Column(_("完成时限"), lambda t: t.deadline, 11), Column(_("状态"), lambda t: t.get_status_display(), 8),
        Column(_("进展"), lambda t: t.progress, 30),
    ),
))
