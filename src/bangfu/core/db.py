"""Database housekeeping shared by bulk writers (the demo build, imports)."""

from django.db import connections


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
