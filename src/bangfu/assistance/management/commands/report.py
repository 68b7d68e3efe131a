"""bangfu report briefing|unit: the joint meeting's briefing and a unit's annual report as Word documents.

    bangfu report briefing --since 2021-07-01 [--until DATE] [--county CODE] --out FILE.docx
    bangfu report unit --unit 成都大学 --year 2022 --out FILE.docx
"""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from bangfu.assistance.documents import briefing_write, unit_report_write
from bangfu.assistance.models import Unit


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} 应为日期 YYYY-MM-DD，实为“{text}”") from None


class Command(BaseCommand):
    help = "生成定点帮扶文档：联席会议简报（briefing）或单位年度报告（unit），Word 格式"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="document", required=True)
        briefing = sub.add_parser("briefing", help="联席会议简报：县情、各单位工作、捐赠、项目、调研、规划进度、整改")
        briefing.add_argument("--since", required=True, help="统计起始日期，如 2021-07-01")
        briefing.add_argument("--until", help="统计截止日期（默认今天）")
        briefing.add_argument("--county", help="帮扶县区划代码（只有一个县时可省略）")
        briefing.add_argument("--out", required=True, help="输出的 .docx 文件")
        unit = sub.add_parser("unit", help="单位年度帮扶工作报告")
        unit.add_argument("--unit", required=True, help="单位名称或简称，如 成都大学")
        unit.add_argument("--year", required=True, type=int, help="年度，如 2022")
        unit.add_argument("--out", required=True, help="输出的 .docx 文件")

    def handle(self, *args, **options):
        out = Path(options["out"])
        if out.suffix.lower() != ".docx":
            raise CommandError("--out 应为 .docx 文件")
        if options["document"] == "briefing":
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
            unit_report_write(unit=unit, year=options["year"], path=out)
        self.stdout.write(f"已生成 {out}")
