"""A department file's rows checked for sense (issue 15 item 6): each rule at its boundary on both sides, with a
control row that passes. A row that breaks one is a row problem naming row, column and rule, and is not written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from bangfu.accounts.models import Throttle
from bangfu.monitoring.feed_import import feed_file_check, feed_upload_commit
from bangfu.monitoring.models import FeedRow
from tests.conftest import TUANJIE, make_user
from tests.monitoring.factories import head

pytestmark = pytest.mark.django_db

HEADER = "姓名,身份证号,入院日期,出院日期,医疗总费用,基本医保支付,个人自付"
TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def person(make_household):
    member = head(make_household(TUANJIE))
    return member.name, member.reveal_id_number()


def _check(tmp_path, person, *rows, actor, period="2026-11", name=None, header=HEADER):
    """A 医保 file of the person's rows: (admitted, discharged, total, basic, out_of_pocket)."""
    lines = [header] + [",".join([name or person[0], person[1], *map(str, row)]) for row in rows]
    path = tmp_path / "医保.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return feed_file_check(actor=actor, kind="medical", period=period, path=path, today=TODAY)


def _rules(report) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.rule) for e in report.errors]


def test_control_row_passes(tmp_path, person, county_admin):
    report = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 1000, 4000), actor=county_admin)
    assert (report.matched, report.errors) == (1, [])


def test_discharge_on_the_day_of_admission_passes_one_day_before_is_refused(tmp_path, person, county_admin):
    same_day = _check(tmp_path, person, ("2026-11-05", "2026-11-05", 5000, 0, 100), actor=county_admin)
    assert (same_day.matched, same_day.errors) == (1, [])
    before = _check(tmp_path, person, ("2026-11-05", "2026-11-04", 5000, 0, 100), actor=county_admin)
    assert (before.matched, before.invalid) == (0, 1)
    assert _rules(before) == [(2, "出院日期", "date_order")]
    assert "出院日期 2026-11-04 早于入院日期 2026-11-05" in before.errors[0].message


def test_out_of_pocket_equal_to_the_total_passes_one_yuan_over_is_refused(tmp_path, person, county_admin):
    equal = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, "", 5000), actor=county_admin)
    assert (equal.matched, equal.errors) == (1, [])
    over = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, "", 5001), actor=county_admin)
    assert _rules(over) == [(2, "个人自付", "part_over_total")] and over.matched == 0
    assert "个人自付 5,001 元超过医疗总费用 5,000 元" in over.errors[0].message
    tenfold = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 4100, "", 41000), actor=county_admin)
    assert _rules(tenfold) == [(2, "个人自付", "part_over_total")]


def test_parts_that_add_up_to_the_total_pass_one_yuan_more_is_refused(tmp_path, person, county_admin):
    exact = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 3000, 2000), actor=county_admin)
    assert (exact.matched, exact.errors) == (1, [])
    over = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 3000, 2001), actor=county_admin)
    assert _rules(over) == [(2, "个人自付", "parts_over_total")]
    assert "基本医保支付、个人自付合计 5,001 元，超过医疗总费用 5,000 元" in over.errors[0].message


def test_a_date_on_the_months_last_day_passes_the_next_day_is_refused(tmp_path, person, county_admin):
    last = _check(tmp_path, person, ("2026-11-30", "2026-11-30", 5000, 0, 100), actor=county_admin)
    assert (last.matched, last.errors) == (1, [])
    next_month = _check(tmp_path, person, ("2026-11-30", "2026-12-01", 5000, 0, 100), actor=county_admin)
    assert _rules(next_month) == [(2, "出院日期", "date_after_period")]
    assert "出院日期 2026-12-01 晚于数据月份 2026-11 的最后一天（2026-11-30）" in next_month.errors[0].message
    far = _check(tmp_path, person, ("2036-11-01", "2036-11-09", 5000, 0, 100), actor=county_admin)
    assert _rules(far) == [(2, "入院日期", "date_after_period"), (2, "出院日期", "date_after_period")]


def test_a_date_after_today_in_this_months_file_is_refused(tmp_path, person, county_admin):
    today = _check(tmp_path, person, ("2026-12-07", "2026-12-07", 5000, 0, 100), actor=county_admin,
                   period="2026-12")
    assert (today.matched, today.errors) == (1, [])
    tomorrow = _check(tmp_path, person, ("2026-12-07", "2026-12-08", 5000, 0, 100), actor=county_admin,
                      period="2026-12")
    assert _rules(tomorrow) == [(2, "出院日期", "date_future")]


def test_a_name_that_is_not_the_registrys_names_both(tmp_path, person, county_admin):
    dotted = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 0, 100), actor=county_admin,
                    name=person[0].replace("户", "户 "))  # spaces and dot variants are the same name
    assert (dotted.matched, dotted.errors) == (1, [])
    other = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 0, 100), actor=county_admin, name="王五")
    assert _rules(other) == [(2, "姓名", "name_mismatch")] and (other.matched, other.invalid) == (0, 1)
    assert f"姓名“王五”与该身份证号登记的姓名“{person[0]}”不一致" in other.errors[0].message


def test_an_identical_row_is_reported_and_counted_once(tmp_path, person, county_admin):
    stay = ("2026-11-01", "2026-11-09", 20000, 6000, 14000)
    path = tmp_path / "医保.csv"
    path.write_text("\n".join([HEADER] + [",".join([*person, *map(str, row)]) for row in (
        stay, stay, ("2026-11-01", "2026-11-09", 20000, 6000, 13999))]) + "\n", encoding="utf-8")
    upload, report = feed_upload_commit(actor=county_admin, kind="medical", period="2026-11", path=path,
                                        file_name="医保.csv")
    assert (report.rows, report.matched, report.duplicates) == (3, 2, 1)  # a different amount is another row
    assert _rules(report) == [(3, "", "duplicate_row")] and "与第2行完全相同" in report.errors[0].message
    assert sorted(FeedRow.objects.values_list("amount5", flat=True)) == [1_399_900, 1_400_000]
    assert upload.duplicates == 1


def test_name_mismatches_count_toward_the_hourly_limit_for_a_clerk(tmp_path, person, regions, settings):
    """A wrong name returns the registered one: a clerk who cannot read the registry may learn that only as
    often as the household import's duplicate-ID check allows; past it the whole preview is refused."""
    settings.DUPLICATE_CHECK_LIMIT = 2
    clerk = make_user("yibao", "department_operator", "513225000000")
    first = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 0, 100), actor=clerk, name="王五")
    assert _rules(first) == [(2, "姓名", "name_mismatch")]
    assert Throttle.objects.get(key=f"dupcheck:{clerk.pk}").count == 1
    right = _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 0, 100), actor=clerk)
    assert right.matched == 1 and Throttle.objects.get(key=f"dupcheck:{clerk.pk}").count == 1  # a right name: no
    with pytest.raises(ValidationError) as caught:
        _check(tmp_path, person, *[("2026-11-01", "2026-11-09", 5000, 0, 100 + n) for n in range(2)], actor=clerk,
               name="王五")
    assert "已暂时锁定" in caught.value.messages[0]
    with pytest.raises(ValidationError):  # locked: refused before any number is looked up
        _check(tmp_path, person, ("2026-11-01", "2026-11-09", 5000, 0, 100), actor=clerk)


@pytest.mark.parametrize("date1904", [True, False])
def test_date_serials_count_from_the_workbooks_own_day_zero(tmp_path, person, county_admin, date1904):
    """Dates that lost their date format are plain serial numbers; a 1904 workbook (Excel for Mac, some WPS
    exports) counts them from 1904-01-01. Read as 1900 serials they would be four years and a day late."""
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    book = Workbook()
    book.epoch = epoch
    sheet = book.active
    sheet.append(HEADER.split(","))
    admitted, discharged = ((dt.date(2026, 11, d) - epoch.date()).days for d in (5, 9))
    sheet.append([person[0], person[1], admitted, discharged, 5000, 1000, 4000])
    path = tmp_path / "医保.xlsx"
    book.save(path)
    upload, report = feed_upload_commit(actor=county_admin, kind="medical", period="2026-11", path=path,
                                        file_name="医保.xlsx")
    assert (report.matched, report.errors) == (1, [])
    assert list(FeedRow.objects.values_list("date1", "date2")) == [(dt.date(2026, 11, 5), dt.date(2026, 11, 9))]


# The hospital system's own words for the columns: each message names them as the file does (the reader folds
# full-width brackets, so 医疗总费用（元） reads 医疗总费用(元), as the problem's column does).
OWN_HEADER = "姓名,身份证号,入院时间,出院时间,医疗总费用（元）,统筹支付,个人自付"


@pytest.mark.parametrize(("row", "column", "rule", "words"), [
    (("2026-11-05", "2026-11-04", 5000, 0, 100), "出院时间", "date_order", "出院时间 2026-11-04 早于入院时间 2026-11-05"),
    (("2026-11-30", "2026-12-01", 5000, 0, 100), "出院时间", "date_after_period",
     "出院时间 2026-12-01 晚于数据月份 2026-11 的最后一天"),
    (("2026-12-06", "2026-12-08", 5000, 0, 100), "出院时间", "date_future", "出院时间 2026-12-08 晚于今天（2026-12-07）"),
    (("2026-11-01", "2026-11-09", 5000, "", 5001), "个人自付", "part_over_total",
     "个人自付 5,001 元超过医疗总费用(元) 5,000 元"),
    (("2026-11-01", "2026-11-09", 5000, 3000, 2001), "个人自付", "parts_over_total",
     "统筹支付、个人自付合计 5,001 元，超过医疗总费用(元) 5,000 元"),
], ids=["date_order", "date_after_period", "date_future", "part_over_total", "parts_over_total"])
def test_a_problem_names_its_columns_by_the_files_own_headers(tmp_path, person, county_admin, row, column, rule,
                                                             words):
    period = "2026-12" if rule == "date_future" else "2026-11"
    report = _check(tmp_path, person, row, actor=county_admin, header=OWN_HEADER, period=period)
    assert _rules(report)[-1] == (2, column, rule)
    message = report.errors[-1].message
    assert words in message
    assert not any(label in message for label in ("出院日期", "入院日期", "基本医保支付", "医疗总费用 "))
