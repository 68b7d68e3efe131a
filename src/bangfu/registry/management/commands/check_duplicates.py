"""`bangfu check-duplicates`: bring every member under the one-person index rule and list the same person
registered twice (exit status 1 while any is left)."""

from django.core.management.base import BaseCommand

from bangfu.registry.duplicates import duplicate_line, members_identity_reindex, reindex_report


class Command(BaseCommand):
    help = ("Re-index members registered as 其他 or 残疾人证 whose number is a resident ID number, and list persons "
            "registered twice (exit status 1 if any).")

    def handle(self, *args, **options):
        result = members_identity_reindex()
        reindex_report(result)
        self.stdout.write(f"已检查 {result.checked} 名以其他证件类型登记的成员，重建索引 {result.reindexed} 名。")
        for duplicate in result.duplicates:
            self.stdout.write(duplicate_line(duplicate))
        if result.duplicates:
            self.stdout.write(f"共 {len(result.duplicates)} 处同一人重复登记：请核实后在户档案中删除重复的成员，"
                              f"再运行 bangfu check-duplicates。")
            raise SystemExit(1)
        self.stdout.write("未发现同一人重复登记。")
