"""The household list page, end to end, against hand-written SQL for the same rows.

Builds the demo county (default 66,000 people) in a throw-away SQLite file, then for each query times
  - the page: GET /households/?... through Django's test client as the county administrator (jurisdiction,
    filter, count, page of 50, member counts, template), median of several runs;
  - the floor: the same page's rows, total and member counts with plain sqlite3 and hand-written SQL.
and prints the ratio. What the ratio buys: scoping, templates, the ORM; it should stay small and flat.

    python bench/bench_household_list.py [--people 66000] [--runs 7]
"""

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time


def median_ms(function, runs: int, clock=time.perf_counter) -> float:
    """The median of `runs` calls, in ms of `clock` (wall time; time.process_time for this process's CPU)."""
    times = []
    for _ in range(runs):
        started = clock()
        function()
        times.append((clock() - started) * 1000)
    return statistics.median(times)


FLOOR_SQL = {
    "all": ("SELECT id, number, head_name, village_id FROM registry_household WHERE is_active "
            "AND village_id BETWEEN '513225000000' AND '513225999999' ORDER BY village_id, number LIMIT 50", ()),
    "township": ("SELECT id, number, head_name, village_id FROM registry_household WHERE is_active "
                 "AND village_id BETWEEN '513225103000' AND '513225103999' ORDER BY village_id, number LIMIT 50", ()),
    "name": ("SELECT id, number, head_name, village_id FROM registry_household h WHERE is_active "
             "AND (number LIKE ? OR head_name LIKE ? OR EXISTS (SELECT 1 FROM registry_member m "
             "WHERE m.household_id = h.id AND m.name LIKE ?)) ORDER BY village_id, number LIMIT 50",
             ("%扎西%", "%扎西%", "%扎西%")),
}
PAGE_QUERY = {"all": {}, "township": {"region": "513225103000"}, "name": {"q": "扎西"}}


def floor(db: sqlite3.Connection, key: str) -> None:
    sql, params = FLOOR_SQL[key]
    rows = db.execute(sql, params).fetchall()
    count_sql = "SELECT COUNT(*) FROM (" + sql.rsplit(" ORDER BY", 1)[0] + ")"
    db.execute(count_sql, params).fetchone()
    ids = [row[0] for row in rows]
    if ids:
        marks = ",".join("?" * len(ids))
        db.execute(f"SELECT household_id, COUNT(*) FROM registry_member WHERE household_id IN ({marks}) "
                   "GROUP BY household_id", ids).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=66_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bangfu-bench-")
    os.environ["BANGFU_VAR_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bangfu.settings"
    os.environ["BANGFU_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bangfu.accounts.models import User
    from bangfu.demo.builder import demo_build

    call_command("migrate", verbosity=0)
    report = demo_build(people=args.people)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    db = sqlite3.connect(os.path.join(tmp, "bangfu.sqlite3"))
    print(f"county: {report.households} households, {report.people} people", file=sys.stderr)
    for key, query in PAGE_QUERY.items():
        assert client.get("/households/", query).status_code == 200
        page = median_ms(lambda q=query: client.get("/households/", q), args.runs)
        base = median_ms(lambda k=key: floor(db, k), args.runs)
        print(f"list[{key}] page_ms={page:.1f} floor_ms={base:.1f} ratio={page / base:.1f}")


if __name__ == "__main__":
    main()
