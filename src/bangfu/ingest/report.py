"""The error report a user downloads: each sheet's header and the rows with problems as the file had them, and a
column saying what is wrong, so the rows can be fixed in place and uploaded again.

Linear in rows and errors, and fast enough for a ledger with an error in every one of its million rows (then the
report has a million rows): each sheet's rows and its errors (both in row order) are walked once side by side,
holding nothing per row, and the workbook is written as a stream (`_Stream`: each sheet's XML straight into the zip, a row at a time). XlsxWriter, which
writes every other file of the project, spends about ten microseconds a cell escaping and checking what this
report already knows (cells as read, strings inline): at seventeen million cells that was most of a preview.
"""

import datetime as dt
import operator
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from bangfu.ingest.households import ImportPlan
from bangfu.ingest.reader import column_letter

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_EPOCH = dt.datetime(1899, 12, 30)
BOLD, ERROR, DATE = 1, 2, 3  # the styles of styles.xml below

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><sz val="11"/><color rgb="FFB00020"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFEEF1F4"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border>'
    '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _text(value: str) -> str:
    if _CONTROL.search(value):
        value = _CONTROL.sub("", value)
    if "&" in value or "<" in value or ">" in value:
        value = escape(value)
    return value


class _Stream:
    """An .xlsx written sheet by sheet and row by row into its zip: cells are strings (inline), numbers or dates."""

    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.names: list[str] = []
        self.out = None
        self.letters: list[str] = []

    def sheet(self, name: str, *, widths: dict[int, float] | None = None, frozen: tuple[int, int] | None = None) -> None:
        self._end_sheet()
        base, n = name[:31], 1
        while base in self.names:  # sheet names must differ (after cutting to 31 characters)
            n += 1
            base = f"{name[:28]}~{n}"
        self.names.append(base)
        self.out = self.zip.open(f"xl/worksheets/sheet{len(self.names)}.xml", "w", force_zip64=True)
        head = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
                'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
        if frozen:
            rows, cols = frozen
            head.append(f'<sheetViews><sheetView workbookViewId="0"><pane xSplit="{cols}" ySplit="{rows}" '
                        f'topLeftCell="{column_letter(cols)}{rows + 1}" activePane="bottomRight" state="frozen"/>'
                        '</sheetView></sheetViews>')
        if widths:
            head.append("<cols>" + "".join(f'<col min="{c + 1}" max="{c + 1}" width="{w}" customWidth="1"/>'
                                           for c, w in sorted(widths.items())) + "</cols>")
        head.append("<sheetData>")
        self.out.write("".join(head).encode())

    def row(self, r: int, cells) -> None:
        """Row `r` (0-based): cells as (column, value, style) with value str, int, float or date."""
        letters = self.letters
        parts = [f'<row r="{r + 1}">']
        number = str(r + 1)
        for c, value, style in cells:
            while c >= len(letters):
                letters.append(column_letter(len(letters)))
            ref = letters[c] + number
            s = f' s="{style}"' if style else ""
            kind = type(value)
            if kind is str:
                parts.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>')
            elif (kind is int or kind is float) and value == value and abs(value) != float("inf"):
                parts.append(f'<c r="{ref}"{s}><v>{value!r}</v></c>')
            elif isinstance(value, dt.datetime | dt.date):
                moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
                serial = (moment - _EPOCH).total_seconds() / 86400
                parts.append(f'<c r="{ref}" s="{style or DATE}"><v>{serial!r}</v></c>')
            else:
                parts.append(f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(str(value))}</t></is></c>')
        parts.append("</row>")
        self.out.write("".join(parts).encode())

    def _end_sheet(self) -> None:
        if self.out is not None:
            self.out.write(b"</sheetData></worksheet>")
            self.out.close()
            self.out = None

    def close(self) -> None:
        self._end_sheet()
        count = len(self.names)
        self.zip.writestr("[Content_Types].xml", _CONTENT_TYPES.format(
            sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, count + 1))))
        self.zip.writestr("_rels/.rels", _RELS)
        self.zip.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook '
            'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            + "".join(f'<sheet name={quoteattr(_CONTROL.sub("", name))} sheetId="{n}" r:id="rId{n}"/>'
                      for n, name in enumerate(self.names, start=1)) + "</sheets></workbook>"))
        self.zip.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/worksheet" Target="worksheets/sheet{n}.xml"/>' for n in range(1, count + 1))
            + f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/styles" Target="styles.xml"/></Relationships>'))
        self.zip.writestr("xl/styles.xml", _STYLES)
        self.zip.close()


def error_report_write(path: Path, plan: ImportPlan) -> None:
    """The household import's report: its counts and defaults, then the rows with problems."""
    counts = plan.counts()
    lines = [("文件", plan.workbook.name), ("新户", counts["households_new"]), ("变更的户", counts["households_changed"]),
             ("无变化的户", counts["households_unchanged"]), ("整户未导入", counts["households_rejected"]),
             ("新成员", counts["members_new"]), ("变更的成员", counts["members_changed"]),
             ("有错误的行", counts["rows_with_errors"])]
    lines += [("默认值", text) for text in plan.defaults_text()] + [("说明", text) for text in plan.notices]
    rows_report_write(path, workbook=plan.workbook, errors=plan.errors, lines=lines)


def rows_report_write(path: Path, *, workbook, errors, lines: list[tuple[str, object]]) -> None:
    """An error report for any import (households, department files): a first sheet of `lines` (label, value),
    then per sheet of `workbook` its header and the rows named in `errors` (RowError) as the file had them, with
    what is wrong in a last column."""
    out = _Stream(path)
    out.sheet("导入检查", widths={0: 14, 1: 60})
    for r, (label, value) in enumerate(lines):
        out.row(r, [(0, label, BOLD), (1, value, 0)])
    for sheet in workbook.sheets:
        mine = _sheet_errors(errors, sheet.name)
        if mine:
            _error_sheet(out, sheet, mine)
    out.close()


def _sheet_errors(errors: list, name: str) -> list:
    """The errors of one sheet in the order of its rows (an import plan keeps them sorted by sheet and row; a list
    not in that order is sorted here, stably: a row's errors keep their order)."""
    mine = [e for e in errors if e.sheet == name]
    if any(mine[i].row > mine[i + 1].row for i in range(len(mine) - 1)):
        mine.sort(key=operator.attrgetter("row"))
    return mine


def _error_sheet(out: _Stream, sheet, errors: list) -> None:
    """The sheet's header and each row with errors, as the file had them, with what is wrong: sheet.rows and the
    errors (both in row order) are walked side by side, so nothing is held per row."""
    width = max([len(c) for c in sheet.header_cells] + [len(r.cells) for r in sheet.rows] + [0])
    header_rows = len(sheet.header_cells)
    out.sheet(f"错误-{sheet.name}", widths={width + 1: 60}, frozen=(header_rows, 1))
    for h, cells in enumerate(sheet.header_cells):
        row = [(0, "原行号", BOLD)] if h == 0 else []
        row += [(c + 1, str(value), BOLD) for c, value in enumerate(cells) if value not in ("", None)]
        if h == 0:
            row.append((width + 1, "错误说明", BOLD))
        out.row(h, row)
    r = header_rows
    extra: list[tuple[int, str]] = []  # rows the reader did not keep (e.g. a household line without its rows)
    rows = iter(sheet.rows)
    current = next(rows, None)
    at = 0
    while at < len(errors):
        number = errors[at].row
        texts = []
        while at < len(errors) and errors[at].row == number:
            e = errors[at]
            texts.append((f"「{e.column}」" if e.column else "") + e.message)
            at += 1
        while current is not None and current.number < number:
            current = next(rows, None)
        if current is None or current.number != number:
            extra.append((number, "；".join(texts)))
            continue
        # The cells as the file had them (an ID number stored as a number stays one), then what is wrong.
        cells = [(0, number, 0)]
        cells += [(c + 1, value, 0) for c, value in enumerate(current.cells) if value != "" and value is not None]
        cells.append((width + 1, "；".join(texts), ERROR))
        out.row(r, cells)
        r += 1
    for number, text in extra:
        out.row(r, [(0, number, 0), (width + 1, text, ERROR)])
        r += 1


def problems_report_write(path: Path, *, lines: list[tuple[str, object]], errors: list[dict]) -> None:
    """The problem list kept with a committed upload (its file is gone: it held ID numbers): the summary `lines`,
    then one row per problem (RowError.as_dict()) with sheet, row, column, rule and message."""
    out = _Stream(path)
    out.sheet("导入检查", widths={0: 14, 1: 60})
    for r, (label, value) in enumerate(lines):
        out.row(r, [(0, label, BOLD), (1, value, 0)])
    out.sheet("问题清单", widths={0: 16, 1: 8, 2: 16, 3: 18, 4: 70}, frozen=(1, 0))
    out.row(0, [(c, title, BOLD) for c, title in enumerate(("工作表", "行", "列", "规则", "问题"))])
    for r, e in enumerate(errors, start=1):
        out.row(r, [(0, e.get("sheet", ""), 0), (1, e.get("row", 0), 0), (2, e.get("column", ""), 0),
                    (3, e.get("rule", ""), 0), (4, e.get("message", ""), ERROR)])
    out.close()
