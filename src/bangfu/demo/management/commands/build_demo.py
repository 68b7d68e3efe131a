import sys

from django.core.management.base import BaseCommand, CommandError

from bangfu.demo.builder import DEFAULT_PEOPLE, DEMO_PASSWORD, demo_build, demo_clear, demo_state


class Command(BaseCommand):
    help = "Build the synthetic Jiuzhaigou county (about 66,000 people by default; --people 1000000 for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE)
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--force", action="store_true", help="delete existing registry data first")
        parser.add_argument("--if-missing", action="store_true", help="do nothing if households exist")
        parser.add_argument("--county", default="513225",
                            help="the county to build: 513225 (九寨沟县, the first) or 513224 (松潘县, added beside "
                                 "it without touching the first county's data)")

    def handle(self, *args, people, seed, force, if_missing, county="513225", **options):
        if people < 10:
            raise CommandError("--people 至少为 10")
        county = (county or "").strip()[:6]
        if county != "513225":
            return self._other_county(county, people=people, seed=seed, force=force, if_missing=if_missing)
        state = demo_state()
        if state == "partial" and (if_missing or force):
            self.stdout.write("上次生成演示数据未完成，清除后重新生成")
            demo_clear()
        elif state != "empty":
            if if_missing and state == "complete":
                self.stdout.write("演示数据已存在，跳过生成（重新生成：bangfu build-demo --force）")
                self._print_accounts()
                return
            if not force:
                raise CommandError("库中已有农户数据；如需重新生成请加 --force（将删除现有农户档案）")
            demo_clear()

        def progress(done, total, report):
            width = 30
            filled = width * done // total
            sys.stdout.write(f"\r生成演示县 [{'#' * filled}{'.' * (width - filled)}] {done}/{total} 村 "
                             f"{report.households} 户 {report.people} 人")
            sys.stdout.flush()

        self.stdout.write(f"正在生成演示县（约 {people:,} 人）……")
        report = demo_build(people=people, seed=seed, progress=progress if sys.stdout.isatty() else None)
        try:
            import resource  # not on Windows

            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        except ImportError:
            peak_mb = float("nan")
        self.stdout.write(f"\n已生成演示县：{report.households} 户，{report.people} 人，收入记录 "
                          f"{report.income_records} 条，用时 {report.seconds:.1f} 秒，峰值内存 {peak_mb:.0f} MB")
        names = {"households": "农户与成员", "cases": "案件", "summaries": "村级汇总", "monitoring": "部门数据与筛查", "relocation": "搬迁与关爱",
                 "statistics": "数据库统计信息"}
        self.stdout.write("各步用时：" + "，".join(f"{names.get(k, k)} {v:.1f} 秒" for k, v in report.phases.items()))
        self._print_accounts()

    def _other_county(self, county, *, people, seed, force, if_missing):
        from bangfu.demo.builder import (
            OTHER_COUNTIES,
            demo_county_build,
            demo_county_clear,
            demo_county_state,
        )

        if county not in OTHER_COUNTIES:
            raise CommandError(f"--county：演示数据只有 513225（九寨沟县）和 {'、'.join(OTHER_COUNTIES)}")
        if demo_county_state(county) != "empty":
            if if_missing:
                self.stdout.write(f"县 {county} 的演示数据已存在，跳过生成")
                return
            if not force:
                raise CommandError(f"县 {county} 已有农户数据；如需重新生成请加 --force（只删除该县的农户档案）")
            demo_county_clear(county)
        self.stdout.write(f"正在生成演示县 {county}（约 {people:,} 人，第一个县的数据不变）……")
        report = demo_county_build(county=county, people=people, seed=seed)
        self.stdout.write(f"已生成演示县 {county}：{report.households} 户，{report.people} 人，收入记录 "
                          f"{report.income_records} 条，用时 {report.seconds:.1f} 秒")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, _role in report.users:
            self.stdout.write(f"  {username:<14} {full_name}")

    def _print_accounts(self):
        from bangfu.demo.builder import DEMO_USERS

        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, full_name, _role, _region, _unit in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {full_name}")
