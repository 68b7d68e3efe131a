"""`bangfu import households FILE` and `bangfu import feed --kind medical FILE --period …` on a workbook saved
with an opening password, one cut short and one whose sheet ends mid-way: exit status 1, the one Chinese line
saying what the file is and what to do (no library's English), nothing written, with or without --commit."""

import io
import json

import pytest
from django.core.management import call_command

from bangfu import cli
from bangfu.monitoring.models import FeedRow, FeedUpload
from bangfu.registry.models import Household, Member
from tests.ingest.test_broken_files import CASES, FEED, LEDGER, _file, assert_chinese

pytestmark = pytest.mark.django_db
COMMANDS = {
    "households": (LEDGER, ["import", "households"], []),
    "feed": (FEED, ["import", "feed", "--kind", "medical"], ["--period", "2026-11"]),
}


def _bangfu(command, *argv) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(cli.ALIASES.get(command, command), *argv, stdout=out)
        status = 0
    except SystemExit as exit:
        status = exit.code or 0
    return status, out.getvalue()


def _nothing_written() -> bool:
    return not (Household.objects.exists() or Member.objects.exists() or FeedUpload.objects.exists()
                or FeedRow.objects.exists())


@pytest.mark.parametrize("which", list(COMMANDS))
@pytest.mark.parametrize(("case", "rule", "says", "advice"), CASES)
@pytest.mark.parametrize("commit", [False, True], ids=["check", "commit"])
def test_the_command_prints_the_chinese_line_and_exits_1(regions, tmp_path, which, case, rule, says, advice, commit):
    rows, before, after = COMMANDS[which]
    path = _file(tmp_path, case, rows)
    status, out = _bangfu(*before, str(path), *after, *(["--commit"] if commit else []))
    assert status == 1
    (line,) = out.strip().splitlines()
    assert_chinese(line, says, advice)
    assert _nothing_written()


@pytest.mark.parametrize("which", list(COMMANDS))
@pytest.mark.parametrize(("case", "rule", "says", "advice"), CASES)
def test_the_json_report_carries_the_message(regions, tmp_path, which, case, rule, says, advice):
    rows, before, after = COMMANDS[which]
    status, out = _bangfu(*before, str(_file(tmp_path, case, rows)), *after, "--json")
    assert status == 1
    (error,) = json.loads(out)["errors"]
    assert_chinese(error["message"], says, advice)
    assert error["rule"] == (rule if which == "households" else "file")  # the feed command: "file" for any
    assert _nothing_written()
