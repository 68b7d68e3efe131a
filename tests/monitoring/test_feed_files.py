"""Department files as departments send them, through the shared reader: amounts under a header with a unit stored
in yuan, date-times, subtotal rows, CSV in GB18030 with a BOM or with semicolons, files that are no table answered
in Chinese, and the three hostile files refused by the upload page and the command with the limit's message."""

import io
import json

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from bangfu.monitoring.feed_import import FeedFileError, feed_file_check
from tests.conftest import TUANJIE
from tests.ingest import hostile
from tests.monitoring.factories import head

pytestmark = pytest.mark.django_db


def _write(path, headers, rows, *, group=None):
    """A medical file as XlsxWriter writes it; `group` = (first column, last column, label) merged above."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("住院结算")
    top = 0
    if group:
        first, last, label = group
        sheet.merge_range(0, first, 0, last, label)
        top = 1
    for c, header in enumerate(headers):
        sheet.write_string(top, c, header)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    workbook.close()
    return path


@pytest.fixture
def people(make_household):
    return [head(make_household(TUANJIE)).reveal_id_number() for _ in range(3)]


def test_amounts_under_a_header_in_wan_yuan_are_stored_in_yuan(tmp_path, people, county_admin):
    path = _write(tmp_path / "医保.xlsx", ["姓名", "公民身份号码", "入院时间", "出院时间", "医疗总费用（万元）", "个人自付（元）"],
                  [["测试户主", people[0], "2026-10-05 08:30:00", "2026-10-09 16:00:00", 1.2, 3000]])
    report = feed_file_check(actor=county_admin, kind="medical", period="2026-10", path=path)
    assert report.errors == [] and report.matched == 1
    (row,) = report.good
    assert row["amount1"] == 1_200_000 and row["amount5"] == 300_000  # cents: 12,000 元 and 3,000 元
    assert str(row["date1"]) == "2026-10-05"


def test_amounts_under_a_group_header_with_a_unit(tmp_path, people, county_admin):
    path = _write(tmp_path / "医保.xlsx", ["姓名", "公民身份号码", "入院时间", "出院时间", "医疗总费用", "个人自付"],
                  [["测试户主", people[0], "2026-10-05", "2026-10-09", 0.8, 0.15]], group=(4, 5, "费用情况（万元）"))
    report = feed_file_check(actor=county_admin, kind="medical", period="2026-10", path=path)
    assert report.errors == []
    assert (report.good[0]["amount1"], report.good[0]["amount5"]) == (800_000, 150_000)


def test_subtotal_rows_and_impossible_amounts(tmp_path, people, county_admin):
    path = _write(tmp_path / "医保.xlsx", ["姓名", "公民身份号码", "入院时间", "出院时间", "医疗总费用", "个人自付"], [
        ["测试户主", people[0], "2026-10-05", "2026-10-09", 1000, 100],
        ["测试户主", people[1], "2026-10-06", "2026-10-09", 2000, 200],
        ["本页小计", None, None, None, 3000, 300],
        [None, None, None, None, 3000, 300],
        ["丙", people[2], "2026-10-06", "2026-10-09", "1E+30", "inf"],
    ])
    report = feed_file_check(actor=county_admin, kind="medical", period="2026-10", path=path)
    assert (report.rows, report.matched, report.invalid) == (3, 2, 1)
    assert {(e.row, e.column) for e in report.errors} == {(6, "医疗总费用"), (6, "个人自付")}


@pytest.mark.parametrize(("bom", "separator"), [(b"\x84\x31\x95\x33", ","), (b"", ";"), (b"", "\t")])
def test_csv_in_gb18030_with_a_bom_or_semicolons(tmp_path, people, county_admin, bom, separator):
    lines = [["姓名", "公民身份号码", "入院日期", "出院日期", "医疗总费用", "个人自付"],
             ["测试户主", people[0], "2026/10/5 8:30", "2026/10/9", "1200", "300"]]
    path = tmp_path / "医保.csv"
    path.write_bytes(bom + "\r\n".join(separator.join(line) for line in lines).encode("gb18030"))
    report = feed_file_check(actor=county_admin, kind="medical", period="2026-10", path=path)
    assert report.errors == [] and report.matched == 1


@pytest.mark.parametrize(("content", "words"), [
    (b"<html><body><table><tr><td>x</td></tr></table></body></html>", "网页（HTML）"),
    (b"", "空的"),
    (b"%PDF-1.7\n", "PDF文档"),
])
def test_files_that_are_no_table_are_named_in_chinese(tmp_path, county_admin, content, words):
    path = tmp_path / "医保.xls"
    path.write_bytes(content)
    with pytest.raises(FeedFileError) as caught:
        feed_file_check(actor=county_admin, kind="medical", period="2026-10", path=path)
    assert words in caught.value.message


@pytest.mark.parametrize("name", list(hostile.HOSTILE))
def test_the_upload_page_refuses_a_hostile_file_with_its_message(client, county_admin, tmp_path, name,
                                                                 django_capture_on_commit_callbacks):
    """The request only keeps the file; the background preview refuses it and the run's page says why."""
    from bangfu.ingest.models import ImportRun

    path = hostile.HOSTILE[name](tmp_path / f"{name}.xlsx")
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:feed_upload"), {
            "kind": "medical", "period": "2026-10", "file": SimpleUploadedFile("医保.xlsx", path.read_bytes())})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.job.status == "failed"
    page = client.get(reverse("monitoring:feed_run", args=[run.pk])).content.decode()
    assert "超过上限" in page and ("BANGFU_IMPORT_MAX_CELLS" in page or "BANGFU_IMPORT_MAX_UNPACKED_MB" in page)


@pytest.mark.parametrize("name", list(hostile.HOSTILE))
def test_the_feed_command_refuses_a_hostile_file_with_its_message(tmp_path, name, regions):
    path = hostile.HOSTILE[name](tmp_path / f"{name}.xlsx")
    out = io.StringIO()
    with pytest.raises(SystemExit) as ended:
        call_command("import_data", "feed", "--kind", "medical", str(path), "--period", "2026-10", "--json",
                     stdout=out)
    assert ended.value.code == 1
    (error,) = json.loads(out.getvalue())["errors"]
    assert "超过上限" in error["message"]
