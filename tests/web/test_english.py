"""The English interface: a county administrator who chose English sees no Chinese but the data itself.

Data is what people entered or what the system recorded in its own (Chinese) language: region names, a change
record's object label, the ledger file's name. The language menu names Chinese in Chinese (简体中文), as language
menus do. Everything else on these pages comes from the English catalogue.
"""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from bangfu.audit.models import ChangeRecord
from bangfu.jobs.models import Job
from bangfu.jobs.services import JOB_RUNNERS, job_kind, job_run
from bangfu.monitoring.services import monitoring_line_save
from bangfu.regions.models import Region, short_region_name
from bangfu.registry import choices as c
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.selectors import HouseholdFilter
from bangfu.registry.services import household_update, income_record_save, member_add, member_reveal_id_number
from tests.conftest import COUNTY, TUANJIE, synthetic_id

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LANGUAGE_MENU = "简体中文"

# Labels the Chinese pages show: none may reach an English page (a sample; the Han check catches the rest).
CHINESE_LABELS = ("户类型", "监测对象", "脱贫户", "风险未消除", "家庭成员", "与户主关系", "我的任务", "监测范围",
                  "变更记录", "用户管理", "县级监测管理员", "排队中", "已完成", "上一页", "是", "否", "系统")


@pytest.fixture
def english(client, county_admin):
    client.force_login(county_admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def household(make_household, county_admin):
    household = make_household(TUANJIE, head_name="Tenzin Dorje", number="8800000005",
                               household_type=c.HouseholdType.FORMERLY_POOR, monitoring_type=c.MonitoringType.UNSTABLE,
                               identified_month="202403", housing_safety=c.HousingSafety.C, relocated=True,
                               resettlement_site="Site 3", road_type=c.RoadType.GRAVEL, group="Group 2")
    member_add(actor=county_admin, household=household, id_number=synthetic_id("20100501", male=False),
               data={"name": "Pema", "relation": c.Relation.DAUGHTER, "ethnicity": c.Ethnicity.TIBETAN,
                     "student_status": c.StudentStatus.JUNIOR, "health": c.Health.DISABLED,
                     "disability_grade": c.DisabilityGrade.GRADE_2, "dibao": True, "medical_insurance": False})
    household_update(actor=county_admin, household=household, data={"drinking_water_safe": False},
                     phone="13900001111")
    income_record_save(actor=county_admin, household=household, year=2024,
                       data={"members_counted": 2, "wage_income": 3000})
    member_reveal_id_number(actor=county_admin, member=household.members.first())
    monitoring_line_save(actor=county_admin, region=Region.objects.get(code=COUNTY), year=2024, amount=7800,
                         source="Notice 12")
    household.refresh_from_db()
    return household


def _data_values() -> list[str]:
    """What the pages may show in Chinese because it is data, longest first (a village name holds its town's)."""
    names = set(Region.objects.values_list("name", flat=True))
    values = names | {short_region_name(name) for name in names}  # pages show 团结村 for 团结村村民委员会
    values |= set(ChangeRecord.objects.values_list("object_label", flat=True))
    values |= set(Job.objects.values_list("result_name", flat=True))
    values.add(LANGUAGE_MENU)
    return sorted((v for v in values if v), key=len, reverse=True)


def _assert_english(content: str, url: str, *expected: str) -> None:
    assert '<html lang="en">' in content
    for text in expected:
        assert text in content, f"{url}: {text!r} missing"
    rest = content
    for value in _data_values():
        rest = rest.replace(value, "")
    leftovers = sorted({rest[max(m.start() - 30, 0):m.end() + 30] for m in HAN.finditer(rest)})
    assert not leftovers, f"{url} still shows Chinese:\n" + "\n".join(leftovers)
    for label in CHINESE_LABELS:
        assert label not in rest, f"{url}: {label!r}"


def _english_page(client, url: str, *expected: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Language"] == "en"
    content = response.content.decode()
    _assert_english(content, url, *expected)
    return content


def test_home_in_english(english, household):
    _english_page(english, reverse("web:home"), "Registered households", "Monitored households", "Risk open")


def test_household_list_in_english(english, household):
    _english_page(english, reverse("registry:household_list"), "Household type", "All household types",
                  "Formerly poor household", "Unstable", "Tenzin Dorje")


def test_household_detail_in_english(english, household):
    _english_page(english, reverse("registry:household_detail", args=[household.pk]),
                  "Formerly poor household", "Unstable · Risk open", "Grade C (unsafe)", "Gravel", "Not a member",
                  "Daughter", "Disabled (Grade 2)", "Grades 7 to 9", "Dibao", "No medical insurance", "Female",
                  "Unsafe drinking water", "Viewed ID number")


def test_household_history_in_english(english, household):
    content = _english_page(english, reverse("registry:household_detail", args=[household.pk]))
    assert "Safe drinking water</b>: Yes → No" in content
    assert "Add" in content and "Edit" in content


def test_member_and_household_forms_in_english(english, household):
    _english_page(english, reverse("registry:member_add", args=[household.pk]), "Add member", "Relation to head",
                  "Document type", "Resident ID card", "Ethnicity", "Tibetan", "Student status", "From the ID number",
                  "Health status", "Healthy")
    member = household.members.get(relation=c.Relation.DAUGHTER)
    _english_page(english, reverse("registry:member_edit", args=[member.pk]), "Edit member Pema",
                  "(leave empty to keep)")
    _english_page(english, reverse("registry:household_edit", args=[household.pk]), "Edit household 8800000005",
                  "Monitored household category", "Resettlement site", "Household electricity")
    _english_page(english, reverse("registry:income_add", args=[household.pk]), "Record income", "Household size")


def test_monitoring_lines_in_english(english, household):
    _english_page(english, reverse("monitoring:lines"), "Monitoring lines (per-capita net income)", "In force (yuan)",
                  "Set the monitoring line for", "Notice 12")


def test_jobs_in_english(english, household, county_admin, tmp_path):
    _english_page(english, reverse("jobs:job_list"), "My jobs", "No background jobs yet")
    # Started, not run: result files are named by job number in a directory parallel test workers share.
    with translation.override("en"):
        job = household_ledger_export_start(actor=county_admin, flt=HouseholdFilter(region_code=TUANJIE))
    assert job.title.startswith("Household ledger · ") and "masked" in job.title  # the requester's words
    _english_page(english, reverse("jobs:job_list"), "Household ledger · ", "Queued")
    result = tmp_path / "ledger.xlsx"
    result.write_bytes(b"xlsx")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, total=1, done=1, result_path=str(result),
                                         result_name="农户台账-20260101-120000.xlsx")  # the national ledger's name
    _english_page(english, reverse("jobs:job_list"), "Household ledger · ", "Done", "Download")
    _english_page(english, reverse("jobs:job_detail", args=[job.pk]), "The job is done")  # the text follows the state


def test_a_job_run_inside_an_english_request_works_in_the_site_language(county_admin):
    """The ledger (and a job's own words) are Chinese whichever thread runs the job: the worker has no
    language, the test backend runs it inside the request."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext

    saved = dict(JOB_RUNNERS)

    @job_kind("test_refused")
    def refused(job, progress):
        raise PermissionDenied(gettext("发起人已无导出权限"))

    try:
        job = Job.objects.create(kind="test_refused", title="t", requested_by=county_admin, params={})
        with translation.override("en"):
            job_run(job.pk)
    finally:
        JOB_RUNNERS.clear()
        JOB_RUNNERS.update(saved)
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.FAILED, "任务失败：发起人已无导出权限")


def test_audit_in_english(english, household):
    _english_page(english, reverse("web:audit_log"), "Change log", "All actions", "All objects", "Add", "Edit",
                  "Safe drinking water", "fingerprint")
    _english_page(english, reverse("web:audit_log") + "?view=reveals", "Personal data seen and exported",
                  "Viewed ID number")


def test_user_management_in_english(english, household, tuanjie_cadre):
    _english_page(english, reverse("accounts:user_list"), "User management", "County monitoring administrator",
                  "Village cadre / work team", "All roles")
    _english_page(english, reverse("accounts:user_edit", args=[tuanjie_cadre.pk]), "Edit user tuanjie_cadre",
                  "Role", "Region")


def test_messages_and_errors_in_english(english, household):
    response = english.post(reverse("registry:member_add", args=[household.pk]),
                            {"name": "Dawa", "id_type": c.IdType.RESIDENT_ID, "id_number": "123",
                             "relation": c.Relation.SON, "ethnicity": c.Ethnicity.HAN,
                             "political_status": c.PoliticalStatus.MASSES, "health": c.Health.HEALTHY,
                             "labour_ability": c.LabourAbility.ORDINARY, "work_months": 0,
                             "public_welfare_months": 0})
    _assert_english(response.content.decode(), "member_add", "Please correct the fields marked in red below.",
                    "An ID number has 18 characters (or 15 for an old one), not 3")
    response = english.get(reverse("registry:household_detail", args=[household.pk + 1000]))
    assert response.status_code == 404
    _assert_english(response.content.decode(), "404", "Page not found", "Back to home")
    response = english.post(reverse("monitoring:lines"), {"year": 2025, "amount": "8000", "source": ""}, follow=True)
    _assert_english(response.content.decode(), "lines", "Monitoring line for", "2025 set to 8000.00 yuan")


def test_the_same_pages_stay_chinese_by_default(client, county_admin, household):
    client.force_login(county_admin)
    content = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "脱贫户" in content and "脱贫不稳定户 · 风险未消除" in content and "之女" in content
    assert "Formerly poor" not in content


def test_dashboards_map_and_statistics_in_english(english, household):
    from bangfu.reports.views import short_place_name

    for url, expected in ((reverse("reports:dashboard") + "?period=plan", ("Dashboard", "Monitored households",
                          "Relocated households with at least one person employed",
                          "Visits to vulnerable households")),
                          (reverse("reports:dashboard") + f"?region={TUANJIE}", ("Identified and eliminated",)),
                          (reverse("reports:county_map"), ("Schematic", "Colour by")),
                          (reverse("reports:statistics"), ("Statistics tables", "By month"))):
        response = english.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        names = set(Region.objects.values_list("name", flat=True))
        shorts = names | {short_region_name(name) for name in names} | {short_place_name(name) for name in names}
        for name in sorted(shorts, key=len, reverse=True):  # the map's and buttons' short names are data
            content = content.replace(name, "")
        _assert_english(content, url, *expected)
