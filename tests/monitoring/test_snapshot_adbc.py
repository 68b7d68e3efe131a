"""On SQLite the registry snapshot is read by ADBC's driver (engine/snapshot.py): its own connection to the file,
Arrow batches in C. It must hand DuckDB exactly what the Django cursor reads, value for value and type for type,
and must not be used where its connection would see other rows than the project's (inside a transaction)."""

import pyarrow as pa
import pytest
from django.db import connection, transaction

from bangfu.monitoring.engine.snapshot import TABLES, _cursor_batches, arrow_batches, sqlite_file_for_adbc
from bangfu.registry.services import member_add
from tests.conftest import COUNTY, TUANJIE, ZHANGZHA_VILLAGE, synthetic_id
from tests.monitoring.factories import income

pytestmark = [
    pytest.mark.django_db(transaction=True),  # committed rows: what a second connection can read
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite path (PostgreSQL reads by COPY)"),
]


def _both(name: str, county: str | None) -> tuple[pa.Table, pa.Table]:
    source, columns, _ = TABLES[name]
    sql, params = source(county)
    schema = pa.schema(columns)
    by_adbc = pa.Table.from_batches(list(arrow_batches(sql, columns, params=params, batch_rows=2)), schema=schema)
    by_cursor = pa.Table.from_batches(list(_cursor_batches(sql, columns, params, 2)), schema=schema)
    return by_adbc, by_cursor


@pytest.fixture
def registry(make_household, county_admin):
    """Households in two villages; members with and without a birth date, disability, work; incomes."""
    one = make_household(TUANJIE, head_name="阿旺·扎西", monitoring_type="marginal",
                         identified_month="202503")
    member_add(actor=county_admin, household=one,
               data={"name": "王小梅", "relation": "daughter", "disability_grade": "2", "work_place": "in_county",
                     "work_months": 7},
               id_number=synthetic_id("20190228", male=False))
    two = make_household(ZHANGZHA_VILLAGE, housing_safety="c")
    income(one, 2025, net=6100, members=2)
    income(two, 2024, net=12000)
    return one, two


def test_adbc_reads_what_the_cursor_reads_and_not_inside_a_transaction(registry):
    """Every snapshot table, for every household and for one county's, in batches of two rows (more than one
    batch cast and joined); then inside a transaction the cursor is read, which sees the transaction's own row."""
    from bangfu.registry.models import Household

    assert sqlite_file_for_adbc() is not None  # the control: outside a transaction the driver is used
    for name in TABLES:
        for county in (None, COUNTY):
            by_adbc, by_cursor = _both(name, county)
            assert by_adbc.num_rows >= 2, name
            assert by_adbc.equals(by_cursor), (name, county, by_adbc.to_pylist(), by_cursor.to_pylist())
    source, columns, _ = TABLES["households"]
    with transaction.atomic():
        assert sqlite_file_for_adbc() is None
        Household.objects.filter(pk=registry[1].pk).update(housing_safety="d")
        sql, params = source(None)
        rows = pa.Table.from_batches(list(arrow_batches(sql, columns, params=params)), schema=pa.schema(columns))
        assert dict(zip(rows["id"].to_pylist(), rows["housing_safety"].to_pylist(), strict=True))[registry[1].pk] == "d"
        transaction.set_rollback(True)
    assert sqlite_file_for_adbc() is not None


def test_reads_started_together_give_what_the_cursor_reads_and_a_read_not_taken_ends(registry):
    """snapshot_readers starts two of the three tables' reads at once (the first through a pipe, the others into
    files; the third when taken):
    each taken read equals the cursor's; one never taken is ended by snapshot_readers_close (its process gone, its
    file closed); a failing read raises with the child's message."""
    from bangfu.monitoring.engine.snapshot import AdbcRead, snapshot_readers, snapshot_readers_close

    readers = snapshot_readers(COUNTY, ("households", "income", "members"))
    assert [readers[name].to_file for name in ("households", "income", "members")] == [False, True, True]
    assert [readers[name].child is not None for name in ("households", "income", "members")] == [True, True, False]
    for name in ("households", "members"):  # income is not taken
        source, columns, _ = TABLES[name]
        sql, params = source(COUNTY)
        schema = pa.schema(columns)
        started = readers.pop(name)
        taken = pa.Table.from_batches(list(arrow_batches(sql, columns, started=started)), schema=schema)
        by_cursor = pa.Table.from_batches(list(_cursor_batches(sql, columns, params, 2)), schema=schema)
        assert taken.num_rows >= 2 and taken.equals(by_cursor), name
        assert started.child.returncode == 0
    left = readers["income"]
    snapshot_readers_close(readers)
    assert readers == {} and left.child.returncode is not None and left.out.closed
    failing = AdbcRead(sqlite_file_for_adbc(), "SELECT no_such_column FROM registry_household", [("x", pa.int64())],
                       (), 10, to_file=True)
    with pytest.raises(RuntimeError, match="no_such_column"):
        list(failing.batches())
    assert failing.out.closed


def test_a_run_reading_by_started_readers_writes_what_a_run_reading_by_the_cursor_writes(registry, county_admin):
    """The whole run: outside a transaction the snapshot is read by reader processes started together (and the
    write-back starts none for an empty warnings table); inside one, by the cursor. The same warnings, column for
    column and type for type (SQLite's typeof), whichever read them; the control: the run read by readers did."""
    import datetime as dt

    from bangfu.monitoring.engine.cache import screening_cache_clear
    from bangfu.monitoring.models import RiskWarning
    from bangfu.monitoring.rules import rules_install_defaults
    from bangfu.monitoring.services import screening_run
    from tests.monitoring.factories import cents, feed_row, head

    rules_install_defaults()  # a transactional test starts from an emptied database
    one, two = registry
    feed_row(head(one), "medical", "2025-05", date1=dt.date(2025, 5, 3), amount1=cents(30000), amount5=cents(12000))
    feed_row(head(two), "payroll", "2025-05", text="县林业局")
    feed_row(head(two), "medical", "2025-06", date1=dt.date(2025, 6, 9), amount1=cents(30000), amount5=cents(15000))
    columns = ("household_id", "village_id", "rule_id", "evidence", "fact", "exclusions", "exclusion_evidence",
               "monitored_open", "state", "visit_notes", "dismiss_reason")

    def written() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)}, {', '.join(f'typeof({c})' for c in columns)}, "
                           "typeof(created_at), created_at = updated_at, first_run_id = last_run_id "
                           "FROM monitoring_riskwarning ORDER BY household_id, rule_id")
            return cursor.fetchall()

    by_readers = screening_run(actor=county_admin)
    assert by_readers.inputs["reused"]["snapshot"] is False
    rows = written()
    assert len(rows) == 2 and {row[5] for row in rows} == {"", "payroll"}  # the payroll mark names a member
    RiskWarning.objects.all().delete()
    screening_cache_clear()
    with transaction.atomic():
        assert sqlite_file_for_adbc() is None  # the cursor reads
        screening_run(actor=county_admin)
        assert written() == rows
        transaction.set_rollback(True)
