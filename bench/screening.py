"""Screening end to end against a hand-written DuckDB floor over the same data, in the same run.

Builds, in a throw-away SQLite file (or the database of --database-url), a registry of N people in N/4
households over the real Jiuzhaigou villages, two years of income, ten medical claim rows per person and a
sprinkle of every other feed kind (disability, housing, education, employment, deaths, disasters, and the four
exclusion sources). Then:
  - project: `screening_run` — snapshot into DuckDB through Django's connection, the rules' SQL from the rule
    table, evidence sentences, warnings written back (what `bangfu screen` does);
    The feeds reach the screening as the upload's commit leaves them: the Parquet partitions by kind and month
    (monitoring/engine/feedstore.py), written after the build, before timing.
  - floor: the same eleven rules and four exclusions written by hand as DuckDB SQL over Parquet copies of the same
    tables (households, members, income, feed) made before timing starts, the warnings written back with one
    executemany: the limit of reading columns at memory speed.
Both must find the same (household, rule) pairs; otherwise the last line says "mismatch". Then one more month of
feeds arrives (each kind's next month: medical claims for 2026-01 after 2025's twelve, employment contributions for
2025-07 after April to June; committed as an upload would: rows and the month's partition) and the project screens
again: the line `rescreen: seconds=S, new_warnings=N`. That run reuses what the previous one kept
(monitoring/engine/cache.py: the registry snapshot, the hits of the rules that read neither kind, the texts).

    python bench/screening.py --people 1000000

Last lines: `rescreen: seconds=S, new_warnings=N`, then
`screening: ratio=R (project P s, floor F s), warnings=W, peak_rss=M MB`.
"""

import argparse
import datetime as dt
import math
import os
import random
import resource
import shutil
import sys
import tempfile
import time

CLAIMS_PER_PERSON = 10
BATCH = 200_000


def peak_rss_mb() -> int:
    """The process's peak resident memory since the last `peak_rss_reset()` (Linux's VmHWM), else since it began."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def peak_rss_reset() -> None:
    """Start the peak over (Linux: writing 5 to clear_refs resets VmHWM), so the line gives the screenings' own
    peak and not the build's, which holds a million people's rows in batches."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


# --- building the data -------------------------------------------------------------------------------------


def _defaults(model) -> dict:
    """Column → default for every concrete field (Django's defaults live in Python, not in the schema)."""
    from django.utils import timezone

    now = timezone.now()
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.column] = now
        else:
            values[field.column] = field.get_default()  # "" for text fields without a default, None if nullable
    return values


def _insert(model, rows, *, columns: list[str]) -> int:
    """Bulk insert of tuples for `columns`, the other columns at their defaults, in batches."""
    from django.db import connection, transaction

    defaults = _defaults(model)
    rest = [c for c in defaults if c not in columns]
    fixed = tuple(connection.ops.adapt_datetimefield_value(defaults[c]) if hasattr(defaults[c], "tzinfo")
                  else defaults[c] for c in rest)
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(connection.ops.quote_name(c) for c in columns + rest)}) "
           f"VALUES ({', '.join(['%s'] * (len(columns) + len(rest)))})")
    count = 0
    batch = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            batch.append(row + fixed)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def build(people: int, seed: int = 7, villages: list[str] | None = None) -> dict:
    """The county (or, with `villages`, the people spread over those villages, their counties' lines set by the
    caller: bench/province.py)."""
    from bangfu.monitoring.models import FeedRow, FeedUpload, MonitoringLine
    from bangfu.regions.models import Region
    from bangfu.regions.services import regions_load_jiuzhaigou
    from bangfu.registry.models import Household, IncomeRecord, Member

    rng = random.Random(seed)
    from django.db import connection

    if connection.vendor == "sqlite" and not connection.in_atomic_block:  # a throw-away file: no need to survive a power cut
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    if villages is None:
        regions_load_jiuzhaigou()
        county = Region.objects.get(code="513225000000")
        for year, amount in {2024: 7500, 2025: 7800}.items():
            MonitoringLine.objects.update_or_create(region=county, year=year, defaults={"amount": amount})
        villages = list(Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="513225")
                        .values_list("code", flat=True))
    n_households = people // 4
    _insert(Household, ((n, f"B{n}", villages[n % len(villages)], "marginal" if n % 60 == 0 else "")
                        for n in range(1, n_households + 1)),
            columns=["id", "number", "village_id", "monitoring_type"])
    migrant = bytearray(people + 1)
    relations = ("head", "spouse", "son", "daughter")
    labour = ("ordinary", "ordinary", "skilled", "weak", "none")
    places = ("", "", "in_county", "out_of_province", "")

    def members():
        for n in range(1, people + 1):
            household = (n - 1) // 4 + 1
            if household > n_households:
                household = n_households
            slot = (n - 1) % 4
            born = dt.date(1950 + rng.randrange(60), 1 + rng.randrange(12), 1 + rng.randrange(28))
            if slot >= 2 and rng.random() < 0.3:
                born = dt.date(2010 + rng.randrange(12), 1 + rng.randrange(12), 1 + rng.randrange(28))
            place = places[rng.randrange(5)]
            migrant[n] = bool(place)
            yield (n, household, f"成员{n}", relations[slot], f"bench{n:012d}", "male" if n % 2 else "female",
                   born.isoformat(), labour[rng.randrange(5)], place,
                   rng.randrange(13), rng.random() > 0.002, "2" if rng.random() < 0.003 else "")

    _insert(Member, members(), columns=["id", "household_id", "name", "relation", "id_number_digest", "sex",
                                        "birth_date", "labour_ability", "work_place", "work_months",
                                        "medical_insurance", "disability_grade"])

    def incomes():
        # Mostly components; one ledger in ten gave only 人均纯收入; one household in twenty paid compliant medical
        # costs (registry.income: the figure for the line is net of them).
        for household in range(1, n_households + 1):
            level = math.exp(rng.gauss(math.log(60_000), 0.45))
            after = level * (0.55 if rng.random() < 0.01 else rng.uniform(0.9, 1.15))
            medical = round(rng.uniform(0, 40_000), 2) if rng.random() < 0.05 else 0
            yield (household, 2024, 4, round(level, 2), "components", None, 0)
            if rng.random() < 0.1:
                yield (household, 2025, 4, 0, "per_capita", round(after / 4, 2), medical)
            else:
                yield (household, 2025, 4, round(after, 2), "components", None, medical)

    _insert(IncomeRecord, incomes(), columns=["household_id", "year", "members_counted", "wage_income", "given",
                                              "given_per_capita_income", "medical_spending"])
    uploads = {}  # (kind, month) → the upload whose commit wrote that month's rows, as the upload page does
    for kind in ("medical", "disability", "housing", "education", "employment", "public_security", "emergency",
                 "payroll", "property", "vehicle", "business"):
        months = range(1, 13) if kind == "medical" else (4, 5, 6) if kind == "employment" else (6,)
        for month in months:
            uploads[(kind, f"2025-{month:02d}")] = FeedUpload.objects.create(
                kind=kind, period=f"2025-{month:02d}", file_name=f"{kind}-{month:02d}.xlsx").pk

    def household_of(member: int) -> int:
        return min((member - 1) // 4 + 1, n_households)

    def feed():
        row = 1
        # Claims person by person (0-20 each, ten on average), so the foreign-key indexes grow at their end.
        for member in range(1, people + 1):
            household = household_of(member)
            for _ in range(rng.randrange(2 * CLAIMS_PER_PERSON + 1)):
                month = 1 + rng.randrange(12)
                oop = min(200_000.0, rng.lognormvariate(4.5, 1.4))
                row += 1
                yield (uploads[("medical", f"2025-{month:02d}")], "medical", f"2025-{month:02d}", row, member, household,
                       f"2025-{month:02d}-{1 + rng.randrange(28):02d}", int(oop * 100),
                       int(oop * 100 / rng.uniform(0.2, 0.5)), "", "", "")
        for kind, share, code1, code2, text in (
                ("disability", 1000, "physical", "1", ""), ("housing", 400, "C", "", ""),
                ("education", 2000, "dropout", "", ""), ("public_security", 2000, "death", "", ""),
                ("emergency", 500, "", "", "泥石流"), ("payroll", 500, "", "", "县某局"),
                ("property", 500, "", "", "某小区"), ("vehicle", 500, "", "", "小型轿车"),
                ("business", 500, "", "", "某公司")):
            for _ in range(max(1, people // share)):
                member = rng.randrange(1, people + 1)
                row += 1
                yield (uploads[(kind, "2025-06")], kind, "2025-06", row, member, household_of(member), "2025-06-10",
                       0, rng.randrange(100, 3_000_000), code1, code2, text)  # amount5, amount1 (a loss, capital)
        for month in (4, 5, 6):  # contributions of migrant workers, a few missing all three months
            for member in range(1, people + 1):
                if not migrant[member] or member % 997 == 0:
                    continue
                row += 1
                yield (uploads[("employment", f"2025-{month:02d}")], "employment", f"2025-{month:02d}", row, member, household_of(member),
                       f"2025-{month:02d}-01", 45000, 0, "", "", "")

    claims = _insert(FeedRow, feed(), columns=["upload_id", "kind", "period", "row_number", "member_id",
                                               "household_id", "date1", "amount5", "amount1", "code1", "code2",
                                               "text"])
    return {"households": n_households, "people": people, "feed_rows": claims}


# --- the floor ---------------------------------------------------------------------------------------------

FLOOR_SQL = {
    "income_below_line": """
        SELECT i.household_id FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY year DESC) rn
                                    FROM income) i
        JOIN households h ON h.id = i.household_id
        JOIN lines l ON l.county = SUBSTR(h.village_id, 1, 6) AND l.year = i.year
        WHERE i.rn = 1 AND NOT h.monitored AND 2 * i.for_line_cents < (2 * l.amount_cents - 1) * i.members_counted
          AND i.household_id NOT IN (SELECT household_id FROM excl)""",
    "medical_stay_oop": """
        SELECT DISTINCT f.household_id FROM feed f JOIN households h ON h.id = f.household_id
        WHERE f.kind = 'medical' AND f.amount5 > CASE WHEN h.monitored THEN 600000 ELSE 1000000 END""",
    "medical_year_share": """
        WITH latest AS (SELECT household_id, arg_max(net_cents, year) AS net FROM income GROUP BY household_id)
        SELECT o.household_id FROM (SELECT household_id, SUBSTR(period, 1, 4) y, SUM(amount5) s FROM feed
                                    WHERE kind = 'medical' GROUP BY ALL) o
        JOIN latest l USING (household_id) WHERE o.s > l.net * 0.4
          AND NOT EXISTS (SELECT 1 FROM feed f JOIN households h ON h.id = f.household_id
                          WHERE f.household_id = o.household_id AND f.kind = 'medical' AND SUBSTR(f.period, 1, 4) = o.y
                            AND f.amount5 > CASE WHEN h.monitored THEN 600000 ELSE 1000000 END
                            AND f.amount5 > l.net * 0.4)""",  # one stay explains it: shown with the stay's warning
    "severe_disability": """
        SELECT DISTINCT f.household_id FROM feed f JOIN members m ON m.id = f.member_id
        WHERE f.kind = 'disability' AND f.code2 IN ('1', '2') AND (m.disability_grade = '' OR m.disability_grade > f.code2)""",
    "unsafe_housing": """
        SELECT household_id FROM feed WHERE kind = 'housing' GROUP BY household_id
        HAVING arg_max(code1, (period, date1)) IN ('C', 'D')""",
    "out_of_school": """
        SELECT DISTINCT f.household_id FROM feed f JOIN members m ON m.id = f.member_id
        WHERE f.kind = 'education' AND f.code1 = 'dropout'
          AND date_sub('year', m.birth_date, CAST(f.period || '-01' AS DATE)) BETWEEN 6 AND 15""",
    "no_medical_insurance": "SELECT DISTINCT household_id FROM members WHERE NOT medical_insurance",
    "earner_lost": """
        WITH main AS (SELECT household_id, arg_max(id, (work_months, relation = 'head', -id)) AS id FROM members
                      WHERE labour_ability IN ('ordinary', 'skilled') GROUP BY household_id)
        SELECT DISTINCT main.household_id FROM main JOIN feed f ON f.member_id = main.id
        WHERE (f.kind = 'public_security' AND f.code1 = 'death') OR (f.kind = 'medical' AND f.amount1 > 5000000)""",
    "no_employment_contribution": """
        WITH recent AS (SELECT DISTINCT period FROM feed WHERE kind = 'employment' ORDER BY period DESC LIMIT 3)
        SELECT DISTINCT m.household_id FROM members m
        WHERE m.work_place IN ('in_county', 'in_province', 'out_of_province') AND (SELECT COUNT(*) FROM recent) >= 3
          AND m.id NOT IN (SELECT member_id FROM feed WHERE kind = 'employment' AND period IN (SELECT period FROM recent))""",
    "income_drop": """
        SELECT c.household_id FROM income c JOIN income p ON p.household_id = c.household_id AND p.year = c.year - 1
        WHERE c.year = (SELECT MAX(year) FROM income i WHERE i.household_id = c.household_id)
          AND p.net_cents > 0 AND p.net_cents - c.net_cents > p.net_cents * 0.3""",
    "disaster_loss": """
        WITH latest AS (SELECT household_id, arg_max(net_cents, year) AS net FROM income GROUP BY household_id)
        SELECT d.household_id FROM (SELECT household_id, SUM(amount1) s FROM feed WHERE kind = 'emergency'
                                    GROUP BY household_id, SUBSTR(period, 1, 4)) d
        JOIN latest l USING (household_id) WHERE d.s > l.net * 0.3""",
}
FLOOR_EXCLUSIONS = """SELECT kind, household_id FROM feed WHERE kind IN ('payroll', 'property', 'business')
                      OR (kind = 'vehicle' AND text NOT IN ('摩托车', '三轮车', '农用车', '拖拉机'))
                      GROUP BY kind, household_id"""


def parquet_copies(directory: str) -> None:
    """The floor's inputs: the same tables as Parquet files, copied from the database before timing starts."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from bangfu.monitoring.engine.snapshot import arrow_batches

    net = ("CASE WHEN given = 'net' AND given_net_income IS NOT NULL THEN given_net_income "
           "WHEN given = 'per_capita' AND given_per_capita_income IS NOT NULL "
           "THEN given_per_capita_income * members_counted "
           "ELSE wage_income + business_income + property_income + transfer_income - production_cost END")
    i64, s, i8, i32 = pa.int64(), pa.string(), pa.int8(), pa.int32()
    tables = {
        "households": ("SELECT id, village_id, CASE WHEN monitoring_type <> '' THEN 1 ELSE 0 END AS monitored "
                       "FROM registry_household", [("id", i64), ("village_id", s), ("monitored", i8)],
                       "id, village_id, monitored = 1 AS monitored"),
        "members": ("SELECT id, household_id, CAST(birth_date AS TEXT) AS birth_date, relation, disability_grade, "
                    "CASE WHEN medical_insurance THEN 1 ELSE 0 END AS medical_insurance, work_place, work_months, "
                    "labour_ability FROM registry_member",
                    [("id", i64), ("household_id", i64), ("birth_date", s), ("relation", s),
                     ("disability_grade", s), ("medical_insurance", i8), ("work_place", s), ("work_months", i32),
                     ("labour_ability", s)],
                    "id, household_id, CAST(birth_date AS DATE) AS birth_date, relation, disability_grade, "
                    "medical_insurance = 1 AS medical_insurance, work_place, work_months, labour_ability"),
        "income": (f"SELECT household_id, year, members_counted, CAST(ROUND(({net}) * 100) AS BIGINT) AS net_cents, "
                   f"CAST(ROUND(({net} - medical_spending - education_spending) * 100) AS BIGINT) AS for_line_cents "
                   "FROM registry_incomerecord", [("household_id", i64), ("year", i32), ("members_counted", i32),
                                                  ("net_cents", i64), ("for_line_cents", i64)], "*"),
        "feed": ("SELECT kind, period, member_id, household_id, CAST(date1 AS TEXT) AS date1, amount1, amount5, "
                 "code1, code2, text FROM monitoring_feedrow",
                 [("kind", s), ("period", s), ("member_id", i64), ("household_id", i64), ("date1", s),
                  ("amount1", i64), ("amount5", i64), ("code1", s), ("code2", s), ("text", s)],
                 "kind, period, member_id, household_id, CAST(date1 AS DATE) AS date1, amount1, amount5, code1, "
                 "code2, text"),
    }
    con = duckdb.connect()
    for name, (sql, columns, typed) in tables.items():
        # Streamed batch by batch through a raw file, so the copy of 11 million feed rows at 1,000,000 people
        # never sits in memory whole (the benchmark's peak memory is the project's to keep low, not the copy's).
        raw = f"{directory}/{name}.raw.parquet"
        with pq.ParquetWriter(raw, pa.schema(columns)) as writer:
            for batch in arrow_batches(sql, columns):
                writer.write_batch(batch)
        con.execute(f"COPY (SELECT {typed} FROM read_parquet('{raw}')) TO '{directory}/{name}.parquet' "
                    "(FORMAT parquet)")
        os.remove(raw)
    con.close()
    pq.write_table(pa.table({"county": ["513225", "513225"], "year": [2024, 2025], "amount_cents": [750000, 780000]}),
                   f"{directory}/lines.parquet")


def floor(db_url: str, sqlite_path: str, directory: str, rule_ids: dict[str, int]) -> set[tuple[int, int]]:
    """The same rules by hand: DuckDB over the Parquet copies → one executemany back."""
    import duckdb

    if db_url:
        import psycopg

        source = psycopg.connect(db_url)
        mark = "%s"
    else:
        import sqlite3

        source = sqlite3.connect(sqlite_path)
        mark = "?"
    con = duckdb.connect()
    for name in ("households", "members", "income", "feed", "lines"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{directory}/{name}.parquet')")
    found: set[tuple[int, int]] = set()
    con.execute(f"CREATE TABLE excl AS {FLOOR_EXCLUSIONS}")  # the income rule leaves out what these mark
    for code, sql in FLOOR_SQL.items():
        found |= {(household, rule_ids[code]) for (household,) in con.execute(sql).fetchall()}
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    cursor = source.cursor()
    cursor.executemany(
        "INSERT INTO monitoring_riskwarning (household_id, village_id, rule_id, evidence, fact, exclusions, "
        f"exclusion_evidence, monitored_open, state, created_at, updated_at, visit_notes, dismiss_reason) VALUES "
        f"({mark}, (SELECT village_id FROM registry_household WHERE id = {mark}), {mark}, {mark}, '', '', '', "
        f"{'false' if db_url else 0}, 'open', {mark}, {mark}, '', '')",
        [(household, household, rule, f"rule {rule}", now, now) for household, rule in found])
    source.commit()
    source.close()
    con.close()
    return found


def one_more_month(people: int, seed: int = 11) -> None:
    """The next month of each of two kinds: January 2026's medical claims (one person in five) and July 2025's
    employment contributions (those who had June's), committed as the upload's commit does: the upload, its rows,
    then the month's Parquet partitions."""
    from django.db import connection

    from bangfu.monitoring.engine.feedstore import feed_partition_write
    from bangfu.monitoring.models import FeedRow, FeedUpload

    rng = random.Random(seed)
    n_households = people // 4
    medical = FeedUpload.objects.create(kind="medical", period="2026-01", file_name="medical-2026-01.xlsx").pk
    employment = FeedUpload.objects.create(kind="employment", period="2025-07", file_name="employment-07.xlsx").pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(row_number), 0) FROM monitoring_feedrow")
        start = cursor.fetchone()[0] + 1
        cursor.execute("SELECT member_id FROM monitoring_feedrow WHERE kind = 'employment' AND period = '2025-06'")
        paid = [row[0] for row in cursor.fetchall()]

    def rows():
        row = start
        for member in range(1, people + 1, 5):
            oop = min(200_000.0, rng.lognormvariate(4.5, 1.4))
            row += 1
            yield (medical, "medical", "2026-01", row, member, min((member - 1) // 4 + 1, n_households),
                   f"2026-01-{1 + rng.randrange(28):02d}", int(oop * 100), int(oop * 100 / rng.uniform(0.2, 0.5)),
                   "", "", "")
        for member in paid:
            row += 1
            yield (employment, "employment", "2025-07", row, member, min((member - 1) // 4 + 1, n_households),
                   "2025-07-01", 45000, 0, "", "", "")

    _insert(FeedRow, rows(), columns=["upload_id", "kind", "period", "row_number", "member_id", "household_id",
                                      "date1", "amount5", "amount1", "code1", "code2", "text"])
    feed_partition_write("medical", "2026-01")
    feed_partition_write("employment", "2025-07")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to use instead of SQLite")
    parser.add_argument("--keep-build", default="", metavar="DIR",
                        help="SQLite only: keep the built database in DIR and reuse it on the next run with the same "
                             "--people (a million people take many minutes to build)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bangfu-bench-screening-")
    kept = os.path.join(args.keep_build, f"people-{args.people}.sqlite3") if args.keep_build else ""
    os.environ["BANGFU_VAR_DIR"] = tmp
    os.environ["DJANGO_SETTINGS_MODULE"] = "bangfu.settings"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bangfu.monitoring.engine.feedstore import feed_store_sync
    from bangfu.monitoring.models import RiskWarning, Rule
    from bangfu.monitoring.services import screening_run

    database = os.path.join(tmp, "bangfu.sqlite3")
    reuse = bool(kept) and not args.database_url and os.path.exists(kept)
    if reuse:
        shutil.copyfile(kept, database)
        shutil.copyfile(kept + ".field-key.txt", os.path.join(tmp, "field-key.txt"))  # the key it was built with
        print(f"reusing the build kept in {kept}", file=sys.stderr)
    call_command("migrate", verbosity=0)
    if not reuse:
        started = time.perf_counter()
        sizes = build(args.people)
        print(f"built {sizes} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if kept and not args.database_url:
            connection.close()
            os.makedirs(args.keep_build, exist_ok=True)
            shutil.copyfile(os.path.join(tmp, "field-key.txt"), kept + ".field-key.txt")
            shutil.copyfile(database, kept + ".part")
            os.replace(kept + ".part", kept)
    started = time.perf_counter()
    feed_store_sync()  # what the uploads' commits write: the Parquet partitions by kind and month
    copies = os.path.join(tmp, "floor")
    os.makedirs(copies)
    parquet_copies(copies)
    print(f"feed partitions and the floor's Parquet copies in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    connection.close()

    peak_rss_reset()
    started = time.perf_counter()
    run = screening_run(actor=None)
    project_seconds = time.perf_counter() - started
    project = set(RiskWarning.objects.values_list("household_id", "rule_id"))
    print(f"project: {run.counts_by_rule}", file=sys.stderr)
    RiskWarning.objects.all().delete()
    rule_ids = dict(Rule.objects.values_list("code", "id"))
    connection.close()

    started = time.perf_counter()
    hand = floor(args.database_url, os.path.join(tmp, "bangfu.sqlite3"), copies, rule_ids)
    floor_seconds = time.perf_counter() - started
    # Put the project's warnings back (the floor's are stand-ins), then one more month and a second run.
    RiskWarning.objects.all().delete()
    connection.close()
    screening_run(actor=None)
    one_more_month(args.people)
    started = time.perf_counter()
    again = screening_run(actor=None)
    print(f"rescreen: seconds={time.perf_counter() - started:.2f}, new_warnings={again.created}")
    verdict = ""
    if hand != project:
        names = {v: k for k, v in rule_ids.items()}
        only_project = sorted({names[r] for _, r in project - hand})
        only_floor = sorted({names[r] for _, r in hand - project})
        print(f"only in project: {len(project - hand)} {only_project}; only in floor: {len(hand - project)} "
              f"{only_floor}", file=sys.stderr)
        verdict = ", mismatch"
    print(f"screening: ratio={project_seconds / floor_seconds:.2f} (project {project_seconds:.2f} s, floor "
          f"{floor_seconds:.2f} s), warnings={len(project)}, peak_rss={peak_rss_mb()} MB{verdict}")


if __name__ == "__main__":
    main()
