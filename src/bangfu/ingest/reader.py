"""Read a spreadsheet as people keep it, into rows of raw values keyed by field.

    read_workbook(path, kind=HOUSEHOLDS, mapping=None) -> Workbook

- .xlsx/.xlsm/.xls/.ods through python-calamine, .csv in UTF-8 (with or without BOM) or GB18030;
- title rows above the header are passed over: the header is the row (within the first 30) whose cells name the
  most fields of the kind; the row above it joins as a group row when it holds group labels (two-row headers,
  "收入情况" over 工资性收入 ...), so a column's header is "group/sub" and matches on the sub header first;
- merged cells (xlsx and xls give their ranges, .ods's are read from its content.xml) are filled with their top-left value: a group label covers its
  columns, a household's cells merged down its member rows repeat on every member row;
- blank rows, totals rows (合计, 小计, 总计) and signature lines under the table (填表人：…) are skipped and counted;
- hidden rows and columns are read like visible ones (a filter hides rows; their data is still the ledger's), and
  counted so the preview can say so; hidden sheets are skipped;
- text is normalised (full-width to half-width, stray spaces), numbers and dates are left as the cell holds them
  for the field's parser (an ID number stored as a number must be seen as such, not rounded into text).

Rows carry their sheet name and Excel's row number, so every problem can be reported where the user sees it.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from bangfu.core.parsing import clean_text, header_key
from bangfu.ingest.kinds import ImportKind

HEADER_SCAN_ROWS = 30
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
SUFFIXES = SPREADSHEET_SUFFIXES | {".csv"}
_TOTAL = re.compile(r"^(合计|小计|总计|累计|共计|全村合计|全镇合计|全乡合计)")
_MARK_FIRST = frozenset("合小总累共全填审制负单统注备说")
_FOOTER = re.compile(r"^(填表人|填报人|审核人|制表人|负责人|单位负责人|统计人|填报日期|填表日期|制表日期|注|备注|说明)")


@dataclass(frozen=True)
class RowError:
    """A problem with one cell or row, where the user will look for it."""

    sheet: str
    row: int       # as Excel numbers it (1-based); 0 for the whole sheet
    column: str    # the column's header as written in the file ("" for the whole row)
    rule: str      # stable code, e.g. "id_number_as_number"
    message: str   # Chinese, for the user

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "rule": self.rule,
                "message": self.message}


class ReadError(Exception):
    """A file that cannot be read at all (wrong type, damaged, no recognisable header)."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass
class Column:
    index: int            # 0-based position in the sheet
    letter: str           # A, B, ... AA
    header: str           # as written (group and sub header joined with "/")
    key: str | None       # the field it maps to; None when unknown or ignored
    hidden: bool = False
    ignored: bool = False  # the user chose to ignore it

    @property
    def header_key(self) -> str:
        return header_key(self.header)


@dataclass
class Row:
    sheet: str
    number: int                 # Excel's row number
    values: dict[str, object]   # field key -> cell value (cleaned text, number, date); "" when empty
    cells: list                 # the row as read (for the error report)


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    header_rows: tuple[int, ...]      # Excel row numbers of the header
    rows: list[Row]
    skipped: dict[str, int] = field(default_factory=dict)  # "blank" / "totals" / "footer" -> count
    hidden_rows: int = 0
    header_cells: list[list] = field(default_factory=list)

    @property
    def mapped(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns if c.key}

    @property
    def unknown_columns(self) -> list[Column]:
        return [c for c in self.columns if c.key is None and c.header and not c.ignored]

    @property
    def shape(self) -> str:
        """The sheet's headers in order: files of the same shape get the same remembered mapping."""
        return "|".join(c.header_key for c in self.columns if c.header)

    def header_of(self, key: str) -> str:
        column = self.mapped.get(key)
        return column.header if column else ""


@dataclass
class Workbook:
    name: str
    sheets: list[Sheet]
    skipped_sheets: list[str] = field(default_factory=list)  # sheets with no recognisable header

    @property
    def shape(self) -> str:
        return "||".join(s.shape for s in self.sheets)

    @property
    def unknown_columns(self) -> list[tuple[Sheet, Column]]:
        return [(s, c) for s in self.sheets for c in s.unknown_columns]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- reading the grid ---------------------------------------------------------------------------------------

def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise ReadError("encoding", _("CSV文件编码无法识别：请另存为UTF-8或GB18030（GBK）编码")) from None


def _grids(path: Path, data: bytes) -> list[tuple[str, list[list], list, set[int], set[int]]]:
    """(sheet name, rows, merged ranges, hidden row indexes, hidden column indexes) for each visible sheet."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = _decode_csv(data)
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
        width = max((len(r) for r in rows), default=0)
        return [(path.stem, [r + [""] * (width - len(r)) for r in rows], [], set(), set())]
    if suffix not in SPREADSHEET_SUFFIXES:
        raise ReadError("file_type", _("不支持的文件类型“%(suffix)s”：请上传 .xlsx、.xls、.ods 或 .csv 文件") % {
            "suffix": suffix or _("无扩展名")})
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises its own error types for damaged or mislabelled files
        raise ReadError("unreadable", _("文件无法读取（可能已损坏或并非表格文件）：%(error)s") % {"error": error}) from None
    hidden = _xlsx_hidden(data) if suffix in (".xlsx", ".xlsm") else {}
    ods = _ods_layout(data) if suffix == ".ods" else {}  # calamine reports no merged ranges for .ods
    grids = []
    for meta in workbook.sheets_metadata:
        if str(meta.visible).split(".")[-1] != "Visible" or str(meta.typ).split(".")[-1] != "WorkSheet":
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
        hidden_rows, hidden_cols = hidden.get(meta.name, (set(), set()))
        if meta.name in ods:
            merged, hidden_rows, hidden_cols = ods[meta.name]
        grids.append((meta.name, rows, merged, hidden_rows, hidden_cols))
    return grids


_XML_ROW_HIDDEN = re.compile(rb'<(?:\w+:)?row\b[^>]*\bhidden="(?:1|true)"[^>]*>')
_XML_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_XML_COL_HIDDEN = re.compile(rb'<(?:\w+:)?col\b([^>]*)>')
_XML_SHEET_DATA = re.compile(rb'<(?:\w+:)?sheetData\b')


def _xlsx_hidden(data: bytes) -> dict[str, tuple[set[int], set[int]]]:
    """Hidden rows and columns of each sheet of an .xlsx (calamine does not report them)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile):
        return {}
    targets = {m[0]: m[1] for m in re.findall(rb'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m[1]: m[0] for m in re.findall(rb'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    result = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", book):
        name = re.search(rb'name="([^"]*)"', tag)
        rid = re.search(rb'r:id="([^"]*)"', tag) or re.search(rb'\bid="([^"]*)"', tag)
        if not (name and rid and rid[1] in targets):
            continue
        target = targets[rid[1]].decode()
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        try:
            xml = archive.read(member)
        except KeyError:
            continue
        # Column widths and hidden columns come before the rows (<cols> precedes <sheetData>): each part is
        # searched only for what it can hold, and the rows (most of the file) only when one is hidden.
        start = _XML_SHEET_DATA.search(xml)
        head, body = (xml[:start.start()], xml[start.start():]) if start else (xml, xml)
        rows = set()
        if b'hidden="' in body:
            for tag in _XML_ROW_HIDDEN.finditer(body):
                number = _XML_ROW_NUMBER.search(tag[0])
                if number:
                    rows.add(int(number[1]) - 1)
        cols = set()
        for attrs in _XML_COL_HIDDEN.findall(head):
            if re.search(rb'hidden="(?:1|true)"', attrs):
                low, high = re.search(rb'min="(\d+)"', attrs), re.search(rb'max="(\d+)"', attrs)
                if low and high:
                    cols.update(range(int(low[1]) - 1, int(high[1])))
        import html
        result[html.unescape(name[1].decode())] = (rows, cols)
    return result


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_REPEAT_LIMIT = 10_000  # a style run to the sheet's end (16384 columns, 1048576 rows) hides nothing read


def _ods_layout(data: bytes) -> dict[str, tuple[list, set[int], set[int]]]:
    """Merged ranges ((first row, first column), (last row, last column)), hidden row and hidden column indexes of
    each sheet of an .ods, from its content.xml, streamed (calamine gives the values but neither of these)."""
    from xml.etree.ElementTree import ParseError, iterparse

    t = _ODS_TABLE
    result: dict[str, tuple[list, set[int], set[int]]] = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        stream = archive.open("content.xml")
    except (KeyError, zipfile.BadZipFile):
        return {}
    merged: list = []
    hidden_rows: set[int] = set()
    hidden_cols: set[int] = set()
    row = col = column = 0
    depth = 0  # tables inside a cell (rare) are not the sheet's
    try:
        for event, element in iterparse(stream, events=("start", "end")):
            tag = element.tag
            if tag == f"{t}table":
                if event == "start":
                    depth += 1
                    if depth == 1:
                        merged, hidden_rows, hidden_cols = [], set(), set()
                        row = column = 0
                        result[element.get(f"{t}name", "")] = (merged, hidden_rows, hidden_cols)
                else:
                    depth -= 1
                    element.clear()
                continue
            if depth != 1:
                continue
            if tag == f"{t}table-column" and event == "start":
                repeat = int(element.get(f"{t}number-columns-repeated", "1"))
                if element.get(f"{t}visibility", "visible") != "visible" and repeat < _ODS_REPEAT_LIMIT:
                    hidden_cols.update(range(column, column + repeat))
                column += repeat
            elif tag == f"{t}table-row":
                repeat = int(element.get(f"{t}number-rows-repeated", "1"))
                if event == "start":
                    col = 0
                    if element.get(f"{t}visibility", "visible") != "visible" and repeat < _ODS_REPEAT_LIMIT:
                        hidden_rows.update(range(row, row + repeat))
                else:
                    row += repeat
                    element.clear()
            elif tag in (f"{t}table-cell", f"{t}covered-table-cell") and event == "start":
                spanned_cols = int(element.get(f"{t}number-columns-spanned", "1"))
                spanned_rows = int(element.get(f"{t}number-rows-spanned", "1"))
                if spanned_cols > 1 or spanned_rows > 1:
                    merged.append(((row, col), (row + spanned_rows - 1, col + spanned_cols - 1)))
                col += int(element.get(f"{t}number-columns-repeated", "1"))
    except (ParseError, ValueError):
        return {}
    return result


def _fill_merged(rows: list[list], merged: list) -> None:
    """Give every cell of a merged range its top-left value."""
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1 + 1, len(rows))):
            row = rows[r]
            for c in range(c0, min(c1 + 1, len(row))):
                if (r, c) != (r0, c0):
                    row[c] = value


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- the header ---------------------------------------------------------------------------------------------

def _score(row: list, kind: ImportKind) -> int:
    return len({kind.match(v) for v in row if isinstance(v, str) and v.strip() and kind.match(v)})


def _is_group_row(row: list, header: list) -> bool:
    """A row above the header that labels groups of its columns (收入情况 over four income columns)."""
    texts = [clean_text(v) for v in row if not _is_blank(v)]
    if len(set(texts)) < 2:  # a title (merged across the table) or a single note such as 填报单位：…
        return False
    return not any(":" in t for t in texts)


def _is_sub_header(top: list, sub: list, kind: ImportKind) -> bool:
    """The row under the best header row names fields where the header row has a group label or nothing."""
    for c, value in enumerate(sub):
        if isinstance(value, str) and kind.match(value):
            above = top[c] if c < len(top) else ""
            if not (isinstance(above, str) and kind.match(above)):
                return True
    return False


def _detect_header(rows: list[list], kind: ImportKind) -> tuple[int, int] | None:
    """(first, last) 0-based index of the header rows, or None when no row names two or more fields."""
    scores = [_score(r, kind) for r in rows[:HEADER_SCAN_ROWS]]
    if not scores or max(scores) < 2:
        return None
    best = scores.index(max(scores))
    if best + 1 < len(scores) and scores[best + 1] >= 1 and _is_sub_header(rows[best], rows[best + 1], kind):
        return best, best + 1   # the sub-header row names fields too (group labels above it)
    if best > 0 and _is_group_row(rows[best - 1], rows[best]):
        return best - 1, best
    return best, best


def _headers(rows: list[list], first: int, last: int, width: int) -> list[str]:
    if first == last:
        return [clean_text(v) for v in rows[first]] + [""] * (width - len(rows[first]))
    top, sub = rows[first], rows[last]
    headers, group = [], ""
    for c in range(width):
        t = clean_text(top[c]) if c < len(top) else ""
        s = clean_text(sub[c]) if c < len(sub) else ""
        if t:
            group = t
        elif s:
            t = group  # a group label not merged: it covers the blank cells to its right
        if s and t and header_key(s) != header_key(t):
            headers.append(f"{t}/{s}")
        else:
            headers.append(s or t)
    return headers


def _match(header: str, kind: ImportKind) -> str | None:
    if not header:
        return None
    if "/" in header:
        group, sub = header.split("/", 1)
        return kind.match(sub) or kind.match(group + sub) or kind.match(header)
    return kind.match(header)


# --- the whole file -----------------------------------------------------------------------------------------

def read_workbook(source, *, kind: ImportKind, mapping: dict[str, str] | None = None,
                  name: str | None = None) -> Workbook:
    """Read every visible sheet whose header names fields of `kind`.

    `source` is a path or a file object (an upload), `name` its file name when it is not a path. `mapping` maps a
    normalised header (Column.header_key) to a field key, or to "" to ignore the column: it overrides the
    automatic match (the user's choices, remembered per file shape)."""
    if isinstance(source, str | Path):
        path = Path(source)
        data = path.read_bytes()
    else:
        path = Path(name or getattr(source, "name", "upload"))
        data = source.read()
    mapping = mapping or {}
    sheets, skipped_sheets = [], []
    for sheet_name, rows, merged, hidden_rows, hidden_cols in _grids(path, data):
        found = _detect_header(rows, kind)
        if found is None:
            if any(not _is_blank(v) for r in rows for v in r):
                skipped_sheets.append(sheet_name)
            continue
        first, last = found
        _fill_merged(rows, merged)
        width = max((len(r) for r in rows[: last + 1]), default=0)
        headers = _headers(rows, first, last, width)
        columns = []
        taken: set[str] = set()
        for index, header in enumerate(headers):
            hkey = header_key(header)
            key = mapping[hkey] if hkey in mapping else _match(header, kind)
            ignored = hkey in mapping and not mapping[hkey]
            if key in taken:  # the same field twice (e.g. 姓名 of head and of member): the first one wins
                key = None
            if key:
                taken.add(key)
            columns.append(Column(index, column_letter(index), header, key or None, index in hidden_cols, ignored))
        sheet = Sheet(sheet_name, columns, tuple(range(first + 1, last + 2)), [],
                      header_cells=[list(r) for r in rows[first: last + 1]])
        mapped = [(c.index, c.key) for c in columns if c.key]
        skipped = {"blank": 0, "totals": 0, "footer": 0}
        for index in range(last + 1, len(rows)):
            cells = rows[index]
            first_text = ""
            blank = True
            for v in cells:
                if v is None or v == "" or (type(v) is str and v.isspace()):
                    continue
                blank = False
                if type(v) is str:
                    first_text = v
                break
            if blank:
                skipped["blank"] += 1
                continue
            # Totals and signature lines: only rows whose early cells start with their first characters are
            # looked at closely (this loop runs once per row of a 100,000-row ledger).
            marks = [v for v in cells[:8] if type(v) is str and v.lstrip()[:1] in _MARK_FIRST]
            if marks:
                heads = [clean_text(v).replace(" ", "") for v in marks]
                if any(_TOTAL.match(t) for t in heads):
                    skipped["totals"] += 1
                    continue
                texts = [v for v in cells if not _is_blank(v)]
                if all(isinstance(v, str) for v in texts) and _FOOTER.match(clean_text(first_text).replace(" ", "")) \
                        and (":" in clean_text(texts[0]) or len(texts) == 1):
                    skipped["footer"] += 1
                    continue
            values = {}
            empty = True
            for col, key in mapped:
                value = cells[col] if col < len(cells) else ""
                if type(value) is str:
                    value = clean_text(value) if value else ""
                elif value is None:
                    value = ""
                if value != "":
                    empty = False
                values[key] = value
            if empty:
                skipped["blank"] += 1  # nothing in any column the import reads (e.g. a note in a side column)
                continue
            sheet.rows.append(Row(sheet_name, index + 1, values, cells))
        sheet.skipped = skipped
        sheet.hidden_rows = sum(1 for r in hidden_rows if r > last)
        sheets.append(sheet)
    if not sheets:
        raise ReadError("no_header", _("没有找到表头：请确认表格中有“%(fields)s”等列名") % {
            "fields": "、".join(f.label for f in kind.fields if f.required) or kind.fields[0].label})
    return Workbook(path.name, sheets, skipped_sheets)
