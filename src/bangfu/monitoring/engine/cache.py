"""What one screening run keeps for the next: the registry snapshot and each rule's hits, each under the key of what
it was computed from, so a second run after one more month of feeds does only the work that month needs.

    FEED_STORE_DIR/_screening/<county or "all">/registry.json        the registry's mark the snapshot was read at
    FEED_STORE_DIR/_screening/<county or "all">/households.parquet   (members, income alike)
    FEED_STORE_DIR/_screening/<county or "all">/rule=<code>/<key>.parquet  the rule's hits (an exclusion's marks)

The registry's mark (`registry_mark`) changes with every write to households, members or income records: database
triggers write it (monitoring.models.RegistryChange), so a service, an import and raw SQL alike move it. It is read
before and after the snapshot; the snapshot is kept only if both reads agree (no change committed meanwhile).

A rule's key is its SQL text as run (thresholds inlined), the feed partitions it reads (path and signature: a new
month, a corrected month, a rewritten month all change it), the registry's mark, the lines, and for a rule reading
the exclusions' marks, their keys: equal key, equal hits. Shown-with and the write-back run every time (they
compare with the warnings as they stand, which people change between runs).

What the files hold: household and member ids, the registry's columns the rules read (names, birth dates, codes,
incomes in cents) and hits. No ID number. A restore (feed_store_clear) and a member's deletion
(feed_store_forget_member) remove the whole of it; a stale entry is overwritten by the next run.
"""

import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path

import duckdb
from django.db import connection

from bangfu.monitoring.engine.feedstore import feed_store_dir, feed_store_partitions

log = logging.getLogger(__name__)

FORMAT = 1
REGISTRY_TABLES = ("households", "members", "income")
KEPT_MARKS = 1000


def cache_root() -> Path:
    return feed_store_dir() / "_screening"


def cache_dir(county: str | None) -> Path:
    return cache_root() / (county or "all")


def screening_cache_clear() -> None:
    """Remove every kept snapshot and hit (a restore, a member's deletion)."""
    shutil.rmtree(cache_root(), ignore_errors=True)


def registry_mark() -> str:
    """The registry's change mark as it reads now, with the database it belongs to ('' if the database has none:
    then nothing is reused)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One row per writing transaction: keep the last KEPT_MARKS, so the count stays bounded (the mark
            # still moves with every new row's id; trimming moves it once, when a new row has come anyway).
            cursor.execute("DELETE FROM monitoring_registrychange WHERE id <= "
                           "(SELECT MAX(id) FROM monitoring_registrychange) - %s", [KEPT_MARKS])
            cursor.execute("SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(writes), 0) "
                           "FROM monitoring_registrychange")
            mark = "{}:{}:{}".format(*cursor.fetchone())
        else:
            # A bulk load into empty tables drops SQLite's triggers meanwhile (core.db.indexes_deferred), and
            # moves the token itself when it puts them back (registry_mark_move): the token is the whole mark.
            # (Counting the tables' rows instead cost 0.16 s a read at a million people.)
            cursor.execute("SELECT token FROM monitoring_registrychange WHERE id = 1")
            row = cursor.fetchone()
            if not row or not row[0]:
                return ""
            mark = row[0]
    return f"{FORMAT}|{connection.settings_dict['NAME']}|{mark}"


# The SQLite triggers' own statement (monitoring/migrations/0010): a new random token in the one mark row.
SQLITE_MARK_MOVE = ("INSERT OR REPLACE INTO monitoring_registrychange (id, token, txid, writes) "
                    "VALUES (1, lower(hex(randomblob(16))), NULL, 0)")
SQLITE_MARK_TRIGGER_PREFIX = "screening_registry_changed_"


def registry_mark_move(cursor) -> None:
    """On SQLite, move the registry's mark as its triggers would: for a writer that had them dropped meanwhile."""
    cursor.execute(SQLITE_MARK_MOVE)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, value: dict) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(value), encoding="utf-8")
    os.replace(temporary, path)


def _parquet(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read(path: Path) -> str:
    return f"read_parquet({_parquet(path)}, hive_partitioning = false)"  # rule=… in the path is no column


def snapshot_cached(con: duckdb.DuckDBPyConnection, county: str | None, mark: str) -> dict[str, int] | None:
    """Load the kept registry snapshot into `con` if it was read at this mark; returns the tables' row counts, or
    None (nothing kept, another mark, a file missing)."""
    directory = cache_dir(county)
    if not mark or _read_json(directory / "registry.json").get("mark") != mark:
        return None
    try:
        counts = {}
        for name in REGISTRY_TABLES:
            con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {_read(directory / f'{name}.parquet')}")
            counts[name] = con.execute(f"SELECT COUNT(*) FROM {name}").fetchall()[0][0]
        return counts
    except duckdb.Error:
        log.warning("screening cache: the kept snapshot in %s could not be read; reading the registry", directory)
        return None


def snapshot_keep(con: duckdb.DuckDBPyConnection, county: str | None, mark: str) -> None:
    """Keep the snapshot now in `con` as read at `mark` (unmarked first, marked last: a reader never takes a
    half-written snapshot for a whole one)."""
    if not mark:
        return
    directory = cache_dir(county)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "registry.json").unlink(missing_ok=True)
    for name in REGISTRY_TABLES:
        con.execute(f"COPY {name} TO {_parquet(directory / f'{name}.parquet')} (FORMAT parquet)")
    _write_json(directory / "registry.json", {"mark": mark})


def rule_key(sql: str, files: list[Path], mark: str, lines: list[tuple], depends: list[str],
             manifests: dict | None = None) -> str:
    """The key of a rule's hits: what they are computed from (see the module's docstring)."""
    manifests = feed_store_partitions() if manifests is None else manifests
    partitions = []
    for path in files:
        kind, period = path.parent.parent.name[5:], path.parent.name[7:]
        partitions.append(f"{kind}/{period}@{manifests.get((kind, period), {}).get('signature', '')}")
    text = json.dumps([FORMAT, sql, partitions, mark, sorted(lines), depends])
    return hashlib.sha256(text.encode()).hexdigest()


def reads_exclusions(sql: str) -> bool:
    return re.search(r"\bexcl\b", sql) is not None


class RuleCache:
    """The kept hits of one county's (or the whole database's) rules, one file per rule named by its key
    (rule=<code>/<key>.parquet, written whole then renamed: a file there is complete)."""

    def __init__(self, county: str | None, mark: str):
        self.directory = cache_dir(county)
        self.enabled = bool(mark)
        self.reused: list[str] = []

    def _file(self, code: str, key: str) -> Path:
        return self.directory / f"rule={code}" / f"{key}.parquet"

    def take(self, con: duckdb.DuckDBPyConnection, code: str, key: str, table: str, rule_id: int | None) -> bool:
        """Append the kept hits of `code` to `table` (hits: under `rule_id`; excl: as kept) if kept under `key`."""
        path = self._file(code, key)
        if not self.enabled or not path.is_file():
            return False
        columns = f"{int(rule_id)}, * EXCLUDE (rule_id)" if table == "hits" else "*"
        try:
            con.execute(f"INSERT INTO {table} SELECT {columns} FROM {_read(path)}")
        except duckdb.Error:
            log.warning("screening cache: %s could not be read; the rule runs", path)
            return False
        self.reused.append(code)
        return True

    def keep(self, con: duckdb.DuckDBPyConnection, code: str, key: str, select: str) -> None:
        """Keep the rows of `select` (the rule's hits just computed) under `key`, in place of the rule's others."""
        if not self.enabled:
            return
        path = self._file(code, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        con.execute(f"COPY ({select}) TO {_parquet(temporary)} (FORMAT parquet)")
        os.replace(temporary, path)
        for other in path.parent.glob("*.parquet"):
            if other != path:
                other.unlink(missing_ok=True)


class WordingCache:
    """The warnings' texts the previous run worded, by the key of what each was worded from (run.py's
    `worded_key`): a hit found again from the same inputs takes its text without wording it again."""

    def __init__(self, county: str | None):
        self.path = cache_dir(county) / "wording.parquet"

    def load(self, con: duckdb.DuckDBPyConnection) -> bool:
        """Table `worded_prev` (key, evidence, exclusions, exclusion_evidence); False if nothing is kept."""
        if not self.path.is_file():
            return False
        try:
            con.execute(f"CREATE OR REPLACE TABLE worded_prev AS SELECT * FROM {_read(self.path)}")
        except duckdb.Error:
            log.warning("screening cache: %s could not be read; every warning is worded", self.path)
            return False
        return True

    def keep(self, con: duckdb.DuckDBPyConnection, fresh: list[tuple[str, str, str, str]]) -> None:
        """Keep the texts of this run's hits: those taken from the previous run and the `fresh` ones."""
        import pyarrow as pa

        names = ["key", "evidence", "exclusions", "exclusion_evidence"]
        con.register("worded_new", pa.table(dict(zip(names, map(list, zip(*fresh, strict=True)) if fresh
                                                     else [[] for _ in names], strict=True)),
                                            schema=pa.schema([(name, pa.string()) for name in names])))
        old = ("SELECT p.* FROM worded_prev p WHERE p.key IN (SELECT key FROM worded_key) UNION ALL "
               if con.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'worded_prev'"
                              ).fetchall()[0][0] else "")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            con.execute(f"COPY ({old}SELECT * FROM worded_new) TO {_parquet(temporary)} (FORMAT parquet)")
            os.replace(temporary, self.path)
        finally:
            con.unregister("worded_new")
            temporary.unlink(missing_ok=True)
