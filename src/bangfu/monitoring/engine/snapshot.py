"""A column snapshot of the registry inside an in-process DuckDB; the department feeds are read from their Parquet
store (engine/feedstore.py), each rule only the kinds and months it needs (`feed_view`).

Each registry table is one plain SELECT on the project's database, read into Arrow record batches and appended to
DuckDB: on PostgreSQL by COPY … TO STDOUT (CSV parsed by Arrow in C, no Python loop over rows), on SQLite by the
cursor in batches. Dates travel as ISO text and booleans as 0/1 so the same SELECT runs on both databases; DuckDB
casts them once.
"""

import tempfile
from collections.abc import Callable, Iterator

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection

from bangfu.monitoring.engine.feedstore import feed_files, read_parquet_sql

BATCH = 250_000

def _income_source() -> tuple[str, tuple]:
    """The income table's SELECT, compiled from registry.income's query expressions (the one definition)."""
    from bangfu.registry.income import for_line_cents_expression, net_cents_expression
    from bangfu.registry.models import IncomeRecord

    records = (IncomeRecord.objects.order_by()
               .annotate(net_cents=net_cents_expression(), for_line_cents=for_line_cents_expression())
               .values_list("household_id", "year", "members_counted", "net_cents", "for_line_cents"))
    return records.query.sql_with_params()


def _household_source() -> tuple[str, tuple]:
    """The households table's SELECT: `monitored` (any of the three kinds, 风险已消除 included) and `risk_open`
    compiled from registry.models.risk_open_q (the one definition of 监测对象（风险未消除）)."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from bangfu.registry.models import Household, risk_open_q

    flag = {"default": Value(0), "output_field": IntegerField()}
    households = (Household.objects.order_by().filter(is_active=True)
                  .annotate(monitored_=Case(When(~Q(monitoring_type=""), then=Value(1)), **flag),
                            risk_open_=Case(When(risk_open_q(), then=Value(1)), **flag))
                  .values_list("id", "village_id", "monitored_", "risk_open_", "housing_safety"))
    return households.query.sql_with_params()


# name → (source SELECT, or a function giving it with its parameters; Arrow columns; DuckDB SELECT over the Arrow
# batch that types it)
TABLES: dict[str, tuple[str | Callable[[], tuple[str, tuple]], list[tuple[str, pa.DataType]], str]] = {
    "households": (
        lambda: _household_source(),
        [("id", pa.int64()), ("village_id", pa.string()), ("monitored", pa.int8()), ("risk_open", pa.int8()),
         ("housing_safety", pa.string())],
        "SELECT id, village_id, monitored = 1 AS monitored, risk_open = 1 AS risk_open, housing_safety FROM batch",
    ),
    "members": (
        "SELECT id, household_id, name, CAST(birth_date AS TEXT), relation, disability_grade, "
        "CASE WHEN medical_insurance THEN 1 ELSE 0 END, work_place, work_months, labour_ability "
        "FROM registry_member",
        [("id", pa.int64()), ("household_id", pa.int64()), ("name", pa.string()), ("birth_date", pa.string()),
         ("relation", pa.string()), ("disability_grade", pa.string()), ("medical_insurance", pa.int8()),
         ("work_place", pa.string()), ("work_months", pa.int32()), ("labour_ability", pa.string())],
        "SELECT id, household_id, name, CAST(birth_date AS DATE) AS birth_date, relation, disability_grade, "
        "medical_insurance = 1 AS medical_insurance, work_place, work_months, labour_ability FROM batch",
    ),
    "income": (
        # 家庭纯收入 and the figure for the line (before dividing by people), in cents, as registry.income
        # defines them for whatever the record holds (components, a net or a per-capita figure given).
        lambda: _income_source(),
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


def arrow_batches(sql: str, columns: list[tuple[str, pa.DataType]], *, params=(), batch_rows: int = BATCH
                  ) -> Iterator[pa.RecordBatch]:
    """The rows of `sql` on the project's database as Arrow record batches of these columns."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        yield from _copy_batches(sql, columns, params, batch_rows)
    else:
        yield from _cursor_batches(sql, columns, params, batch_rows)


def arrow_query(sql: str, columns: list[tuple[str, pa.DataType]], *, params=()) -> pa.Table:
    schema = pa.schema(columns)
    return pa.Table.from_batches(list(arrow_batches(sql, columns, params=params)), schema=schema)


def load_query(con: duckdb.DuckDBPyConnection, name: str, sql: str, columns: list[tuple[str, pa.DataType]],
               typed_select: str, *, params=(), batch_rows: int = BATCH) -> int:
    """Run `sql` on the project's database and append its rows to DuckDB table `name`. Returns the row count."""
    schema = pa.schema(columns)
    con.register("batch", pa.Table.from_batches([], schema=schema))  # the empty table fixes the types
    con.execute(f"CREATE OR REPLACE TABLE {name} AS {typed_select}")
    count = 0
    for batch in arrow_batches(sql, columns, params=params, batch_rows=batch_rows):
        con.register("batch", pa.Table.from_batches([batch], schema=schema))
        con.execute(f"INSERT INTO {name} {typed_select}")
        count += batch.num_rows
    con.unregister("batch")
    return count


FEED_SELECT = ("kind, period, CAST(period || '-01' AS DATE) AS period_date, member_id, household_id, date1, "
               "amount1, amount5, code1, code2, text")
EMPTY_FEED = ("SELECT CAST(NULL AS VARCHAR) AS kind, CAST(NULL AS VARCHAR) AS period, CAST(NULL AS DATE) AS "
              "period_date, CAST(NULL AS BIGINT) AS member_id, CAST(NULL AS BIGINT) AS household_id, CAST(NULL AS "
              "DATE) AS date1, CAST(NULL AS BIGINT) AS amount1, CAST(NULL AS BIGINT) AS amount5, CAST(NULL AS "
              "VARCHAR) AS code1, CAST(NULL AS VARCHAR) AS code2, CAST(NULL AS VARCHAR) AS text WHERE false")


def feed_view(con: duckdb.DuckDBPyConnection, *, kinds: list[str] | None = None,
              periods_back: int | None = None, name: str = "feed") -> int:
    """(Re)define view `name` over the Parquet partitions of these kinds (each its latest `periods_back` months),
    less the rows of households no longer in the register (`gone`, filled by snapshot_load; usually empty, and
    then the files are read with no join at all). Returns how many files it reads."""
    files = feed_files(kinds, periods_back)
    gone = con.execute("SELECT COUNT(*) FROM gone").fetchall()[0][0]
    where = " WHERE household_id NOT IN (SELECT id FROM gone)" if gone else ""
    source = f"SELECT {FEED_SELECT} FROM {read_parquet_sql(files)}{where}" if files else EMPTY_FEED
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {source}")
    return len(files)


def _gone_source() -> tuple[str, tuple]:
    from bangfu.registry.models import Household

    return Household.objects.order_by().filter(is_active=False).values_list("id").query.sql_with_params()


def snapshot_load(con: duckdb.DuckDBPyConnection, *, lines: list[tuple[str, int, int]],
                  step: Callable[[str], None] = lambda name: None) -> dict[str, int]:
    """Load every table the rules read; `lines` is (county address code, year, line in cents)."""
    counts = {}
    for name, (source, columns, typed) in TABLES.items():
        sql, params = source() if callable(source) else (source, ())
        counts[name] = load_query(con, name, sql, columns, typed, params=params)
        step(name)
    # Rows of households no longer in the register (is_active false) leave the snapshot here, in one join each,
    # rather than in a join per table on the source database.
    for name in ("members", "income"):
        con.execute(f"DELETE FROM {name} WHERE household_id NOT IN (SELECT id FROM households)")
        counts[name] = con.execute(f"SELECT COUNT(*) FROM {name}").fetchall()[0][0]
    sql, params = _gone_source()
    load_query(con, "gone", sql, [("id", pa.int64())], "SELECT * FROM batch", params=params)
    feed_view(con)
    counts["feed"] = con.execute("SELECT COUNT(*) FROM feed").fetchall()[0][0]  # reads one column of the files
    con.execute("CREATE OR REPLACE TABLE lines (county VARCHAR, year INTEGER, amount_cents BIGINT)")
    if lines:
        con.executemany("INSERT INTO lines VALUES (?, ?, ?)", lines)
    return counts
