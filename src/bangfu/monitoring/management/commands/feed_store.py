"""`bangfu feed-store [--rebuild]`: write the department feeds' Parquet partitions from the database.

Run once after upgrading an install whose feeds predate the store (the first screening would do it too, inside
its time), after a bulk load of FeedRow rows, or with --rebuild to write every partition again."""

import json

from django.core.management.base import BaseCommand

from bangfu.monitoring.engine.feedstore import feed_store_dir, feed_store_rebuild, feed_store_sync


class Command(BaseCommand):
    help = "Write the department feeds' Parquet partitions (kind, month) from the database."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="write every partition again")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        result = feed_store_rebuild() if options["rebuild"] else feed_store_sync()
        if options["json"]:
            self.stdout.write(json.dumps({**result, "directory": str(feed_store_dir())}))
            return
        self.stdout.write(f"部门数据列式存储 {feed_store_dir()}：共 {result['partitions']} 个分区（类型×月份），"
                          f"本次写入 {result['written']} 个，删除 {result['removed']} 个")
