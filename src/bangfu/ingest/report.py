"""The error report a user downloads: each sheet's header and the rows with problems as the file had them, and a
column saying what is wrong, so the rows can be fixed in place and uploaded again.

Linear in rows and errors (a ledger with an error in every one of its million rows gives a million-row report):
errors are grouped by row once, each sheet's rows are walked once, and the workbook is written row by row in
XlsxWriter's constant-memory mode."""

import datetime as dt
from pathlib import Path

import xlsxwriter

from bangfu.ingest.households import ImportPlan


def error_report_write(path: Path, plan: ImportPlan) -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#EEF1F4", "border": 1})
    error_format = workbook.add_format({"font_color": "#B00020", "text_wrap": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    summary = workbook.add_worksheet("导入检查")
    counts = plan.counts()
    lines = [("文件", plan.workbook.name), ("新户", counts["households_new"]), ("变更的户", counts["households_changed"]),
             ("无变化的户", counts["households_unchanged"]), ("整户未导入", counts["households_rejected"]),
             ("新成员", counts["members_new"]), ("变更的成员", counts["members_changed"]),
             ("有错误的行", counts["rows_with_errors"])]
    lines += [("默认值", text) for text in plan.defaults_text()] + [("说明", text) for text in plan.notices]
    for r, (label, value) in enumerate(lines):
        summary.write_string(r, 0, label, bold)
        summary.write(r, 1, value)
    summary.set_column(0, 0, 14)
    summary.set_column(1, 1, 60)
    by_sheet: dict[str, dict[int, list[str]]] = {}
    for e in plan.errors:
        text = (f"「{e.column}」" if e.column else "") + e.message
        by_sheet.setdefault(e.sheet, {}).setdefault(e.row, []).append(text)
    for sheet in plan.workbook.sheets:
        by_row = by_sheet.get(sheet.name)
        if not by_row:
            continue
        rows = [r for r in sheet.rows if r.number in by_row]
        kept = {r.number for r in rows}
        extra = sorted(n for n in by_row if n not in kept)
        out = workbook.add_worksheet(f"错误-{sheet.name}"[:31])
        width = max([len(c) for c in sheet.header_cells] + [len(r.cells) for r in rows] + [0])
        out.set_column(width + 1, width + 1, 60)
        out.freeze_panes(len(sheet.header_cells), 1)
        out.write_string(0, 0, "原行号", bold)
        out.write_string(0, width + 1, "错误说明", bold)
        for h, cells in enumerate(sheet.header_cells):
            for c, value in enumerate(cells):
                if value not in ("", None):
                    out.write(h, c + 1, str(value), bold)
        r = len(sheet.header_cells)
        for row in rows:
            _write_row(out, r, row, date_format)
            out.write_string(r, width + 1, "；".join(by_row[row.number]), error_format)
            r += 1
        for number in extra:  # rows the reader did not keep (e.g. a household line without its rows)
            out.write_number(r, 0, number)
            out.write_string(r, width + 1, "；".join(by_row[number]), error_format)
            r += 1
    workbook.close()


def _write_row(out, r: int, row, date_format) -> None:
    """One row as the file had it (an ID number stored as a number stays one), after its original row number."""
    out.write_number(r, 0, row.number)
    for c, value in enumerate(row.cells):
        if value == "" or value is None:
            continue
        kind = type(value)
        if kind is str:
            out.write_string(r, c + 1, value)
        elif kind is float or kind is int:
            out.write_number(r, c + 1, value)
        elif isinstance(value, dt.datetime | dt.date):
            out.write_datetime(r, c + 1, value, date_format)
        else:
            out.write_string(r, c + 1, str(value))
