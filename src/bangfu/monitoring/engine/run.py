"""One screening run: snapshot → every enabled rule's SQL → warnings written back in bulk.

A household and rule with an open warning is not warned again: the run updates that warning's evidence. A fact
already verified (confirmed or dismissed) is not raised again; a new fact (a later hospital stay) is.
A hit on a household monitored with its risk open (registry.models.risk_open_q, in the snapshot as `risk_open`) is
written labelled `monitored_open`, for every rule alike: a new fact for the household's case, not a new risk to
verify into a lead. It is counted apart (counts_monitored_open); 风险已消除 households are warned as anyone.
The only Python loop is over the hits, to word each evidence sentence; people are never looped over.
"""

import re
import threading
import time
from collections.abc import Callable

import duckdb
import pyarrow as pa
from django.db import connection, transaction
from django.utils import timezone

from bangfu.core.db import bulk_work
from bangfu.monitoring.engine.cache import (
    RuleCache,
    WordingCache,
    reads_exclusions,
    registry_mark,
    rule_key,
    snapshot_cached,
    snapshot_keep,
)
from bangfu.monitoring.engine.feedstore import feed_files, feed_store_partitions, feed_store_sync
from bangfu.monitoring.engine.rules import (
    EXCLUSIONS,
    RULES,
    SHOWN_WITH,
    feed_window,
    shown_with_sentence,
    wording_in_one_language,
)
from bangfu.monitoring.engine.snapshot import (
    feed_view,
    load_query,
    snapshot_load,
    snapshot_load_more,
    snapshot_readers,
    snapshot_readers_close,
    snapshot_scope,
)
from bangfu.monitoring.models import FeedUpload, Rule, ScreeningRun
from bangfu.monitoring.selectors import monitoring_lines_by_year
from bangfu.regions.config import config_rows

# DuckDB keeps its working memory within this (spilling past it where it can): at a province's scale the run's
# peak stays well under what the machine has, whatever else runs there.
DUCKDB_CONFIG = {"memory_limit": "1GB"}
HIT_COLUMNS = "rule_id, household_id, value, threshold, base, info, note, fact"
WRITE_BATCH = 5000


def _lines(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, int]]:
    counties = [row[0] for row in con.execute("SELECT DISTINCT SUBSTR(village_id, 1, 6) FROM households").fetchall()]
    rows = []
    for county in counties:
        for year, amount in monitoring_lines_by_year(county_code=county.ljust(12, "0")).items():
            rows.append((county, year, int(round(amount * 100))))
    return rows


def _steps(rules: list[Rule]) -> int:
    return 1 + 3 + len(rules) + 1  # the feed store's sync, snapshot tables, each rule, the write-back


def screening_execute(run: ScreeningRun, *, step: Callable[[int, int], None] = lambda done, total: None,
                      county: str | None = None, engine: str = "duckdb",
                      master: str | None = None) -> ScreeningRun:
    """Evaluate every enabled rule in force in `county` (12-digit code; None: the whole database with the shipped
    rules) over that county's households and write the warnings; fills in the run's record. `engine` "spark" runs
    the rules' SQL on Spark (engine/spark.py; `master` its URL, local mode without); the snapshot, the
    one-event-one-task step and the write-back stay here."""
    started = time.perf_counter()
    # Exclusion comparisons first: the income rule leaves out the households they mark (see engine/rules.py).
    rules = list(config_rows(Rule, county).filter(enabled=True).order_by("-is_exclusion", "order", "code"))
    total = _steps(rules)
    done = 0

    def advance(*_):
        nonlocal done
        done += 1
        step(done, total)

    if engine == "spark":  # pyspark, Java, the cluster's master: why not, said before anything is read
        from bangfu.monitoring.engine.spark import spark_check

        spark_check(master)
    feed_store_sync()  # partitions a commit could not write, a restored database, an install from before the store
    advance()
    con = duckdb.connect(config=DUCKDB_CONFIG)
    keeper = None
    readers: dict = {}
    try:
        # What the previous run kept (engine/cache.py): the registry snapshot if the registry has not changed
        # since, each rule's hits if nothing it reads has. Spark reads everything afresh.
        mark = registry_mark() if engine == "duckdb" else ""
        counts = snapshot_cached(con, county, mark)
        reused_snapshot = counts is not None
        if reused_snapshot:
            counts |= snapshot_scope(con, county=county, households=counts["households"], lines=[])
            for _ in range(3):
                advance()
        else:
            # Members are the longest read: the rules that do not read them run meanwhile (_evaluate_while). All
            # three reads start now (on SQLite, each in a process of its own): members' goes on meanwhile too.
            readers = snapshot_readers(county, ("households", "income", "members"))
            counts = snapshot_load(con, lines=[], county=county, tables=("households", "income"), step=advance,
                                   readers=readers)
        lines = _lines(con)
        if lines:
            con.executemany("INSERT INTO lines VALUES (?, ?, ?)", lines)
        con.execute("CREATE TABLE hits (rule_id BIGINT, household_id BIGINT, value DOUBLE, threshold DOUBLE, "
                    "base DOUBLE, info VARCHAR, note VARCHAR, fact VARCHAR)")
        con.execute("CREATE TABLE excl (code VARCHAR, household_id BIGINT, info VARCHAR, note VARCHAR)")
        con.execute("CREATE TABLE shown AS SELECT *, rule_id AS carrier_id FROM hits")
        cache = RuleCache(county, mark)
        keys = _rule_keys(rules, mark, lines)
        if engine == "spark":
            from bangfu.monitoring.engine.spark import spark_evaluate

            counts |= snapshot_load_more(con, county=county, tables=("members",), step=advance, readers=readers)
            spark_evaluate(con, rules, master=master, advance=advance)
        elif reused_snapshot:
            _evaluate(con, rules, advance, keys=keys, cache=cache)
        else:
            counts |= _evaluate_while(con, rules, advance, lambda: snapshot_load_more(
                con, county=county, tables=("members",), step=advance, readers=readers), keys=keys, cache=cache)
        if mark and registry_mark() == mark:  # nothing changed while the run read: what it computed holds
            _keep_hits(con, rules, keys, cache)
            if not reused_snapshot:
                keeper = _in_background(lambda cursor: snapshot_keep(cursor, county, mark), con)
        _show_with_their_event(con, rules)
        # The write-back allocates a tuple and a sentence per hit: the collector paused meanwhile (each of its
        # full passes walks every object the process holds and finds nothing to free), a larger SQLite page cache
        # for the indexes the inserts grow (core.db.bulk_work).
        with wording_in_one_language(), bulk_work():
            created, updated, changes = _write_back(con, run, rules, county=county, words=WordingCache(county))
        by_rule = dict(con.execute("SELECT rule_id, COUNT(*) FROM hits GROUP BY rule_id").fetchall())
        monitored_open = dict(con.execute(
            "SELECT x.rule_id, COUNT(*) FROM hits x JOIN households h ON h.id = x.household_id "
            "WHERE h.risk_open GROUP BY x.rule_id").fetchall())
        by_township = dict(con.execute(
            "SELECT SUBSTR(h.village_id, 1, 9) || '000', COUNT(*) FROM hits x JOIN households h "
            "ON h.id = x.household_id GROUP BY SUBSTR(h.village_id, 1, 9)").fetchall())
        marked = dict(con.execute("SELECT code, COUNT(*) FROM excl GROUP BY code").fetchall())
        by_village = _counts_by_village(con, rules)
        advance()
    finally:
        snapshot_readers_close(readers)  # a read not taken (the run failed before it): its process ended
        if keeper is not None:
            keeper()
        con.close()
    uploads = FeedUpload.objects.values_list("kind", "period").distinct().order_by("kind", "period")
    run.inputs = {**counts, "feeds": sorted({f"{kind} {period}" for kind, period in uploads}),
                  "rules": {rule.code: rule.params for rule in rules},
                  # What came from the previous run unchanged (engine/cache.py): the registry snapshot, these rules.
                  "reused": {"snapshot": reused_snapshot, "rules": sorted(cache.reused)}}
    run.counts_by_rule = {rule.code: by_rule.get(rule.pk, marked.get(rule.code, 0)) for rule in rules}
    run.counts_by_township = by_township
    run.counts_monitored_open = {rule.code: monitored_open[rule.pk] for rule in rules if monitored_open.get(rule.pk)}
    run.counts_by_village = by_village
    run.created, run.updated, run.changes_by_village = created, updated, changes
    run.seconds = round(time.perf_counter() - started, 3)
    run.status = ScreeningRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


def _rule_sql(rule: Rule) -> str:
    table = EXCLUSIONS.get(rule.code) if rule.is_exclusion else RULES.get(rule.code)
    return table.sql(rule.params) if table is not None else ""


def _rule_keys(rules: list[Rule], mark: str, lines: list[tuple]) -> dict[str, str]:
    """Each rule's cache key (engine/cache.py); a rule reading the exclusions' marks depends on their keys."""
    if not mark:
        return {}
    keys: dict[str, str] = {}
    partitions = feed_store_partitions()
    for rule in rules:
        sql = _rule_sql(rule)
        kinds, months = feed_window(rule.code, rule.params)
        files = feed_files(kinds, months, partitions=partitions) if kinds else []
        depends = [keys[r.code] for r in rules if r.is_exclusion and r.code in keys] if reads_exclusions(sql) else []
        keys[rule.code] = rule_key(f"{rule.is_exclusion}|{rule.code}|{sql}", files, mark, lines, depends,
                                   partitions)
    return keys


def _keep_hits(con: duckdb.DuckDBPyConnection, rules: list[Rule], keys: dict[str, str], cache: RuleCache) -> None:
    """Keep each rule's hits just computed (before shown-with moves some) for the next run."""
    for rule in rules:
        if rule.code in cache.reused or rule.code not in keys:
            continue
        if rule.is_exclusion:
            cache.keep(con, rule.code, keys[rule.code], f"SELECT * FROM excl WHERE code = '{rule.code}'")
        elif rule.code in RULES:
            cache.keep(con, rule.code, keys[rule.code], f"SELECT * FROM hits WHERE rule_id = {int(rule.pk)}")


def _in_background(work: Callable[[duckdb.DuckDBPyConnection], None], con: duckdb.DuckDBPyConnection
                   ) -> Callable[[], None]:
    """Start `work` on a DuckDB cursor of its own in a thread; returns the function that waits for it (a failure is
    logged: what is kept for the next run is not this run's result)."""
    cursor = con.cursor()

    def run():
        try:
            work(cursor)
        except Exception:  # noqa: BLE001
            import logging

            logging.getLogger(__name__).exception("screening: keeping the snapshot for the next run failed")

    thread = threading.Thread(target=run, name="screening-keep")
    thread.start()

    def wait():
        thread.join()
        cursor.close()
    return wait


def reads_members(rule: Rule) -> bool:
    """Whether the rule's SQL reads the members table, or the exclusions' marks (which do)."""
    table = EXCLUSIONS.get(rule.code) if rule.is_exclusion else RULES.get(rule.code)
    return table is not None and re.search(r"\b(members|excl)\b", table.sql(rule.params)) is not None


def _evaluate_while(con: duckdb.DuckDBPyConnection, rules: list[Rule], advance: Callable[[], None],
                    load: Callable[[], dict[str, int]], *, keys: dict[str, str] | None = None,
                    cache: RuleCache | None = None) -> dict[str, int]:
    """Run `load` (the members' read, on the project's database: this thread's connection) while the rules that do
    not read members run in DuckDB on a thread of their own (DuckDB leaves Python's lock while it works); then the
    others, in their order. The progress is told from this thread only. Returns what `load` returned."""
    early = [rule for rule in rules if not reads_members(rule)]
    late = [rule for rule in rules if reads_members(rule)]
    failed: list[BaseException] = []
    cursor = con.cursor()  # its own temporary `feed` view; the tables are shared

    def work():
        try:
            _evaluate(cursor, early, lambda: None, keys=keys, cache=cache)
        except BaseException as error:  # noqa: BLE001 - raised again in the run's thread
            failed.append(error)

    worker = threading.Thread(target=work, name="screening-rules")
    worker.start()
    try:
        loaded = load()
    finally:
        worker.join()
        cursor.close()
    if failed:
        raise failed[0]
    for _ in early:
        advance()
    _evaluate(con, late, advance, keys=keys, cache=cache)
    return loaded


def _evaluate(con: duckdb.DuckDBPyConnection, rules: list[Rule], advance: Callable[[], None], *,
              keys: dict[str, str] | None = None, cache: RuleCache | None = None) -> None:
    """Every rule's SQL in DuckDB, each over the feed months it reads, into `hits` and `excl`; a rule whose hits
    the previous run kept under the same key (nothing it reads changed) takes them instead."""
    for rule in rules:
        key = (keys or {}).get(rule.code)
        if cache is not None and key and cache.take(con, rule.code, key, "excl" if rule.is_exclusion else "hits",
                                                    rule.pk):
            advance()
            continue
        kinds, months = feed_window(rule.code, rule.params)
        if kinds:
            feed_view(con, kinds=kinds, periods_back=months)
        if rule.is_exclusion and rule.code in EXCLUSIONS:
            con.execute(f"INSERT INTO excl SELECT '{rule.code}', household_id, info, note "
                        f"FROM ({EXCLUSIONS[rule.code].sql(rule.params)}) x")
        elif rule.code in RULES:
            # One warning per household and rule: the latest fact (facts start with their date or period).
            con.execute(f"""INSERT INTO hits SELECT {int(rule.pk)}, household_id, value, threshold, base, info,
                note, fact FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY fact DESC)
                AS rn_ FROM ({RULES[rule.code].sql(rule.params)}) r) x WHERE rn_ = 1""")
        advance()


def _counts_by_village(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> dict[str, dict[str, int]]:
    """Hits (and households an exclusion rule marked) by village and rule: the per-rule counts a reader below
    the county is shown, summed over their own villages."""
    codes = {rule.pk: rule.code for rule in rules}
    counts: dict[str, dict[str, int]] = {}
    for village, rule_id, n in con.execute(
            "SELECT h.village_id, x.rule_id, COUNT(*) FROM hits x JOIN households h ON h.id = x.household_id "
            "GROUP BY h.village_id, x.rule_id").fetchall():
        counts.setdefault(village, {})[codes.get(rule_id, str(rule_id))] = n
    for village, code, n in con.execute(
            "SELECT h.village_id, x.code, COUNT(*) FROM excl x JOIN households h ON h.id = x.household_id "
            "GROUP BY h.village_id, x.code").fetchall():
        counts.setdefault(village, {}).setdefault(code, n)
    return counts


def _show_with_their_event(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> None:
    """Move the hits that another rule's event explains (SHOWN_WITH) from `hits` to `shown`: one event, one task."""
    enabled = {rule.code: rule for rule in rules if not rule.is_exclusion}
    for code, (carrier_code, explained) in SHOWN_WITH.items():
        if code not in enabled or carrier_code not in enabled:
            continue
        rule, carrier = enabled[code], enabled[carrier_code]
        kinds, months = feed_window(carrier.code, carrier.params)
        feed_view(con, kinds=kinds or None, periods_back=months)
        con.execute(f"CREATE OR REPLACE TEMP VIEW y AS SELECT * FROM hits WHERE rule_id = {int(rule.pk)}")
        con.execute(f"""INSERT INTO shown SELECT *, {int(carrier.pk)} FROM y
                        WHERE household_id IN ({explained(carrier.params)})""")
        con.execute(f"DELETE FROM hits WHERE rule_id = {int(rule.pk)} AND household_id IN "
                    f"(SELECT household_id FROM shown WHERE rule_id = {int(rule.pk)})")


def _shown_rows(con: duckdb.DuckDBPyConnection) -> dict[tuple[int, int], list[tuple]]:
    """(carrier rule id, household id) → the hits shown with that warning (rule id, then the hit's columns)."""
    shown: dict[tuple[int, int], list[tuple]] = {}
    for rule_id, household_id, value, threshold, base, info, note, fact, carrier_id in con.execute(
            "SELECT * FROM shown ORDER BY household_id, rule_id").fetchall():
        shown.setdefault((carrier_id, household_id), []).append((rule_id, value, threshold, base, info, note, fact))
    return shown


def _hit(value, threshold, base, info, note, fact) -> dict:
    return {"value": value, "threshold": threshold, "base": base, "info": info, "note": note, "fact": fact}


def _text(column: str) -> str:
    return f"COALESCE(CAST({column} AS VARCHAR), '\x01')"  # a missing value is not an empty one


def _wording_keys(con: duckdb.DuckDBPyConnection) -> None:
    """`worded_key`: for each hit, the key of everything its warning's text is worded from (the hit, the hits shown
    with it, the household's exclusion marks, the language and the program's version): equal key, equal text."""
    from importlib.metadata import PackageNotFoundError, version

    from django.utils.translation import get_language

    try:
        program = version("bangfu")
    except PackageNotFoundError:
        program = ""
    columns = ("value", "threshold", "base", "info", "note", "fact")
    salt = f"{get_language()}|{program}".replace("'", "''")
    con.execute(f"""CREATE OR REPLACE TABLE worded_key AS
        SELECT x.rule_id, x.household_id, md5(concat_ws('|', '{salt}', x.rule_id, x.household_id,
               {', '.join(_text('x.' + c) for c in columns)}, {_text('s.shown')}, {_text('e.marks')})) AS key
        FROM hits x
        LEFT JOIN (SELECT carrier_id, household_id, string_agg(concat_ws('~', rule_id,
                          {', '.join(_text(c) for c in columns)}), '^' ORDER BY rule_id) AS shown
                   FROM shown GROUP BY carrier_id, household_id) s
               ON s.carrier_id = x.rule_id AND s.household_id = x.household_id
        LEFT JOIN (SELECT household_id, string_agg(concat_ws('~', code, {_text('info')}, {_text('note')}), '^'
                          ORDER BY code) AS marks
                   FROM excl GROUP BY household_id) e ON e.household_id = x.household_id""")


def _write_back(con: duckdb.DuckDBPyConnection, run: ScreeningRun, rules: list[Rule], *, county: str | None = None,
                words: WordingCache | None = None) -> tuple[int, int, dict[str, list[int]]]:
    """Insert new warnings and refresh the evidence of open ones, in batches, in one transaction. Returns how
    many were created and updated, and both by village ({village: [created, updated]}). A hit worded by the
    previous run from the same inputs takes that text (`words`, engine/cache.py): only new or changed hits are
    worded here."""
    # The open warnings as they read now (the run's county's): one found again with the same evidence is only
    # marked seen by this run (a second run after one more month rewrites only what the month changed).
    where = ""
    params: tuple = ()
    if county:
        where, params = " AND village_id >= %s AND village_id <= %s", (county[:6].ljust(12, "0"),
                                                                       county[:6].ljust(12, "9"))
    # Which of the two has rows at all: a first run (no warnings yet) starts no reader for either.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END), 0), COUNT(*) "
                       f"FROM monitoring_riskwarning WHERE 1 = 1{where}", params)
        n_open, n_all = cursor.fetchone()
    load_query(con, "open_w", "SELECT id, household_id, rule_id, evidence, fact, exclusions, exclusion_evidence, "
               f"CASE WHEN monitored_open THEN 1 ELSE 0 END FROM monitoring_riskwarning WHERE state = 'open'{where}",
               [("id", pa.int64()), ("household_id", pa.int64()), ("rule_id", pa.int64()), ("evidence", pa.string()),
                ("fact", pa.string()), ("exclusions", pa.string()), ("exclusion_evidence", pa.string()),
                ("monitored_open", pa.int8())], "SELECT * FROM batch", params=params, read=n_open > 0)
    load_query(con, "closed_w", "SELECT DISTINCT household_id, rule_id, fact FROM monitoring_riskwarning "
               f"WHERE state <> 'open'{where}",
               [("household_id", pa.int64()), ("rule_id", pa.int64()), ("fact", pa.string())], "SELECT * FROM batch",
               params=params, read=n_all > n_open)
    codes = {rule.pk: rule.code for rule in rules}
    _wording_keys(con)
    known = words.load(con) if words is not None else False
    shown = _shown_rows(con)
    marks_of: dict[int, list[tuple[str, str, str]]] = {}
    for code, household_id, info, note in con.execute(
            "SELECT code, household_id, info, note FROM excl ORDER BY household_id, code").fetchall():
        marks_of.setdefault(household_id, []).append((code, info, note))
    worded_marks: dict[int, tuple[str, str]] = {}
    unmarked = ("", "")

    def marks(household_id: int) -> tuple[str, str]:
        if household_id not in worded_marks:
            found = marks_of.get(household_id)
            if not found:  # most households: nothing to word
                return unmarked
            worded_marks[household_id] = (",".join(code for code, _, _ in found), "；".join(
                EXCLUSIONS[code].evidence({"info": info, "note": note}) for code, info, note in found))
        return worded_marks[household_id]

    previous = ("p.evidence, p.exclusions, p.exclusion_evidence" if known
                else "NULL, NULL, NULL")
    cursor_rows = con.execute(f"""
        SELECT x.rule_id, x.household_id, h.village_id, h.risk_open, x.value, x.threshold, x.base, x.info, x.note,
               x.fact, k.key, {previous}, o.id, o.evidence, o.fact, o.exclusions, o.exclusion_evidence, o.monitored_open
        FROM hits x JOIN households h ON h.id = x.household_id
        JOIN worded_key k ON k.rule_id = x.rule_id AND k.household_id = x.household_id
        {"LEFT JOIN worded_prev p ON p.key = k.key" if known else ""}
        LEFT JOIN open_w o ON o.household_id = x.household_id AND o.rule_id = x.rule_id
        WHERE o.id IS NOT NULL OR NOT EXISTS (
            SELECT 1 FROM closed_w c WHERE c.household_id = x.household_id AND c.rule_id = x.rule_id
            AND c.fact = x.fact)
        ORDER BY h.village_id, x.household_id, x.rule_id""")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    run_id = run.pk  # twice a row: a model's pk is a property
    inserts, updates, seen = [], [], []
    fresh: list[tuple[str, str, str, str]] = []
    created = updated = 0
    changes: dict[str, list[int]] = {}
    insert_sql = ("INSERT INTO monitoring_riskwarning (household_id, village_id, rule_id, evidence, fact, exclusions, "
                  "exclusion_evidence, monitored_open, state, first_run_id, last_run_id, created_at, updated_at, "
                  "visit_notes, dismiss_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'open', %s, %s, %s, %s, '', '')")
    update_sql = ("UPDATE monitoring_riskwarning SET evidence = %s, fact = %s, exclusions = %s, exclusion_evidence = %s, "
                  "monitored_open = %s, last_run_id = %s, updated_at = %s WHERE id = %s AND state = 'open'")
    with transaction.atomic(), connection.cursor() as cursor:
        while batch := cursor_rows.fetchmany(WRITE_BATCH):
            for (rule_id, household_id, village_id, risk_open, value, threshold, base, info, note, fact, key,
                 evidence, excl_codes, excl_text, open_id, *was) in batch:
                if evidence is None:  # not worded before from these inputs
                    evidence = "；".join([RULES[codes[rule_id]].evidence(_hit(value, threshold, base, info, note, fact)),
                                         *[shown_with_sentence(RULES[codes[other]].evidence(_hit(*columns)))
                                           for other, *columns in shown.get((rule_id, household_id), [])]])
                    excl_codes, excl_text = marks(household_id)
                    fresh.append((key, evidence, excl_codes, excl_text))
                changes.setdefault(village_id, [0, 0])[open_id is not None] += 1
                if open_id is None:
                    inserts.append((household_id, village_id, rule_id, evidence, fact[:100], excl_codes, excl_text,
                                    bool(risk_open), run_id, run_id, now, now))
                elif tuple(was) == (evidence, fact[:100], excl_codes, excl_text, int(bool(risk_open))):
                    seen.append(open_id)
                else:
                    updates.append((evidence, fact[:100], excl_codes, excl_text, bool(risk_open), run_id, now,
                                    open_id))
            if inserts:
                cursor.executemany(insert_sql, inserts)
                created += len(inserts)
            if updates:
                cursor.executemany(update_sql, updates)
            for start in range(0, len(seen), 500):
                ids = seen[start:start + 500]
                cursor.execute(f"UPDATE monitoring_riskwarning SET last_run_id = %s WHERE id IN "
                               f"({', '.join(['%s'] * len(ids))})", [run_id, *ids])
            updated += len(updates) + len(seen)
            inserts, updates, seen = [], [], []
    if words is not None:
        words.keep(con, fresh)
    return created, updated, changes
