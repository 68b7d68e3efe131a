"""Bulk loads build secondary indexes once at the end (core.db.indexes_deferred), and lose none of them."""

import pytest
from django.db import connection

from bangfu.core.db import indexes_deferred
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.registry.search import members_named

TABLES = [Household._meta.db_table, Member._meta.db_table, IncomeRecord._meta.db_table]


def _indexes_and_triggers() -> set[str]:
    with connection.cursor() as cursor:
        names = {(table, name) for table in TABLES
                 for name in connection.introspection.get_constraints(cursor, table)}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            names |= {(table, name) for table, name in cursor.fetchall() if table in TABLES}
    return names


@pytest.mark.django_db
def test_the_indexes_are_dropped_for_the_load_and_all_come_back(make_household):
    before = _indexes_and_triggers()
    with indexes_deferred(Household, Member, IncomeRecord):
        during = _indexes_and_triggers()
        household = make_household(head_name="延后索引户主")
    assert during < before  # the secondary indexes were gone while loading
    assert _indexes_and_triggers() == before
    # The name index was rebuilt for what was written while its upkeep was off (SQLite: FTS5 triggers).
    assert list(members_named("延后索引").values_list("household_id", flat=True)) == [household.pk]


@pytest.mark.django_db
def test_a_failed_load_leaves_the_indexes_and_no_rows(make_household):
    before = _indexes_and_triggers()
    with pytest.raises(RuntimeError), indexes_deferred(Household, Member, IncomeRecord):
        make_household(head_name="失败的导入")
        raise RuntimeError("the load fails half-way")
    assert _indexes_and_triggers() == before
    assert not Member.objects.filter(name="失败的导入").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "analyzed"), [(999, False), (1_000, True)])
def test_planner_statistics_are_refreshed_after_a_large_bulk_write_commits(rows, analyzed,
                                                                          django_capture_on_commit_callbacks):
    from django.test.utils import CaptureQueriesContext

    from bangfu.core.db import analyze_after_commit

    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        analyze_after_commit(Household, Member, rows=rows)
        assert not any("ANALYZE" in q["sql"] for q in queries.captured_queries)  # not before the commit
    statements = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert statements == ([f"ANALYZE {connection.ops.quote_name(t)}" for t in TABLES[:2]] if analyzed else [])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's mark triggers are dropped for the load")
def test_a_load_without_the_mark_triggers_still_moves_the_registry_mark(make_household):
    """The screening reuses a kept registry snapshot while the registry's mark has not moved (engine/cache.py).
    A bulk load runs without SQLite's triggers, which move it: the load moves it itself when it puts them back.
    Controls: a read leaves the mark alone; an ordinary write moves it through the triggers."""
    from bangfu.monitoring.engine.cache import registry_mark

    household = make_household(head_name="标记户主")
    first = registry_mark()
    assert first and registry_mark() == first
    assert Household.objects.filter(pk=household.pk).exists()
    assert registry_mark() == first  # a read
    with indexes_deferred(Household, Member, IncomeRecord), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                       "AND name LIKE 'screening_registry_changed_%'")
        assert cursor.fetchone()[0] == 0  # the mark's triggers are gone while loading
        cursor.execute("UPDATE registry_household SET head_name = '延后户主' WHERE id = %s", [household.pk])
        assert registry_mark() == first  # nothing moved it meanwhile
    second = registry_mark()
    assert second != first
    Household.objects.filter(pk=household.pk).update(group="平常")
    assert registry_mark() not in (first, second)
