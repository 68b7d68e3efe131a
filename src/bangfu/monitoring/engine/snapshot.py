"""A column snapshot of the registry inside an in-process DuckDB; the department feeds are read from their Parquet
store (engine/feedstore.py), each rule only the kinds and months it needs (`feed_view`).

Each registry table is one plain SELECT on the project's database, read into Arrow record batches and appended to
DuckDB, with no Python loop over rows: on PostgreSQL by COPY … TO STDOUT (CSV parsed by Arrow in C), on SQLite by
ADBC's SQLite driver in a child process (engine/sqlite_reader.py: Arrow batches stepped in C and streamed through
a pipe; about three times the speed of the cursor at a million people, and on the other core). Where a separate connection would not see the same rows
(inside a transaction, which may hold uncommitted writes; an in-memory database) the Django cursor is read in
batches instead. Dates travel as ISO text and booleans as 0/1 so the same SELECT runs on both databases; DuckDB
casts them once.
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection

from bangfu.monitoring.engine.feedstore import feed_files, read_parquet_sql

BATCH = 250_000

def _county_filter(county: str | None, field: str = "household_id") -> dict:
    """A county's run reads only its households' rows, filtered in the source database (a subquery on the
    household's village code range, index-friendly); None: every row. Households no longer registered
    (is_active false) leave in DuckDB in one join per table (snapshot_load), cheaper than a join per row here."""
    if not county:
        return {}
    from bangfu.registry.models import Household

    low, high = county[:6].ljust(12, "0"), county[:6].ljust(12, "9")
    if field == "id":
        return {"village_id__gte": low, "village_id__lte": high}
    return {f"{field}__in": Household.objects.order_by().filter(village_id__gte=low, village_id__lte=high)
            .values("id")}


def _income_source(county: str | None = None) -> tuple[str, tuple]:
    """The income table's SELECT, compiled from registry.income's query expressions (the one definition)."""
    from bangfu.registry.income import for_line_cents_expression, net_cents_expression
    from bangfu.registry.models import IncomeRecord

    records = (IncomeRecord.objects.order_by().filter(**_county_filter(county))
               .annotate(net_cents=net_cents_expression(), for_line_cents=for_line_cents_expression())
               .values_list("household_id", "year", "members_counted", "net_cents", "for_line_cents"))
    return records.query.sql_with_params()


def _member_source(county: str | None = None) -> tuple[str, tuple]:
    """Dates as ISO text and the flag as 0/1, so the same SELECT reads alike on both databases."""
    from django.db.models import Case, IntegerField, TextField, Value, When
    from django.db.models.functions import Cast

    from bangfu.registry.models import Member

    members = (Member.objects.order_by().filter(**_county_filter(county))
               .annotate(birth_text_=Cast("birth_date", TextField()),
                         insured_=Case(When(medical_insurance=True, then=Value(1)), default=Value(0),
                                       output_field=IntegerField()))
               .values_list("id", "household_id", "name", "birth_text_", "relation", "disability_grade", "insured_",
                            "work_place", "work_months", "labour_ability"))
    return members.query.sql_with_params()


def _household_source(county: str | None = None) -> tuple[str, tuple]:
    """The households table's SELECT: `monitored` (any of the three kinds, 风险已消除 included) and `risk_open`
    compiled from registry.models.risk_open_q (the one definition of 监测对象（风险未消除）)."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from bangfu.registry.models import Household, risk_open_q

    flag = {"default": Value(0), "output_field": IntegerField()}
    households = (Household.objects.order_by().filter(is_active=True, **_county_filter(county, "id"))
                  .annotate(monitored_=Case(When(~Q(monitoring_type=""), then=Value(1)), **flag),
                            risk_open_=Case(When(risk_open_q(), then=Value(1)), **flag))
                  .values_list("id", "village_id", "monitored_", "risk_open_", "housing_safety"))
    return households.query.sql_with_params()


# name → (function of the county (None: every household) giving the source SELECT with its parameters; Arrow
# columns; DuckDB SELECT over the Arrow batch that types it). Each SELECT keeps the run's households itself (in the
# source database, through the household's index), so nothing outside the run is read.
TABLES: dict[str, tuple[Callable[[str | None], tuple[str, tuple]], list[tuple[str, pa.DataType]], str]] = {
    "households": (
        _household_source,
        [("id", pa.int64()), ("village_id", pa.string()), ("monitored", pa.int8()), ("risk_open", pa.int8()),
         ("housing_safety", pa.string())],
        "SELECT id, village_id, monitored = 1 AS monitored, risk_open = 1 AS risk_open, housing_safety FROM batch",
    ),
    "members": (
        _member_source,
        [("id", pa.int64()), ("household_id", pa.int64()), ("name", pa.string()), ("birth_date", pa.string()),
         ("relation", pa.string()), ("disability_grade", pa.string()), ("medical_insurance", pa.int8()),
         ("work_place", pa.string()), ("work_months", pa.int32()), ("labour_ability", pa.string())],
        "SELECT id, household_id, name, CAST(birth_date AS DATE) AS birth_date, relation, disability_grade, "
        "medical_insurance = 1 AS medical_insurance, work_place, work_months, labour_ability FROM batch",
    ),
    "income": (
        # 家庭纯收入 and the figure for the line (before dividing by people), in cents, as registry.income
        # defines them for whatever the record holds (components, a net or a per-capita figure given).
        _income_source,
        [("household_id", pa.int64()), ("year", pa.int32()), ("members_counted", pa.int32()),
         ("net_cents", pa.int64()), ("for_line_cents", pa.int64())],
        "SELECT * FROM batch",
    ),
}


def _copy_batches(sql: str, columns: list[tuple[str, pa.DataType]], params, batch_rows: int
                  ) -> Iterator[pa.RecordBatch]:
    """PostgreSQL: the SELECT's rows as CSV through COPY into a spooled file, parsed by Arrow's reader."""
    with tempfile.TemporaryFile() as spool:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: COPY binds the parameters on the client side
            with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params or None) as copy:
                for chunk in copy:
                    spool.write(chunk)
        if not spool.tell():
            return
        spool.seek(0)
        reader = pa_csv.open_csv(
            spool, read_options=pa_csv.ReadOptions(column_names=[name for name, _ in columns],
                                                   block_size=64 << 20),
            convert_options=pa_csv.ConvertOptions(column_types=dict(columns), strings_can_be_null=False,
                                                  quoted_strings_can_be_null=False))
        yield from reader


def _cursor_batches(sql: str, columns: list[tuple[str, pa.DataType]], params, batch_rows: int
                    ) -> Iterator[pa.RecordBatch]:
    schema = pa.schema(columns)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(batch_rows):
            arrays = [pa.array(values, type=kind) for values, (_, kind) in zip(zip(*rows, strict=True), columns,
                                                                               strict=True)]
            yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def sqlite_file_for_adbc() -> str | None:
    """The SQLite file the ADBC reader process may read as the project's own connection would: None inside a
    transaction (its uncommitted rows are invisible to another connection), for an in-memory database, or when
    the driver is not installed."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name or not os.path.isfile(name):
        return None
    # Only looked for, never imported here: its SQLite must stay out of this process (engine/sqlite_reader.py).
    return name if importlib.util.find_spec("adbc_driver_sqlite") is not None else None


class AdbcRead:
    """One SELECT read from a SQLite file by ADBC's driver in a child process (engine/sqlite_reader.py says why),
    started on creation (`start` False: by `start`, or when its batches are asked for): the driver steps the statement in C and writes Arrow batches, either through a pipe
    (`to_file` False: read as they come, the child waiting while the pipe is full) or into an unnamed temporary file
    (`to_file` True: the child reads to the end meanwhile, whatever this process does; `batches` waits for it, then
    reads the file batch by batch). Each batch is given this table's column names and types (the driver infers types
    from the values it sees). A failed read raises with the child's own message; `close` ends a read not taken."""

    def __init__(self, path: str, sql: str, columns: list[tuple[str, pa.DataType]], params, batch_rows: int, *,
                 to_file: bool = False, start: bool = True):
        from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

        self.columns = columns
        self.request = json.dumps({"path": path, "sql": FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%"),
                                   "params": list(params or ()), "batch_rows": batch_rows})
        self.to_file = to_file
        self.child: subprocess.Popen | None = None
        self.out = self.errors = None
        if start:
            self.start()

    def start(self) -> None:
        if self.child is not None:
            return
        self.errors = tempfile.TemporaryFile()
        self.out = tempfile.TemporaryFile() if self.to_file else None
        self.child = subprocess.Popen([sys.executable, "-m", "bangfu.monitoring.engine.sqlite_reader"],
                                      stdin=subprocess.PIPE, stdout=self.out or subprocess.PIPE, stderr=self.errors)
        try:
            self.child.stdin.write(self.request.encode())
            self.child.stdin.close()
        except BaseException:
            self.close()
            raise

    def _failed(self) -> None:
        if self.child.wait() != 0:
            self.errors.seek(0)
            raise RuntimeError("读取 SQLite 快照失败（ADBC 子进程）：" + self.errors.read().decode(errors="replace")[-2000:])

    def batches(self) -> Iterator[pa.RecordBatch]:
        schema = pa.schema(self.columns)
        self.start()
        try:
            if self.out is not None:
                self._failed()
                self.out.seek(0)
            try:
                for batch in pa.ipc.open_stream(self.out or self.child.stdout):
                    if batch.num_rows:
                        yield pa.RecordBatch.from_arrays([column.cast(kind) for column, (_, kind) in
                                                          zip(batch.columns, self.columns, strict=True)],
                                                         schema=schema)
            except pa.ArrowInvalid:
                if self.child.wait() == 0:
                    raise
            finally:
                if self.child.stdout is not None:
                    self.child.stdout.close()
                self._failed()
        finally:
            self.close()

    def close(self) -> None:
        if self.child is None:
            return
        if self.child.poll() is None:
            self.child.kill()
        if self.child.stdout is not None:
            self.child.stdout.close()
        self.child.wait()
        for file in (self.out, self.errors):
            if file is not None:
                file.close()


def arrow_batches(sql: str, columns: list[tuple[str, pa.DataType]], *, params=(), batch_rows: int = BATCH,
                  started: "AdbcRead | None" = None) -> Iterator[pa.RecordBatch]:
    """The rows of `sql` on the project's database as Arrow record batches of these columns (`started`: the read
    of this same SELECT already started, `snapshot_readers`)."""
    if started is not None:
        yield from started.batches()
    elif connection.vendor == "postgresql":
        connection.ensure_connection()
        yield from _copy_batches(sql, columns, params, batch_rows)
    elif path := sqlite_file_for_adbc():
        yield from AdbcRead(path, sql, columns, params, batch_rows).batches()
    else:
        yield from _cursor_batches(sql, columns, params, batch_rows)


def arrow_query(sql: str, columns: list[tuple[str, pa.DataType]], *, params=()) -> pa.Table:
    schema = pa.schema(columns)
    return pa.Table.from_batches(list(arrow_batches(sql, columns, params=params)), schema=schema)


def load_query(con: duckdb.DuckDBPyConnection, name: str, sql: str, columns: list[tuple[str, pa.DataType]],
               typed_select: str, *, params=(), batch_rows: int = BATCH, read: bool = True,
               started: AdbcRead | None = None) -> int:
    """Run `sql` on the project's database and append its rows to DuckDB table `name`. Returns the row count.
    `read` False: the caller knows `sql` has no rows; only the empty table is made (on SQLite, no reader process
    is started for nothing)."""
    schema = pa.schema(columns)
    con.register("batch", pa.Table.from_batches([], schema=schema))  # the empty table fixes the types
    con.execute(f"CREATE OR REPLACE TABLE {name} AS {typed_select}")
    count = 0
    for batch in arrow_batches(sql, columns, params=params, batch_rows=batch_rows, started=started) if read else ():
        con.register("batch", pa.Table.from_batches([batch], schema=schema))
        con.execute(f"INSERT INTO {name} {typed_select}")
        count += batch.num_rows
    con.unregister("batch")
    return count


FEED_SELECT = ("kind, period, CAST(period || '-01' AS DATE) AS period_date, member_id, household_id, date1, "
               "amount1, amount5, code1, code2, text, resent")
EMPTY_FEED = ("SELECT CAST(NULL AS VARCHAR) AS kind, CAST(NULL AS VARCHAR) AS period, CAST(NULL AS DATE) AS "
              "period_date, CAST(NULL AS BIGINT) AS member_id, CAST(NULL AS BIGINT) AS household_id, CAST(NULL AS "
              "DATE) AS date1, CAST(NULL AS BIGINT) AS amount1, CAST(NULL AS BIGINT) AS amount5, CAST(NULL AS "
              "VARCHAR) AS code1, CAST(NULL AS VARCHAR) AS code2, CAST(NULL AS VARCHAR) AS text, CAST(NULL AS BOOLEAN) "
              "AS resent WHERE false")


def feed_view(con: duckdb.DuckDBPyConnection, *, kinds: list[str] | None = None,
              periods_back: int | None = None, name: str = "feed") -> int:
    """(Re)define view `name` over the Parquet partitions of these kinds (each its latest `periods_back` months),
    less the rows of households outside the snapshot (no longer registered, or in another county than the run's:
    `run_scope`, filled by snapshot_load; usually none, and then the files are read with no join at all).
    Returns how many files it reads."""
    files = feed_files(kinds, periods_back)
    partial = con.execute("SELECT partial FROM run_scope").fetchall()[0][0]
    where = " WHERE household_id IN (SELECT id FROM households)" if partial else ""
    source = f"SELECT {FEED_SELECT} FROM {read_parquet_sql(files)}{where}" if files else EMPTY_FEED
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {source}")
    return len(files)


def snapshot_readers(county: str | None, tables: tuple[str, ...]) -> dict[str, AdbcRead]:
    """On SQLite read by ADBC: the reads of these registry tables, two at a time, so a child's start and its read
    overlap the other's and what this process does meanwhile: the first table through a pipe, read at once; each
    other into a file of its own, read to the end meanwhile; the third starts as the first is taken (two readers
    on a machine's two cores: a third at once slowed the two the rules wait for). Pass to `snapshot_load(_more)`;
    whatever they have not taken, `snapshot_readers_close` ends. Empty elsewhere (PostgreSQL, in a transaction)."""
    readers: dict[str, AdbcRead] = {}
    path = sqlite_file_for_adbc()
    if not path:
        return readers
    try:
        for n, name in enumerate(tables):
            source, columns, _ = TABLES[name]
            sql, params = source(county)
            readers[name] = AdbcRead(path, sql, columns, params, BATCH, to_file=n > 0, start=n < 2)
    except BaseException:
        snapshot_readers_close(readers)
        raise
    return readers


def snapshot_readers_close(readers: dict[str, AdbcRead]) -> None:
    while readers:
        readers.popitem()[1].close()


def snapshot_load(con: duckdb.DuckDBPyConnection, *, lines: list[tuple[str, int, int]], county: str | None = None,
                  tables: tuple[str, ...] = tuple(TABLES), step: Callable[[str], None] = lambda name: None,
                  readers: dict[str, AdbcRead] | None = None) -> dict[str, int]:
    """Load the registry tables the rules read (`tables`: a subset, the rest with `snapshot_load_more`) for the
    county's households (12-digit code; None: every household); `lines` is (county address code, year, line in
    cents). `readers`: reads already started (`snapshot_readers`), each taken for its table."""
    counts = snapshot_load_more(con, county=county, tables=tables, step=step, readers=readers)
    return counts | snapshot_scope(con, county=county, households=counts["households"], lines=lines)


def snapshot_scope(con: duckdb.DuckDBPyConnection, *, county: str | None, households: int,
                   lines: list[tuple[str, int, int]]) -> dict[str, int]:
    """With the households table in place (read now or kept by the previous run): the feed view over it, the lines
    table. Returns the feed's row count."""
    from bangfu.registry.models import Household

    # Feed rows name households outside the run only if the database holds any: else no join on the feed.
    partial = Household.objects.count() != households
    con.execute("CREATE OR REPLACE TABLE run_scope AS SELECT CAST(? AS BOOLEAN) AS partial", [partial])
    feed_view(con)
    feed = con.execute("SELECT COUNT(*) FROM feed").fetchall()[0][0]  # reads one column of the files
    con.execute("CREATE OR REPLACE TABLE lines (county VARCHAR, year INTEGER, amount_cents BIGINT)")
    if lines:
        con.executemany("INSERT INTO lines VALUES (?, ?, ?)", lines)
    return {"feed": feed}


def snapshot_load_more(con: duckdb.DuckDBPyConnection, *, county: str | None, tables: tuple[str, ...],
                       step: Callable[[str], None] = lambda name: None,
                       readers: dict[str, AdbcRead] | None = None) -> dict[str, int]:
    """Load these registry tables (households first: the others keep only its households' rows)."""
    counts = {}
    for name in tables:
        source, columns, typed = TABLES[name]
        sql, params = source(county)
        counts[name] = load_query(con, name, sql, columns, typed, params=params,
                                  started=(readers or {}).pop(name, None))
        for waiting in (readers or {}).values():  # one read taken: the next starts
            if waiting.child is None:
                waiting.start()
                break
        if name != "households":
            # Rows of households no longer in the register (is_active false) leave here, in one join.
            con.execute(f"DELETE FROM {name} WHERE household_id NOT IN (SELECT id FROM households)")
            counts[name] = con.execute(f"SELECT COUNT(*) FROM {name}").fetchall()[0][0]
        step(name)
    return counts
