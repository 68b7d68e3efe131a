"""Merged cells beyond a household's own cells, in every format people send, .ods (LibreOffice) included: a group
header merged over its columns in a two-row header, and a village (and group) merged down several households.
calamine reports no merged ranges for .ods: the reader takes them from the file itself."""

import openpyxl
import pytest

from bangfu.ingest.households import households_import_plan
from bangfu.ingest.reader import read_workbook
from bangfu.ingest.services import households_import_commit
from bangfu.registry.models import Household
from tests.conftest import synthetic_id
from tests.ingest.workbooks import in_formats


def _ledger(tmp_path, ids):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "监测对象"
    rows = [
        ["九寨沟县双河镇防返贫监测对象台账"],
        ["户信息", None, None, None, "家庭成员信息", None, None],
        ["户编号", "村", "组", "户类型", "姓名", "与户主关系", "证件号码"],
        ["5132251032139101", "团结村", "3组", "脱贫户", "张一", "户主", ids[0]],
        [None, None, None, None, "张二", "配偶", ids[1]],
        ["5132251032139102", None, None, "一般农户", "李一", "户主", ids[2]],
        ["5132251032139103", None, "4组", "一般农户", "王一", "户主", ids[3]],
        [None, None, None, None, "王二", "之子", ids[4]],
        ["5132251032129104", "松柏村", "1组", "脱贫户", "赵一", "户主", ids[5]],
    ]
    for row in rows:
        ws.append(row)
    for cells in ("A1:G1", "A2:D2", "E2:G2",  # the title; the group headers over their columns
                  "A4:A5", "D4:D5", "A7:A8", "D7:D8",  # a household's cells down its member rows
                  "B4:B8",  # 团结村 merged down three households
                  "C4:C6"):  # 3组 down two households
        ws.merge_cells(cells)
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_group_headers_and_a_village_merged_down_several_households(county_admin, tmp_path, fmt):
    ids = [synthetic_id() for _ in range(6)]
    path = in_formats(_ledger(tmp_path, ids), fmt)
    from bangfu.ingest.households import HOUSEHOLDS

    (sheet,) = read_workbook(path, kind=HOUSEHOLDS).sheets
    assert sheet.header_rows == (2, 3)
    assert [c.header for c in sheet.columns][:2] == ["户信息/户编号", "户信息/村"]
    assert sheet.columns[4].header == "家庭成员信息/姓名"
    assert [r.values.get("village") for r in sheet.rows] == ["团结村"] * 5 + ["松柏村"]
    plan = households_import_plan(actor=county_admin, source=path)
    assert plan.errors == []
    households_import_commit(actor=county_admin, plan=plan)
    placed = dict(Household.objects.values_list("number", "village__name"))
    assert placed == {"5132251032139101": "团结村村民委员会", "5132251032139102": "团结村村民委员会",
                      "5132251032139103": "团结村村民委员会", "5132251032129104": "松柏村村民委员会"}
    groups = dict(Household.objects.values_list("number", "group"))
    assert groups == {"5132251032139101": "3组", "5132251032139102": "3组", "5132251032139103": "4组",
                      "5132251032129104": "1组"}
    assert Household.objects.get(number="5132251032139103").members.count() == 2
