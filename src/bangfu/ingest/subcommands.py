"""`bangfu import households …` and `bangfu export households …` (registered with bangfu.core.subcommands)."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError

from bangfu.core.subcommands import subcommand
from bangfu.ingest.commandline import LedgerExportCommand


@subcommand("import", "households", help="农户台账（.xlsx/.xls/.ods/.csv）：检查并报告，加 --commit 才写入")
class ImportHouseholds:
    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--year", type=int, help="收入各列所属年度")
        parser.add_argument("--json", action="store_true", help="打印 JSON 报告")
        parser.add_argument("--commit", action="store_true", help="写入无错误的户（默认只检查）")

    def handle(self, options, stdout) -> int:
        from bangfu.ingest.columns import columns_text
        from bangfu.ingest.commandline import command_line_user
        from bangfu.ingest.households import county_for, households_import_plan
        from bangfu.ingest.reader import ReadError
        from bangfu.ingest.services import households_import_commit

        path = Path(options["file"])
        if not path.is_file():
            return self._fail(options, stdout, "file", f"找不到文件：{path}")
        try:
            actor = command_line_user(county_for(None))
            plan = households_import_plan(actor=actor, source=path, year=options["year"])
            committed = households_import_commit(actor=actor, plan=plan) if options["commit"] else None
        except ReadError as error:
            return self._fail(options, stdout, error.rule, error.message)
        except ValidationError as error:
            return self._fail(options, stdout, "file", "；".join(error.messages))
        report = plan.report()
        if options["json"]:
            stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            verb = "已写入" if committed is not None else "将写入（未加 --commit，未写入）"
            stdout.write(f"{verb}：{report['households']} 户，{report['members']} 人")
            counts = plan.counts()
            stdout.write(
                f"新户 {counts['households_new']}，变更 {counts['households_changed']}，无变化 "
                f"{counts['households_unchanged']}，整户未导入 {counts['households_rejected']}；新成员 "
                f"{counts['members_new']}，变更 {counts['members_changed']}，无变化 {counts['members_unchanged']}")
            for line in plan.defaults_text() + plan.notices:
                stdout.write(f"默认值：{line}")
            for line in columns_text(report):
                stdout.write(line)
            for e in report["errors"]:
                where = f"{e['sheet']} 第{e['row']}行" + (f"「{e['column']}」" if e["column"] else "")
                stdout.write(f"{where}：{e['message']}")
        return 1 if report["errors"] else 0

    def _fail(self, options, stdout, rule: str, message: str) -> int:
        if options["json"]:
            stdout.write(json.dumps({"households": 0, "members": 0, "errors": [
                {"sheet": "", "row": 0, "column": "", "rule": rule, "message": message}], "mapping": [],
                "ignored_columns": []}, ensure_ascii=False))
        else:
            stdout.write(message)
        return 1


@subcommand("export", "households", help="农户台账（.xlsx，农户和家庭成员两张表；默认脱敏，--full 完整号码并记录）")
class ExportHouseholds(LedgerExportCommand):
    def write(self, *, actor, path, region: str, full: bool) -> int:
        from bangfu.registry.exports import household_ledger_export_file

        return household_ledger_export_file(actor=actor, path=path, region_code=region, full=full)


@subcommand("export", "template",
            help="空白导入模板（.xlsx）：households、members、incomes 或 feed-<部门数据类型>，不含任何人的数据")
class ExportTemplate:
    def add_arguments(self, parser) -> None:
        from bangfu.ingest.blanks import blanks

        parser.add_argument("template", metavar="KIND", choices=sorted(blanks()),
                            help="、".join(f"{key}（{blank.label}）" for key, blank in blanks().items()))
        parser.add_argument("--out", required=True)

    def handle(self, options, stdout) -> int:
        from bangfu.ingest.blanks import blank_write, blanks

        blank = blanks()[options["template"]]
        with open(options["out"], "wb") as out:
            blank_write(out, blank)
        stdout.write(f"已写出{blank.label}模板到 {options['out']}（{len(blank.columns)} 列，另有“填写说明”工作表）")
        return 0
