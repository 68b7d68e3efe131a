"""ID numbers and 户编号 that Excel cut to 15 significant digits are never stored: number cells of more than 15
digits, scientific-notation text, a number ending in 000 with a wrong check character, and (in a column that
shows any of these) a zero-ending number whose check character happens to pass. Files as the tools write them:
openpyxl number cells, LibreOffice's .xls and .ods, a WPS-style workbook of inline strings, Excel's CSV of a
number column; through the import plan and `bangfu import households`. Controls: real numbers ending in zeros,
in text columns, import as written."""

import datetime as dt
import io
import itertools
import json
import zipfile

import openpyxl
import pytest

from bangfu.core.id_number import check_character, make_id_number
from bangfu.ingest.households import households_import_plan
from bangfu.ingest.services import households_import_commit
from bangfu.registry.models import Household, Member
from tests.conftest import synthetic_id
from tests.ingest.workbooks import in_formats

HEADER = ["户编号", "村", "姓名", "与户主关系", "证件号码"]
_days = itertools.count(1)


def _ending_000(*, check_passes: bool) -> str:
    """A synthetic ID number ending in 000, as Excel leaves one cut to 15 digits: with a check character that
    passes (about 1 cut number in 11) or not."""
    while True:
        body = make_id_number("513225", dt.date(1970, 1, 1) + dt.timedelta(days=next(_days)), 500)[:17]
        if (check_character(body) == "0") == check_passes:
            return body + "0"


def _digits_id() -> str:
    """A synthetic ID number of digits only (one ending in X cannot be typed into a number cell)."""
    while not (number := synthetic_id()).isdigit():
        pass
    return number


def _cut(number: str) -> str:
    """What Excel keeps of a number: 15 significant digits, rounded, the rest zeros."""
    return f"{round(int(number), -(len(number) - 15)):d}"


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


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_number_cells_of_more_than_fifteen_digits_are_refused_with_the_cause(county_admin, tmp_path, fmt):
    head, member = synthetic_id(), _digits_id()
    rows = [HEADER,
            [5132251032139004, "团结村", "张三", "户主", head],          # a 户编号 typed into a number cell
            ["5132251032130002", "团结村", "李四", "户主", synthetic_id()],
            ["5132251032130002", "团结村", "李小", "之子", float(member)],  # an ID number typed into a number cell
            [513225000000001, "团结村", "王五", "户主", synthetic_id()]]     # 15 digits: a number cell holds it
    plan = _plan(county_admin, in_formats(_xlsx(tmp_path, rows), fmt))
    assert _errors(plan) == [(2, "户编号", "number_as_number"), (4, "证件号码", "id_number_as_number")]
    for error in plan.errors:
        assert "Excel只保留15位有效数字" in error.message and "设为文本格式" in error.message
    households_import_commit(actor=county_admin, plan=plan)
    assert sorted(Household.objects.values_list("number", flat=True)) == ["513225000000001", "5132251032130002"]
    assert not Household.objects.filter(number__startswith="513225103213900").exists()  # never under …9000
    assert Member.objects.count() == 2


def test_member_rows_under_a_refused_household_number_go_nowhere(county_admin, tmp_path):
    rows = [HEADER,
            [5132251032139004, "团结村", "张三", "户主", synthetic_id()],
            ["", "", "张小", "之子", synthetic_id()],                   # blank 户编号: the household above
            ["5132251032130002", "团结村", "李四", "户主", synthetic_id()]]
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert _errors(plan) == [(2, "户编号", "number_as_number"), (3, "", "household_rejected")]
    households_import_commit(actor=county_admin, plan=plan)
    assert list(Member.objects.values_list("name", flat=True)) == ["李四"]


def test_a_cut_id_number_as_text_with_a_wrong_check_character_names_excel_not_the_check(county_admin, tmp_path):
    cut = _ending_000(check_passes=False)
    plan = _plan(county_admin, _xlsx(tmp_path, [HEADER, ["5132251032130001", "团结村", "张三", "户主", synthetic_id()],
                                                ["5132251032130001", "团结村", "李四", "配偶", cut]]))
    assert _errors(plan) == [(3, "证件号码", "id_number_as_number")]
    assert "Excel只保留15位有效数字" in plan.errors[0].message and "应为" not in plan.errors[0].message


def _excel_csv(tmp_path, ids: list[str], name="ledger.csv"):
    """A CSV as Excel saves a sheet whose ID column was numbers shown with the format 0: every number cut."""
    lines = ["户编号,村,姓名,与户主关系,证件号码"]
    names = ("张三", "李四", "王五", "赵六", "孙七", "周八")
    for i, number in enumerate(ids):
        lines.append(f"51322510321300{i + 1:02d},团结村,{names[i]},户主,{number}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_a_column_excel_cut_refuses_even_the_numbers_whose_check_passes(county_admin, tmp_path, capsys):
    passing = _ending_000(check_passes=True)   # cut, yet its check character passes: the 1 in 11
    failing = [_ending_000(check_passes=False) for _ in range(3)]
    path = _excel_csv(tmp_path, [*failing, passing])
    plan = _plan(county_admin, path)
    assert _errors(plan) == [(row, column, rule) for row in (2, 3, 4, 5)
                             for column, rule in (("证件号码", "id_number_as_number"), ("", "head_rejected"))]
    assert "本列第2行" in plan.errors[6].message  # the passing one names the row that shows the cut
    assert plan.report()["households"] == 0
    assert _command("import_data", "households", str(path), "--json", "--commit") == 1
    report = json.loads(capsys.readouterr().out)
    assert [e["rule"] for e in report["errors"]] == ["id_number_as_number", "head_rejected"] * 4
    assert not Member.objects.exists()  # not even the one whose check character passed, with its sex read from 0


def test_a_real_id_number_ending_in_000_in_a_text_column_imports(county_admin, tmp_path, capsys):
    real = _ending_000(check_passes=True)
    path = _excel_csv(tmp_path, [synthetic_id(), real])
    assert _command("import_data", "households", str(path), "--commit") == 0
    assert Member.objects.get(name="李四").reveal_id_number() == real
    # …and in an .xlsx text cell, beside an ordinary number
    other = _ending_000(check_passes=True)
    plan = _plan(county_admin, _xlsx(tmp_path, [HEADER, ["5132251032130009", "团结村", "王五", "户主", other]],
                                     name="text.xlsx"))
    assert plan.errors == []


def test_a_text_column_with_a_number_cell_refuses_its_zero_ending_numbers(county_admin, tmp_path):
    """Half a column converted to text (WPS's 转换为文本 on a selection): the converted numbers end in 000."""
    passing, fine = _ending_000(check_passes=True), synthetic_id()
    rows = [HEADER, ["5132251032130001", "团结村", "张三", "户主", fine],
            ["5132251032130002", "团结村", "李四", "户主", passing],
            ["5132251032130003", "团结村", "王五", "户主", float(_digits_id())]]
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert _errors(plan) == [(3, "证件号码", "id_number_as_number"), (3, "", "head_rejected"),
                             (4, "证件号码", "id_number_as_number"), (4, "", "head_rejected")]
    assert "本列第4行" in plan.errors[0].message
    # control: the same file without the number cell takes the number ending in 000 as written
    plan = _plan(county_admin, _xlsx(tmp_path, rows[:3], name="fixed.xlsx"))
    assert plan.errors == []
    households_import_commit(actor=county_admin, plan=plan)
    assert Member.objects.get(name="李四").reveal_id_number() == passing


def test_household_numbers_ending_in_zero_beside_a_cut_one_are_refused(county_admin, tmp_path):
    rows = [HEADER, ["5132251032130010", "团结村", "张三", "户主", synthetic_id()],
            [5132251032139004, "团结村", "李四", "户主", synthetic_id()],
            ["5132251032130011", "团结村", "王五", "户主", synthetic_id()]]
    plan = _plan(county_admin, _xlsx(tmp_path, rows))
    assert _errors(plan) == [(2, "户编号", "number_as_number"), (3, "户编号", "number_as_number")]
    assert "本列第3行" in plan.errors[0].message
    households_import_commit(actor=county_admin, plan=plan)
    assert list(Household.objects.values_list("number", flat=True)) == ["5132251032130011"]
    # control: without the number cell, a number ending in 0 is a number like any other
    plan = _plan(county_admin, _xlsx(tmp_path, [rows[0], rows[1]], name="fixed.xlsx"))
    assert plan.errors == []


def test_scientific_notation_text_is_refused_for_both(county_admin, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text("户编号,村,姓名,与户主关系,证件号码\n"
                    f"5.13225E+15,团结村,张三,户主,{synthetic_id()}\n"
                    "5132251032130002,团结村,李四,户主,5.13225E+17\n", encoding="gb18030")
    plan = _plan(county_admin, path)
    assert _errors(plan) == [(2, "户编号", "number_as_number"), (3, "证件号码", "id_number_as_number"),
                             (3, "", "head_rejected")]


def _wps_xlsx(rows) -> bytes:
    """A workbook as WPS writes one: inline strings (t="inlineStr") for text, numbers in E notation as Excel
    and WPS store a long number (<v>5.1322519800101101E+17</v>); built by hand, no library writes this."""
    def cell(ref, value):
        if isinstance(value, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
        return f'<c r="{ref}"><v>{value:.16E}</v></c>'

    body = "".join(f'<row r="{r}">' + "".join(cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row)) + "</row>"
                   for r, row in enumerate(rows, start=1))
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
        '.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_wps_workbook_with_cut_numbers(county_admin, tmp_path):
    real = _ending_000(check_passes=True)
    cut_head = _cut(_digits_id())
    rows = [HEADER, ["5132251032130001", "团结村", "张三", "户主", float(cut_head)],
            ["5132251032130002", "团结村", "李四", "户主", real],
            [5132251032130003.0, "团结村", "王五", "户主", synthetic_id()]]
    path = tmp_path / "wps.xlsx"
    path.write_bytes(_wps_xlsx(rows))
    plan = _plan(county_admin, path)
    assert _errors(plan) == [(2, "证件号码", "id_number_as_number"), (2, "", "head_rejected"),
                             (3, "证件号码", "id_number_as_number"), (3, "", "head_rejected"),
                             (4, "户编号", "number_as_number")]
    assert plan.report()["households"] == 0
    # control: the same workbook with its columns as text imports every household
    fixed = [HEADER, ["5132251032130001", "团结村", "张三", "户主", synthetic_id()],
             ["5132251032130002", "团结村", "李四", "户主", real],
             ["5132251032130003", "团结村", "王五", "户主", synthetic_id()]]
    path.write_bytes(_wps_xlsx(fixed))
    plan = _plan(county_admin, path)
    assert plan.errors == [] and plan.report()["households"] == 3
