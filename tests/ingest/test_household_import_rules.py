"""The household import keeps the forms' rules (registry.validation): names as the forms store and refuse them, the
出生日期 and 性别 columns against the ID number, the relation against the registered member it changes, a disabled
member's grade, amounts and household sizes inside their bounds, a 户编号 with the county's own code; and the
command line says which columns it ignored. Each rule at its boundary, with a control that passes."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from bangfu.ingest.households import households_import_plan
from bangfu.ingest.services import households_import_commit
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from bangfu.registry.validation import AMOUNT_LIMIT, MEMBERS_COUNTED_MAX
from tests.conftest import synthetic_id
from tests.ingest.workbooks import in_formats

NUMBER = "5132251032130001"


def _xlsx(tmp_path, rows, name="ledger.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _plan(actor, path):
    return households_import_plan(actor=actor, source=path)


def _errors(plan):
    return [(e.row, e.column, e.rule) for e in plan.errors]


def _command(*args) -> int:
    from django.core.management import call_command

    try:
        call_command(*args)
    except SystemExit as exit:
        return exit.code or 0
    return 0


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_names_are_stored_with_one_middle_dot_and_refused_as_the_forms_refuse(county_admin, tmp_path, fmt):
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码"],
            [NUMBER, "团结村", "扎西•多吉", "户主", synthetic_id()],
            [NUMBER, "团结村", "卓玛．拉姆", "配偶", synthetic_id(male=False)],
            [NUMBER, "团结村", "尼玛・次仁", "之子", synthetic_id()],
            [NUMBER, "团结村", "尼玛2", "之子", synthetic_id()],
            [NUMBER, "团结村", "拉姆(已故)", "之女", synthetic_id(male=False)],
            [NUMBER, "团结村", "格桑😀", "之子", synthetic_id()]]
    plan = _plan(county_admin, in_formats(_xlsx(tmp_path, rows), fmt))
    assert _errors(plan) == [(5, "姓名", "name_digits"), (6, "姓名", "name_note"), (7, "姓名", "name_characters")]
    households_import_commit(actor=county_admin, plan=plan)
    assert sorted(Member.objects.values_list("name", flat=True)) == ["卓玛·拉姆", "尼玛·次仁", "扎西·多吉"]
    assert Household.objects.get().head_name == "扎西·多吉"
    for typed in ("扎西·多吉", "扎西.多吉", "扎西•多吉"):  # the search finds it however the dot is typed
        assert households_filtered(county_admin, HouseholdFilter(q=typed)).count() == 1


def _birth_rows(birth_cells):
    head, wife = synthetic_id("19800101"), synthetic_id("19820304", male=False)
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码", "性别", "出生日期"],
            [NUMBER, "团结村", "张三", "户主", head, "男", birth_cells[0]],
            [NUMBER, "团结村", "李芳", "配偶", wife, "女", birth_cells[1]]]
    return rows, head, wife


def _born(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def test_a_birth_date_column_that_agrees_with_the_id_number_imports(county_admin, tmp_path):
    rows, head, wife = _birth_rows(["", ""])
    rows[1][6] = dt.datetime.combine(_born(head), dt.time())  # an Excel date cell
    rows[2][6] = _born(wife).strftime("%Y年%m月%d日")
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert plan.errors == []
    # a year alone (出生日期(脱敏时为年份)), as a number cell and as text, and a month: compared as far as given
    rows[1][6], rows[2][6] = int(head[6:10]), wife[6:12]
    assert _plan(county_admin, _xlsx(tmp_path, rows, name="year.xlsx")).errors == []
    rows[1][6] = head[6:10]
    assert _plan(county_admin, _xlsx(tmp_path, rows, name="text.xlsx")).errors == []


def test_a_birth_date_or_sex_that_contradicts_the_id_number_is_a_row_error(county_admin, tmp_path):
    rows, head, wife = _birth_rows(["", ""])
    rows[1][6] = (_born(head) + dt.timedelta(days=1)).isoformat()  # one day off
    rows[2][6] = str(int(wife[6:10]) + 1)                           # the year off
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert _errors(plan) == [(2, "出生日期", "birth_date_mismatch"), (2, "", "head_rejected"),
                             (3, "出生日期", "birth_date_mismatch")]
    assert f"身份证号显示为{_born(head):%Y-%m-%d}" in plan.errors[0].message
    rows, head, wife = _birth_rows(["", ""])
    rows[2][5] = "男"
    rows[1][6] = "不详"
    plan = _plan(county_admin, _xlsx(tmp_path, rows, name="sex.xlsx"))
    assert _errors(plan) == [(2, "出生日期", "date"), (2, "", "head_rejected"), (3, "性别", "sex_mismatch")]


def test_a_relation_the_registered_member_cannot_have_is_refused_before_commit(county_admin, tmp_path,
                                                                             make_household):
    from bangfu.registry.services import member_add

    household = make_household(number=NUMBER)
    head = household.members.get()
    daughter = member_add(actor=county_admin, household=household, data={"name": "李娟", "relation": "daughter"},
                          id_number=synthetic_id("20000101", male=False))
    rows = [["户编号", "姓名", "与户主关系", "证件号码"],
            [NUMBER, head.name, "户主", head.reveal_id_number()],
            [NUMBER, "李娟", "之子", daughter.reveal_id_number()]]  # a 之子 whose ID number says female
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert _errors(plan) == [(3, "与户主关系", "relation_sex")]
    households_import_commit(actor=county_admin, plan=plan)  # the rest commits; the refused change is not made
    assert Member.objects.get(pk=daughter.pk).relation == "daughter"


def test_a_disabled_member_needs_a_grade_as_on_the_form(county_admin, tmp_path):
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码", "健康状况"],
            [NUMBER, "团结村", "张三", "户主", synthetic_id(), "健康"],
            [NUMBER, "团结村", "张小", "之子", synthetic_id(), "残疾"]]
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert _errors(plan) == [(3, "残疾等级", "disability_grade")]  # no such column: the rule's own name
    rows[0].append("残疾等级")
    rows[1].append("")
    rows[2].append("二级")
    assert _plan(county_admin, _xlsx(tmp_path, rows, name="graded.xlsx")).errors == []


def _income_rows(**cells):
    headers = ["户编号", "村", "姓名", "与户主关系", "证件号码", *cells]
    return [headers, [NUMBER, "团结村", "张三", "户主", synthetic_id(), *cells.values()]]


@pytest.mark.parametrize(("header", "value", "rule"), [
    ("工资性收入", AMOUNT_LIMIT + Decimal("0.01"), "amount_out_of_range"),
    ("生产经营性收入", "500.0001万", "amount_out_of_range"),
    ("生产经营性支出", "-0.01", "negative"),
    ("转移性收入", -1, "negative"),
    ("家庭纯收入", -AMOUNT_LIMIT - Decimal("0.01"), "amount_out_of_range"),
    ("人均纯收入", AMOUNT_LIMIT + 1, "amount_out_of_range"),
])
def test_amounts_no_rural_household_has_are_row_errors(county_admin, tmp_path, header, value, rule):
    value = float(value) if isinstance(value, Decimal) else value
    plan = _plan(county_admin, _xlsx(tmp_path, _income_rows(**{header: value})))
    assert _errors(plan)[0] == (2, header, rule)
    assert plan.report()["households"] == 0


@pytest.mark.parametrize(("header", "value"), [
    ("工资性收入", float(AMOUNT_LIMIT)), ("生产经营性收入", "500万"), ("家庭纯收入", -float(AMOUNT_LIMIT)),
    ("人均纯收入", float(AMOUNT_LIMIT)),
])
def test_amounts_at_the_bound_are_figures(county_admin, tmp_path, header, value):
    plan = _plan(county_admin, _xlsx(tmp_path, _income_rows(**{header: value})))
    assert plan.errors == []
    households_import_commit(actor=county_admin, plan=plan)
    assert IncomeRecord.objects.count() == 1


def test_a_household_size_past_the_bound_is_refused(county_admin, tmp_path):
    plan = _plan(county_admin, _xlsx(tmp_path, _income_rows(家庭人口数=MEMBERS_COUNTED_MAX + 1, 工资性收入=1000)))
    assert _errors(plan) == [(2, "家庭人口数", "members_counted")]
    plan = _plan(county_admin, _xlsx(tmp_path, _income_rows(家庭人口数=MEMBERS_COUNTED_MAX, 工资性收入=1000),
                                     name="fifty.xlsx"))
    assert plan.errors == []


def test_household_numbers_with_the_countys_code_and_with_another_villages(county_admin, tmp_path):
    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码"],
            ["513225000000001", "团结村", "张三", "户主", synthetic_id()],     # a county-wide sequence
            ["5132251010020007", "团结村", "李四", "户主", synthetic_id()]]    # 荷叶社区's code
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert _errors(plan) == [(3, "户编号", "household_number")]
    assert "荷叶社区" in plan.errors[0].message
    households_import_commit(actor=county_admin, plan=plan)
    assert list(Household.objects.values_list("number", flat=True)) == ["513225000000001"]


def test_the_command_line_says_which_columns_it_ignored(county_admin, tmp_path, capsys):
    import json

    rows = [["户编号", "村", "姓名", "与户主关系", "证件号码", "备注", "帮扶责任人"],
            [NUMBER, "团结村", "张三", "户主", synthetic_id(), "无", "王干部"]]
    path = _xlsx(tmp_path, rows)
    assert _command("import_data", "households", str(path)) == 0
    out = capsys.readouterr().out
    assert "未导入的列（没有对应的字段）：Sheet「备注」（F列）、Sheet「帮扶责任人」（G列）" in out
    assert _command("import_data", "households", str(path), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ignored_columns"] == [{"sheet": "Sheet", "column": "F", "header": "备注"},
                                         {"sheet": "Sheet", "column": "G", "header": "帮扶责任人"}]
    assert [(m["header"], m["field"]) for m in report["mapping"]] == [
        ("户编号", "number"), ("村", "village"), ("姓名", "name"), ("与户主关系", "relation"), ("证件号码", "id_number")]
