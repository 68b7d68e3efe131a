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
