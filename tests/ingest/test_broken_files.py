"""A workbook saved with an opening password, one whose copy stopped part-way and one whose sheet ends mid-way,
through both imports as users meet them: the household import (plan, page) and the department-file import
(check, upload page). Each is refused with a Chinese message saying what the file is and what to do, no word from a
library, and nothing is written. The commands: tests/cli/test_broken_files_commands.py."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.ingest.households import HOUSEHOLDS, households_import_plan
from bangfu.ingest.models import ImportRun
from bangfu.ingest.reader import ReadError, read_workbook
from bangfu.monitoring.feed_import import FeedFileError, feed_file_check
from bangfu.monitoring.models import FeedRow, FeedUpload
from bangfu.registry.models import Household, Member
from tests.conftest import synthetic_id
from tests.ingest import broken

LEDGER = [["户编号", "村", "姓名", "与户主关系", "证件号码"]] + [
    [f"51322510321390{i:02d}", "团结村", f"张{i}", "户主", synthetic_id(f"198001{i + 1:02d}")] for i in range(20)]
FEED = [["身份证号码", "姓名", "入院日期", "出院日期", "医疗总费用", "个人自付"]] + [
    [synthetic_id(f"197001{i + 1:02d}"), f"李{i}", "2026-10-01", "2026-10-05", 3000, 1000] for i in range(20)]
# (file, rule, what the message says the file is, what it tells the user to do)
CASES = [
    ("password_protected", "password", "设置了打开密码", "取消密码"),
    ("cut_short", "zip_damaged", "已损坏（压缩结构不完整", "重新拷贝"),
    ("sheet_cut_mid_way", "unreadable", "已损坏", "另存为"),
]
PRODUCT_WORDS = {"Excel", "WPS", "xlsx"}  # the only Latin words a user may read in these messages


def _file(tmp_path, case: str, rows) -> Path:
    if case == "password_protected":
        return broken.password_protected(tmp_path / "台账.xlsx")
    return getattr(broken, case)(tmp_path / "台账.xlsx", broken.ledger(tmp_path / "完整.xlsx", rows))


def assert_chinese(message: str, says: str, advice: str) -> None:
    assert says in message and advice in message, message
    assert set(re.findall(r"[A-Za-z]+", message)) <= PRODUCT_WORDS, message


def test_the_fixtures_are_what_they_claim(tmp_path):
    """The whole ledger reads; the cut copies are shorter than it; the password file is a compound file."""
    whole = broken.ledger(tmp_path / "完整.xlsx", LEDGER)
    (sheet,) = read_workbook(whole, kind=HOUSEHOLDS).sheets
    assert len(sheet.rows) == 20
    assert broken.cut_short(tmp_path / "c.xlsx", whole).stat().st_size < whole.stat().st_size
    assert broken.password_protected(tmp_path / "p.xlsx").read_bytes().startswith(b"\xd0\xcf\x11\xe0")


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "rule", "says", "advice"), CASES)
def test_the_household_import_refuses_and_writes_nothing(county_admin, tmp_path, case, rule, says, advice):
    path = _file(tmp_path, case, LEDGER)
    with pytest.raises(ReadError) as caught:
        households_import_plan(actor=county_admin, source=path, year=2024)
    assert caught.value.rule == rule
    assert_chinese(caught.value.message, says, advice)
    assert not Household.objects.exists() and not Member.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "rule", "says", "advice"), CASES)
def test_the_household_import_page_shows_the_message(client, tuanjie_cadre, tmp_path, case, rule, says, advice,
                                                     django_capture_on_commit_callbacks):
    path = _file(tmp_path, case, LEDGER)
    client.force_login(tuanjie_cadre)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ingest:import_start"),
                               {"file": SimpleUploadedFile("台账.xlsx", path.read_bytes()), "year": 2024})
    assert response.status_code == 302
    run = ImportRun.objects.latest("pk")
    assert run.job.status == run.job.Status.FAILED
    page = client.get(reverse("ingest:import_detail", args=[run.pk])).content.decode()
    assert says in page and advice in page
    assert_chinese(run.job.message, says, advice)
    assert not Household.objects.exists() and not Member.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "rule", "says", "advice"), CASES)
def test_the_department_file_check_refuses_with_the_message(regions, tmp_path, case, rule, says, advice):
    path = _file(tmp_path, case, FEED)
    with pytest.raises(FeedFileError) as caught:
        feed_file_check(actor=None, kind="medical", period="2026-11", path=path)
    assert_chinese(caught.value.message, says, advice)
    assert not FeedUpload.objects.exists() and not FeedRow.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "rule", "says", "advice"), CASES)
def test_the_department_upload_page_shows_the_message(client, county_admin, tmp_path, case, rule, says, advice,
                                                      django_capture_on_commit_callbacks):
    path = _file(tmp_path, case, FEED)
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:feed_upload"), {
            "kind": "medical", "period": "2026-11", "file": SimpleUploadedFile("医保.xlsx", path.read_bytes())})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.job.status == "failed"
    page = client.get(reverse("monitoring:feed_run", args=[run.pk])).content.decode()
    assert says in page and advice in page
    assert not FeedUpload.objects.exists() and not FeedRow.objects.exists()
