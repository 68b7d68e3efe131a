"""The statistics tables (统计表): place × indicator, unit × indicator, month × indicator.

The same cells the dashboards show (`reports.dashboard`), laid out as tables for the screen, the printer (A4) and
a spreadsheet through the one list export (reports/listexports.py: the page's 导出 Excel button and
`bangfu report statistics --out F.xlsx`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from bangfu.reports.dashboard import Cell, Scope, month_table, place_indicators_for, place_table, unit_table


@dataclass
class Table:
    key: str
    title: str
    corner: str  # the first column's heading
    headings: list[str]
    rows: list[tuple[str, list[Cell]]]


def statistics_tables(scope: Scope) -> list[Table]:
    tables = []
    places = place_table(scope)
    if places:
        level = _("乡镇") if places[0][0].level == "township" else _("村（社区）")
        indicators = place_indicators_for(scope)
        rows = [(place.name, cells) for place, cells in places]
        rows.append((_("合计"), _totals(scope, indicators, places)))
        tables.append(Table("places", _("分%(level)s统计") % {"level": level}, level,
                            [str(p.label) for p in indicators], rows))
    units = unit_table(scope)
    if units:
        tables.append(Table("units", _("分帮扶单位统计（%(period)s）") % {"period": scope.period.label},
                            _("帮扶单位"), [cell.label for cell in units[0][1]],
                            [(unit.label, cells) for unit, cells in units]))
    if scope.unit is not None and scope.user.unit_id != scope.unit.pk:
        return tables  # the month figures would be the reader's jurisdiction, not the unit's (dashboard.groups_for)
    months = month_table(scope)
    tables.append(Table("months", _("分月统计（%(period)s）") % {"period": scope.period.label}, _("月份"),
                        [_("识别监测户数"), _("风险消除户数")], months))
    return tables


def _totals(scope: Scope, indicators, places) -> list[Cell]:
    """The 合计 row: each indicator summed over the places, linked to the same list for the whole place (the
    places below a county or a township cover it, so the list's count is the sum)."""
    return [Cell(f"{indicator.key}_total", str(indicator.label), sum(cells[index].value for _place, cells in places),
                 indicator.url(scope, scope.region.code), indicator.measure)
            for index, indicator in enumerate(indicators)]


SHEET_NAMES = {"places": _("分地区"), "units": _("分单位"), "months": _("分月")}


def _figure(index: int, part: str = "value"):
    """The value of the row's index-th cell (its target, or its rate against the target)."""
    return lambda row: getattr(row[1][index], part)


def table_columns(table: Table) -> tuple:
    """The spreadsheet's columns of a table: the row's name, then each figure; a unit's figure with its target
    and its completion rate, as the page shows them."""
    from bangfu.web.exports import Column

    columns = [Column(table.corner, lambda row: str(row[0]), width=22)]
    for index, heading in enumerate(table.headings):
        columns.append(Column(heading, _figure(index), width=14, number=True))
        if table.key == "units":
            columns += [Column(_("%(h)s目标") % {"h": heading}, _figure(index, "target"), width=14, number=True),
                        Column(_("%(h)s完成率%%") % {"h": heading}, _figure(index, "rate"), width=14, number=True)]
    return tuple(columns)


def statistics_sheets(scope: Scope) -> list:
    """The tables as the one list export writes them (web.exports.Sheet): one sheet each, the page's own cells."""
    from bangfu.web.exports import Sheet

    return [Sheet(name=str(SHEET_NAMES[table.key]), title=f"{scope.title} {table.title}",
                  columns=table_columns(table), rows=table.rows) for table in statistics_tables(scope)]
