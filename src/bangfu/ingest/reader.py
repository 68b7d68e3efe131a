"""Read a spreadsheet as people keep it, into rows of raw values keyed by field.

    read_workbook(path, kind=HOUSEHOLDS, mapping=None) -> Workbook

- what a file is decided by its bytes (ingest/sniff.py: HTML or SpreadsheetML named .xls, password-protected,
  empty, a PDF or a photo renamed each get a Chinese message; WPS .et/.ett read as the .xls they are);
- its size checked against the limits before anything is read (ingest/bounds.py), and its cells read by
  python-calamine in a separate process with a memory limit (ingest/sandbox.py), so no file can take the web
  worker or the background worker down;
- .xlsx/.xlsm/.xls/.xlsb/.ods through python-calamine; CSV/text in UTF-8, GB18030 (each with or without BOM) or
  UTF-16 (Excel's "Unicode text"), separated by commas, semicolons or tabs (sniffed);
- title rows above the header are passed over: the header is the row (within the first 30) whose cells name the
  most fields of the kind; the row above it joins as a group row when it holds group labels (two-row headers,
  "收入情况" over 工资性收入 ...), so a column's header is "group/sub" and matches on the sub header first;
- merged cells (xlsx and xls give their ranges, .ods's are read from its content.xml) are filled with their top-left value: a group label covers its
  columns, a household's cells merged down its member rows repeat on every member row;
- units in headers are read and dropped for matching (医疗总费用（元）, 金额(万元)): a column's unit comes from its
  header, its group header (家庭收入情况（万元） over its parts) or a note above the table (单位：万元), as
  `Column.unit`, for `parse_amount(value, unit)`;
- blank rows, totals rows (合计…, 本页小计, 1组小计, 沙坝村合计, or a row naming nobody whose numbers sum the rows above)
  and signature lines under the table (填表人：…) are skipped and counted;
- hidden rows and columns are read like visible ones (a filter hides rows; their data is still the ledger's), and
  counted so the preview can say so; hidden sheets are skipped;
- text is normalised (full-width to half-width, stray spaces), numbers and dates are left as the cell holds them
  for the field's parser (an ID number stored as a number must be seen as such, not rounded into text).

Rows carry their sheet name and Excel's row number, so every problem can be reported where the user sees it.
"""

import csv
import io
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from bangfu.core.parsing import UNIT_FACTORS, clean_text, header_key
from bangfu.ingest.bounds import Limits, measure, too_many_cells
from bangfu.ingest.errors import ReadError, RowError
from bangfu.ingest.kinds import ImportKind
from bangfu.ingest.sandbox import read_grids
from bangfu.ingest.sniff import SPREADSHEET_SUFFIXES, SUFFIXES, file_format

__all__ = ["Column", "ReadError", "Row", "RowError", "SPREADSHEET_SUFFIXES", "SUFFIXES", "Sheet", "Workbook",
           "read_workbook"]

HEADER_SCAN_ROWS = 30
_TOTAL = re.compile(r"^(合计|小计|总计|累计|共计|全村合计|全镇合计|全乡合计)|.{1,16}(合计|小计|总计|共计)$")
_MARK_FIRST = frozenset("合小总累共全填审制负单统注备说")
_FOOTER = re.compile(r"^(填表人|填报人|审核人|制表人|负责人|单位负责人|统计人|填报日期|填表日期|制表日期|注|备注|说明)")


@dataclass
class Column:
    index: int            # 0-based position in the sheet
    letter: str           # A, B, ... AA
    header: str           # as written (group and sub header joined with "/")
    key: str | None       # the field it maps to; None when unknown or ignored
    hidden: bool = False
    ignored: bool = False  # the user chose to ignore it
    unit: str | None = None  # the money unit its header, group header or a note above the table names (元/万元/千元)

    @property
    def header_key(self) -> str:
        return header_key(self.header)


class Row:
    """One data row: `values` {field key: cell value (cleaned text, number, date); "" when empty}, `cells` the row
    as read (for the error report). A value is taken from `cells` on each access, through the sheet's one
    (field, column) layout; only values that differ from their cell (text that cleaning changed, an empty or
    missing cell) are kept with the row: a million-row ledger would otherwise hold a million dicts, or tuples."""

    __slots__ = ("sheet", "number", "cells", "_layout", "_changed")

    def __init__(self, sheet: str, number: int, values: dict[str, object], cells: list):
        self.sheet, self.number, self.cells = sheet, number, cells
        self._layout, self._changed = (), tuple(values.items())

    @classmethod
    def of(cls, sheet: str, number: int, layout: tuple, changed: tuple, cells: list) -> "Row":
        """`layout`: the sheet's ((field, column index), ...), shared by its rows; `changed`: ((field, value),
        ...) where the value is not the cell as read."""
        row = cls.__new__(cls)
        row.sheet, row.number, row.cells, row._layout, row._changed = sheet, number, cells, layout, changed
        return row

    @property
    def values(self) -> dict[str, object]:
        cells = self.cells
        width = len(cells)
        values = {key: cells[col] if col < width else "" for key, col in self._layout}
        if self._changed:
            values.update(self._changed)
        return values

    def value(self, key: str, default=""):
        """One field's value (without building the row's dict)."""
        for changed_key, value in self._changed:
            if changed_key == key:
                return value
        for layout_key, col in self._layout:
            if layout_key == key:
                return self.cells[col] if col < len(self.cells) else ""
        return default

    def __repr__(self) -> str:
        return f"Row({self.sheet!r}, {self.number}, {self.values!r})"


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
    date1904: bool = False  # an .xlsx counting its dates from 1904 (its date cells are read as the dates they show)

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

_UTF8_BOM, _GB18030_BOM = b"\xef\xbb\xbf", b"\x84\x31\x95\x33"
_DELIMITERS = (",", "\t", ";")


def _decode_text(data: bytes) -> str:
    """A text table's characters: UTF-8 or GB18030 (which covers GBK and GB2312), each with or without its
    byte-order mark, or UTF-16 with its mark (Excel's "Unicode text")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(_UTF8_BOM):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith(_GB18030_BOM):
        text = data[4:].decode("gb18030", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise ReadError("encoding", _("CSV文件编码无法识别：请另存为UTF-8或GB18030（GBK）编码")) from None
    return text.lstrip("\ufeff")


def _delimiter(text: str) -> str:
    """The separator of a text table: the one of comma, tab and semicolon found on most of its first lines."""
    lines = [line for line in text[:65536].splitlines()[:30] if line.strip()]
    best, best_score = ",", (0, 0)
    for candidate in _DELIMITERS:
        score = (sum(1 for line in lines if candidate in line), sum(line.count(candidate) for line in lines))
        if score > best_score:
            best, best_score = candidate, score
    return best


def _text_grid(path: Path, limits: Limits) -> list[list]:
    text = _decode_text(path.read_bytes())
    rows: list[list] = []
    cells = 0
    try:
        for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text)):
            cells += max(len(row), 1)
            if cells > limits.cells:
                raise too_many_cells(cells, limits)
            rows.append(row)
    except csv.Error as error:
        raise ReadError("csv", _("CSV文件第%(row)s行格式有误（引号不成对或单元格内容过长）：请用Excel或WPS打开后另存为CSV再上传") % {
            "row": len(rows) + 1}) from error
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows]


def _grids(path: Path, limits: Limits) -> tuple[list[tuple[str, list[list], list, set[int], set[int]]], bool]:
    """((sheet name, rows, merged ranges, hidden row indexes, hidden column indexes) for each visible sheet,
    whether dates count from 1904)."""
    fmt = file_format(path)
    if fmt == "csv":
        return [(path.stem, _text_grid(path, limits), [], set(), set())], False
    layout = measure(path, fmt, limits)
    grids = []
    for name, rows, merged in read_grids(path, fmt, limits):
        hidden_rows, hidden_cols = layout.hidden.get(name, (set(), set()))
        if name in layout.merged:  # calamine reports no merged ranges for .ods
            merged = layout.merged[name]
        grids.append((name, rows, merged, hidden_rows, hidden_cols))
    return grids, layout.date1904



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


# --- units --------------------------------------------------------------------------------------------------

# A unit in brackets after a header (医疗总费用（元）, 金额(万元), 面积【平方米】, (单位：人)): dropped for matching.
_UNIT = re.compile(r"\s*[(\[【]\s*(?:单位\s*:?\s*)?(万元|千元|元|人民币元|人|户|个|个月|月|年|岁|亩|平方米|m2|%|公里|km|天|次|"
                   r"公斤|kg|斤)\s*[)\]】]\s*")
# A note above the table giving the unit of its amounts: 单位：万元, 金额单位：元.
_UNIT_NOTE = re.compile(r"(?:金额|计量)?单位\s*:\s*(万元|千元|元)(?![\u4e00-\u9fff])")


def _bare(header: str) -> tuple[str, str | None]:
    """(the header without units in brackets, the money unit it named or None)."""
    units = _UNIT.findall(header)
    if not units:
        return header, None
    money = next((u for u in units if u in UNIT_FACTORS or u == "人民币元"), None)
    return _UNIT.sub("", header), ("元" if money == "人民币元" else money)


def _field(text, kind: ImportKind) -> str | None:
    """The field a header cell names, with or without a unit in brackets."""
    if not isinstance(text, str) or not text.strip():
        return None
    return kind.match(text) or (kind.match(_bare(clean_text(text))[0]) if "(" in text or "（" in text or "[" in text
                                or "【" in text else None)


def _units(header: str) -> str | None:
    """The money unit of a column: its own header's, else its group header's."""
    if "/" in header:
        group, sub = header.split("/", 1)
        return _bare(sub)[1] or _bare(group)[1]
    return _bare(header)[1]


def _note_unit(rows: list[list]) -> str | None:
    """The unit a note above the header gives the table's amounts (单位：万元), or None."""
    for row in rows:
        for value in row:
            if isinstance(value, str) and "单位" in value and (match := _UNIT_NOTE.search(clean_text(value))):
                return match[1]
    return None


# --- the header ---------------------------------------------------------------------------------------------

def _score(row: list, kind: ImportKind) -> int:
    return len({key for v in row if (key := _field(v, kind))})


def _is_group_row(row: list, header: list) -> bool:
    """A row above the header that labels groups of its columns (收入情况 over four income columns, or one label
    such as 费用情况（万元） over some of them)."""
    texts = [clean_text(v) for v in row if not _is_blank(v)]
    if any(":" in t for t in texts):  # a note such as 填报单位：…
        return False
    if len(set(texts)) >= 2:
        return True
    # One label: a title starts in the first column (merged across the table); a group label stands over
    # columns of the header further right.
    first = next((c for c, v in enumerate(row) if not _is_blank(v)), 0)
    return first > 0 and first < len(header) and not _is_blank(header[first])


def _is_sub_header(top: list, sub: list, kind: ImportKind) -> bool:
    """The row under the best header row names fields where the header row has a group label or nothing."""
    for c, value in enumerate(sub):
        if _field(value, kind):
            above = top[c] if c < len(top) else ""
            if not _field(above, kind):
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
        bare_group, bare_sub = _bare(group)[0], _bare(sub)[0]
        return (kind.match(sub) or kind.match(bare_sub) or kind.match(group + sub)
                or kind.match(bare_group + bare_sub) or kind.match(header))
    return kind.match(header) or kind.match(_bare(header)[0])


# --- totals rows by their shape -----------------------------------------------------------------------------

class _Sums:
    """Running sums of the numbers in each read column, since the last totals row and since the header: a row
    that names nobody and whose numbers equal either is a totals row, whatever its first cell says."""

    def __init__(self):
        self.since_total: dict[int, float] = {}
        self.since_start: dict[int, float] = {}

    def add(self, col: int, value: float) -> None:
        self.since_total[col] = self.since_total.get(col, 0) + value
        self.since_start[col] = self.since_start.get(col, 0) + value

    def is_total(self, numbers: list[tuple[int, float]]) -> bool:
        return bool(numbers) and any(
            all(abs(sums.get(col, 0) - value) < 0.005 and col in sums for col, value in numbers)
            for sums in (self.since_total, self.since_start))

    def reset(self) -> None:
        self.since_total = {}


_TOTAL_ENDS = ("合计", "小计", "总计", "共计")
# The columns that name a person or a household: a row with none of them names nobody.
_IDENTITY = frozenset({"name", "id_number", "head_name", "number"})


def _is_totals_text(cells: list) -> bool:
    for v in cells[:8]:
        if type(v) is str and (v.lstrip()[:1] in _MARK_FIRST or v.rstrip().endswith(_TOTAL_ENDS)):
            if _TOTAL.match(clean_text(v).replace(" ", "")):
                return True
    return False


# --- the whole file -----------------------------------------------------------------------------------------

def read_workbook(source, *, kind: ImportKind, mapping: dict[str, str] | None = None,
                  name: str | None = None, limits: Limits | None = None) -> Workbook:
    """Read every visible sheet whose header names fields of `kind`.

    `source` is a path or a file object (an upload), `name` its file name when it is not a path. `mapping` maps a
    normalised header (Column.header_key) to a field key, or to "" to ignore the column: it overrides the
    automatic match (the user's choices, remembered per file shape). `limits` default to the settings'."""
    limits = limits or Limits.from_settings()
    if isinstance(source, str | Path):
        path = Path(source)
        grids, date1904 = _grids(path, limits)
    else:
        path = Path(name or getattr(source, "name", "upload"))
        folder = Path(tempfile.mkdtemp(prefix="bangfu-upload-"))
        try:  # the reading process opens files by path
            copy = folder / ("upload" + path.suffix.lower())
            with copy.open("wb") as out:
                shutil.copyfileobj(source, out)
            grids, date1904 = _grids(copy, limits)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    mapping = mapping or {}
    required = [f.key for f in kind.fields if f.required]
    sheets, skipped_sheets = [], []
    for sheet_name, rows, merged, hidden_rows, hidden_cols in grids:
        found = _detect_header(rows, kind)
        if found is None:
            if any(not _is_blank(v) for r in rows for v in r):
                skipped_sheets.append(sheet_name)
            continue
        first, last = found
        _fill_merged(rows, merged)
        width = max((len(r) for r in rows[: last + 1]), default=0)
        headers = _headers(rows, first, last, width)
        note_unit = _note_unit(rows[:first])
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
            columns.append(Column(index, column_letter(index), header, key or None, index in hidden_cols, ignored,
                                  _units(header) or note_unit))
        sheet = Sheet(sheet_name, columns, tuple(range(first + 1, last + 2)), [],
                      header_cells=[list(r) for r in rows[first: last + 1]])
        mapped = [(c.index, c.key) for c in columns if c.key]
        person = [c.index for c in columns if c.key in _IDENTITY] or [c.index for c in columns if c.key in required]
        sheet.skipped = _read_rows(sheet, rows, last + 1, mapped, person)
        sheet.hidden_rows = sum(1 for r in hidden_rows if r > last)
        sheets.append(sheet)
    if not sheets:
        raise ReadError("no_header", _("没有找到表头：请确认表格中有“%(fields)s”等列名") % {
            "fields": "、".join(f.label for f in kind.fields if f.required) or kind.fields[0].label})
    return Workbook(path.name, sheets, skipped_sheets, date1904)


def _read_rows(sheet: Sheet, rows: list[list], start: int, mapped: list[tuple[int, str]],
               person: list[int]) -> dict[str, int]:
    """The sheet's data rows into sheet.rows; returns what was skipped, by kind."""
    skipped = {"blank": 0, "totals": 0, "footer": 0}
    sums = _Sums()
    sheet_name = sheet.name
    append = sheet.rows.append
    make = Row.of
    layout = tuple((key, col) for col, key in mapped)
    keyed = tuple(mapped)
    for index in range(start, len(rows)):
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
        # Totals and signature lines: only rows whose early cells start or end with their marks are looked at
        # closely (this loop runs once per row of a 100,000-row ledger).
        if _is_totals_text(cells):
            skipped["totals"] += 1
            sums.reset()
            continue
        if first_text and first_text.lstrip()[:1] in _MARK_FIRST:
            texts = [v for v in cells if not _is_blank(v)]
            if all(isinstance(v, str) for v in texts) and _FOOTER.match(clean_text(first_text).replace(" ", "")) \
                    and (":" in clean_text(texts[0]) or len(texts) == 1):
                skipped["footer"] += 1
                continue
        changed = []
        empty = True
        numbers = []
        width = len(cells)
        for col, key in keyed:
            raw = value = cells[col] if col < width else ""
            kind_of = type(value)
            if kind_of is str:
                value = clean_text(value) if value else ""
            elif value is None:
                value = ""
            elif kind_of is float or kind_of is int:
                numbers.append((col, value))
            if value != "":
                empty = False
            if value is not raw:  # a missing cell is "" in the layout already
                changed.append((key, value))
        if empty:
            skipped["blank"] += 1  # nothing in any column the import reads (e.g. a note in a side column)
            continue
        if numbers and person and all(_is_blank(cells[c]) if c < len(cells) else True for c in person) \
                and sums.is_total(numbers):
            skipped["totals"] += 1  # names nobody and sums the rows above: a subtotal without its word
            sums.reset()
            continue
        for col, value in numbers:
            sums.add(col, value)
        append(make(sheet_name, index + 1, layout, tuple(changed) if changed else (), cells))
    return skipped
