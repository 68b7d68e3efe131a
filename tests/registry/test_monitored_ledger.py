"""The monitored households' ledger in the national system's column layout (DOMAIN.md §4): from the household
list (监测对象台账) and `bangfu export monitored --out FILE.xlsx [--region CODE] [--full]`."""

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bangfu.audit.models import RevealRecord
from bangfu.cases.models import Case, Measure, MeasureCategory
from bangfu.jobs.models import Job
from bangfu.registry.services import income_record_save
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE

# DOMAIN.md §4 in its order: household and place; type, monitoring type and status, 识别/消除监测时间; risks 1-5;
# per-capita net income and its components; measures by category; safe drinking water; whole household without
# labour; relocation and resettlement site; contact phone; production and living conditions.
HEADERS = [
    "户编号", "县（市、区）", "乡（镇）", "行政村", "组", "户主姓名", "户主证件号码", "家庭人口数",
    "户类型", "监测对象类别", "风险消除状态", "识别监测时间", "消除监测时间",
    "致贫返贫风险1", "致贫返贫风险2", "致贫返贫风险3", "致贫返贫风险4", "致贫返贫风险5",
    "收入年度", "人均纯收入（元）", "工资性收入（元）", "生产经营性收入（元）", "财产性收入（元）", "转移性收入（元）",
    "生产经营性支出（元）", "家庭纯收入（元）", "扣除合规自付支出后人均收入（元）",
    "帮扶措施（发展类（产业、就业））", "帮扶措施（健康）", "帮扶措施（教育）", "帮扶措施（兜底保障）",
    "帮扶措施（社会帮扶）", "帮扶措施（住房安全）", "帮扶措施（饮水安全）", "帮扶措施（其他）",
    "是否饮水安全", "是否整户无劳动能力", "是否易地扶贫搬迁", "安置点", "联系电话",
    "耕地面积（亩）", "林地面积（亩）", "入户路类型", "距村主干路距离（公里）", "危房等级", "住房面积（㎡）",
    "是否通生活用电", "是否加入农民专业合作社",
]


@pytest.fixture
def monitored(make_household, county_admin):
    """A monitored household in 团结村 with an approved identification, income and a measure; an ordinary one
    beside it; a monitored one in 漳扎村."""
    from bangfu.cases.services import transitions_ensure_defaults

    transitions_ensure_defaults()  # the shipped measure catalogue
    household = make_household(TUANJIE, head_name="监测甲", household_type="formerly_poor",
                               monitoring_type="unstable", identified_month="202206", group="3组",
                               housing_safety="C", farmland_mu=Decimal("2.5"))
    Case.objects.create(household=household, village_id=TUANJIE, kind="identification", state="approved",
                        risk_types=["illness", "schooling"], lead_date=dt.date(2022, 5, 20),
                        due_on=dt.date(2022, 6, 5), opened_by=county_admin, closed_at=timezone.now())
    Measure.objects.create(household=household, category=MeasureCategory.objects.get(code="health"),
                           description="医疗救助", start_on=dt.date(2022, 7, 1), responsible="县医保局",
                           created_by=county_admin)
    income_record_save(actor=county_admin, household=household, year=2024, data={
        "wage_income": Decimal("12000"), "transfer_income": Decimal("3000"), "production_cost": Decimal("1000")})
    make_household(TUANJIE, head_name="普通乙")
    make_household(ZHANGZHA_VILLAGE, head_name="漳扎丙", monitoring_type="marginal", identified_month="202301")
    return household


def _rows(content) -> tuple[list[list], openpyxl.worksheet.worksheet.Worksheet]:
    sheet = openpyxl.load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_the_column_headers_are_the_national_layout(monitored, tmp_path):
    path = tmp_path / "monitored.xlsx"
    call_command("export_data", "monitored", "--out", str(path))
    rows, _sheet = _rows(path)
    assert rows[0][0] == "防返贫监测对象台账" and rows[1][0] == "筛选条件：全部"
    assert rows[3] == HEADERS


def test_values_of_a_monitored_household(monitored, tmp_path):
    path = tmp_path / "monitored.xlsx"
    call_command("export_data", "monitored", "--out", str(path), "--region", TUANJIE)
    rows, sheet = _rows(path)
    assert rows[1][0] == "筛选条件：地区=双河镇团结村"
    assert len(rows) == 5  # the one monitored household of 团结村: not the ordinary one, not 漳扎's
    row = dict(zip(HEADERS, rows[4], strict=True))
    assert (row["户编号"], row["县（市、区）"], row["乡（镇）"], row["行政村"], row["组"]) == (
        monitored.number, "九寨沟县", "双河镇", "团结村", "3组")
    assert (row["户类型"], row["监测对象类别"], row["风险消除状态"], row["识别监测时间"]) == (
        "脱贫户", "脱贫不稳定户", "风险未消除", "202206")
    assert (row["致贫返贫风险1"], row["致贫返贫风险2"], row["致贫返贫风险3"]) == ("因病", "因学", "")
    assert (row["收入年度"], row["工资性收入（元）"], row["转移性收入（元）"], row["家庭纯收入（元）"]) == (
        2024, 12000, 3000, 14000)
    assert row["人均纯收入（元）"] == 14000  # one member
    assert row["帮扶措施（健康）"] == "健康帮扶" and row["帮扶措施（教育）"] == ""
    assert (row["危房等级"], row["耕地面积（亩）"], row["是否饮水安全"]) == ("C级（危房）", 2.5, "是")
    masked = row["户主证件号码"]
    assert "*" in masked and sheet.cell(row=5, column=7).data_type == "s"
    assert RevealRecord.objects.get().field == "export_masked"


def test_full_numbers_only_with_full_and_logged(monitored, tmp_path):
    path = tmp_path / "monitored.xlsx"
    call_command("export_data", "monitored", "--out", str(path), "--full")
    rows, sheet = _rows(path)
    numbers = {r[6] for r in rows[4:]}
    assert monitored.members.get().reveal_id_number() in numbers
    assert "证件号码和电话：完整（已记录）" in rows[2][0]
    assert RevealRecord.objects.get().field == "export_full"


def test_from_the_household_list_in_the_users_scope(client, monitored, tuanjie_cadre,
                                                    django_capture_on_commit_callbacks):
    client.force_login(tuanjie_cadre)
    page = client.get(reverse("registry:household_list")).content.decode()
    assert "监测对象台账" in page and reverse("web:list_export", args=["monitored"]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:list_export", args=["monitored"]), {"household_type": "formerly_poor"})
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.DONE, job.message
    rows, _sheet = _rows(Path(job.result_path).read_bytes())
    assert rows[1][0] == "筛选条件：户类型=脱贫户"
    assert [r[5] for r in rows[4:]] == ["监测甲"]  # 漳扎丙 is outside the cadre's village


def test_the_button_follows_a_filter_changed_in_place(client, monitored, tuanjie_cadre):
    """A filter changed without reloading (htmx) swaps the button's hidden filter in too, so the ledger exported is
    the one on screen."""
    client.force_login(tuanjie_cadre)
    body = client.get(reverse("registry:household_list"), {"household_type": "formerly_poor"},
                      headers={"HX-Request": "true"}).content.decode()
    scope = body[body.index('id="list-export-scope"'):]
    assert 'hx-swap-oob="true"' in scope[:80]
    assert '<input type="hidden" name="household_type" value="formerly_poor">' in scope
    assert "户类型=脱贫户" in scope
