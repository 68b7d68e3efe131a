"""`bangfu import KIND …` and `bangfu export KIND …`: one dispatching command per verb, subcommands registered by
the apps that own them.

An app adds a subcommand in its `subcommands.py` (found by autodiscovery, like admin.py):

    from bangfu.core.subcommands import subcommand

    @subcommand("import", "feed", help="部门数据文件")
    class ImportFeed:
        def add_arguments(self, parser): ...
        def handle(self, options, stdout) -> int: ...   # the exit status

`bangfu import --help` lists what is registered.
"""

import argparse
from dataclasses import dataclass

VERBS = ("import", "export")


@dataclass(frozen=True)
class Subcommand:
    verb: str
    name: str
    help: str
    handler: type


SUBCOMMANDS: dict[str, dict[str, Subcommand]] = {verb: {} for verb in VERBS}


def subcommand(verb: str, name: str, *, help: str):
    """Register a class with add_arguments(parser) and handle(options, stdout) -> exit status."""
    def register(cls):
        SUBCOMMANDS[verb][name] = Subcommand(verb, name, help, cls)
        return cls
    return register


def discover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("subcommands")


def add_subparsers(verb: str, parser: argparse.ArgumentParser) -> None:
    discover()
    subparsers = parser.add_subparsers(dest="what", metavar="KIND", required=True)
    for name, entry in sorted(SUBCOMMANDS[verb].items()):
        sub = subparsers.add_parser(name, help=entry.help)
        entry.handler().add_arguments(sub)


def dispatch(verb: str, options: dict, stdout) -> int:
    return SUBCOMMANDS[verb][options["what"]].handler().handle(options, stdout)
