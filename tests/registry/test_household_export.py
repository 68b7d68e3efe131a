"""The household ledger export: a real .xlsx, scoped to the requester, masked unless asked and allowed, logged."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.audit.models import RevealRecord
from bangfu.jobs.models import Job
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.selectors import HouseholdFilter
from tests.conftest import SONGBAI, TUANJIE, ZHANGZHA_TOWN, ZHANGZHA_VILLAGE


@pytest.fixture
def three_villages(make_household):
    return {
        "tuanjie": make_household(TUANJIE, number="8800000028", head_name="团结户主"),
        "songbai": make_household(SONGBAI, number="8800000027", head_name="松柏户主", housing_safety="C"),
        "zhangzha": make_household(ZHANGZHA_VILLAGE, number="8800000032", head_name="远方户主"),
    }


def _export(actor, django_capture_on_commit_callbacks, **filter_fields):
    include = filter_fields.pop("include_personal", False)
    with django_capture_on_commit_callbacks(execute=True):
        job = household_ledger_export_start(actor=actor, flt=HouseholdFilter(**filter_fields), include_personal=include)
    job.refresh_from_db()
    return job


def _sheets(job) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(job.result_path)
    # Above the column headings: the title, the filters, who exported it when (test_heading_names_the_filters).
    return {name: book.get_sheet_by_name(name).to_python()[3:] for name in book.sheet_names}


def test_heading_names_the_filters_the_time_and_the_exporter(shuanghe_reviewer, three_villages,
                                                            django_capture_on_commit_callbacks):
    job = _export(shuanghe_reviewer, django_capture_on_commit_callbacks, region_code=TUANJIE, unsafe_housing=True,
                  household_type="ordinary")
    book = CalamineWorkbook.from_path(job.result_path)
    for name in ("农户", "家庭成员"):
        rows = book.get_sheet_by_name(name).to_python()
        assert rows[0][0] == "农户台账"
        assert rows[1][0] == "筛选条件：地区=双河镇团结村；户类型=一般农户；危房（C/D级）=是"
        assert rows[2][0].startswith("导出时间：") and "导出人：shuanghe" in rows[2][0]
        assert "证件号码和电话：脱敏" in rows[2][0]
        assert rows[3][0] == "户编号"


def test_export_is_a_real_workbook_of_the_requesters_households(shuanghe_reviewer, three_villages,
                                                               django_capture_on_commit_callbacks):
    job = _export(shuanghe_reviewer, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    assert (job.done, job.total) == (2, 2)
    sheets = _sheets(job)
    assert set(sheets) == {"农户", "家庭成员"}
    households = sheets["农户"]
    assert households[0][:5] == ["户编号", "乡镇", "村（社区）", "组", "户主姓名"]
    assert sorted(row[0] for row in households[1:]) == ["8800000027", "8800000028"]
    members = sheets["家庭成员"]
    assert {row[1] for row in members[1:]} == {"团结户主", "松柏户主"}


def test_filters_apply_and_other_townships_never_appear(shuanghe_reviewer, three_villages,
                                                       django_capture_on_commit_callbacks):
    for fields in ({"region_code": ZHANGZHA_TOWN}, {"q": "远方户主"}, {"q": "8800000032"}):
        job = _export(shuanghe_reviewer, django_capture_on_commit_callbacks, **fields)
        assert job.status == Job.Status.DONE
        rows = _sheets(job)["农户"]
        assert rows[1:] == [], fields
    job = _export(shuanghe_reviewer, django_capture_on_commit_callbacks, unsafe_housing=True)
    assert [row[0] for row in _sheets(job)["农户"][1:]] == ["8800000027"]


def test_identifiers_are_masked_text_by_default_and_the_export_is_logged(shuanghe_reviewer, three_villages,
                                                                        django_capture_on_commit_callbacks):
    job = _export(shuanghe_reviewer, django_capture_on_commit_callbacks, region_code=TUANJIE)
    member = three_villages["tuanjie"].members.get()
    row = _sheets(job)["家庭成员"][1]
    assert row[3] == member.id_number_masked and "********" in row[3]
    assert _sheets(job)["农户"][1][11] == three_villages["tuanjie"].phone_masked
    log = RevealRecord.objects.get(object_type="job", object_id=str(job.pk))
    assert (log.actor, log.field) == (shuanghe_reviewer, "export_masked")


def test_full_identifiers_only_when_asked_and_allowed(shuanghe_reviewer, leader, three_villages,
                                                     django_capture_on_commit_callbacks):
    job = _export(shuanghe_reviewer, django_capture_on_commit_callbacks, region_code=TUANJIE, include_personal=True)
    member = three_villages["tuanjie"].members.get()
    number = _sheets(job)["家庭成员"][1][3]
    assert number == member.reveal_id_number() and isinstance(number, str)  # text, never a rounded number
    assert RevealRecord.objects.filter(object_id=str(job.pk), field="export_full").exists()
    with pytest.raises(PermissionDenied):
        household_ledger_export_start(actor=leader, flt=HouseholdFilter(), include_personal=True)


def test_roles_without_export_are_refused(client, regions, three_villages):
    from tests.conftest import make_user

    client.force_login(make_user("contact", "assistance_contact", TUANJIE))
    response = client.post(reverse("registry:household_export"), {"region": TUANJIE})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_village_cadre_exports_own_village_masked(tuanjie_cadre, three_villages, django_capture_on_commit_callbacks):
    job = _export(tuanjie_cadre, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    numbers = [row[0] for row in _sheets(job)["农户"][1:]]
    assert numbers == ["8800000028"]
    assert "团结村" in job.title and "脱敏" in job.title
    assert RevealRecord.objects.get(object_id=str(job.pk)).field == "export_masked"
    with pytest.raises(PermissionDenied):
        _export(tuanjie_cadre, django_capture_on_commit_callbacks, include_personal=True)


def test_job_title_names_scope_filters_and_full_ids(county_admin, three_villages, django_capture_on_commit_callbacks):
    job = _export(county_admin, django_capture_on_commit_callbacks, region_code=SONGBAI, unsafe_housing=True,
                  include_personal=True)
    assert "双河镇松柏村" in job.title and "危房（C/D级）" in job.title and "含完整身份证号和电话" in job.title


def test_export_page_flow_redirects_to_progress_then_downloads(client, county_admin, three_villages,
                                                               django_capture_on_commit_callbacks):
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:household_export"), {"region": ZHANGZHA_TOWN})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    page = client.get(response["Location"])
    assert "已完成" in page.content.decode() and reverse("jobs:job_download", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:2] == b"PK"  # a zip container: a real .xlsx
