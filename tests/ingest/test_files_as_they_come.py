"""Files as they really come, through the shared reader and the household import: units in headers and group
headers (never stored as the wrong amount), subtotal rows by their shape, CSV as systems write it (GB18030 with a
BOM, semicolons, tabs, UTF-16), date-times, 1904 workbooks, and every unreadable file answered in Chinese."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from bangfu.core.parsing import ParseError, parse_amount, parse_date
from bangfu.ingest.households import HOUSEHOLDS, households_import_plan
from bangfu.ingest.kinds import Field, ImportKind
from bangfu.ingest.reader import ReadError, read_workbook
from bangfu.ingest.services import households_import_commit
from bangfu.registry.models import IncomeRecord
from tests.conftest import synthetic_id
from tests.ingest.workbooks import convert, in_formats

KIND = ImportKind("people", "测试", (
    Field("number", "户编号", (), "household", True),
    Field("name", "姓名", (), "member", True),
    Field("id_number", "证件号码", ("身份证号",), "member", True),
    Field("wage_income", "工资性收入", (), "income"),
    Field("transfer_income", "转移性收入", (), "income"),
    Field("total", "医疗总费用", (), "income"),
))


def _book(tmp_path, rows, merges=(), name="book.xlsx", epoch=None):
    workbook = openpyxl.Workbook()
    if epoch is not None:
        workbook.epoch = epoch
    for row in rows:
        workbook.active.append(row)
    for cells in merges:
        workbook.active.merge_cells(cells)
    path = tmp_path / name
    workbook.save(path)
    return path


# --- units ----------------------------------------------------------------------------------------------------


def test_units_in_headers_are_dropped_for_matching_and_kept_per_column(tmp_path):
    path = _book(tmp_path, [
        ["单位：元"],
        ["户编号", "姓名", "身份证号", "家庭收入情况（万元）", None, "医疗总费用（元）"],
        [None, None, None, "工资性收入", "转移性收入(元)", None],
        ["H1", "甲", "x", 1.2, 300, 5000],
    ], merges=["D2:E2"])
    (sheet,) = read_workbook(path, kind=KIND).sheets
    by_key = {c.key: c for c in sheet.columns if c.key}
    assert by_key["wage_income"].unit == "万元"      # the group header's unit
    assert by_key["transfer_income"].unit == "元"    # its own header's wins over the group's
    assert by_key["total"].unit == "元" and by_key["total"].header == "医疗总费用(元)"
    assert parse_amount(sheet.rows[0].values["wage_income"], by_key["wage_income"].unit) == Decimal("12000.00")


def test_a_note_above_the_table_gives_the_unit_of_columns_without_their_own(tmp_path):
    path = _book(tmp_path, [["九寨沟县台账", None, "金额单位：万元"], ["户编号", "姓名", "身份证号", "工资性收入"],
                            ["H1", "甲", "x", 0.5]])
    (sheet,) = read_workbook(path, kind=KIND).sheets
    assert sheet.mapped["wage_income"].unit == "万元"
    path = _book(tmp_path, [["填报单位：双河镇"], ["户编号", "姓名", "身份证号", "工资性收入"], ["H1", "甲", "x", 0.5]])
    assert read_workbook(path, kind=KIND).sheets[0].mapped["wage_income"].unit is None  # a unit of work, not money


@pytest.mark.parametrize(("value", "unit", "yuan"), [
    (1.2, "万元", "12000.00"), ("1.2", "万元", "12000.00"), (1.2, "元", "1.20"), (1.2, None, "1.20"),
    ("800元", "万元", "800.00"), ("1.2万", "元", "12000.00"), (3, "千元", "3000.00"),
])
def test_parse_amount_applies_the_columns_unit_unless_the_cell_names_its_own(value, unit, yuan):
    assert parse_amount(value, unit) == Decimal(yuan)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_income_under_a_group_header_in_wan_yuan_is_stored_in_yuan(county_admin, tmp_path, fmt):
    path = in_formats(_book(tmp_path, [
        ["户编号", "村", "姓名", "与户主关系", "证件号码", "家庭收入情况（万元）", None, None, None, None],
        [None, None, None, None, None, "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出"],
        ["5132251032139001", "团结村", "张三", "户主", synthetic_id(), 1.2, 0.5, 0, 0.03, 0.1],
    ], merges=["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:J1"]), fmt)
    plan = households_import_plan(actor=county_admin, source=path, year=2024)
    assert plan.errors == []
    households_import_commit(actor=county_admin, plan=plan)
    record = IncomeRecord.objects.get()
    assert (record.wage_income, record.business_income, record.transfer_income, record.production_cost) == (
        Decimal("12000.00"), Decimal("5000.00"), Decimal("300.00"), Decimal("1000.00"))


# --- amounts and dates as cells hold them --------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e30, "1E+30", float("inf"), float("-inf"), float("nan"), "inf", "nan",
                                   "1" * 30, 10**10, "10000000000", "-10000000000"])
def test_impossible_amounts_are_errors_not_tracebacks(value):
    with pytest.raises(ParseError):
        parse_amount(value)


def test_the_amount_bound_at_its_edge():
    assert parse_amount("9999999999.99") == Decimal("9999999999.99")
    assert parse_amount(-9999999999.99) == Decimal("-9999999999.99")
    with pytest.raises(ParseError) as caught:
        parse_amount("10000000000.00")
    assert caught.value.rule == "amount_out_of_range" and "100亿元" in caught.value.message


@pytest.mark.django_db
def test_an_impossible_amount_is_a_row_error_in_the_household_import(county_admin, tmp_path):
    path = _book(tmp_path, [["户编号", "村", "姓名", "与户主关系", "证件号码", "工资性收入"],
                            ["5132251032139001", "团结村", "张三", "户主", synthetic_id(), "1E+30"],
                            ["5132251032139002", "团结村", "李四", "户主", synthetic_id(), "1" * 30]])
    plan = households_import_plan(actor=county_admin, source=path, year=2024)
    assert sorted((e.row, e.column, e.rule) for e in plan.errors if e.column) == [
        (2, "工资性收入", "amount"), (3, "工资性收入", "amount_out_of_range")]


@pytest.mark.parametrize(("value", "day"), [
    ("2026-10-05 08:30:00", dt.date(2026, 10, 5)), ("2026/10/5 8:30", dt.date(2026, 10, 5)),
    ("2026-10-05T08:30:00.000", dt.date(2026, 10, 5)), (dt.datetime(2026, 10, 5, 8, 30), dt.date(2026, 10, 5)),
    (46300.354166, dt.date(2026, 10, 5)), ("2026年10月5日 8:30", dt.date(2026, 10, 5)),
])
def test_date_times_parse_as_their_day(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_1904_workbook_gives_the_dates_it_shows(tmp_path, fmt):
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    kind = ImportKind("d", "d", (Field("name", "姓名", (), "", True), Field("born", "出生日期", (), "", True)))
    path = in_formats(_book(tmp_path, [["姓名", "出生日期"], ["甲", dt.date(1980, 1, 1)],
                                       ["乙", dt.datetime(2026, 10, 5, 8, 30)]], epoch=CALENDAR_MAC_1904), fmt)
    book = read_workbook(path, kind=kind)
    assert book.date1904 is True  # LibreOffice keeps the date system in .xls (DATEMODE) and .ods (null-date)
    assert [parse_date(r.values["born"]) for r in book.sheets[0].rows] == [dt.date(1980, 1, 1), dt.date(2026, 10, 5)]


@pytest.mark.parametrize("spelling", ['date1904="1"', 'date1904="true"'])  # Excel's and LibreOffice's
def test_a_hand_written_1904_workbook_is_seen_as_one(tmp_path, spelling):
    from tests.ingest.hostile import header_row, xlsx

    kind = ImportKind("d", "d", (Field("number", "户编号", (), "", True), Field("name", "姓名", (), "", True),
                                 Field("born", "出生日期", (), "")))
    path = xlsx(tmp_path / "mac.xlsx", header_row(["户编号", "姓名", "出生日期"])
                + '<row r="2"><c r="A2" t="inlineStr"><is><t>H1</t></is></c><c r="B2" t="inlineStr"><is><t>甲</t>'
                  '</is></c><c r="C2"><v>27759</v></c></row>', date1904=True)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'date1904="1"', spelling.encode())
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    book = read_workbook(path, kind=kind)
    assert book.date1904 is True
    (row,) = book.sheets[0].rows
    assert parse_date(row.values["born"], date1904=book.date1904) == dt.date(1980, 1, 1)


@pytest.mark.parametrize(("serial", "date1904", "day"), [
    (27759, True, dt.date(1980, 1, 1)), (27759, False, dt.date(1975, 12, 31)), (29221, False, dt.date(1980, 1, 1)),
    (27759.354, True, dt.date(1980, 1, 1)), ("27759", True, dt.date(1980, 1, 1)), (1, True, dt.date(1904, 1, 2)),
])
def test_a_serial_counts_from_its_systems_day_zero(serial, date1904, day):
    assert parse_date(serial, date1904=date1904) == day


def test_a_large_1904_xls_is_seen_as_one(tmp_path):
    """An .xls whose Workbook stream is past the compound file's mini-stream cutoff (4 KB): its DATEMODE record is
    found through the allocation table, as in a small one through the mini stream (the test above)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    kind = ImportKind("d", "d", (Field("name", "姓名", (), "", True), Field("born", "出生日期", (), "", True)))
    rows = [["姓名", "出生日期"], *[[f"名字{'甲乙丙丁'[i % 4]}", 27759 + i] for i in range(3000)]]
    path = convert(_book(tmp_path, rows, epoch=CALENDAR_MAC_1904), "xls")
    assert path.stat().st_size > 64 * 1024
    book = read_workbook(path, kind=kind)
    assert book.date1904 is True
    assert parse_date(book.sheets[0].rows[0].values["born"], date1904=True) == dt.date(1980, 1, 1)


def _serial(day: dt.date, *, date1904: bool) -> int:
    return (day - (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30))).days


def _serial_ledger(tmp_path, fmt, *, date1904, birth_serial, month_serial):
    """A household whose 出生日期 and 识别监测时间 cells hold date serials as plain numbers (a date column whose
    format was lost: General cells), in a workbook of the given date system, as Excel or LibreOffice save it."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    head = synthetic_id("19800101")
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码", "出生日期", "识别监测时间"],
            ["5132251032139001", "团结村", "张三", "户主", head, birth_serial(head), month_serial]]
    path = in_formats(_book(tmp_path, rows, name=f"serials{int(date1904)}.xlsx",
                            epoch=CALENDAR_MAC_1904 if date1904 else None), fmt)
    return path, head


def _born(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
@pytest.mark.parametrize("date1904", [True, False])
def test_date_serials_count_from_the_workbooks_own_day_zero(county_admin, tmp_path, fmt, date1904):
    """The same day written as a number in either date system is stored as that day (the 1904 system's serials
    are 1,462 smaller: read as 1900's they were four years early and contradicted the ID number)."""
    from bangfu.registry.models import Household, Member

    path, head = _serial_ledger(tmp_path, fmt, date1904=date1904,
                                birth_serial=lambda number: _serial(_born(number), date1904=date1904),
                                month_serial=_serial(dt.date(2024, 3, 15), date1904=date1904))
    plan = households_import_plan(actor=county_admin, source=path, year=2024)
    assert plan.workbook.date1904 is date1904
    assert plan.errors == []
    households_import_commit(actor=county_admin, plan=plan)
    assert Household.objects.get().identified_month == "202403"
    assert Member.objects.get().birth_date == _born(head)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_1900_serial_in_a_1904_workbook_is_the_later_day(county_admin, tmp_path, fmt):
    """The other side: a 1904 workbook's number is never read as the 1900 system's day (four years and a day
    later than the ID number's birth date, so refused)."""
    path, head = _serial_ledger(tmp_path, fmt, date1904=True,
                                birth_serial=lambda number: _serial(_born(number), date1904=False),
                                month_serial=_serial(dt.date(2020, 3, 15), date1904=False))
    plan = households_import_plan(actor=county_admin, source=path, year=2024)
    assert [(e.row, e.column, e.rule) for e in plan.errors if e.column] == [(2, "出生日期", "birth_date_mismatch")]


# --- subtotal rows by their shape ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_subtotal_rows_are_recognised_by_their_words_and_by_their_sums(tmp_path, fmt):
    path = in_formats(_book(tmp_path, [
        ["户编号", "姓名", "身份证号", "工资性收入", "转移性收入"],
        ["H1", "甲", "a", 100, 10],
        ["H1", "乙", "b", 200, 20],
        [None, "本页小计", None, 300, 30],      # its word at the end, not the start
        ["H2", "丙", "c", 50, 5],
        [None, None, None, 50, 5],              # no word: names nobody and sums the rows above
        ["1组小计", None, None, 350, 35],
        ["沙坝村合计", None, None, 350, 35],
        ["H3", "丁", "d", 70, 7],
        [None, None, None, 71, 7],              # names nobody but sums nothing: a data row, kept for its error
    ]), fmt)
    (sheet,) = read_workbook(path, kind=KIND).sheets
    assert [r.number for r in sheet.rows] == [2, 3, 5, 9, 10]
    assert sheet.skipped["totals"] == 4


@pytest.mark.django_db
def test_a_subtotal_row_does_not_reject_the_household_above_it(county_admin, tmp_path):
    path = _book(tmp_path, [
        ["户编号", "村", "姓名", "与户主关系", "证件号码", "家庭人口数"],
        ["5132251032139001", "团结村", "张三", "户主", synthetic_id(), 2],
        ["5132251032139001", "团结村", "李梅", "配偶", synthetic_id(), 2],
        [None, "1组小计", None, None, None, 2],
    ])
    plan = households_import_plan(actor=county_admin, source=path, year=2024)
    assert plan.errors == [] and plan.member_count == 2


# --- CSV and text as systems write it ------------------------------------------------------------------------

CSV_ROWS = [["户编号", "姓名", "身份证号"], ["H1", "张三", "513225198001010011"]]


@pytest.mark.parametrize(("encoding", "bom", "separator"), [
    ("gb18030", b"\x84\x31\x95\x33", ","), ("gb18030", b"", ";"), ("utf-8", b"\xef\xbb\xbf", ";"),
    ("utf-8", b"", "\t"), ("utf-16-le", b"\xff\xfe", "\t"), ("utf-16-be", b"\xfe\xff", ","),
])
def test_text_tables_in_each_encoding_and_separator(tmp_path, encoding, bom, separator):
    text = "\r\n".join(separator.join(row) for row in CSV_ROWS) + "\r\n"
    path = tmp_path / ("data.txt" if encoding.startswith("utf-16") else "data.csv")
    path.write_bytes(bom + text.encode(encoding))
    (sheet,) = read_workbook(path, kind=KIND).sheets
    assert [c.header for c in sheet.columns] == ["户编号", "姓名", "身份证号"]  # the first header kept
    assert sheet.rows[0].values == {"number": "H1", "name": "张三", "id_number": "513225198001010011"}


def test_excel_unicode_text_as_excel_writes_it(tmp_path):
    """LibreOffice's "Text - txt - csv" with UTF-16 and tabs is what Excel's 另存为 Unicode 文本 writes."""
    source = _book(tmp_path, CSV_ROWS)
    text = convert(source, "csv", "Text - txt - csv (StarCalc):9,34,65535")  # tab, quote, UTF-16
    (sheet,) = read_workbook(text, kind=KIND).sheets
    assert sheet.rows[0].values["name"] == "张三"


# --- files that are no table, each answered in Chinese -------------------------------------------------------

HTML_XLS = ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
            '<head><meta charset="utf-8"></head><body><table><tr><td>户编号</td><td>姓名</td></tr></table></body>'
            '</html>').encode()
SPREADSHEETML = ('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                 '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
                 'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Sheet1"><Table><Row>'
                 '<Cell><Data ss:Type="String">户编号</Data></Cell></Row></Table></Worksheet></Workbook>').encode()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "rule", "words"), [
    ("导出.xls", HTML_XLS, "html", "网页（HTML）"),
    ("导出.xls", b"\xef\xbb\xbf" + HTML_XLS, "html", "另存为"),
    ("导出.xls", SPREADSHEETML, "spreadsheetml", "Excel 2003 XML"),
    ("空.xlsx", b"", "empty", "空的"),
    ("扫描.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not_spreadsheet", "PDF文档"),
    ("照片.xls", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "not_spreadsheet", "JPEG图片"),
    ("报告.xlsx", _docx(), "not_spreadsheet", "Word文档"),
    ("半截.xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40, "zip_damaged", "已损坏"),
    ("台账.pdf", b"%PDF-1.4", "file_type", "不支持的文件类型"),
])
def test_every_unreadable_file_is_named_in_chinese(tmp_path, name, content, rule, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        read_workbook(path, kind=HOUSEHOLDS)
    assert caught.value.rule == rule and words in caught.value.message
    assert not any(word in caught.value.message for word in ("Cannot", "Error", "error", "detect"))


def test_a_damaged_workbook_gets_chinese_and_the_library_is_logged(tmp_path, caplog):
    good = _book(tmp_path, CSV_ROWS)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start:start + 8] = b"\xff" * 8   # the sheet's compressed bytes scrambled: the zip's checks see it
    path = tmp_path / "scrambled.xlsx"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadError) as caught:
        read_workbook(path, kind=HOUSEHOLDS)
    assert caught.value.rule == "unreadable" and "已损坏" in caught.value.message


@pytest.mark.parametrize("suffix", [".et", ".ett"])
def test_wps_et_files_are_read_as_the_xls_they_are(tmp_path, suffix):
    xls = convert(_book(tmp_path, CSV_ROWS), "xls")
    path = tmp_path / f"台账{suffix}"
    path.write_bytes(xls.read_bytes())
    (sheet,) = read_workbook(path, kind=KIND).sheets
    assert sheet.rows[0].values["name"] == "张三"


def test_a_password_protected_workbook_is_named_as_such(tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool encrypts as Excel does")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = _book(tmp_path, CSV_ROWS)
    path = tmp_path / "加密.xlsx"
    with plain.open("rb") as source, path.open("wb") as out:
        OOXMLFile(source).encrypt("1234", out)
    del msoffcrypto
    with pytest.raises(ReadError) as caught:
        read_workbook(path, kind=HOUSEHOLDS)
    assert caught.value.rule == "password" and "密码" in caught.value.message


# --- the same files through the household import itself -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("bom", "separator"), [(b"\x84\x31\x95\x33", ";"), (b"", "\t")])
def test_the_household_import_takes_a_gb18030_text_table(county_admin, tmp_path, bom, separator):
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码"],
            ["5132251032139001", "团结村", "张三", "户主", synthetic_id()]]
    path = tmp_path / "ledger.csv"
    path.write_bytes(bom + "\r\n".join(separator.join(row) for row in rows).encode("gb18030") + b"\r\n")
    plan = households_import_plan(actor=county_admin, source=path, year=2024)
    assert plan.errors == [] and plan.member_count == 1


@pytest.mark.django_db
def test_the_household_import_names_html_saved_as_xls_in_chinese(county_admin, tmp_path):
    path = tmp_path / "台账.xls"
    path.write_text("<html><body><table><tr><td>户编号</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(ReadError) as caught:
        households_import_plan(actor=county_admin, source=path, year=2024)
    assert caught.value.rule == "html" and "网页（HTML）" in caught.value.message
