"""The committed department feeds as Parquet partitions, one file per kind and month, for the screening engines.

Feeds are append-only monthly data: a month's file is committed once (a corrected file replaces that month). The
database keeps the upload's record and its rows (`FeedUpload`, `FeedRow`: the history, the pages, backup); this
store keeps the same rows as columns where DuckDB (and Spark, engine/spark.py) reads them at memory speed:

    FEED_STORE_DIR/kind=medical/period=2025-06/part.parquet      (default $BANGFU_VAR_DIR/feeds)
    FEED_STORE_DIR/kind=medical/period=2025-06/_upload.json      which uploads the file was written from

A partition is written when its upload commits (after the transaction, from the rows the database holds), and
`feed_store_sync` (run at the start of every screening, and by `bangfu feed-store`) rewrites any partition whose
uploads differ from the database's and removes partitions no upload holds: a restored backup, a demo rebuilt or an
install from before the store comes right by itself. A member deleted from the register leaves the partitions
that held their rows in the same transaction's aftermath (`feed_store_forget_member`).

What the files hold: member and household ids, dates, amounts in cents, codes and the department's text (as the
database holds them), and one column worked out when the month is written, `resent`: the row repeats a stay
(household, member, day, amount: RESENT_KEYS) that an earlier row of the same year already sent, in an earlier
month's file or earlier in this one. A rule summing a year's stays leaves those rows out (each stay counts once)
without sorting the whole year's rows at every screening; a month depends on the earlier months of its year, so
its signature holds theirs and a corrected earlier month rewrites the later ones at the next sync. No ID number is kept, neither here nor in FeedRow (the blind index matched the person at
import), so key rotation has nothing to re-encrypt here; a backup need not copy the store (it is rebuilt from the
database) and a restore empties it.
"""

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings

log = logging.getLogger(__name__)

PART = "part.parquet"
MANIFEST = "_upload.json"
BATCH = 250_000
FORMAT = 2  # 2: the `resent` column; a partition written in another format is written again by the sync

# Per kind, the slots that name one event sent again in a later month's file: a hospital stay is the person, the
# admission day and the amount. Kinds absent here have `resent` false.
RESENT_KEYS: dict[str, tuple[str, ...]] = {"medical": ("household_id", "member_id", "date1", "amount5")}

# The slots the rules read, in the order of the files (kind and period are the partition's path).
COLUMNS: list[tuple[str, pa.DataType]] = [
    ("member_id", pa.int64()), ("household_id", pa.int64()), ("date1", pa.date32()), ("amount1", pa.int64()),
    ("amount5", pa.int64()), ("code1", pa.string()), ("code2", pa.string()), ("text", pa.string()),
]
SCHEMA = pa.schema([*COLUMNS, ("resent", pa.bool_())])


def feed_store_dir() -> Path:
    return Path(settings.FEED_STORE_DIR)


def _remove_partitions(root: Path) -> None:
    """Every kind=… directory under `root`, nothing else (previewed files wait in `staged/` beside them)."""
    for kind_dir in root.glob("kind=*"):
        shutil.rmtree(kind_dir, ignore_errors=True)


def partition_dir(kind: str, period: str, root: Path | None = None) -> Path:
    return (root or feed_store_dir()) / f"kind={kind}" / f"period={period}"


def _signature(uploads: list[tuple[int, str]], earlier: str = "") -> str:
    """The uploads of one kind and month (id, time), as one short text: another upload, another signature.
    `earlier`: the signature of the earlier months it depends on (RESENT_KEYS), if any."""
    text = f"{FORMAT}|{earlier}|" + ";".join(f"{pk}@{at}" for pk, at in sorted(uploads))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _uploads_by_partition() -> dict[tuple[str, str], str]:
    from bangfu.monitoring.models import FeedUpload

    grouped: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for pk, kind, period, at in FeedUpload.objects.order_by().values_list("id", "kind", "period", "uploaded_at"):
        grouped.setdefault((kind, period), []).append((pk, at.isoformat() if at else ""))
    signatures: dict[tuple[str, str], str] = {}
    for kind, period in sorted(grouped):  # by month: a month's `resent` rests on the earlier months of its year
        before = ""
        if kind in RESENT_KEYS:
            before = ",".join(signatures[(k, p)] for k, p in sorted(signatures)
                              if k == kind and p[:4] == period[:4] and p < period)
        signatures[(kind, period)] = _signature(grouped[(kind, period)], before)
    return signatures


def _read_rows(kind: str, period: str, root: Path | None = None) -> pa.Table:
    """The partition's rows from the database, as Arrow (PostgreSQL by COPY, SQLite by its cursor)."""
    from bangfu.monitoring.engine.snapshot import arrow_query

    sql = ("SELECT member_id, household_id, CAST(date1 AS TEXT), amount1, amount5, code1, code2, text "
           "FROM monitoring_feedrow WHERE kind = %s AND period = %s ORDER BY household_id, member_id")
    text_columns = [(name, pa.string() if kind_ == pa.date32() else kind_) for name, kind_ in COLUMNS]
    table = arrow_query(sql, text_columns, params=(kind, period))
    text = table.column("date1")  # PostgreSQL's COPY gives a missing date as an empty string, SQLite as a null
    dates = pc.cast(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), pa.date32())
    table = table.set_column(2, "date1", dates)
    return table.append_column("resent", _resent(kind, period, table, root))


def _resent(kind: str, period: str, table: pa.Table, root: Path | None) -> pa.Array:
    """Which rows repeat an event (RESENT_KEYS) of an earlier row of the same year: earlier in this month's rows, or
    in the partitions of the same kind's earlier months of that year (on disk, written before this one)."""
    keys = RESENT_KEYS.get(kind)
    if not keys or table.num_rows == 0:
        return pa.array([False] * table.num_rows, pa.bool_())
    import duckdb

    earlier = [path for path in feed_files([kind], root=root) if path.parent.name[7:11] == period[:4]
               and path.parent.name[7:] < period]
    month = table.select(list(keys)).append_column("row_", pa.array(range(table.num_rows), pa.int64()))
    listed = ", ".join(keys)
    # Within the month every copy after the first (PARTITION BY takes missing slots as equal); against the earlier
    # months a join on the same slots (IS NOT DISTINCT FROM: missing equals missing), the month the smaller side.
    found = (f"SELECT row_ FROM (SELECT row_, ROW_NUMBER() OVER (PARTITION BY {listed} ORDER BY row_) AS n "
             "FROM month) WHERE n > 1")
    if earlier:
        same = " AND ".join(f"e.{key} IS NOT DISTINCT FROM m.{key}" for key in keys)
        found += (f" UNION SELECT m.row_ FROM month m JOIN (SELECT {listed} FROM {read_parquet_sql(earlier)}) e "
                  f"ON {same}")
    con = duckdb.connect()
    try:
        con.execute("SET memory_limit = '512MB'")
        con.register("month", month)
        flags = con.sql(f"SELECT row_ IN ({found}) AS resent FROM month ORDER BY row_").to_arrow_table()
    finally:
        con.close()
    return flags.column("resent").combine_chunks()


def feed_partition_write(kind: str, period: str, *, signature: str | None = None, root: Path | None = None) -> int:
    """Write one kind and month from the database (atomically: a reader sees the old file or the new one).
    Returns the rows written; a month without rows leaves no partition."""
    if signature is None:
        signature = _uploads_by_partition().get((kind, period))
    target = partition_dir(kind, period, root)
    table = _read_rows(kind, period, root)
    if signature is None or table.num_rows == 0:
        shutil.rmtree(target, ignore_errors=True)
        return 0
    target.mkdir(parents=True, exist_ok=True)
    part = target / PART
    temporary = target / f".{PART}.{os.getpid()}.tmp"
    pq.write_table(table, temporary, compression="zstd", row_group_size=1_000_000)
    os.replace(temporary, part)
    manifest = target / MANIFEST
    temporary = target / f".{MANIFEST}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps({"kind": kind, "period": period, "signature": signature,
                                     "rows": table.num_rows}), encoding="utf-8")
    os.replace(temporary, manifest)
    return table.num_rows


def _manifest(path: Path) -> dict:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def feed_store_partitions(root: Path | None = None) -> dict[tuple[str, str], dict]:
    """(kind, period) → its manifest, for the partitions on disk with both files."""
    root = root or feed_store_dir()
    found = {}
    for kind_dir in sorted(root.glob("kind=*")):
        for period_dir in sorted(kind_dir.glob("period=*")):
            manifest = _manifest(period_dir)
            if manifest and (period_dir / PART).is_file():
                found[(kind_dir.name[5:], period_dir.name[7:])] = manifest
    return found


def feed_store_sync(*, root: Path | None = None) -> dict[str, int]:
    """Make the store hold exactly the database's committed feeds: write missing or outdated partitions, remove
    those no upload holds. Cheap when nothing changed (it reads the uploads' records and the manifests)."""
    root = root or feed_store_dir()
    wanted = _uploads_by_partition()
    present = feed_store_partitions(root)
    written = removed = 0
    for (kind, period), signature in sorted(wanted.items()):
        if present.get((kind, period), {}).get("signature") != signature:
            feed_partition_write(kind, period, signature=signature, root=root)
            written += 1
    for kind_dir in root.glob("kind=*"):
        for period_dir in kind_dir.glob("period=*"):
            if (kind_dir.name[5:], period_dir.name[7:]) not in wanted:
                shutil.rmtree(period_dir, ignore_errors=True)
                removed += 1
    return {"written": written, "removed": removed, "partitions": len(wanted)}


def feed_store_rebuild(*, root: Path | None = None) -> dict[str, int]:
    """Write every partition again from the database (`bangfu feed-store --rebuild`)."""
    root = root or feed_store_dir()
    _remove_partitions(root)
    return feed_store_sync(root=root)


def feed_store_clear() -> None:
    """Empty the store (a restore puts another database back: the next screening writes it again), and what
    screening runs kept for the next (engine/cache.py)."""
    from bangfu.monitoring.engine.cache import screening_cache_clear

    _remove_partitions(feed_store_dir())
    screening_cache_clear()


def feed_store_forget_member(member_id: int) -> int:
    """Rewrite the partitions that held a deleted member's rows (their FeedRow rows left with the member).
    Returns the partitions rewritten. What screening runs kept (engine/cache.py) goes too: it held their row."""
    import duckdb

    from bangfu.monitoring.engine.cache import screening_cache_clear

    screening_cache_clear()
    files = feed_files()
    if not files:
        return 0
    con = duckdb.connect()
    try:
        hit = con.execute(f"SELECT DISTINCT kind, period FROM {read_parquet_sql(files)} WHERE member_id = ?",
                          [int(member_id)]).fetchall()
    finally:
        con.close()
    for kind, period in hit:
        feed_partition_write(kind, period)
    return len(hit)


def feed_partition_write_after_commit(kind: str, period: str) -> None:
    """Called by the upload's commit: write the month once the rows are in the database. A failure here leaves
    the partition for the next screening's sync, never a half-written file."""
    try:
        feed_partition_write(kind, period)
    except Exception:  # noqa: BLE001 - the upload is committed; the store catches up at the next screening
        log.exception("feed store: writing %s %s failed; the next screening writes it", kind, period)


def feed_files(kinds: list[str] | None = None, periods_back: int | None = None,
               root: Path | None = None, partitions: dict | None = None) -> list[Path]:
    """The partition files of these kinds (all if None), each kind's latest `periods_back` months only (all if
    None): what one rule reads. `partitions`: feed_store_partitions() as already read."""
    by_kind: dict[str, list[str]] = {}
    for kind, period in (feed_store_partitions(root) if partitions is None else partitions):
        if kinds is None or kind in kinds:
            by_kind.setdefault(kind, []).append(period)
    files = []
    for kind, periods in sorted(by_kind.items()):
        chosen = sorted(periods)[-periods_back:] if periods_back else sorted(periods)
        files += [partition_dir(kind, period, root) / PART for period in chosen]
    return files


def read_parquet_sql(files: list[Path]) -> str:
    """DuckDB's read over these files, kind and period taken from their paths."""
    listed = ", ".join("'" + str(path).replace("'", "''") + "'" for path in files)
    return f"read_parquet([{listed}], hive_partitioning = true, hive_types = {{'kind': VARCHAR, 'period': VARCHAR}})"
