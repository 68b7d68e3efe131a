"""Search that scales: every way into the registry by a typed text goes through an index.

- Household number: a prefix, as a range on the number's btree (`prefix_q`).
- Member name (the head is a member), three characters or more: any part of the name, through a trigram index:
  pg_trgm's GIN index on PostgreSQL (migration registry 0006), an FTS5 trigram table on SQLite kept by triggers
  (`ensure_sqlite_name_index`, run after every migrate, since SQLite rebuilds a table when a column is added
  and its triggers go with it).
- Member name of one or two characters (a surname, or a whole two-character name): the start of the name,
  through the name's btree. A trigram index cannot serve a substring shorter than three characters, and a
  scan of a million names is what this module exists to avoid.
"""

import re
from contextlib import contextmanager

from django.db import connection, connections, transaction
from django.db.models import Q, QuerySet

from bangfu.registry.models import Member

HOUSEHOLD_NUMBER_TEXT = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-]*$")
MIN_SUBSTRING = 3
SQLITE_NAME_INDEX = "registry_member_name_fts"


def prefix_q(field: str, prefix: str) -> Q:
    """Values starting with `prefix`, as a range a btree index serves on every database (SQLite's LIKE ignores
    its indexes unless made case-sensitive, and PostgreSQL's `_like` index is only one of its two)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": prefix})
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})


def members_named(text: str) -> QuerySet[Member]:
    """Members whose name contains `text` (starts with it, when shorter than three characters)."""
    if len(text) < MIN_SUBSTRING:
        return Member.objects.filter(prefix_q("name", text))
    if connection.vendor == "sqlite":
        from django.db.models.expressions import RawSQL

        phrase = '"' + text.replace('"', '""') + '"'  # one FTS5 phrase: the text as typed, quotes doubled
        return Member.objects.filter(pk__in=RawSQL(
            f"SELECT rowid FROM {SQLITE_NAME_INDEX} WHERE {SQLITE_NAME_INDEX} MATCH %s", [phrase]))
    return Member.objects.filter(name__contains=text)


SQLITE_NAME_INDEX_SQL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_NAME_INDEX} USING fts5("
    "name, content='registry_member', content_rowid='id', tokenize='trigram')",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_NAME_INDEX}_ai AFTER INSERT ON registry_member BEGIN "
    f"INSERT INTO {SQLITE_NAME_INDEX}(rowid, name) VALUES (new.id, new.name); END",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_NAME_INDEX}_ad AFTER DELETE ON registry_member BEGIN "
    f"INSERT INTO {SQLITE_NAME_INDEX}({SQLITE_NAME_INDEX}, rowid, name) VALUES ('delete', old.id, old.name); END",
    f"CREATE TRIGGER IF NOT EXISTS {SQLITE_NAME_INDEX}_au AFTER UPDATE OF name ON registry_member BEGIN "
    f"INSERT INTO {SQLITE_NAME_INDEX}({SQLITE_NAME_INDEX}, rowid, name) VALUES ('delete', old.id, old.name); "
    f"INSERT INTO {SQLITE_NAME_INDEX}(rowid, name) VALUES (new.id, new.name); END",
)


def ensure_sqlite_name_index(using: str = "default") -> bool:
    """Create the FTS5 name index and its triggers where missing; rebuild the index if any trigger was missing
    (it may have missed writes). Returns whether it rebuilt. A no-op on other databases."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
        if "registry_member" not in tables:
            return False
        wanted = {SQLITE_NAME_INDEX, *(f"{SQLITE_NAME_INDEX}_{suffix}" for suffix in ("ai", "ad", "au"))}
        if wanted <= tables:
            return False
        for statement in SQLITE_NAME_INDEX_SQL:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {SQLITE_NAME_INDEX}({SQLITE_NAME_INDEX}) VALUES ('rebuild')")
    return True


@contextmanager
def sqlite_name_index_deferred(using: str = "default"):
    """Around a bulk insert of members (an import of thousands), inside the caller's transaction: on SQLite the
    FTS5 name index takes the new members in one statement at the end instead of one trigger call per row (which
    cost three quarters of the members' insert). The insert trigger is dropped and created again in the same
    savepoint, so other connections never see it missing, and a failure rolls both back. Members inserted in
    the block are those with a higher id (ids only grow, and the block holds SQLite's one write lock); nothing
    in the block may update or delete them. A no-op on other databases."""
    conn = connections[using]
    if conn.vendor != "sqlite":
        yield
        return
    trigger = f"{SQLITE_NAME_INDEX}_ai"
    with transaction.atomic(using=using), conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = %s", [trigger])
        if cursor.fetchone() is None:  # no index kept here (ensure_sqlite_name_index rebuilds it when made)
            yield
            return
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM registry_member")
        last = cursor.fetchone()[0]
        cursor.execute(f"DROP TRIGGER {trigger}")
        yield
        cursor.execute(f"INSERT INTO {SQLITE_NAME_INDEX}(rowid, name) SELECT id, name FROM registry_member "
                       "WHERE id > %s ORDER BY id", [last])
        cursor.execute(SQLITE_NAME_INDEX_SQL[1])
