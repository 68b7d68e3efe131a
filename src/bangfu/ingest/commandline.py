"""Who acts when the county's IT staff run an import or export from the server's command line."""

from django.contrib.auth import get_user_model
from django.db import transaction

from bangfu.accounts.roles import Role
from bangfu.audit.models import ChangeRecord
from bangfu.audit.services import change_record
from bangfu.regions.models import Region

USERNAME = "bangfu-cli"


@transaction.atomic
def command_line_user(county_code: str):
    """The account the command line acts as: a county administrator bound to the county, which cannot log in.
    Its history entries and export log records name it ("命令行（服务器操作员）"), so command-line work is
    audited like work on the pages."""
    User = get_user_model()
    user = User.objects.filter(username=USERNAME).first()
    region = Region.objects.get(code=county_code)
    if user is None:
        user = User(username=USERNAME, full_name="命令行（服务器操作员）", role=Role.COUNTY_ADMIN, region=region)
        user.set_unusable_password()
        user.save()
        change_record(actor=None, action=ChangeRecord.Action.CREATE, instance=user, before=None,
                      after={"username": USERNAME, "role": Role.COUNTY_ADMIN, "region": county_code},
                      region_code=county_code, reason="首次从命令行导入或导出时创建")
    elif user.region_id != county_code:
        user.region = region
        user.save(update_fields=["region"])
    return user


class LedgerExportCommand:
    """`bangfu export <ledger> --out F.xlsx [--region CODE] [--full]`: the arguments, the region check, the
    command-line account and the answer every ledger export shares. A subclass names what it counts (`counted`,
    e.g. "户") and writes the file (`write`, returning how many it wrote)."""

    counted = "户"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", required=True)
        parser.add_argument("--region", default="", help="乡镇或村的12位区划代码（默认全县）")
        parser.add_argument("--full", action="store_true", help="完整证件号码和电话（记入敏感信息导出记录）")

    def write(self, *, actor, path, region: str, full: bool) -> int:
        raise NotImplementedError

    def handle(self, options, stdout) -> int:
        from pathlib import Path

        from django.core.exceptions import PermissionDenied, ValidationError

        from bangfu.ingest.households import county_for

        region = options["region"]
        if region and not Region.objects.filter(code=region).exists():
            stdout.write(f"区划代码 {region} 不存在")
            return 1
        try:
            actor = command_line_user(county_for(None))
            count = self.write(actor=actor, path=Path(options["out"]), region=region, full=options["full"])
        except (PermissionDenied, ValidationError) as error:
            stdout.write(str(error))
            return 1
        note = "（含完整证件号码和电话，已记录）" if options["full"] else "（证件号码和电话已脱敏）"
        stdout.write(f"已导出 {count} {self.counted}到 {options['out']}{note}")
        return 0
