"""The assistance ledgers and the evaluation table as .xlsx (XlsxWriter, as registry.exports). They are small
(hundreds of rows per county), so they are written in memory while the page waits, not as background jobs."""

import datetime as dt
import io
from decimal import Decimal

import xlsxwriter

from bangfu.core.text import printable


def _workbook():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    formats = {"header": workbook.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1}),
               "money": workbook.add_format({"num_format": "#,##0.00"}),
               "date": workbook.add_format({"num_format": "yyyy-mm-dd"})}
    return buffer, workbook, formats


def _write(sheet, row: int, col: int, value, formats, *, number: bool = False) -> None:
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats["date"])
    elif number and isinstance(value, Decimal | int | float):
        sheet.write_number(row, col, float(value), formats["money"] if isinstance(value, Decimal) else None)
    else:
        sheet.write_string(row, col, printable(value))


def evaluation_xlsx(plan, year: int, rows) -> bytes:
    """The yearly evaluation table: per unit, each indicator's target, result and rate; score and proposed grade."""
    buffer, workbook, formats = _workbook()
    sheet = workbook.add_worksheet(f"{year}年成效评价")
    indicators = [c.indicator for c in rows[0][0].cells] if rows else []
    sheet.write_string(0, 0, "单位", formats["header"])
    sheet.set_column(0, 0, 16)
    col = 1
    for indicator in indicators:
        for suffix in ("目标", "完成", "完成率%"):
            sheet.write_string(0, col, f"{indicator.label}（{indicator.measure}）{suffix}" if suffix != "完成率%"
                               else f"{indicator.label}完成率%", formats["header"])
            sheet.set_column(col, col, 12)
            col += 1
    sheet.write_string(0, col, "综合得分", formats["header"])
    sheet.write_string(0, col + 1, "拟评等次", formats["header"])
    sheet.freeze_panes(1, 1)
    for r, (progress, grade) in enumerate(rows, start=1):
        sheet.write_string(r, 0, progress.unit.name)
        c = 1
        for cell_ in progress.cells:
            for value in (cell_.target, cell_.actual, cell_.rate):
                if value is None:
                    sheet.write_string(r, c, "—")
                else:
                    sheet.write_number(r, c, float(value))
                c += 1
        if progress.score is None:
            sheet.write_string(r, c, "—")
        else:
            sheet.write_number(r, c, float(progress.score))
        sheet.write_string(r, c + 1, grade or "—")
    workbook.close()
    return buffer.getvalue()
