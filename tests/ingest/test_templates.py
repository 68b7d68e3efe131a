"""A blank template for each kind of imported file (households, members, incomes, each department file), each read
back by its own import, downloadable by who may import such a file and from `bangfu export template`."""

from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from bangfu.ingest.blanks import blanks
from bangfu.ingest.households import households_import_plan
from bangfu.ingest.services import households_import_commit
from bangfu.monitoring.feed_import import feed_file_check
from bangfu.monitoring.feeds import FEED_KINDS
from bangfu.registry.models import IncomeRecord, Member
from tests.conftest import TUANJIE, make_user, synthetic_id


def _fill(path, values: dict[str, object]) -> None:
    """Write one data row under the template's header, by column label."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    sheet.append([values.get(header, "") for header in headers])
    book.save(path)


def test_there_is_one_for_each_import_kind():
    assert {"households", "members", "incomes"} | {f"feed-{code}" for code in FEED_KINDS} == set(blanks())


def test_downloads_follow_who_may_import(client, tuanjie_cadre, regions):
    client.force_login(tuanjie_cadre)
    for kind in ("households", "members", "incomes"):
        response = client.get(reverse("ingest:import_template", args=[kind]))
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert client.get(reverse("ingest:import_template", args=["feed-medical"])).status_code == 403
    page = client.get(reverse("ingest:import_start")).content.decode()
    assert all(reverse("ingest:import_template", args=[k]) in page for k in ("households", "members", "incomes"))
    client.force_login(make_user("yibao", "department_operator", None))  # a 医保 clerk: its department's kinds
    page = client.get(reverse("monitoring:feed_upload")).content.decode()
    assert reverse("ingest:import_template", args=["feed-medical"]) in page
    assert reverse("ingest:import_template", args=["feed-payroll"]) not in page
    assert client.get(reverse("ingest:import_template", args=["feed-medical"])).status_code == 200
    assert client.get(reverse("ingest:import_template", args=["members"])).status_code == 403
    assert client.get(reverse("ingest:import_template", args=["nothing"])).status_code == 404


def test_members_and_incomes_templates_import_into_registered_households(county_admin, make_household, tmp_path):
    household = make_household(TUANJIE, head_name="已登记户主")
    members = tmp_path / "members.xlsx"
    call_command("export_data", "template", "members", "--out", str(members))
    number = synthetic_id(male=False)
    _fill(members, {"户编号": household.number, "姓名": "新成员", "证件号码": number, "与户主关系": "配偶"})
    plan = households_import_plan(actor=county_admin, source=members)
    assert plan.errors == [] and not plan.workbook.unknown_columns
    households_import_commit(actor=county_admin, plan=plan)
    assert household.members.get(name="新成员").reveal_id_number() == number
    incomes = tmp_path / "incomes.xlsx"
    call_command("export_data", "template", "incomes", "--out", str(incomes))
    _fill(incomes, {"户编号": household.number, "收入年度": 2024, "工资性收入": 18000, "转移性收入": "2,000元"})
    plan = households_import_plan(actor=county_admin, source=incomes)
    assert plan.errors == [] and not plan.workbook.unknown_columns
    households_import_commit(actor=county_admin, plan=plan)
    record = IncomeRecord.objects.get(household=household, year=2024)
    assert (record.wage_income, record.transfer_income) == (Decimal("18000"), Decimal("2000"))
    assert Member.objects.count() == 2


def test_the_household_template_reads_every_column(county_admin, tmp_path, regions):
    path = tmp_path / "households.xlsx"
    call_command("export_data", "template", "households", "--out", str(path))
    _fill(path, {"户编号": "5132251032139009", "村(社区)": "团结村", "姓名": "模板户主", "证件号码": synthetic_id(),
                 "与户主关系": "户主", "户类型": "脱贫户"})
    plan = households_import_plan(actor=county_admin, source=path)
    assert plan.errors == [] and plan.counts()["households_new"] == 1
    assert not plan.workbook.unknown_columns


@pytest.mark.parametrize("code", sorted(FEED_KINDS))
def test_each_department_template_is_read_by_the_feed_import(code, county_admin, make_household, tmp_path):
    household = make_household(TUANJIE)
    number = household.members.get().reveal_id_number()
    path = tmp_path / f"{code}.xlsx"
    call_command("export_data", "template", f"feed-{code}", "--out", str(path))
    kind = FEED_KINDS[code]
    values = {"身份证号": number, "姓名": "测试户主"}
    for column in kind.columns:
        if column.choices:
            values[column.label] = next(iter(column.choices))
        elif column.type == "date":
            values[column.label] = "2025-05-01"
        elif column.type == "money":  # the parts of a total add up to no more than it
            values[column.label] = "4000" if kind.parts and column.key == kind.parts[0] else "1000"
        else:
            values[column.label] = "甲"
    _fill(path, values)
    report = feed_file_check(actor=county_admin, kind=code, period="2025-05", path=path)
    assert report.rows == 1 and report.matched == 1, [e.message for e in report.errors]


def test_a_template_holds_no_ones_data_and_explains_its_columns(tmp_path):
    path = tmp_path / "members.xlsx"
    call_command("export_data", "template", "members", "--out", str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["家庭成员", "填写说明"] and book.worksheets[0].max_row == 1
    notes = {row[0]: row[1:] for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert "身份证号" in notes["证件号码"][0] and notes["证件号码"][1] == "是"
    assert "配偶" in notes["与户主关系"][2]
