"""The downloadable error report: the file's header and its bad rows as they were (an ID number stored as a
number stays a number, dates stay dates), each with what is wrong; readable by Excel's readers; linear in rows."""

import datetime as dt
import time

import openpyxl
import pytest
import python_calamine

from bangfu.ingest.households import households_import_plan
from bangfu.ingest.report import error_report_write
from tests.conftest import synthetic_id

pytestmark = pytest.mark.django_db


def _ledger(tmp_path, rows):
    workbook = openpyxl.Workbook()
    workbook.active.title = "台账&<成员>"
    workbook.active.append(["户编号", "村", "姓名", "与户主关系", "证件号码", "出生日期", "工资性收入"])
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / "ledger.xlsx"
    workbook.save(path)
    return path


def test_the_report_holds_each_bad_row_as_it_was_with_its_errors(county_admin, tmp_path):
    good = synthetic_id()
    born = dt.datetime.strptime(good[6:14], "%Y%m%d").date()  # the birth date the ID number carries
    path = _ledger(tmp_path, [
        ["5132251032139001", "团结村", "张三", "户主", good, born, "1E+30"],
        ["5132251032139002", "团结村", "李四", "户主", 5.13225198e17, dt.date(1982, 2, 2), 5000],
        ["5132251032139003", "团结村", "王<五>&", "户主", "51322519800101001", None, 10],
    ])
    plan = households_import_plan(actor=county_admin, source=path, year=2024)
    report = tmp_path / "report.xlsx"
    error_report_write(report, plan)
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["导入检查", "错误-台账&<成员>"]
    assert [c.value for c in book["导入检查"]["A"]][:2] == ["文件", "新户"]
    sheet = book["错误-台账&<成员>"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("原行号", "户编号", "村") and rows[0][-1] == "错误说明"
    assert [r[0] for r in rows[1:]] == [2, 3, 4]
    assert "「工资性收入」" in rows[1][-1]
    second = rows[2]
    assert second[5] == 5.13225198e17                        # the ID number as the number the file held
    assert second[6] == dt.datetime(1982, 2, 2)             # a date stays a date
    assert "「证件号码」" in second[-1]
    assert rows[3][3] == "王<五>&"                           # escaped on the way, read back as written
    assert sheet.freeze_panes == "B2"
    with python_calamine.CalamineWorkbook.from_path(str(report)) as again:  # and the project's own reader
        assert again.sheet_names == ["导入检查", "错误-台账&<成员>"]


def test_the_report_is_linear_in_rows(county_admin, tmp_path):
    """Eight times the rows take about eight times the time, not sixty-four (the old report rebuilt a set per error
    row); the best of two runs of each, in CPU time, against a shared machine's noise."""
    def seconds(n):
        path = _ledger(tmp_path, [[f"51322510321{i:05d}", "团结村", f"成员{i}", "户主", "51322519800101001X", None, 1]
                                  for i in range(n)])
        plan = households_import_plan(actor=county_admin, source=path, year=2024)
        assert len({e.row for e in plan.errors}) == n
        times = []
        for attempt in range(2):
            started = time.process_time()
            error_report_write(tmp_path / f"r{n}-{attempt}.xlsx", plan)
            times.append(time.process_time() - started)
        return min(times)

    small, large = seconds(2000), seconds(16000)
    assert large < small * 24
