from django.core.management.base import BaseCommand, CommandError

from bangfu.keyring.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `bangfu backup` (refuses a key that does not match the backup)."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--key", default=None, help="the backup's key file, if kept apart from DIRECTORY")
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")

    def handle(self, *args, directory, key, force, **options):
        try:
            result = backup_restore(directory=directory, key_file=key, force=force)
        except BackupError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"已从 {directory} 恢复数据库，密钥已写入 {result.key}（指纹 {result.fingerprint}）")
        if result.replaced_key:
            self.stdout.write(f"原有的另一个密钥文件已改名保存为 {result.replaced_key}")
