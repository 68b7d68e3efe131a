"""`bangfu import KIND …`: dispatches to the subcommands the apps register (see bangfu/core/subcommands.py)."""

import sys

from django.core.management.base import BaseCommand

from bangfu.core.subcommands import add_subparsers, dispatch


class Command(BaseCommand):
    help = "import data: bangfu import KIND ... (bangfu import --help lists the kinds)"

    def add_arguments(self, parser):
        add_subparsers("import", parser)

    def handle(self, *args, **options):
        status = dispatch("import", options, self.stdout)
        if status:
            sys.exit(status)
