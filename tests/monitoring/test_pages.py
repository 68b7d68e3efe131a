"""The early-warning pages: the queue and its counts, verification, leads, self-report, rules, screening, uploads."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bangfu.audit.models import ChangeRecord
from bangfu.ingest.models import ImportRun
from bangfu.jobs.models import Job
from bangfu.monitoring.models import FeedRow, FeedUpload, Lead, RiskWarning, Rule, ScreeningRun
from bangfu.monitoring.services import lead_from_visit
from tests.conftest import SHUANGHE, TUANJIE, ZHANGZHA_VILLAGE, make_user, synthetic_id
from tests.monitoring.factories import head

pytestmark = pytest.mark.django_db


def _warn(household, code="medical_stay_oop", *, days_ago=0, exclusions=""):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return RiskWarning.objects.create(household=household, village_id=household.village_id,
                                      rule=Rule.objects.get(code=code), evidence="证据句子", created_at=at,
                                      updated_at=at, exclusions=exclusions)


def test_queue_counts_by_rule_and_overdue_for_the_township(client, make_household, shuanghe_reviewer):
    own = make_household(TUANJIE)
    far = make_household(ZHANGZHA_VILLAGE)
    _warn(own, days_ago=10)  # past the 3-day deadline
    _warn(own, "unsafe_housing", exclusions="payroll")
    _warn(far)
    client.force_login(shuanghe_reviewer)
    response = client.get(reverse("monitoring:warning_list"))
    assert response.status_code == 200
    counts = {row["rule"].code: row for row in response.context["counts"]}
    assert (counts["medical_stay_oop"]["open"], counts["medical_stay_oop"]["overdue"]) == (1, 1)
    assert (counts["unsafe_housing"]["open"], counts["unsafe_housing"]["suspected"]) == (1, 1)
    assert {w.household_id for w in response.context["page"].object_list} == {own.pk}
    assert "疑似不符合" in response.content.decode() and "逾期" in response.content.decode()
    overdue = client.get(reverse("monitoring:warning_list"), {"overdue": "on"})
    assert [w.rule.code for w in overdue.context["page"].object_list] == ["medical_stay_oop"]


def test_verify_dismiss_needs_a_reason_and_confirm_makes_a_lead(client, make_household, tuanjie_cadre):
    warning = _warn(make_household(TUANJIE))
    client.force_login(tuanjie_cadre)
    url = reverse("monitoring:warning_detail", args=[warning.pk])
    response = client.post(url, {"outcome": "dismissed", "visit_date": "2025-06-01", "visit_notes": "已入户"})
    assert response.status_code == 200 and "排除理由" in str(response.context["form"].errors["dismiss_reason"])
    assert RiskWarning.objects.get(pk=warning.pk).state == "open"
    response = client.post(url, {"outcome": "confirmed", "visit_date": "2025-06-01", "visit_notes": "住院属实"})
    assert response.status_code == 302
    lead = Lead.objects.get(warning=warning)
    assert (lead.source, lead.household_id, lead.village_id, lead.risk_type) == (
        "warning", warning.household_id, TUANJIE, "medical")
    again = client.post(url, {"outcome": "dismissed", "visit_date": "2025-06-01", "visit_notes": "x",
                              "dismiss_reason": "y"})
    assert again.status_code == 403  # already decided


def test_leads_only_within_jurisdiction(client, make_household, county_admin, tuanjie_cadre):
    own = make_household(TUANJIE, head_name="本村户")
    far = make_household(ZHANGZHA_VILLAGE, head_name="远方户")
    lead_from_visit(actor=county_admin, household=own, risk_type="medical", difficulty="走访发现大病")
    lead_from_visit(actor=county_admin, household=far, risk_type="disaster", difficulty="走访发现房屋受灾")
    client.force_login(tuanjie_cadre)
    response = client.get(reverse("monitoring:lead_list"))
    assert [lead.household_id for lead in response.context["page"].object_list] == [own.pk]
    assert "远方户" not in response.content.decode() and "房屋受灾" not in response.content.decode()
    client.force_login(county_admin)
    assert len(client.get(reverse("monitoring:lead_list")).context["page"].object_list) == 2


def _report(**overrides):
    data = {"name": "王大妈", "phone": "100 1234 5678", "id_number": synthetic_id("19600101"), "village": TUANJIE,
            "risk_type": "medical", "difficulty": "老伴住院花了三万多元"}
    return {**data, **overrides}


def test_self_report_without_login_lands_as_a_lead(client, make_household, regions):
    household = make_household(TUANJIE)
    data = _report(id_number=head(household).reveal_id_number())
    response = client.post(reverse("monitoring:self_report"), data)
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.source, lead.village_id, lead.household_id, lead.phone_masked) == (
        "self_report", TUANJIE, household.pk, "100****5678")
    assert data["id_number"] not in str(list(Lead.objects.values()))  # kept encrypted
    assert ChangeRecord.objects.filter(object_type="lead").count() == 1


def test_self_report_validates_each_field(client, regions):
    response = client.post(reverse("monitoring:self_report"), _report(id_number="513225196001011234", phone="123"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"id_number", "phone"} == set(errors) and "校验" in str(errors["id_number"])
    township = client.post(reverse("monitoring:self_report"), _report(village="513225103000"))
    assert "village" in township.context["form"].errors
    assert not Lead.objects.exists()


def test_self_report_is_rate_limited(client, regions):
    for _ in range(5):
        assert client.post(reverse("monitoring:self_report"), _report(id_number=synthetic_id())).status_code == 302
    response = client.post(reverse("monitoring:self_report"), _report(id_number=synthetic_id()))
    assert response.status_code == 200 and "过于频繁" in response.content.decode()
    assert Lead.objects.count() == 5


def test_self_report_robot_filling_the_hidden_field_leaves_nothing(client, regions):
    assert client.post(reverse("monitoring:self_report"), _report(website="http://spam")).status_code == 302
    assert not Lead.objects.exists()


def test_only_the_county_edits_rules(client, county_admin, tuanjie_cadre):
    rule = Rule.objects.get(code="medical_stay_oop")
    url = reverse("monitoring:rule_edit", args=[rule.pk])
    client.force_login(tuanjie_cadre)
    assert client.get(url).status_code == 403
    assert client.get(reverse("monitoring:rule_list")).status_code == 200
    client.force_login(county_admin)
    data = {"param_monitored_yuan": "5000", "param_other_yuan": "9000", "verify_days": "5", "enabled": "on",
            "reason": "县领导小组纪要"}
    bad = client.post(url, {**data, "param_other_yuan": "-1"})
    assert bad.status_code == 200 and "param_other_yuan" in bad.context["form"].errors
    assert client.post(url, data).status_code == 302
    rule = Rule.objects.get(code="medical_stay_oop", region_id=county_admin.region_id)  # the county's own now
    assert (rule.params, rule.verify_days) == ({"monitored_yuan": 5000, "other_yuan": 9000}, 5)
    assert Rule.objects.get(code="medical_stay_oop", region=None).params["other_yuan"] == 10000
    record = ChangeRecord.objects.get(object_type="rule")
    assert record.before["params"]["other_yuan"] == 10000 and record.reason == "县领导小组纪要"


def test_screening_page_starts_a_job_for_the_county(client, make_household, county_admin, tuanjie_cadre,
                                                    django_capture_on_commit_callbacks):
    make_household(TUANJIE)
    client.force_login(tuanjie_cadre)
    assert client.get(reverse("monitoring:screening_list")).status_code == 200
    assert client.post(reverse("monitoring:screening_list")).status_code == 403
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("monitoring:screening_list"))
    job = Job.objects.get(kind="screening")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "done" and "筛查完成" in job.message
    assert ScreeningRun.objects.get().started_by == county_admin


def _csv(tmp_path, households):
    lines = ["身份证号,入院日期,出院日期,医疗总费用,个人自付"]
    lines += [f"{head(h).reveal_id_number()},2025-05-01,2025-05-09,30000,12000" for h in households]
    lines.append("513225198001011234,2025-05-01,2025-05-09,1,1")
    path = tmp_path / "m.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _preview(client, path, *, kind="medical", period="2025-05"):
    with path.open("rb") as handle:
        return client.post(reverse("monitoring:feed_upload"), {"kind": kind, "period": period, "file": handle})


def _run_in_background(client, django_capture_on_commit_callbacks, path):
    """Upload as the page does: the request keeps the file and queues the preview; the job runs on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _preview(client, path)
    run = ImportRun.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:feed_run", args=[run.pk])
    run.refresh_from_db()
    return run


def test_feed_upload_previews_in_the_background_then_accept(client, tmp_path, make_household, regions,
                                                            django_capture_on_commit_callbacks):
    operator = make_user("yibao", "department_operator", "513225000000")
    client.force_login(operator)
    path = _csv(tmp_path, [make_household(TUANJIE), make_household(ZHANGZHA_VILLAGE)])
    run = _run_in_background(client, django_capture_on_commit_callbacks, path)
    assert run.status == "previewed" and run.job.kind == "feed_import_preview" and run.job.status == "done"
    assert run.report["counts"]["matched"] == 2 and run.report["errors"][0]["row"] == 4
    assert (run.job.total, run.job.done) == (3, 3)  # progress over the file's rows
    assert not FeedRow.objects.exists() and not FeedUpload.objects.exists()
    page = client.get(reverse("monitoring:feed_run", args=[run.pk]))
    assert "确认导入 2 行" in page.content.decode()
    assert "hx-get" not in page.content.decode()  # the preview is done: the page stops polling
    decide = reverse("monitoring:feed_run_decide", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(decide, {"decision": "accept"}).status_code == 302
    run.refresh_from_db()
    upload = FeedUpload.objects.get()
    assert run.status == "committed" and FeedRow.objects.count() == 2 and upload.uploaded_by == operator
    assert not __import__("pathlib").Path(run.file_path).exists()  # the kept file (ID numbers) is gone
    page = client.get(reverse("monitoring:feed_run", args=[run.pk])).content.decode()
    link = reverse("monitoring:feed_upload_errors", args=[upload.pk])
    assert "1 行未导入（见问题清单）" in page and link in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide, {"decision": "accept"})
    assert FeedRow.objects.count() == 2 and FeedUpload.objects.count() == 1  # no double import


def test_the_problem_list_stays_with_the_upload_after_commit(client, tmp_path, make_household, regions,
                                                             django_capture_on_commit_callbacks):
    import io

    from python_calamine import CalamineWorkbook

    operator = make_user("yibao", "department_operator", "513225000000")
    client.force_login(operator)
    run = _run_in_background(client, django_capture_on_commit_callbacks, _csv(tmp_path, [make_household(TUANJIE)]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitoring:feed_run_decide", args=[run.pk]), {"decision": "accept"})
    upload = FeedUpload.objects.get()
    listing = client.get(reverse("monitoring:feed_upload")).content.decode()
    assert reverse("monitoring:feed_upload_errors", args=[upload.pk]) in listing
    response = client.get(reverse("monitoring:feed_upload_errors", args=[upload.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    problems = book.get_sheet_by_name("问题清单").to_python()
    assert problems[0] == ["工作表", "行", "列", "规则", "问题"]
    assert [row[1:3] for row in problems[1:]] == [[3.0, "身份证号"]] and "校验码" in problems[1][4]
    # Another department's clerk and a village cadre do not reach it.
    client.force_login(make_user("caizheng", "department_operator", "513225000000", department="finance"))
    assert client.get(reverse("monitoring:feed_upload_errors", args=[upload.pk])).status_code == 404
    assert upload.file_name not in client.get(reverse("monitoring:feed_upload")).content.decode()
    client.force_login(make_user("cadre", "village_cadre", TUANJIE))
    assert client.get(reverse("monitoring:feed_upload_errors", args=[upload.pk])).status_code == 403


def test_feed_upload_reject_writes_nothing_and_runs_are_personal(client, tmp_path, make_household, regions,
                                                                 county_admin, tuanjie_cadre,
                                                                 django_capture_on_commit_callbacks):
    operator = make_user("yibao", "department_operator", "513225000000")
    client.force_login(operator)
    run = _run_in_background(client, django_capture_on_commit_callbacks, _csv(tmp_path, [make_household(TUANJIE)]))
    decide = reverse("monitoring:feed_run_decide", args=[run.pk])
    client.force_login(county_admin)
    assert client.get(reverse("monitoring:feed_run", args=[run.pk])).status_code == 404
    assert client.post(decide, {"decision": "accept"}).status_code == 404
    client.force_login(tuanjie_cadre)
    assert client.get(reverse("monitoring:feed_upload")).status_code == 403
    assert client.post(decide, {"decision": "accept"}).status_code == 403
    client.force_login(operator)
    assert client.post(decide, {"decision": "reject"}).status_code == 302
    run.refresh_from_db()
    assert not FeedRow.objects.exists() and not FeedUpload.objects.exists()
    assert not __import__("pathlib").Path(run.file_path).exists()


def test_a_clerk_uploads_only_its_departments_kinds(client, tmp_path, make_household, regions):
    """The 医保 clerk is offered and allowed 医保 only: 财政供养 is refused before anything is kept."""
    from bangfu.ingest.models import ImportRun as Run

    client.force_login(make_user("yibao", "department_operator", "513225000000"))
    page = client.get(reverse("monitoring:feed_upload"))
    assert [code for code, _ in page.context["form"].fields["kind"].choices] == ["medical"]
    response = _preview(client, _csv(tmp_path, [make_household(TUANJIE)]), kind="payroll")
    assert response.status_code == 200 and "kind" in response.context["form"].errors and not Run.objects.exists()
    client.force_login(make_user("caizheng", "department_operator", "513225000000", department="finance"))
    page = client.get(reverse("monitoring:feed_upload"))
    assert [code for code, _ in page.context["form"].fields["kind"].choices] == ["payroll"]
    client.force_login(make_user("nodept", "department_operator", "513225000000", department=""))
    page = client.get(reverse("monitoring:feed_upload"))
    assert page.context["form"].fields["kind"].choices == [] and "未绑定部门" in page.content.decode()


def test_feed_upload_page_names_the_problem(client, tmp_path, regions):
    client.force_login(make_user("yibao", "department_operator", "513225000000"))
    path = tmp_path / "bad.doc"  # (.txt is read: Excel's "Unicode text" is saved as .txt)
    path.write_text("x", encoding="utf-8")
    response = _preview(client, path)
    assert response.status_code == 200 and "不支持的文件类型" in str(response.context["form"].errors["file"])


def test_lead_from_a_visit_page(client, make_household, tuanjie_cadre):
    household = make_household(TUANJIE)
    client.force_login(tuanjie_cadre)
    url = reverse("monitoring:lead_create", args=[household.pk])
    bad = client.post(url, {"risk_type": "medical", "difficulty": "病"})
    assert bad.status_code == 200 and "difficulty" in bad.context["form"].errors
    assert client.post(url, {"risk_type": "medical", "difficulty": "户主住院，无人务工"}).status_code == 302
    assert Lead.objects.get().source == "cadre_visit"
    assert SHUANGHE  # the cadre's township, for the reader


def test_an_unknown_column_is_mapped_and_remembered(client, tmp_path, make_household, regions, county_admin,
                                                    django_capture_on_commit_callbacks):
    """A 医保 file whose 个人自付 column is headed 本人承担 is refused naming the missing column and offers its unknown
    columns; the clerk maps it, the preview runs again, and next month's file of the same headers is read with it."""
    member = head(make_household(TUANJIE))
    operator = make_user("yibao", "department_operator", "513225000000")
    client.force_login(operator)

    def upload(name):
        path = tmp_path / name
        path.write_text("\n".join(["姓名,身份证号,入院日期,出院日期,医疗总费用,本人承担",
                                   f"{member.name},{member.reveal_id_number()},2025-05-01,2025-05-09,30000,12000"]),
                        encoding="utf-8")
        return _run_in_background(client, django_capture_on_commit_callbacks, path)

    run = upload("五月.csv")
    assert run.job.status == "failed" and "缺少必需的列：个人自付" in run.job.message
    assert [c["header"] for c in run.report["unknown"]] == ["本人承担"]
    page = client.get(reverse("monitoring:feed_run", args=[run.pk])).content.decode()
    assert "本人承担" in page and reverse("monitoring:feed_run_map", args=[run.pk]) in page
    url = reverse("monitoring:feed_run_map", args=[run.pk])
    client.force_login(county_admin)
    assert client.post(url, {f"map-{run.report['unknown'][0]['header_key']}": "out_of_pocket"}).status_code == 404
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {f"map-{run.report['unknown'][0]['header_key']}": "out_of_pocket"})
    run.refresh_from_db()
    assert run.status == "previewed" and run.report["counts"]["matched"] == 1
    following = upload("六月.csv")
    assert following.status == "previewed" and following.report["counts"]["matched"] == 1
    assert following.mapping == run.mapping
