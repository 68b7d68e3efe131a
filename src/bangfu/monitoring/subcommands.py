"""`bangfu import feed …` and `bangfu export warnings …` (registered with bangfu.core.subcommands)."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError

from bangfu.core.scoping import code_range_q
from bangfu.core.subcommands import subcommand
from bangfu.ingest.columns import columns_text
from bangfu.monitoring.feed_import import FeedFileError, feed_file_check, feed_upload_commit
from bangfu.monitoring.feeds import FEED_KINDS
from bangfu.monitoring.models import RiskWarning
from bangfu.regions.models import Region


@subcommand("import", "feed", help="部门数据文件（医保、民政、残联……）：检查并匹配，加 --commit 才写入")
class ImportFeed:
    def add_arguments(self, parser) -> None:
        parser.add_argument("--kind", required=True, choices=sorted(FEED_KINDS))
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--period", required=True, help="数据月份 YYYY-MM")
        parser.add_argument("--json", action="store_true", help="打印 JSON 报告")
        parser.add_argument("--commit", action="store_true", help="写入匹配成功的行（默认只检查）")

    def handle(self, options, stdout) -> int:
        path = Path(options["file"])
        if not path.is_file():
            return self._fail(options, stdout, f"找不到文件：{path}")
        try:
            if options["commit"]:
                _, report = feed_upload_commit(actor=None, kind=options["kind"], period=options["period"], path=path,
                                               file_name=path.name)
            else:
                report = feed_file_check(actor=None, kind=options["kind"], period=options["period"], path=path)
        except FeedFileError as error:
            return self._fail(options, stdout, error.message)
        except ValidationError as error:
            return self._fail(options, stdout, "；".join(m for ms in error.message_dict.values() for m in ms))
        result = report.as_dict()
        if options["json"]:
            stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            stdout.write(f"{report.rows} 行：匹配 {report.matched}，未匹配 {report.unmatched}，无效 {report.invalid}，"
                         f"重复 {report.duplicates}"
                         + ("，已写入" if options["commit"] else "（仅检查，未写入；加 --commit 写入）"))
            for line in columns_text(result):
                stdout.write(line)
            for error in report.errors:
                stdout.write(f"  第{error.row}行 [{error.column}] {error.message}")
        return 1 if report.errors else 0

    def _fail(self, options, stdout, message: str) -> int:
        if options["json"]:
            stdout.write(json.dumps({"rows": 0, "matched": 0, "unmatched": 0, "invalid": 0, "duplicates": 0,
                                     "mapping": [], "ignored_columns": [], "errors": [{"sheet": "", "row": 0, "column": "", "rule": "file",
                                                 "message": message}]},
                                    ensure_ascii=False))
        else:
            stdout.write(message)
        return 1


def _release_logged(region, rows: int) -> None:
    """The warnings (heads of household with health and disability evidence) leave the system: a logged release
    by the command-line account, as an export from the page is."""
    from bangfu.audit.services import reveal_record
    from bangfu.ingest.commandline import command_line_user
    from bangfu.ingest.households import county_for
    from bangfu.web.exports import filter_row

    actor = command_line_user(county_for(None))
    reveal_record(actor=actor, field="export_named", instance=region or actor, household_id=None,
                  region_code=region.code if region else actor.region_id or "", what="预警清单",
                  filters=filter_row([f"地区={region.name}"] if region else []), rows=rows)


@subcommand("export", "warnings", help="待核实的预警清单（.xlsx）")
class ExportWarnings:
    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True, metavar="FILE.xlsx")
        parser.add_argument("--region", default="", metavar="CODE", help="只导出该区划（12位代码）内的预警")

    def handle(self, options, stdout) -> int:
        from bangfu.monitoring.exports import warnings_export_write

        warnings = RiskWarning.objects.filter(state=RiskWarning.State.OPEN)
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                stdout.write(f"区划代码不存在：{options['region']}")
                return 1
            warnings = warnings.filter(code_range_q(region.code_range))
        rows = warnings_export_write(Path(options["out"]), warnings)
        _release_logged(region, rows)
        stdout.write(f"已导出 {rows} 条预警到 {options['out']}")
        return 0
