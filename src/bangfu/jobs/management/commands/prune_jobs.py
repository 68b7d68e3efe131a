from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bangfu.jobs.services import jobs_prune


class Command(BaseCommand):
    help = ("Delete result files (exports) of jobs finished more than --days days ago (default 7), and uploads "
            "never committed older than --upload-hours (default BANGFU_UPLOAD_KEEP_HOURS). Run daily.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument("--upload-hours", type=int, default=None)

    def handle(self, *args, days, upload_hours, **options):
        from bangfu.ingest.services import uploads_prune

        if days < 0:
            raise CommandError("--days 不能为负数")
        hours = settings.UPLOAD_KEEP_HOURS if upload_hours is None else upload_hours
        if hours < 0:
            raise CommandError("--upload-hours 不能为负数")
        self.stdout.write(f"已清理 {jobs_prune(older_than_days=days)} 个任务的结果文件")
        self.stdout.write(f"已删除 {uploads_prune(older_than_hours=hours)} 个未导入的上传文件")
