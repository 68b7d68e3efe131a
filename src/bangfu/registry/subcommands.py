"""`bangfu export monitored …` (registered with bangfu.core.subcommands)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError

from bangfu.core.subcommands import subcommand


@subcommand("export", "monitored",
            help="防返贫监测对象台账（.xlsx，全国系统的列；默认脱敏，--full 完整证件号码和电话并记录）")
class ExportMonitored:
    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True)
        parser.add_argument("--region", default="", help="乡镇或村的12位区划代码（默认全县）")
        parser.add_argument("--full", action="store_true", help="完整证件号码和电话（记入敏感信息导出记录）")

    def handle(self, options, stdout) -> int:
        from bangfu.ingest.commandline import command_line_user
        from bangfu.ingest.households import county_for
        from bangfu.regions.models import Region
        from bangfu.web.exports import list_export_file

        region = options["region"]
        if region and not Region.objects.filter(code=region).exists():
            stdout.write(f"区划代码 {region} 不存在")
            return 1
        try:
            actor = command_line_user(county_for(None))
            count = list_export_file(actor=actor, key="monitored", path=Path(options["out"]),
                                     data={"region": region} if region else {}, full=options["full"])
        except (PermissionDenied, ValidationError) as error:
            stdout.write(str(error))
            return 1
        note = "（含完整证件号码和电话，已记录）" if options["full"] else "（证件号码和电话已脱敏）"
        stdout.write(f"已导出 {count} 户监测对象到 {options['out']}{note}")
        return 0
