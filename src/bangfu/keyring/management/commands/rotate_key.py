from django.core.management.base import BaseCommand, CommandError

from bangfu.keyring.services import KeyCheckError, key_rotate


class Command(BaseCommand):
    help = ("Re-encrypt and re-index ID numbers and phones under a new field key, in batches; resumable. "
            "Stop the server and the worker first.")

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--pause", type=float, default=0.0, help="seconds to wait between batches")
        parser.add_argument("--force", action="store_true",
                            help="rotate even though a server or worker seems to run against the database")

    def handle(self, *args, batch_size, pause, force, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1")
        try:
            key_rotate(batch_size=batch_size, pause=pause, force=force,
                       report=lambda line: (self.stdout.write(line), self.stdout.flush()))
        except KeyCheckError as error:
            raise CommandError(error.message) from None
