"""A department file with a tenth of its rows bad and some people from outside the county: the preview writes
nothing and reports every other row with its reason; the commit writes the good rows only."""

import datetime as dt

import pytest
import xlsxwriter
from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.core.id_number import make_id_number
from bangfu.monitoring.feed_import import FeedFileError, feed_file_check, feed_upload_commit
from bangfu.monitoring.models import FeedRow, FeedUpload
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE, make_user
from tests.monitoring.factories import head

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "患者姓名", "公民身份号码", "入院时间", "出院时间", "住院总费用", "统筹支付", "个人自付金额", "医院名称"]


def _write(path, rows, *, title_rows=2):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("住院结算")
    for r in range(title_rows):
        sheet.write_string(r, 0, "九寨沟县2025年5月脱贫人口及监测对象住院结算明细" if r == 0 else "填报单位：县医保局")
    for c, header in enumerate(HEADERS):
        sheet.write_string(title_rows, c, header)
    for r, row in enumerate(rows, start=title_rows + 1):
        for c, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    workbook.close()
    return path


@pytest.fixture
def county_file(tmp_path, make_household):
    """20 rows: 16 good (one a 漳扎 person), 2 invalid, 2 people registered nowhere in the county."""
    households = [make_household(TUANJIE) for _ in range(15)] + [make_household(ZHANGZHA_VILLAGE)]
    rows = []
    for n, household in enumerate(households, start=1):
        rows.append([n, "测试户主", head(household).reveal_id_number(), "2025-05-01", "2025/5/9", 20000, 8000,
                     f"{1000 + n}.50", "县人民医院"])
    rows.append([17, "坏日期", head(households[0]).reveal_id_number(), "2025-02-30", "2025-05-09", 1, 1, 1, ""])
    rows.append([18, "坏号码", "51322519800101123", "2025-05-01", "2025-05-09", 1, 1, 1, ""])
    for n in (19, 20):
        rows.append([n, "外县", make_id_number("510104", dt.date(1970, 1, n), 11), "2025-05-01", "2025-05-09",
                     500, 100, 400, ""])
    return _write(tmp_path / "医保5月.xlsx", rows), households


def test_preview_reports_every_bad_row_and_writes_nothing(county_file, county_admin):
    path, _ = county_file
    report = feed_file_check(actor=county_admin, kind="medical", period="2025-05", path=path)
    assert not FeedUpload.objects.exists() and not FeedRow.objects.exists()
    assert (report.rows, report.matched, report.unmatched, report.invalid) == (20, 16, 2, 2)
    by_row = {error.row: error for error in report.errors}
    assert set(by_row) == {20, 21, 22, 23}  # two title rows, the header on row 3, data from row 4
    assert by_row[20].column == "入院时间" and "不是存在的日期" in by_row[20].message
    assert by_row[21].column == "公民身份号码" and "身份证号" in by_row[21].message
    assert by_row[22].column == "公民身份号码" and "未匹配" in by_row[22].message
    assert report.as_dict()["errors"][0] == {"sheet": "住院结算", "row": 20, "column": "入院时间", "rule": "date",
                                             "message": by_row[20].message}


def test_commit_writes_the_good_rows_only(county_file, county_admin):
    path, households = county_file
    upload, report = feed_upload_commit(actor=county_admin, kind="medical", period="2025-05", path=path,
                                        file_name="医保5月.xlsx")
    assert FeedRow.objects.filter(upload=upload).count() == 16
    row = FeedRow.objects.get(upload=upload, household=households[0])
    assert (row.date1, row.date2, row.amount1, row.amount2, row.amount5, row.text) == (
        dt.date(2025, 5, 1), dt.date(2025, 5, 9), 2_000_000, 800_000, 100_150, "县人民医院")
    assert (upload.uploaded_by, upload.rows, upload.matched, upload.unmatched, upload.invalid) == (
        county_admin, 20, 16, 2, 2)
    assert len(upload.errors) == 4


def test_the_uploader_matches_only_within_jurisdiction(county_file, regions):
    path, _ = county_file
    township_operator = make_user("op", "department_operator", "513225103000")  # 双河镇 only
    report = feed_file_check(actor=township_operator, kind="medical", period="2025-05", path=path)
    assert (report.matched, report.unmatched) == (15, 3)
    message = next(e.message for e in report.errors if e.row == 19)  # the 漳扎 person
    assert "未匹配" in message and "漳扎" not in message  # the report does not say where the person lives


def test_refusals(county_file, tuanjie_cadre, county_admin, tmp_path):
    path, _ = county_file
    with pytest.raises(PermissionDenied):
        feed_file_check(actor=tuanjie_cadre, kind="medical", period="2025-05", path=path)
    with pytest.raises(ValidationError) as caught:
        feed_file_check(actor=county_admin, kind="medical", period="2025-13", path=path)
    assert "period" in caught.value.message_dict
    with pytest.raises(ValidationError):
        feed_file_check(actor=county_admin, kind="weather", period="2025-05", path=path)
    no_header = tmp_path / "x.csv"
    no_header.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FeedFileError):
        feed_file_check(actor=county_admin, kind="medical", period="2025-05", path=no_header)
    assert not FeedUpload.objects.exists()


def test_csv_in_gb18030_with_another_header_synonym(tmp_path, make_household, county_admin):
    household = make_household(TUANJIE)
    text = f"学生姓名,学生身份证号,学籍状态,就读学校\n测试户主,{head(household).reveal_id_number()},辍学,县中学\n"
    path = tmp_path / "控辍保学.csv"
    path.write_bytes(text.encode("gb18030"))
    report = feed_file_check(actor=county_admin, kind="education", period="2025-09", path=path)
    assert (report.rows, report.matched, report.errors) == (1, 1, [])
    assert report.good[0]["code1"] == "dropout" and report.good[0]["text"] == "县中学"


def test_a_month_sent_again_replaces_the_earlier_rows(county_file, county_admin):
    path, _ = county_file
    first, _ = feed_upload_commit(actor=county_admin, kind="medical", period="2025-05", path=path, file_name="a.xlsx")
    second, _ = feed_upload_commit(actor=county_admin, kind="medical", period="2025-05", path=path, file_name="b.xlsx")
    assert FeedRow.objects.count() == 16 and set(FeedRow.objects.values_list("upload", flat=True)) == {second.pk}
    assert FeedUpload.objects.count() == 2  # the history keeps both files
    feed_upload_commit(actor=county_admin, kind="medical", period="2025-06", path=path, file_name="c.xlsx")
    assert FeedRow.objects.count() == 32  # another month adds


def test_a_county_s_file_replaces_only_that_county_s_month(county_file, county_admin, tmp_path):
    """Two counties send the same kind and month: neither removes the other's rows (the province's store holds
    both), each one's second file replaces its own; a file committed with no user (`bangfu import feed`, the
    whole database's matching) replaces the whole month."""
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load
    from bangfu.registry.services import household_create, member_add
    from tests.accounts.conftest import JINAN_COMMUNITY, SONGPAN, SONGPAN_ROWS
    from tests.conftest import synthetic_id

    regions_load(text=SONGPAN_ROWS)
    songpan_admin = make_user("songpan_admin", "county_admin", SONGPAN)
    songpan_clerk = make_user("songpan_clerk", "department_operator", SONGPAN)
    household = household_create(actor=songpan_admin, data={"number": "", "village": Region.objects.get(
        code=JINAN_COMMUNITY)}, phone="10012345678")
    member_add(actor=songpan_admin, household=household, data={"name": "松潘户主", "relation": "head"},
               id_number=synthetic_id())
    songpan_file = _write(tmp_path / "松潘医保5月.xlsx", [
        [1, "松潘户主", head(household).reveal_id_number(), "2025-05-02", "2025-05-08", 9000, 3000, 2000, "县医院"]])
    jiuzhaigou_file, _ = county_file

    feed_upload_commit(actor=county_admin, kind="medical", period="2025-05", path=jiuzhaigou_file, file_name="a.xlsx")
    feed_upload_commit(actor=songpan_clerk, kind="medical", period="2025-05", path=songpan_file, file_name="b.xlsx")
    assert FeedRow.objects.filter(household=household).count() == 1
    assert FeedRow.objects.count() == 17  # 九寨沟's 16 kept beside 松潘's one
    feed_upload_commit(actor=songpan_clerk, kind="medical", period="2025-05", path=songpan_file, file_name="c.xlsx")
    feed_upload_commit(actor=county_admin, kind="medical", period="2025-05", path=jiuzhaigou_file, file_name="d.xlsx")
    assert FeedRow.objects.count() == 17  # each county's own month replaced, not doubled
    assert set(FeedUpload.objects.filter(feed_rows__isnull=False).values_list("file_name", flat=True)) == {
        "c.xlsx", "d.xlsx"}
    feed_upload_commit(actor=None, kind="medical", period="2025-05", path=songpan_file, file_name="e.xlsx")
    assert list(FeedRow.objects.values_list("household", flat=True)) == [household.pk]
