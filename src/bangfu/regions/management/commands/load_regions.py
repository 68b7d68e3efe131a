import time

from django.core.management.base import BaseCommand, CommandError

from bangfu.regions.services import PACKAGED_JIUZHAIGOU, RegionFileError, regions_load_file


class Command(BaseCommand):
    help = "Load a division file (code,name,level,parent_code); default: the packaged Jiuzhaigou tree."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(PACKAGED_JIUZHAIGOU))

    def handle(self, *args, path, **options):
        started = time.perf_counter()
        try:
            result = regions_load_file(path=path)
        except (RegionFileError, FileNotFoundError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(f"已载入区划：新增 {result.created}，更新 {result.updated}，用时 {time.perf_counter() - started:.1f} 秒")
