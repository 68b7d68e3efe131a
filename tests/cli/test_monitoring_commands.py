"""`bangfu import feed`, `bangfu screen`, `bangfu export warnings`: the names `bangfu` maps them to, called as
Django commands (execute_from_command_line would close the test's database connection)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from bangfu import cli
from bangfu.core.id_number import make_id_number
from bangfu.monitoring.models import FeedRow, RiskWarning
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE
from tests.monitoring.factories import head

pytestmark = pytest.mark.django_db


def _feed_csv(tmp_path, households, *, outsider=True):
    lines = ["身份证号码,姓名,入院日期,出院日期,医疗总费用,个人自付"]
    for household in households:
        lines.append(f"{head(household).reveal_id_number()},测试户主,2025-05-01,2025-05-09,30000,12000")
    if outsider:
        lines.append(f"{make_id_number('510104', dt.date(1970, 1, 1), 11)},外县,2025-05-01,2025-05-09,1,1")
    path = tmp_path / "medical.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _bangfu(capsys, command, *argv) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(cli.ALIASES.get(command, command), *argv, stdout=out)
        status = 0
    except SystemExit as exit:
        status = exit.code or 0
    return status, out.getvalue()


def test_import_feed_checks_then_commits(tmp_path, make_household, capsys):
    households = [make_household(TUANJIE), make_household(ZHANGZHA_VILLAGE)]
    path = _feed_csv(tmp_path, households)
    status, out = _bangfu(capsys, "import", "feed", "--kind", "medical", str(path), "--period", "2025-05", "--json")
    report = json.loads(out)
    assert status == 1  # one row matches nobody
    assert (report["rows"], report["matched"], report["unmatched"]) == (3, 2, 1)
    assert report["errors"][0]["row"] == 4 and "未匹配" in report["errors"][0]["message"]
    assert not FeedRow.objects.exists()
    status, out = _bangfu(capsys, "import", "feed", "--kind", "medical", str(path), "--period", "2025-05",
                          "--json", "--commit")
    assert status == 1 and FeedRow.objects.count() == 2


def test_import_feed_without_errors_exits_0(tmp_path, make_household, capsys):
    path = _feed_csv(tmp_path, [make_household(TUANJIE)], outsider=False)
    status, out = _bangfu(capsys, "import", "feed", "--kind", "medical", str(path), "--period", "2025-05", "--commit")
    assert status == 0 and "匹配 1" in out and FeedRow.objects.count() == 1


def test_screen_then_export_warnings(tmp_path, make_household, capsys):
    households = [make_household(TUANJIE), make_household(ZHANGZHA_VILLAGE)]
    _bangfu(capsys, "import", "feed", "--kind", "medical", str(_feed_csv(tmp_path, households)), "--period",
            "2025-05", "--commit")
    status, out = _bangfu(capsys, "screen", "--json")
    result = json.loads(out)
    assert status == 0 and result["counts_by_rule"]["medical_stay_oop"] == 2 and result["created"] >= 2
    status, out = _bangfu(capsys, "screen")
    assert "medical_stay_oop" in out and RiskWarning.objects.filter(rule__code="medical_stay_oop").count() == 2
    target = tmp_path / "warnings.xlsx"
    status, out = _bangfu(capsys, "export", "warnings", "--out", str(target), "--region", ZHANGZHA_VILLAGE)
    assert status == 0
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["户编号", "户主", "乡镇", "村", "规则代码", "规则", "证据", "排除", "类别"]
    medical = [row for row in rows[1:] if row[4] == "medical_stay_oop"]
    assert len(medical) == 1 and medical[0][0] == households[1].number
    assert medical[0][2:4] == ["漳扎镇", "漳扎村村民委员会"] and "住院自付 12,000 元" in medical[0][6]
    assert medical[0][8] == "待入户核实"


def test_import_feed_json_reports_columns_and_the_sense_checks(tmp_path, make_household, capsys):
    member = head(make_household(TUANJIE))
    path = tmp_path / "medical.csv"
    path.write_text("\n".join([
        "身份证号码,姓名,入院日期,出院日期,医疗总费用,个人自付,备注",
        f"{member.reveal_id_number()},{member.name},2025-05-09,2025-05-01,5000,9000,",
    ]) + "\n", encoding="utf-8")
    status, out = _bangfu(capsys, "import", "feed", "--kind", "medical", str(path), "--period", "2025-05", "--json")
    report = json.loads(out)
    assert status == 1 and (report["matched"], report["invalid"], report["duplicates"]) == (0, 1, 0)
    assert {(e["row"], e["rule"]) for e in report["errors"]} == {(2, "date_order"), (2, "part_over_total")}
    assert {m["header"]: m["field"] for m in report["mapping"]}["个人自付"] == "out_of_pocket"
    assert [c["header"] for c in report["ignored_columns"]] == ["备注"]
    status, out = _bangfu(capsys, "import", "feed", "--kind", "medical", str(path), "--period", "2025-05")
    assert "未导入的列" in out and "备注" in out and "第2行 [出院日期]" in out
