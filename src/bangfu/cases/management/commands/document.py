"""bangfu document notice --village CODE --out FILE.docx | bangfu document card --household NUMBER --out FILE.docx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bangfu.cases.documents import (
    card_docx,
    card_for_household,
    document_release_record,
    notice_docx,
    notice_for_village,
)
from bangfu.regions.models import Region
from bangfu.registry.models import Household


class Command(BaseCommand):
    help = "打印文书：村公示（notice）或户明白卡（card），输出 .docx"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["notice", "card"])
        parser.add_argument("--village", help="村（社区）12位区划代码（公示）")
        parser.add_argument("--household", help="户编号（明白卡）")
        parser.add_argument("--out", required=True, help="输出文件 .docx")

    def handle(self, *args, kind, village=None, household=None, out, **options):
        from bangfu.ingest.commandline import command_line_user
        from bangfu.ingest.households import county_for

        actor = command_line_user(county_for(None))  # the release is logged under the command-line account
        if kind == "notice":
            region = Region.objects.filter(code=(village or "").strip(), level="village").first()
            if region is None:
                raise CommandError(f"--village：没有代码为“{village}”的村（社区）")
            notice = notice_for_village(region)
            data = notice_docx(notice)
            document_release_record(actor=actor, notice=notice, village=region)
        else:
            found = Household.objects.select_related("village__parent").filter(number=(household or "").strip()).first()
            if found is None:
                raise CommandError(f"--household：没有户编号为“{household}”的农户")
            card = card_for_household(found)
            data = card_docx(card)
            document_release_record(actor=actor, card=card, household=found)
        path = Path(out)
        path.write_bytes(data)
        self.stdout.write(f"已写入 {path}（{len(data):,} 字节）")
