import datetime as dt
import re
import time

from django.core.management.base import BaseCommand, CommandError

from bangfu.regions.services import PACKAGED_JIUZHAIGOU, RegionFileError, regions_load_file


class Command(BaseCommand):
    help = ("Load a division file (code,name,level,parent_code; UTF-8 or GB18030); default: the packaged "
            "Jiuzhaigou tree. All or nothing; only new and changed codes are written.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(PACKAGED_JIUZHAIGOU))
        parser.add_argument("--retire-missing", action="store_true",
                            help="for every county whose row is in the file, retire (set valid_to on) its codes that "
                                 "the file lacks, and re-activate codes the file lists; nothing is deleted")
        parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                            help="the date codes are retired from (with --retire-missing; default: today)")

    def handle(self, *args, path, retire_missing, as_of, **options):
        as_of_date = None
        if as_of is not None:
            if not retire_missing:
                raise CommandError("--as-of 只能与 --retire-missing 一起使用")
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of):
                    raise ValueError
                as_of_date = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of 应为日期 YYYY-MM-DD，实为“{as_of}”") from None
        started = time.perf_counter()
        try:
            result = regions_load_file(path=path, retire_missing=retire_missing, as_of=as_of_date)
        except RegionFileError as error:
            raise CommandError(f"{path}：{error}") from None
        report = f"已载入区划：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        if retire_missing:
            report += f"，停用 {result.retired}，重新启用 {result.reactivated}"
        self.stdout.write(f"{report}，用时 {time.perf_counter() - started:.1f} 秒")
