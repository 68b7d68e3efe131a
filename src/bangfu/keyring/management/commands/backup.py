from django.core.management.base import BaseCommand, CommandError

from bangfu.keyring.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the field key into DIR as separate files (keep the key apart)."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--key-dir", default=None, help="write the key file here instead of into DIRECTORY")

    def handle(self, *args, directory, key_dir, **options):
        try:
            result = backup_create(directory=directory, key_directory=key_dir)
        except BackupError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"数据库已备份到 {result.database}")
        self.stdout.write(f"密钥已备份到 {result.key}（指纹 {result.fingerprint}）")
        self.stdout.write("请把密钥文件与数据库备份分开保存（例如不同的U盘或保管人）：两者合在一起即可读出全部身份证号和电话，"
                          "缺了密钥则备份无法使用。")
