"""The `bangfu` command.

    bangfu demo [--people N]   migrate, build the demo county if absent, run the worker and the web server
    bangfu serve [--no-worker]  the web server on 127.0.0.1:8000 (gunicorn workers; waitress on Windows), with a
                               background worker it restarts when it dies (unless --no-worker)
    bangfu rebuild-summaries   recount the kept village figures (after a bulk load)
    bangfu worker              the background job worker
    bangfu load-regions FILE   load a division file (code,name,level,parent_code)
    bangfu add-user NAME --role R --region CODE --password P   create a user bound to a region (or --unit)
    bangfu prune-jobs [--days 7]   delete export files older than N days, stale uploads (run daily)
    bangfu report meetings     the joint meetings, one a line: ID, date, title
    bangfu report briefing --meeting ID --out FILE.docx   the briefing (简报) of that joint meeting (Word, A4)
    bangfu report briefing --since DATE [--until DATE] --out FILE.docx   a briefing for a period without a meeting
    bangfu report unit --unit NAME --year YEAR --out FILE.docx    a unit's annual assistance report (Word;
                               refuses a year without data)
    bangfu report relocation --out FILE.xlsx [--region CODE] [--year YEAR]   易地搬迁后续扶持: first sheet 至少1人就业
                               (one row per site), then 安置点, 搬迁户, 就业
    bangfu report statistics --out FILE.xlsx [--region CODE] [--year Y]   the statistics tables (by township,
                               unit and month; the same figures as the dashboards)
    bangfu rotate-key [--batch-size 500]   re-encrypt everything under a new field key (resumable)
    bangfu check-duplicates    re-index members registered under other document types; list persons registered twice
    bangfu backup DIR [--key-dir DIR2]     database and key as separate files (keep them apart)
    bangfu restore DIR [--key FILE] [--force]   put a backup back (refuses a key that does not match)
    bangfu import households FILE [--year YEAR] [--json] [--commit]   import a household ledger (preview unless --commit)
    bangfu export households --out FILE.xlsx [--region CODE] [--full]   the household ledger (masked unless --full)
    bangfu export monitored --out FILE.xlsx [--region CODE] [--full]    monitored households, national layout
    bangfu export template KIND --out FILE.xlsx   a blank import template (households, members, incomes, feed-…)
    bangfu build-demo ... [--county 513224]   (re)build the synthetic county, or add 松潘县 beside it
    bangfu import feed --kind KIND FILE --period YYYY-MM [--json] [--commit]   a department file (report; exit 1 on errors)
    bangfu import relocation-employment [--year Y]   relocated workers' employment from the 人社 feed already imported
    bangfu screen [--county C] [--json]  screening, one run per county, counts by rule
    bangfu export warnings --out FILE.xlsx [--region CODE]   open warnings as a spreadsheet
    bangfu document notice --village CODE --out FILE.docx      the village's public notice (公示)
    bangfu document card --household NUMBER --out FILE.docx    a household's 明白卡
    bangfu token create --user NAME --scope feeds --days 90   an API token for a department system (printed once)
    bangfu token list | bangfu token revoke PREFIX             tokens and their state; end one now
    bangfu <django command>    any Django management command (migrate, createsuperuser ...)
"""

import os
import sys

ALIASES = {"worker": "run_worker", "load-regions": "load_regions", "build-demo": "build_demo", "add-user": "add_user",
           "prune-jobs": "prune_jobs", "import": "import_data", "export": "export_data",
           "rebuild-summaries": "rebuild_summaries", "rotate-key": "rotate_key", "feed-store": "feed_store", "check-duplicates": "check_duplicates"}
# Commands that check the key themselves: restore brings the key back, rotate-key resumes an unfinished rotation.
UNGUARDED = {"restore", "rotate_key", "makemigrations"}


def _guard(command: str) -> None:
    """Every command refuses to start, in one line and writing nothing, on a database it cannot reach, a schema
    behind the code, or a key file that does not belong to the database."""
    import django

    django.setup()
    from bangfu.core.startup import StartRefused, startup_check

    try:
        startup_check(command)
    except StartRefused as refused:
        print(refused, file=sys.stderr)
        raise SystemExit(2) from None
    if command in UNGUARDED:
        return
    from bangfu.keyring.services import key_guard

    key_guard()


def _django(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bangfu", *argv])


def demo(argv: list[str]) -> None:
    """One command from a fresh checkout to a running demo."""
    import django
    from django.conf import settings
    from django.core.management import call_command

    os.environ["BANGFU_DEMO"] = "1"
    django.setup()
    settings.DEMO_MODE = True  # the login page lists the demo accounts (settings may have loaded already)
    call_command("migrate", verbosity=0, interactive=False)
    people = None
    if "--people" in argv:
        try:
            people = int(argv[argv.index("--people") + 1])
        except (IndexError, ValueError):
            raise SystemExit("用法：bangfu demo [--people 人数]，人数为整数，例如 --people 66000") from None
    call_command("build_demo", if_missing=True, **({"people": people} if people else {}))
    call_command("serve")  # with a supervised worker beside it


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    from django.core.exceptions import ImproperlyConfigured

    from bangfu.core.env import check_environment

    try:
        check_environment()  # a bad variable stops every command with the message alone, not a traceback
    except ImproperlyConfigured as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    command, rest = argv[0], argv[1:]
    if command == "demo":
        _guard(command)
        demo(rest)
        return
    if not (rest and rest[0] in {"-h", "--help"}):
        _guard(ALIASES.get(command, command))
    _django([ALIASES.get(command, command), *rest])


if __name__ == "__main__":
    main()
