from django.core.management.base import BaseCommand, CommandError

from bangfu.jobs.services import jobs_prune


class Command(BaseCommand):
    help = "Delete result files (exports) of jobs finished more than --days days ago (default 7). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days 不能为负数")
        self.stdout.write(f"已清理 {jobs_prune(older_than_days=days)} 个任务的结果文件")
