"""Database housekeeping shared by bulk writers (the demo build, imports)."""

import gc
from contextlib import contextmanager

from django.db import connections, transaction


def refresh_planner_statistics(using: str = "default") -> None:
    """Let the query planner see the data a bulk write just added (call after it, outside its transaction).

    Without fresh statistics PostgreSQL planned the list page over a freshly built million-person registry as
    if the tables were empty (1 s instead of 20 ms) and counted members with full scans."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("ANALYZE")
        elif conn.vendor == "sqlite":
            # A bounded sample per index keeps this to a second on a million rows; optimize records it.
            cursor.execute("PRAGMA analysis_limit=1000")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")


# Fewer rows than this change no plan: the statistics the autovacuum daemon (or the next bulk write) gathers do.
ANALYZE_AFTER_ROWS = 1_000


def analyze_after_commit(*models, rows: int, using: str = "default") -> None:
    """After a bulk write of `rows` rows into these models' tables commits, refresh the planner's statistics of
    those tables (imports: a county's first ledger turns empty tables into full ones, and plans made for empty
    tables scan everything)."""
    if rows < ANALYZE_AFTER_ROWS:
        return
    tables = [model._meta.db_table for model in models]

    def analyze() -> None:
        conn = connections[using]
        with conn.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {conn.ops.quote_name(table)}")

    transaction.on_commit(analyze, using=using)


@contextmanager
def indexes_deferred(*models, using: str = "default"):
    """Load many rows into these (empty) tables with their secondary indexes built once afterwards, instead of
    kept up to date row by row: several times faster for a million rows, most of all for the trigram index on
    names and the indexes on random blind-index digests.

    Indexes that back a constraint (primary keys, UNIQUE) stay, so the load is checked as it goes. On SQLite the
    tables' triggers go too (those keeping the FTS5 name index), and that index is rebuilt once at the end. Runs inside one transaction
    (DDL is transactional on PostgreSQL and SQLite): if the load fails or the process dies, the indexes are back
    as they were, with no rows."""
    conn = connections[using]
    tables = [model._meta.db_table for model in models]
    with transaction.atomic(using=using), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
                "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)", [tables])
        elif conn.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                           f"AND tbl_name IN ({marks}) AND sql IS NOT NULL", tables)
        else:
            yield
            return
        dropped = list(cursor.fetchall())
        for name, _definition in dropped:
            kind = "TRIGGER" if _definition.upper().startswith("CREATE TRIGGER") else "INDEX"
            cursor.execute(f"DROP {kind} {conn.ops.quote_name(name)}")
        yield
        if conn.vendor == "postgresql":
            # Foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED), and PostgreSQL builds no index on
            # a table with checks pending: run them now, then defer again as the constraints were.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for _name, definition in dropped:
            cursor.execute(definition)
        if conn.vendor == "sqlite":
            # The registry's change mark (monitoring.engine.cache) missed the load with its triggers: moved now, so
            # a kept screening snapshot is not taken for the loaded registry.
            from bangfu.monitoring.engine.cache import SQLITE_MARK_TRIGGER_PREFIX, registry_mark_move

            if any(name.startswith(SQLITE_MARK_TRIGGER_PREFIX) for name, _d in dropped):
                registry_mark_move(cursor)
        if conn.vendor == "sqlite" and any(d.upper().startswith("CREATE TRIGGER") for _n, d in dropped):
            # Triggers keep the FTS5 name index (registry.search); while they were gone it missed the load.
            from bangfu.registry.search import SQLITE_NAME_INDEX

            if any(name.startswith(SQLITE_NAME_INDEX) for name, _d in dropped):
                cursor.execute(f"INSERT INTO {SQLITE_NAME_INDEX}({SQLITE_NAME_INDEX}) VALUES ('rebuild')")


@contextmanager
def bulk_work(using: str = "default"):
    """Around a bulk read-validate-write (an import of 100,000 rows): pauses Python's cyclic garbage collector
    and, on SQLite, lets the connection cache more pages; both are restored after.

    The collector: such a job allocates millions of small objects that all stay alive until it ends (rows, parsed
    values, the plan), so each automatic collection walks them all and finds nothing to free; at 100,000 rows that
    was a seventh of the import's time. Reference counting still frees everything as usual; cycles made meanwhile
    are collected when the collector resumes.

    The page cache: SQLite's default (2 MB) is smaller than the indexes an import grows (ID numbers' blind
    indexes, names, history), so each insert into a large index read its pages again from the file."""
    paused = gc.isenabled()
    gc.disable()
    conn = connections[using]
    cache = None
    try:
        if conn.vendor == "sqlite":
            with conn.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                cache = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        yield
    finally:
        if cache is not None:
            with conn.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size={int(cache)}")
        if paused:
            gc.enable()


BULK_CACHE_KIB = 256 * 1024  # an upper bound: SQLite allocates pages as it reads them
