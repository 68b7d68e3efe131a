"""A province on the same code: N people over C synthetic counties on PostgreSQL, with a year of department feeds,
screened with DuckDB in one run.

Builds, in a fresh PostgreSQL database (--database-url; its name is dropped and created again), a province
(510000), prefectures of up to ten counties, each county 10 townships × 10 villages with its own monitoring
lines, and the people, incomes and feeds of bench/screening.py spread over every village (its generator, the rows
sent by COPY, the feed table's indexes built after the load: 10,000,000 people are some 110 million feed rows,
hours by executemany). The feeds reach the screening as the uploads' commits leave them (the Parquet partitions
by kind and month, engine/feedstore.py). Then one `screening_run` (the registry read by COPY into Arrow, the rules
in DuckDB over the Parquet store, warnings written back) and the warnings counted per county.

    python bench/province.py --people 10000000 --counties 20

Last line: `province: people=N, counties=C, build=B s, feeds=F s, screen=S s, warnings=W, peak_rss=M MB`, after one
line per county `county CODE NAME: households=H, warnings=W`. On stderr: the peak memory after the build and
after the feed partitions (the last line's is the whole run's, so the screening's when it is the larger).
"""

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

BENCH = None


def _bench_screening():
    spec = importlib.util.spec_from_file_location("bench_screening", Path(__file__).with_name("screening.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_insert(model, rows, *, columns: list[str]) -> int:
    """bench/screening.py's bulk insert, by COPY … FROM STDIN: the same rows and defaults, ten times the pace of
    executemany (a province's 100 million feed rows would take hours otherwise)."""
    from django.db import connection, transaction

    defaults = BENCH._defaults(model)
    rest = [c for c in defaults if c not in columns]
    fixed = tuple(defaults[c] for c in rest)
    names = ", ".join(connection.ops.quote_name(c) for c in columns + rest)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + fixed)
                count += 1
    return count


class BulkLoad:
    """The feed rows loaded as a restore loads them: the table's secondary indexes dropped before and built after,
    the foreign keys' triggers off for the load (session_replication_role = replica, as pg_restore
    --disable-triggers; the synthetic rows point at members, households and uploads the build made)."""

    TABLE = "monitoring_feedrow"

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                           "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))", [self.TABLE])
            self.indexes = cursor.fetchall()
            for name, _ in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SET session_replication_role = replica")
        return self

    def __exit__(self, *exc):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in self.indexes:
                cursor.execute(definition)
        return False


def regions(counties: int) -> list[str]:
    """The province, its prefectures (ten counties each), the counties with towns and villages; their lines.
    Returns the village codes."""
    from bangfu.monitoring.models import MonitoringLine
    from bangfu.regions.models import Region

    rows = [Region(code="510000000000", name="四川省（模拟）", level=Region.Level.PROVINCE)]
    villages = []
    for n in range(counties):
        prefecture = f"51{90 + n // 10:02d}00000000"
        if n % 10 == 0:
            rows.append(Region(code=prefecture, name=f"模拟州{n // 10 + 1}", level=Region.Level.CITY,
                               parent_id="510000000000"))
        county = f"{prefecture[:4]}{n % 10 + 1:02d}000000"
        rows.append(Region(code=county, name=f"模拟县{n + 1}", level=Region.Level.COUNTY, parent_id=prefecture))
        for t in range(1, 11):
            town = f"{county[:6]}{100 + t:03d}000"
            rows.append(Region(code=town, name=f"模拟县{n + 1}第{t}镇", level=Region.Level.TOWNSHIP, parent_id=county))
            for v in range(1, 11):
                village = f"{town[:9]}{200 + v:03d}"
                rows.append(Region(code=village, name=f"第{t}镇第{v}村", level=Region.Level.VILLAGE, parent_id=town))
                villages.append(village)
    Region.objects.bulk_create(rows, batch_size=5000)
    for county in Region.objects.filter(level=Region.Level.COUNTY):
        for year, amount in {2024: 7500, 2025: 7800}.items():
            MonitoringLine.objects.create(region=county, year=year, amount=amount)
    return villages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--counties", type=int, default=4)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bangfu_province",
                        help="a PostgreSQL database to (re)create for the run")
    args = parser.parse_args()
    import tempfile

    import psycopg

    url = args.database_url
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["BANGFU_VAR_DIR"] = tempfile.mkdtemp(prefix="bangfu-bench-province-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bangfu.settings"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bangfu.monitoring.engine.feedstore import feed_store_sync
    from bangfu.monitoring.services import screening_run

    global BENCH
    bench = BENCH = _bench_screening()
    bench._insert = copy_insert  # the same build, its rows by COPY
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    villages = regions(args.counties)
    with BulkLoad():
        sizes = bench.build(args.people, villages=villages)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    build_seconds = time.perf_counter() - started
    print(f"built {sizes} in {build_seconds:.1f} s, peak_rss={bench.peak_rss_mb()} MB so far", file=sys.stderr)
    cpu = time.process_time()  # this process's CPU (every thread: DuckDB's too), not the database server's
    started = time.perf_counter()
    feed_store_sync()  # what the uploads' commits write
    feed_seconds = time.perf_counter() - started
    print(f"feed partitions in {feed_seconds:.1f} s (cpu {time.process_time() - cpu:.1f} s), "
          f"peak_rss={bench.peak_rss_mb()} MB so far", file=sys.stderr)
    cpu = time.process_time()
    connection.close()
    started = time.perf_counter()
    run = screening_run(actor=None)
    screen_seconds = time.perf_counter() - started
    print(f"screening run in {screen_seconds:.1f} s (cpu {time.process_time() - cpu:.1f} s): {run.counts_by_rule}",
          file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT r.code, r.name, (SELECT COUNT(*) FROM registry_household h WHERE h.village_id LIKE SUBSTR(r.code, 1, 6) || '%%'),
                   (SELECT COUNT(*) FROM monitoring_riskwarning w WHERE w.village_id LIKE SUBSTR(r.code, 1, 6) || '%%')
            FROM regions_region r WHERE r.level = 'county' ORDER BY r.code""")
        for code, county, households, warnings in cursor.fetchall():
            print(f"county {code} {county}: households={households}, warnings={warnings}")
    print(f"province: people={sizes['people']}, counties={args.counties}, build={build_seconds:.1f} s, "
          f"feeds={feed_seconds:.1f} s, screen={screen_seconds:.2f} s, warnings={run.created}, "
          f"peak_rss={bench.peak_rss_mb()} MB")


if __name__ == "__main__":
    main()
