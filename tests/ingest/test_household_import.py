"""The household import end to end on ledgers as counties keep them: one test per messy feature, each with its
expected counts and errors."""

from decimal import Decimal

import openpyxl
import pytest

from bangfu.audit.models import ChangeRecord
from bangfu.ingest.households import households_import_plan
from bangfu.ingest.services import households_import_commit
from bangfu.registry.models import Household, IncomeRecord, Member
from tests.conftest import synthetic_id
from tests.ingest.workbooks import in_formats


def _save(tmp_path, rows, *, name="ledger.xlsx", merges=(), title="台账", more=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    if more:
        more(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def _plan(actor, path, **kw):
    return households_import_plan(actor=actor, source=path, **kw)


def _command(*args) -> int:
    """Run a bangfu command; its exit status."""
    from django.core.management import call_command

    try:
        call_command(*args)
    except SystemExit as exit:
        return exit.code or 0
    return 0


def _errors(plan):
    return [(e.row, e.column, e.rule) for e in plan.errors]


@pytest.fixture
def ids():
    return [synthetic_id() for _ in range(12)]


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_one_sheet_with_household_cells_merged_down_member_rows(county_admin, tmp_path, ids, fmt):
    rows = [
        ["九寨沟县双河镇2024年防返贫监测对象台账"],
        ["填报单位：双河镇人民政府（盖章）"],
        ["户编号", "村", "户类型", "监测对象类别", "识别监测时间", "姓名", "与户主关系", "证件号码"],
        ["513225103213001", "团结村", "脱贫户", "脱贫不稳定户", "2022.6", "张三", "户主", ids[0]],
        [None, None, None, None, None, "李四", "配偶", ids[1]],
        [None, None, None, None, None, "张小", "之子", ids[2]],
        ["513225103213002", "双河镇团结村", "一般农户", None, None, "王五", "户主", ids[3]],
        ["合计", None, None, None, None, "4人", None, None],
    ]
    path = in_formats(_save(tmp_path, rows, merges=("A1:H1", "A4:A6", "B4:B6", "C4:C6", "D4:D6", "E4:E6")), fmt)
    plan = _plan(county_admin, path)
    assert plan.errors == []
    assert plan.report() == {"households": 2, "members": 4, "errors": []}
    assert Household.objects.count() == 0  # a preview writes nothing
    households_import_commit(actor=county_admin, plan=plan)
    first = Household.objects.get(number="513225103213001")
    assert (first.head_name, first.household_type, first.monitoring_type, first.monitoring_status,
            first.identified_month) == ("张三", "formerly_poor", "unstable", "risk_open", "202206")
    assert first.members.count() == 3 and first.members.get(name="李四").relation == "spouse"
    assert Household.objects.get(number="513225103213002").members.count() == 1
    assert ChangeRecord.objects.filter(object_type="member", action="create").count() == 4


def test_reimport_changes_nothing_and_a_corrected_file_updates_with_history(county_admin, tmp_path, ids):
    header = ["户编号", "村", "姓名", "与户主关系", "证件号码", "民族"]
    rows = [header, ["5132251032130001", "团结村", "张三", "户主", ids[0], "汉族"], ["5132251032130001", "团结村", "李四", "配偶", ids[1], "藏族"]]
    path = _save(tmp_path, rows)
    households_import_commit(actor=county_admin, plan=_plan(county_admin, path))
    history = ChangeRecord.objects.count()
    again = _plan(county_admin, path)
    assert again.report() == {"households": 0, "members": 0, "errors": []}
    assert again.counts()["members_unchanged"] == 2
    households_import_commit(actor=county_admin, plan=again)
    assert ChangeRecord.objects.count() == history
    rows[2][5] = "羌族"
    fixed = _save(tmp_path, rows, name="fixed.xlsx")
    plan = _plan(county_admin, fixed)
    assert plan.report() == {"households": 1, "members": 1, "errors": []}
    households_import_commit(actor=county_admin, plan=plan)
    member = Member.objects.get(name="李四")
    assert member.ethnicity == "qiang"
    change = ChangeRecord.objects.filter(object_type="member", action="update").get()
    assert change.before["ethnicity"] == "tibetan" and change.after["ethnicity"] == "qiang"


def test_round_trip_export_import_into_an_empty_database_export_again(county_admin, tmp_path, ids, make_household):
    """Export, import into an empty registry with --commit, export again: the same data; importing again
    changes nothing."""
    from django.core.management import call_command

    from bangfu.registry.services import income_record_save, member_add

    h1 = make_household(head_name="甲", number="5132251032139001", household_type="formerly_poor", monitoring_type="unstable",
                        identified_month="202206", housing_safety="C", group="3")
    member_add(actor=county_admin, household=h1, data={"name": "乙", "relation": "spouse", "ethnicity": "tibetan",
                                                       "dibao": True, "work_months": 6, "work_place": "in_county"},
               id_number=ids[0])
    income_record_save(actor=county_admin, household=h1, year=2024, data={
        "wage_income": Decimal("12000"), "transfer_income": Decimal("3000.5"), "production_cost": Decimal("500")})
    h2 = make_household(head_name="丙", number="5132251032139002")
    income_record_save(actor=county_admin, household=h2, year=2024, data={
        "given": "per_capita", "given_per_capita_income": Decimal("6543.21"), "members_counted": 1})
    first = tmp_path / "first.xlsx"
    call_command("export_ledger", "households", "--out", str(first), "--full")
    # an empty registry
    ChangeRecord.objects.all().delete()
    IncomeRecord.objects.all().delete()
    Member.objects.all().delete()
    Household.objects.all().delete()
    assert _command("import_ledger", "households", str(first), "--commit") == 0
    assert Household.objects.count() == 2 and Member.objects.count() == 3
    assert IncomeRecord.objects.get(household__number="5132251032139002").given == "per_capita"
    second = tmp_path / "second.xlsx"
    call_command("export_ledger", "households", "--out", str(second), "--full")
    from python_calamine import CalamineWorkbook

    def cells(path):
        book = CalamineWorkbook.from_path(str(path))
        return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}

    assert cells(first) == cells(second)
    history = ChangeRecord.objects.count()
    assert _command("import_ledger", "households", str(second), "--commit") == 0
    assert ChangeRecord.objects.count() == history
