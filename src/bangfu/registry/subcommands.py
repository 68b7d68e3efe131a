"""`bangfu export monitored …` (registered with bangfu.core.subcommands)."""

from bangfu.core.subcommands import subcommand
from bangfu.ingest.commandline import LedgerExportCommand


@subcommand("export", "monitored",
            help="防返贫监测对象台账（.xlsx，全国系统的列；默认脱敏，--full 完整证件号码和电话并记录）")
class ExportMonitored(LedgerExportCommand):
    counted = "户监测对象"

    def write(self, *, actor, path, region: str, full: bool) -> int:
        from bangfu.web.exports import list_export_file

        return list_export_file(actor=actor, key="monitored", path=path,
                                data={"region": region} if region else {}, full=full)
