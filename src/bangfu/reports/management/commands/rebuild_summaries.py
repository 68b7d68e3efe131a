import time

from django.core.management.base import BaseCommand

from bangfu.reports.summaries import village_summaries_rebuild


class Command(BaseCommand):
    help = "Recount the kept village figures from the registry (after a bulk load or a restore)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = village_summaries_rebuild()
        self.stdout.write(f"已重算村级汇总：{rows} 行，用时 {time.perf_counter() - started:.1f} 秒")
