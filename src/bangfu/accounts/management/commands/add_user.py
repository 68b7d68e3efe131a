from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from bangfu.accounts.roles import Role
from bangfu.accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user: bangfu add-user NAME --role village_cadre --region 513225103213 --password ..."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(f"{r.value}={r.label}" for r in Role))
        parser.add_argument("--region", default="", help="12-digit division code (region-bound roles)")
        parser.add_argument("--unit", default="", help="unit name or short name (unit roles)")
        parser.add_argument("--department", default="", help="department code (department_operator), e.g. "
                            "medical_insurance")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password", required=True)

    def handle(self, *args, username, role, region, unit, department, full_name, password, **options):
        translation.activate(settings.LANGUAGE_CODE)  # messages in Chinese, like the pages
        try:
            user = user_create(actor=None, username=username, password=password, role=role, full_name=full_name,
                               region_code=region, unit_name=unit, department=department)
        except ValidationError as error:
            lines = [f"{field}: {'；'.join(messages)}" for field, messages in error.message_dict.items()]
            raise CommandError("未创建用户：\n  " + "\n  ".join(lines)) from None
        self.stdout.write(f"已创建用户 {user.username}（{user.get_role_display()}，{user.place_label}）")
