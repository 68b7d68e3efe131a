"""The department feeds' Parquet store: a month written when its upload commits, kept equal to the database by the
sync (a new upload, an upload gone, an install from before the store), a deleted member's rows gone from the
files too, emptied by a restore; each rule reads only its kinds and months; no ID number in the files."""

import datetime as dt

import duckdb
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from bangfu.monitoring.engine.feedstore import (
    PART,
    feed_files,
    feed_store_clear,
    feed_store_partitions,
    feed_store_sync,
    partition_dir,
    read_parquet_sql,
)
from bangfu.monitoring.engine.rules import feed_window
from bangfu.monitoring.feed_import import feed_upload_commit
from bangfu.monitoring.models import FeedRow, FeedUpload
from bangfu.registry.services import member_add, member_remove
from tests.conftest import TUANJIE, synthetic_id
from tests.monitoring.factories import feed_row, head
from tests.monitoring.test_feed_import import _write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def store(settings, tmp_path):
    settings.FEED_STORE_DIR = tmp_path / "feeds"
    return settings.FEED_STORE_DIR


def _rows(kind: str, period: str) -> list[tuple]:
    table = pq.read_table(partition_dir(kind, period) / PART)
    return sorted(zip(table.column("member_id").to_pylist(), table.column("amount5").to_pylist(), strict=True))


def test_commit_writes_the_month_after_the_transaction(tmp_path, make_household, county_admin,
                                                       django_capture_on_commit_callbacks):
    households = [make_household(TUANJIE) for _ in range(3)]
    path = _write(tmp_path / "医保.xlsx", [
        [n, head(h).name, head(h).reveal_id_number(), "2025-05-01", "2025-05-09", 20000, 8000, 1000 + n, "县人民医院"]
        for n, h in enumerate(households, start=1)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _, report = feed_upload_commit(actor=county_admin, kind="medical", period="2025-05", path=path,
                                       file_name="医保.xlsx")
    assert report.matched == 3, [e.as_dict() for e in report.errors]
    assert FeedRow.objects.filter(kind="medical", period="2025-05").count() == 3
    assert not feed_store_partitions()  # nothing on disk before the commit
    for callback in callbacks:
        callback()
    assert _rows("medical", "2025-05") == sorted((head(h).pk, (1000 + n) * 100)
                                                 for n, h in enumerate(households, start=1))
    table = pq.read_table(partition_dir("medical", "2025-05") / PART)
    assert table.column_names == ["member_id", "household_id", "date1", "amount1", "amount5", "code1", "code2", "text", "resent"]
    assert table.column("date1").to_pylist()[0] == dt.date(2025, 5, 1)
    # No ID number in the files: the person is the member id the blind index found at import.
    text = str(table.to_pylist())
    assert not any(head(h).reveal_id_number() in text for h in households)


def test_sync_writes_what_is_missing_rewrites_what_changed_and_removes_what_is_gone(make_household):
    member = head(make_household(TUANJIE))
    feed_row(member, "medical", "2025-05", amount5=100)
    feed_row(member, "housing", "2025-05", code1="C")
    assert feed_store_sync() == {"written": 2, "removed": 0, "partitions": 2}  # an install from before the store
    assert feed_store_sync()["written"] == 0  # nothing changed: nothing written
    feed_row(member, "medical", "2025-05", amount5=200)  # another upload of the month
    assert feed_store_sync()["written"] == 1
    assert _rows("medical", "2025-05") == [(member.pk, 100), (member.pk, 200)]
    FeedUpload.objects.filter(kind="housing").delete()
    assert feed_store_sync()["removed"] == 1
    assert set(feed_store_partitions()) == {("medical", "2025-05")}


def test_the_command_writes_the_store(make_household, capsys):
    feed_row(head(make_household(TUANJIE)), "education", "2025-03", code1="dropout")
    call_command("feed_store")
    assert set(feed_store_partitions()) == {("education", "2025-03")}
    call_command("feed_store", "--rebuild", "--json")
    assert '"written": 1' in capsys.readouterr().out


def test_a_deleted_member_leaves_the_files(make_household, county_admin, django_capture_on_commit_callbacks):
    household = make_household(TUANJIE)
    son = member_add(actor=county_admin, household=household, data={"name": "儿子", "relation": "son"},
                     id_number=synthetic_id())
    feed_row(son, "medical", "2025-05", amount5=300)
    feed_row(head(household), "medical", "2025-05", amount5=400)
    feed_store_sync()
    with django_capture_on_commit_callbacks(execute=True):
        member_remove(actor=county_admin, member=son, reason="moved_out")
    assert not FeedRow.objects.filter(member_id=son.pk).exists()
    assert _rows("medical", "2025-05") == [(head(household).pk, 400)]


def test_restore_empties_the_store_and_the_next_sync_writes_it_again(make_household):
    feed_row(head(make_household(TUANJIE)), "medical", "2025-05", amount5=100)
    feed_store_sync()
    feed_store_clear()  # what backup_restore does after putting the database back
    assert not feed_store_partitions()
    assert feed_store_sync()["written"] == 1


def test_each_rule_reads_only_its_kinds_and_months(make_household):
    member = head(make_household(TUANJIE))
    for month in range(1, 7):
        feed_row(member, "employment", f"2025-{month:02d}", amount5=45000)
    feed_row(member, "medical", "2025-06", amount5=100)
    feed_store_sync()
    kinds, months = feed_window("no_employment_contribution", {"months": 3})
    files = feed_files(kinds, months)
    assert [f.parent.name for f in files] == ["period=2025-04", "period=2025-05", "period=2025-06"]
    assert all(f.parent.parent.name == "kind=employment" for f in files)
    assert [f.parent.parent.name for f in feed_files(*feed_window("medical_stay_oop", {}))] == ["kind=medical"]
    assert feed_window("income_below_line", {}) == ([], None)  # reads no feed at all
    # The files read back with their kind and month from the path.
    assert duckdb.sql(f"SELECT kind, period, COUNT(*) FROM {read_parquet_sql(files)} GROUP BY ALL ORDER BY 2"
                      ).fetchall() == [("employment", f"2025-{m:02d}", 1) for m in (4, 5, 6)]
