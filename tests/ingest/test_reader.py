"""The shared reader: header below title rows, two-row headers, merged cells, totals, blank and hidden rows and
columns, full-width text, CSV encodings. Each workbook is made by openpyxl and read as .xlsx, .xls and .ods."""

import datetime as dt

import openpyxl
import pytest

from bangfu.ingest.kinds import Field, ImportKind
from bangfu.ingest.reader import ReadError, read_workbook
from tests.ingest.workbooks import in_formats

KIND = ImportKind("people", "测试", (
    Field("number", "户编号", ("户号",), "household", True),
    Field("village", "村（社区）", ("村", "行政村", "所在村"), "household"),
    Field("name", "姓名", ("成员姓名",), "member", True),
    Field("id_number", "证件号码", ("身份证号", "公民身份号码"), "member", True),
    Field("wage_income", "工资性收入", (), "income"),
    Field("business_income", "生产经营性收入", ("经营性收入",), "income"),
    Field("identified_month", "识别监测时间", (), "household"),
))
FORMATS = ["xlsx", "xls", "ods"]


def _ledger(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["九寨沟县双河镇2024年防返贫监测对象台账"])
    ws.merge_cells("A1:G1")
    ws.append(["填报单位：双河镇人民政府（盖章）", None, None, None, "填报日期：2024年6月"])
    ws.append(["户编号", "村", "成员信息", None, "收入情况", None, "识别监测时间"])
    ws.append([None, None, "姓名", "身份证号", "工资性收入", "经营性收入", None])
    for cells in ("A3:A4", "B3:B4", "C3:D3", "E3:F3", "G3:G4"):
        ws.merge_cells(cells)
    ws.append(["H001", "团结村", "张　三 ", "513225198001010011", "1,200元", 3000, "2022.6"])
    ws.append([None, None, "李四", "５１３２２５１９８２０２０２００２２", None, None, None])
    ws.merge_cells("A5:A6")
    ws.merge_cells("B5:B6")
    ws.append([])
    ws.append(["小计", None, None, None, 1200, 3000, None])
    ws.append(["H002", " 双河镇 团结村 ", "王五", 5.13225198e17, "1.2万", None, dt.date(2023, 1, 5)])
    ws.append(["合 计", None, None, None, 13200, 3000, None])
    ws.append(["填表人：赵六", None, None, None, "审核人：钱七"])
    path = tmp_path / "ledger.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_title_rows_two_row_header_merged_cells_and_totals(tmp_path, fmt):
    path = in_formats(_ledger(tmp_path), fmt)
    book = read_workbook(path, kind=KIND)
    (sheet,) = book.sheets
    assert sheet.name == "台账"
    assert sheet.header_rows == (3, 4)
    assert [c.key for c in sheet.columns] == ["number", "village", "name", "id_number", "wage_income",
                                              "business_income", "identified_month"]
    assert sheet.columns[4].header == "收入情况/工资性收入"
    assert [r.number for r in sheet.rows] == [5, 6, 9]
    assert sheet.skipped == {"blank": 1, "totals": 2, "footer": 1}
    first, second, third = sheet.rows
    assert first.values["name"] == "张三" and first.values["wage_income"] == "1,200元"
    assert second.values["id_number"] == "513225198202020022"   # full-width digits normalised
    assert second.values["number"] == "H001" and second.values["village"] == "团结村"  # .ods too (content.xml)
    assert third.values["village"] == "双河镇团结村"
    assert isinstance(third.values["id_number"], float)  # left as the cell holds it, for the ID parser to refuse


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_hidden_rows_and_columns_are_read_and_counted(tmp_path, fmt):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户编号", "姓名", "身份证号", "备用"])
    ws.append(["H1", "甲", "513225198001010011", "x"])
    ws.append(["H2", "乙", "513225198202020022", "y"])
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["D"].hidden = True
    path = tmp_path / "hidden.xlsx"
    wb.save(path)
    (sheet,) = read_workbook(in_formats(path, fmt), kind=KIND).sheets
    assert [r.values["name"] for r in sheet.rows] == ["甲", "乙"]
    assert sheet.hidden_rows == 1
    assert [(c.header, c.hidden) for c in sheet.unknown_columns] == [("备用", True)]


def test_blank_columns_and_leading_blank_rows(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C4"] = "户编号"
    ws["E4"] = "姓名"
    ws["F4"] = " 公民身份\n号码 "
    ws["C5"], ws["E5"], ws["F5"] = "H1", "甲", "513225198001010011"
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    (sheet,) = read_workbook(path, kind=KIND).sheets
    assert sheet.header_rows == (4,)
    assert sheet.rows[0].number == 5 and sheet.rows[0].values == {
        "number": "H1", "name": "甲", "id_number": "513225198001010011"}
    assert sheet.header_of("id_number") == "公民身份号码"


def test_mapping_overrides_and_ignores(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["户编号", "姓名", "身份证号", "务工收入", "备注"])
    ws.append(["H1", "甲", "513225198001010011", 800, "无"])
    path = tmp_path / "map.xlsx"
    wb.save(path)
    (sheet,) = read_workbook(path, kind=KIND).sheets
    assert [c.header for c in sheet.unknown_columns] == ["务工收入", "备注"]
    (sheet,) = read_workbook(path, kind=KIND, mapping={"务工收入": "wage_income", "备注": ""}).sheets
    assert sheet.unknown_columns == [] and sheet.rows[0].values["wage_income"] == 800
    assert sheet.shape == "户编号|姓名|身份证号|务工收入|备注"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path, encoding):
    path = tmp_path / "people.csv"
    path.write_text("九寨沟县台账\n户编号,姓名,身份证号\nH1,张三,513225198001010011\n合计,,\n", encoding=encoding)
    (sheet,) = read_workbook(path, kind=KIND).sheets
    assert sheet.header_rows == (2,)
    assert [r.values for r in sheet.rows] == [{"number": "H1", "name": "张三", "id_number": "513225198001010011"}]
    assert sheet.skipped["totals"] == 1


def test_sheets_without_a_header_are_skipped_and_a_file_without_any_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表由村委会填写"])
    data = wb.create_sheet("成员")
    data.append(["户编号", "姓名", "身份证号"])
    data.append(["H1", "甲", "513225198001010011"])
    hidden = wb.create_sheet("旧表")
    hidden.append(["户编号", "姓名", "身份证号"])
    hidden.sheet_state = "hidden"
    path = tmp_path / "sheets.xlsx"
    wb.save(path)
    book = read_workbook(path, kind=KIND)
    assert [s.name for s in book.sheets] == ["成员"] and book.skipped_sheets == ["说明"]
    only_notes = openpyxl.Workbook()
    only_notes.active.append(["说明"])
    only_notes.save(tmp_path / "notes.xlsx")
    with pytest.raises(ReadError) as caught:
        read_workbook(tmp_path / "notes.xlsx", kind=KIND)
    assert caught.value.rule == "no_header" and "户编号" in caught.value.message


def test_wrong_file_type_and_damaged_file(tmp_path):
    (tmp_path / "a.docx").write_bytes(b"PK")
    with pytest.raises(ReadError) as caught:
        read_workbook(tmp_path / "a.docx", kind=KIND)
    assert caught.value.rule == "file_type"
    (tmp_path / "b.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ReadError) as caught:
        read_workbook(tmp_path / "b.xlsx", kind=KIND)
    assert caught.value.rule == "unreadable" and "已损坏" in caught.value.message
