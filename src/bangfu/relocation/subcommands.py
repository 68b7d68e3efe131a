"""`bangfu import relocation-employment --year Y` (registered with bangfu.core.subcommands)."""

import datetime as dt

from bangfu.core.subcommands import subcommand


@subcommand("import", "relocation-employment",
            help="从已导入的人社“就业与社保缴费”数据生成搬迁劳动力就业记录（按年度，可重复运行）")
class ImportRelocationEmployment:
    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=dt.date.today().year, help="年度（默认今年）")

    def handle(self, options, stdout) -> int:
        from bangfu.relocation.services import employment_import_feed

        result = employment_import_feed(actor=None, year=options["year"])
        stdout.write(f"{options['year']}年：人社数据中的搬迁劳动力 {result['workers']} 人，新增就业记录 "
                     f"{result['created']} 条，更新 {result['updated']} 条\n")
        return 0
