"""The statistics tables (统计表): place × indicator, unit × indicator, month × indicator.

The same cells the dashboards show (`reports.dashboard`), laid out as tables for the screen, the printer (A4) and
a spreadsheet (`bangfu report statistics --out F.xlsx`, the page's 导出 Excel button).
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
        tables.append(Table("places", _("分%(level)s统计") % {"level": level}, level,
                            [str(p.label) for p in place_indicators_for(scope)],
                            [(place.name, cells) for place, cells in places]))
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


def statistics_write(scope: Scope, target) -> int:
    """The tables as an .xlsx workbook (one sheet each; a unit's figure with its target and rate), to a path or a
    binary file. Returns the number of sheets."""
    import xlsxwriter

    book = xlsxwriter.Workbook(target, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#eef2f7", "border": 1, "text_wrap": True})
    title_format = book.add_format({"bold": True, "font_size": 14})
    number = book.add_format({"num_format": "#,##0", "border": 1})
    money = book.add_format({"num_format": "#,##0.00", "border": 1})
    text = book.add_format({"border": 1})
    tables = statistics_tables(scope)
    names = {"places": _("分地区"), "units": _("分单位"), "months": _("分月")}
    for table in tables:
        sheet = book.add_worksheet(names[table.key])
        sheet.write(0, 0, f"{scope.title} {table.title}", title_format)
        headings = [table.corner]
        for heading in table.headings:
            headings.append(heading)
            if table.key == "units":
                headings += [_("%(h)s目标") % {"h": heading}, _("%(h)s完成率%%") % {"h": heading}]
        for col, heading in enumerate(headings):
            sheet.write(2, col, heading, bold)
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, len(headings), 14)
        for r, (label, cells) in enumerate(table.rows, start=3):
            sheet.write_string(r, 0, str(label), text)
            col = 1
            for cell in cells:
                fmt = money if cell.measure == "元" else number
                sheet.write_number(r, col, float(cell.value), fmt)
                col += 1
                if table.key == "units":
                    if cell.target is not None:
                        sheet.write_number(r, col, float(cell.target), fmt)
                    else:
                        sheet.write_blank(r, col, None, text)
                    rate = cell.rate
                    if rate is not None:
                        sheet.write_number(r, col + 1, float(rate), number)
                    else:
                        sheet.write_blank(r, col + 1, None, text)
                    col += 2
        sheet.freeze_panes(3, 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
    book.close()
    return len(tables)

