"""bangfu report briefing|unit|meetings: the joint meeting's briefing and a unit's annual report as Word documents.

    bangfu report meetings                                       one meeting a line: ID, date, title
    bangfu report briefing --meeting ID --out FILE.docx          the briefing of that meeting
    bangfu report briefing --since 2021-07-01 [--until DATE] [--county CODE] --out FILE.docx
    bangfu report unit --unit 成都大学 --year 2022 --out FILE.docx
    bangfu report relocation --out FILE.xlsx [--region CODE] [--year YEAR]   易地搬迁后续扶持 (relocation.report)
    bangfu report statistics --out FILE.xlsx [--region CODE] [--year Y]   the statistics tables (reports.statistics)
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from bangfu.assistance.documents import NoDataError, briefing_write, unit_report_write
from bangfu.assistance.models import JointMeeting, Unit


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} 应为日期 YYYY-MM-DD，实为“{text}”") from None


class Command(BaseCommand):
    help = "生成定点帮扶文档：联席会议简报（briefing）或单位年度报告（unit），Word 格式"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="document", required=True)
        sub.add_parser("meetings", help="列出联席会议：每行一个，编号、日期、名称")
        briefing = sub.add_parser("briefing", help="联席会议简报：按会议记录（--meeting）或按统计期（--since）生成")
        briefing.add_argument("--meeting", type=int, help="会议编号（见 bangfu report meetings）")
        briefing.add_argument("--since", help="统计起始日期，如 2021-07-01（不指定会议时必填）")
        briefing.add_argument("--until", help="统计截止日期（默认今天）")
        briefing.add_argument("--county", help="帮扶县区划代码（只有一个县时可省略）")
        briefing.add_argument("--out", required=True, help="输出的 .docx 文件")
        unit = sub.add_parser("unit", help="单位年度帮扶工作报告")
        unit.add_argument("--unit", required=True, help="单位名称或简称，如 成都大学")
        unit.add_argument("--year", required=True, type=int, help="年度，如 2022")
        unit.add_argument("--out", required=True, help="输出的 .docx 文件")
        relocation = sub.add_parser("relocation", help="易地搬迁后续扶持：至少1人就业、安置点、搬迁户、就业（Excel）")
        relocation.add_argument("--out", required=True, help="输出的 .xlsx 文件")
        relocation.add_argument("--region", help="区划代码（默认全部）")
        relocation.add_argument("--year", type=int, help="就业年度（默认今年）")
        stats = sub.add_parser("statistics", help="统计表：分地区、分单位、分月（Excel），与统计看板的数字相同")
        stats.add_argument("--out", required=True, help="输出的 .xlsx 文件")
        stats.add_argument("--region", default="", help="县、乡镇或村的12位区划代码（默认全县）")
        stats.add_argument("--year", type=int, help="统计年度（默认今年）")

    def handle(self, *args, **options):
        if options["document"] == "meetings":
            for meeting in JointMeeting.objects.order_by("date", "id"):
                self.stdout.write(f"{meeting.pk}\t{meeting.date:%Y-%m-%d}\t{meeting}")
            return
        out = Path(options["out"])
        if options["document"] == "relocation":
            self._relocation(out, options)
            return
        if options["document"] == "statistics":
            self._statistics(out, region=options["region"], year=options.get("year"))
            return
        if out.suffix.lower() != ".docx":
            raise CommandError("--out 应为 .docx 文件")
        if options["document"] == "briefing" and options.get("meeting") is not None:
            meeting = JointMeeting.objects.filter(pk=options["meeting"]).select_related("county", "plan").first()
            if meeting is None:
                raise CommandError(f"没有编号为 {options['meeting']} 的联席会议（bangfu report meetings 列出现有会议）")
            units = Unit.objects.filter(county_id=meeting.county_id).select_related("county")
            briefing_write(units=units, meeting=meeting, path=out)
        elif options["document"] == "briefing":
            if not options.get("since"):
                raise CommandError("请用 --meeting 指定会议，或用 --since 指定统计起始日期")
            since = _date(options["since"], "--since")
            until = _date(options["until"], "--until") if options.get("until") else dt.date.today()
            if until < since:
                raise CommandError("--until 不能早于 --since")
            counties = sorted(set(Unit.objects.values_list("county_id", flat=True)))
            county = options.get("county") or (counties[0] if len(counties) == 1 else None)
            if not county:
                raise CommandError("有多个帮扶县，请用 --county 指定：" + "、".join(counties) if counties
                                   else "还没有帮扶单位（先运行 bangfu build-demo 或录入单位）")
            units = Unit.objects.filter(county_id=county).select_related("county")
            if not units:
                raise CommandError(f"区划 {county} 没有帮扶单位")
            briefing_write(units=units, since=since, until=until, path=out)
        else:
            name = options["unit"].strip()
            unit = Unit.objects.filter(Q(name=name) | Q(short_name=name)).select_related("county").first()
            if unit is None:
                raise CommandError(f"没有名为“{name}”的帮扶单位；现有：" + "、".join(
                    Unit.objects.values_list("name", flat=True)))
            try:
                unit_report_write(unit=unit, year=options["year"], path=out)
            except NoDataError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(f"已生成 {out}")

    def _relocation(self, out: Path, options) -> None:
        from bangfu.regions.models import Region
        from bangfu.relocation.report import relocation_report_write

        if out.suffix.lower() != ".xlsx":
            raise CommandError("--out 应为 .xlsx 文件")
        region = options.get("region")
        if region and not Region.objects.filter(code=region).exists():
            raise CommandError(f"没有区划代码为 {region} 的地区")
        totals = relocation_report_write(path=out, region_code=region, year=options.get("year"))
        self.stdout.write(f"已生成 {out}：{totals['sites']} 个安置点，有劳动力搬迁户 {totals['with_labour']} 户，"
                          f"至少1人就业 {totals['employed']} 户，覆盖率 {totals['rate']}，未就业 {totals['without']} 户")
    def _statistics(self, out: Path, *, region: str, year: int | None) -> None:
        """As the county's command-line user (a county administrator) would export them from the statistics page:
        through the one list export, logged like the page's export."""
        from django.core.exceptions import PermissionDenied, ValidationError
        from openpyxl import load_workbook

        from bangfu.ingest.commandline import command_line_user
        from bangfu.ingest.households import county_for
        from bangfu.reports.listexports import statistics_scope
        from bangfu.web.exports import list_export_file

        if out.suffix.lower() != ".xlsx":
            raise CommandError("--out 应为 .xlsx 文件")
        if year is not None and not 2000 <= year <= 2100:
            raise CommandError(f"--year 应为四位年份，实为“{year}”")
        try:
            actor = command_line_user(county_for(None))
        except ValidationError as error:  # no county, or several: say so in one line
            raise CommandError(" ".join(error.messages)) from None
        try:  # a place out of the county is refused here, before anything is written or logged
            scope = statistics_scope(actor, {"region": region, "period": str(year) if year else ""})
        except PermissionDenied:
            raise CommandError(f"区划代码 {region} 不存在或不在本县") from None
        data = {"region": scope.region.code if scope.region else "", "period": scope.period.key}
        try:
            list_export_file(actor=actor, key="statistics", path=out, data=data)
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None
        sheets = len(load_workbook(out, read_only=True).sheetnames)
        self.stdout.write(f"已生成 {out}（{scope.title} {scope.period.label}，{sheets} 张表）")
