"""The household import end to end on ledgers as counties keep them: one test per messy feature, each with its
expected counts and errors."""

import datetime as dt
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


def _counted(plan) -> dict:
    """The report's counts and errors (its mapping and ignored columns are tested on their own)."""
    return {key: plan.report()[key] for key in ("households", "members", "errors")}


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
    assert _counted(plan) == {"households": 2, "members": 4, "errors": []}
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
    assert _counted(again) == {"households": 0, "members": 0, "errors": []}
    assert again.counts()["members_unchanged"] == 2
    households_import_commit(actor=county_admin, plan=again)
    assert ChangeRecord.objects.count() == history
    rows[2][5] = "羌族"
    fixed = _save(tmp_path, rows, name="fixed.xlsx")
    plan = _plan(county_admin, fixed)
    assert _counted(plan) == {"households": 1, "members": 1, "errors": []}
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
    call_command("export_data", "households", "--out", str(first), "--full")
    # an empty registry
    ChangeRecord.objects.all().delete()
    IncomeRecord.objects.all().delete()
    Member.objects.all().delete()
    Household.objects.all().delete()
    assert _command("import_data", "households", str(first), "--commit") == 0
    assert Household.objects.count() == 2 and Member.objects.count() == 3
    assert IncomeRecord.objects.get(household__number="5132251032139002").given == "per_capita"
    second = tmp_path / "second.xlsx"
    call_command("export_data", "households", "--out", str(second), "--full")
    from python_calamine import CalamineWorkbook

    def cells(path):  # the data, from the column headings down (above them: filters, export time, exporter)
        book = CalamineWorkbook.from_path(str(path))
        sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
        for rows in sheets.values():
            assert rows[0][0] == "农户台账" and rows[1][0] == "筛选条件：全部" and rows[2][0].startswith("导出时间：")
        return {name: rows[3:] for name, rows in sheets.items()}

    assert cells(first) == cells(second)
    history = ChangeRecord.objects.count()
    assert _command("import_data", "households", str(second), "--commit") == 0
    assert ChangeRecord.objects.count() == history


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_household_sheet_and_member_sheet_joined_by_number(county_admin, tmp_path, ids, fmt):
    def more(wb):
        members = wb.create_sheet("家庭成员")
        members.append(["九寨沟县家庭成员信息表"])
        members.append(["户编号", "成员姓名", "与户主关系", "公民身份号码", "民族", "健康状况"])
        members.append(["5132251032130001", "张三", "户主", ids[0], "藏族", "健康"])
        members.append(["5132251032130001", "李四", "妻", ids[1], "藏", "长期慢性病"])
        members.append(["5132251032130002", "王五", "本人", ids[2], "汉族", "健康"])
        members.append(["5132251032130002", "王小", "长子", ids[3], "汉族", "健康"])
    rows = [["农户基本信息"], ["户编号", "所在村", "户类型", "监测对象类别", "识别监测时间", "联系电话"],
            ["5132251032130001", "双河镇团结村", "脱贫户", "脱贫不稳定户", dt.date(2023, 4, 1), "100 1234 5678"],
            ["5132251032130002", "团结村", "一般农户", "边缘易致贫户", "2024年3月", ""],
            ["合计", "2户"]]
    path = in_formats(_save(tmp_path, rows, title="农户", more=more), fmt)
    plan = _plan(county_admin, path)
    assert plan.errors == [] and plan.report()["households"] == 2 and plan.report()["members"] == 4
    households_import_commit(actor=county_admin, plan=plan)
    first = Household.objects.get(number="5132251032130001")
    assert (first.identified_month, first.monitoring_type, first.phone_masked) == ("202304", "unstable", "100****5678")
    assert sorted(first.members.values_list("name", "relation", "ethnicity", "health")) == [
        ("张三", "head", "tibetan", "healthy"), ("李四", "spouse", "tibetan", "chronic")]
    second = Household.objects.get(number="5132251032130002")
    assert (second.monitoring_type, second.identified_month, second.head_name) == ("marginal", "202403", "王五")


def test_household_level_sheet_with_only_per_capita_income_keeps_it_as_given(county_admin, tmp_path, ids):
    rows = [["户编号", "村", "户主姓名", "身份证号", "家庭人口数", "人均纯收入（元）"],
            ["5132251032130001", "团结村", "张三", ids[0], 4, "6,500.50元"],
            ["5132251032130002", "团结村", "王五", ids[1], 2, "1.2万"]]
    plan = _plan(county_admin, _save(tmp_path, rows), year=2024)
    assert plan.errors == [] and _counted(plan) == {"households": 2, "members": 2, "errors": []}
    households_import_commit(actor=county_admin, plan=plan)
    record = IncomeRecord.objects.get(household__number="5132251032130001")
    assert (record.year, record.given, record.given_per_capita_income, record.members_counted) == (
        2024, "per_capita", Decimal("6500.50"), 4)
    assert record.per_capita_net_income == Decimal("6500.50") and record.wage_income == 0  # nothing invented
    assert Member.objects.get(name="张三").relation == "head"
    assert IncomeRecord.objects.get(household__number="5132251032130002").per_capita_net_income == Decimal("12000.00")


def test_net_income_only_and_components_that_disagree_with_the_net(county_admin, tmp_path, ids):
    rows = [["户编号", "村", "户主姓名", "身份证号", "年度", "工资性收入", "转移性收入", "家庭纯收入"],
            ["5132251032130001", "团结村", "甲", ids[0], 2023, None, None, "18,000"],
            ["5132251032130002", "团结村", "乙", ids[1], 2023, 10000, 2000, 15000]]
    plan = _plan(county_admin, _save(tmp_path, rows))
    assert _errors(plan) == [(3, "家庭纯收入", "net_income_mismatch")]
    assert plan.report()["households"] == 1
    households_import_commit(actor=county_admin, plan=plan)
    record = IncomeRecord.objects.get()
    assert (record.year, record.given, record.net_income) == (2023, "net", Decimal("18000.00"))
    assert Household.objects.count() == 1


def test_id_number_stored_as_number_rejects_the_member_and_a_bad_head_the_whole_household(county_admin, tmp_path,
                                                                                          ids):
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码"],
            ["5132251032130001", "团结村", "张三", "户主", ids[0]],
            ["5132251032130001", "团结村", "李四", "配偶", 5.13225198001e17],     # a member: only this row
            ["5132251032130002", "团结村", "王五", "户主", ids[1][:17] + "0" if ids[1][17] != "0" else ids[1][:17] + "1"],
            ["5132251032130002", "团结村", "王小", "之子", ids[2]],
            ["5132251032130002", "团结村", "王二", "之女", synthetic_id(male=False)]]
    plan = _plan(county_admin, _save(tmp_path, rows))
    assert _errors(plan) == [(3, "证件号码", "id_number_as_number"), (4, "证件号码", "id_number_check_character"),
                             (4, "", "head_rejected"), (5, "", "household_rejected"), (6, "", "household_rejected")]
    assert plan.report()["households"] == 1 and plan.report()["members"] == 1
    households_import_commit(actor=county_admin, plan=plan)
    assert list(Member.objects.values_list("name", flat=True)) == ["张三"]
    assert not Household.objects.filter(number="5132251032130002").exists()


def test_partial_ledger_keeps_existing_values_and_reports_defaults_for_new_households(county_admin, tmp_path, ids,
                                                                                     make_household):
    existing = make_household(number="5132251032130001", head_name="老户主", household_type="formerly_poor",
                              group="5")
    head_id = existing.members.get().reveal_id_number()
    rows = [["户编号", "村", "姓名", "证件号码"],
            ["5132251032130001", "团结村", "老户主", head_id],
            ["5132251032130001", "团结村", "新成员", ids[0]],
            ["5132251032130002", "团结村", "新户主", ids[1]]]
    plan = _plan(county_admin, _save(tmp_path, rows))
    assert plan.errors == []
    assert sorted(plan.defaults_text()) == ["新成员未写与户主关系，记为“其他”：2户", "未写户类型，按“一般农户”：1户"]
    households_import_commit(actor=county_admin, plan=plan)
    existing.refresh_from_db()
    assert (existing.household_type, existing.group, existing.head_name) == ("formerly_poor", "5", "老户主")
    assert existing.members.get(name="老户主").relation == "head"  # not overwritten by a default
    assert Household.objects.get(number="5132251032130002").household_type == "ordinary"


def test_unknown_and_ambiguous_villages_are_row_errors(county_admin, tmp_path, ids):
    from bangfu.regions.models import Region

    Region.objects.create(code="513225101299", name="团结村村民委员会", level="village", parent_id="513225101000")
    rows = [["户编号", "村", "姓名", "证件号码"],
            ["5132251032130001", "团结村", "甲", ids[0]],
            ["5132251032130002", "幸福村", "乙", ids[1]],
            ["5132251032130003", "双河镇团结村", "丙", ids[2]]]
    plan = _plan(county_admin, _save(tmp_path, rows))
    assert _errors(plan) == [(2, "村", "village_ambiguous"), (3, "村", "village_unknown")]
    assert plan.report()["households"] == 1


def test_command_line_json_exit_status_and_nothing_written_without_commit(county_admin, tmp_path, ids, capsys):
    path = tmp_path / "ledger.csv"
    path.write_text("九寨沟县团结村台账\n户编号,村,姓名,与户主关系,身份证号,识别监测时间,监测对象类别,户类型\n"
                    f"5132251032130001,团结村,张三,户主,{ids[0]},2022.6,脱贫不稳定户,脱贫户\n"
                    f"5132251032130002,团结村,李四,户主,{ids[1]},2022年13月,边缘易致贫户,一般农户\n",
                    encoding="gb18030")
    assert _command("import_data", "households", str(path), "--json") == 1
    import json

    report = json.loads(capsys.readouterr().out)
    mapping = [{"sheet": "ledger", "column": letter, "header": header, "field": field, "label": label}
               for letter, header, field, label in (
                   ("A", "户编号", "number", "户编号"), ("B", "村", "village", "村(社区)"), ("C", "姓名", "name", "姓名"),
                   ("D", "与户主关系", "relation", "与户主关系"), ("E", "身份证号", "id_number", "证件号码"),
                   ("F", "识别监测时间", "identified_month", "识别监测时间"),
                   ("G", "监测对象类别", "monitoring_type", "监测对象类别"), ("H", "户类型", "household_type", "户类型"))]
    assert report == {"households": 1, "members": 1, "errors": [
        {"sheet": "ledger", "row": 4, "column": "识别监测时间", "rule": "month",
         "message": "月份应在1至12之间，实为“2022年13月”"}], "mapping": mapping, "ignored_columns": []}
    assert Household.objects.count() == 0
    assert _command("import_data", "households", str(path), "--commit") == 1
    assert Household.objects.get().monitoring_type == "unstable"


def test_hidden_rows_blank_rows_full_width_and_stray_spaces(county_admin, tmp_path, ids):
    full_width = ids[1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    def more(wb):
        ws = wb.active
        ws.row_dimensions[4].hidden = True
    rows = [[" 户 编 号 ", "村（社区）", " 姓  名", "证件号码 "],
            ["5132251032130001", " 团结村 ", " 张　三 ", f" {ids[0]} "],
            [],
            ["5132251032130002", "团结村", "李四", full_width],
            [None, None, None, None]]
    plan = _plan(county_admin, _save(tmp_path, rows, more=more))
    assert plan.errors == [] and plan.report()["members"] == 2
    assert plan.workbook.sheets[0].hidden_rows == 1 and plan.workbook.sheets[0].skipped["blank"] >= 1
    households_import_commit(actor=county_admin, plan=plan)
    assert sorted(Member.objects.values_list("name", flat=True)) == ["张三", "李四"]


def test_bad_member_value_rejects_only_that_member(county_admin, tmp_path, ids):
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码", "低保"],
            ["5132251032130001", "团结村", "张三", "户主", ids[0], "否"],
            ["5132251032130001", "团结村", "李四", "表亲", ids[1], "是"],
            ["5132251032130001", "团结村", "王五", "之子", ids[2], "也许"],
            ["5132251032130001", "团结村", "赵六", "之女", synthetic_id(male=False), "√"]]
    plan = _plan(county_admin, _save(tmp_path, rows))
    assert _errors(plan) == [(3, "与户主关系", "choice"), (4, "低保", "yes_no")]
    households_import_commit(actor=county_admin, plan=plan)
    assert sorted(Member.objects.values_list("name", "dibao")) == [("张三", False), ("赵六", True)]


def test_round_trip_of_the_demo_county(db, tmp_path):
    """The demo county exported in full, imported into an empty registry with --commit, exported again: the two
    files hold the same data; importing the file again changes nothing."""
    from python_calamine import CalamineWorkbook

    from bangfu.demo.builder import demo_build

    demo_build(people=600, seed=9)
    households, members = Household.objects.count(), Member.objects.count()
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    assert _command("export_data", "households", "--out", str(first), "--full") == 0
    ChangeRecord.objects.all().delete()
    from bangfu.audit.models import RevealRecord

    RevealRecord.objects.all().delete()
    IncomeRecord.objects.all().delete()
    Member.objects.all().delete()
    Household.objects.all().delete()
    assert _command("import_data", "households", str(first), "--commit") == 0
    assert (Household.objects.count(), Member.objects.count()) == (households, members)
    assert _command("export_data", "households", "--out", str(second), "--full") == 0

    def cells(path):  # the data, from the column headings down (above them: filters, export time, exporter)
        book = CalamineWorkbook.from_path(str(path))
        sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
        for rows in sheets.values():
            assert rows[0][0] == "农户台账" and rows[1][0] == "筛选条件：全部" and rows[2][0].startswith("导出时间：")
        return {name: rows[3:] for name, rows in sheets.items()}

    assert cells(first) == cells(second)
    history = ChangeRecord.objects.count()
    assert _command("import_data", "households", str(second), "--commit") == 0
    assert ChangeRecord.objects.count() == history


def test_kept_village_figures_follow_an_import(county_admin, shuanghe_reviewer, tmp_path, ids):
    from tests.reports.test_kept_figures import assert_kept_equals_recount

    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码", "监测对象类别", "识别监测时间", "户类型"],
            ["5132251032130001", "团结村", "甲", "户主", ids[0], "脱贫不稳定户", "202206", "脱贫户"],
            ["5132251032130001", "团结村", "乙", "配偶", ids[1], None, None, None],
            ["5132251032120001", "松柏村", "丙", "户主", ids[2], None, None, None]]
    households_import_commit(actor=county_admin, plan=_plan(county_admin, _save(tmp_path, rows)))
    assert Household.objects.count() == 2
    assert_kept_equals_recount(county_admin, shuanghe_reviewer)


def _named(text):
    from bangfu.registry.search import members_named

    return set(members_named(text).values_list("name", flat=True))


def _insert_trigger_present() -> bool:
    from django.db import connection

    from bangfu.registry.search import SQLITE_NAME_INDEX

    if connection.vendor != "sqlite":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [f"{SQLITE_NAME_INDEX}_ai"])
        return cursor.fetchone() is not None


def test_a_large_import_keeps_the_name_index(county_admin, tmp_path, ids, monkeypatch):
    """Members imported by the thousand enter the name index in one statement (on SQLite the insert trigger is
    set aside inside the import's transaction): they are found by any part of their name, as members saved one
    by one are, and the index keeps following later writes."""
    from bangfu.registry.services import member_add

    monkeypatch.setattr("bangfu.ingest.services.NAME_INDEX_DEFERRED", 2)
    rows = [
        ["户编号", "村", "姓名", "与户主关系", "证件号码"],
        ["513225103213001", "团结村", "欧阳明月", "户主", ids[0]],
        [None, None, "欧阳星辰", "之子", ids[1]],
        ["513225103213002", "团结村", "司马光明", "户主", ids[2]],
    ]
    plan = _plan(county_admin, _save(tmp_path, rows, merges=("A2:A3", "B2:B3")))
    households_import_commit(actor=county_admin, plan=plan)
    assert _named("欧阳明") == {"欧阳明月"} and _named("阳星辰") == {"欧阳星辰"} and _named("光明") == set()
    assert _named("司马光明") == {"司马光明"}
    assert _insert_trigger_present()
    household = Household.objects.get(number="513225103213002")
    member_add(actor=county_admin, household=household, data={"name": "司马懿德", "relation": "son"}, id_number=ids[3])
    assert _named("司马懿") == {"司马懿德"}


def test_a_large_import_that_fails_leaves_the_name_index_as_it_was(county_admin, make_household, tmp_path, ids,
                                                                   monkeypatch):
    """A failure after the members' insert rolls back the members, their index entries and the set-aside
    trigger together: nothing is found, and members saved afterwards are indexed as before."""
    from bangfu.registry.services import member_add

    monkeypatch.setattr("bangfu.ingest.services.NAME_INDEX_DEFERRED", 2)
    rows = [
        ["户编号", "村", "姓名", "与户主关系", "证件号码", "工资性收入"],
        ["513225103213001", "团结村", "欧阳明月", "户主", ids[0], "1000"],
        [None, None, "欧阳星辰", "之子", ids[1], None],
    ]
    plan = _plan(county_admin, _save(tmp_path, rows, merges=("A2:A3", "B2:B3", "F2:F3")))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("bangfu.ingest.services._insert_incomes", broken)
    with pytest.raises(RuntimeError):
        households_import_commit(actor=county_admin, plan=plan)
    assert Member.objects.count() == 0 and _named("欧阳明") == set()
    assert _insert_trigger_present()
    monkeypatch.undo()
    household = make_household()
    member_add(actor=county_admin, household=household, data={"name": "欧阳明月", "relation": "son"}, id_number=ids[0])
    assert _named("欧阳明") == {"欧阳明月"}
