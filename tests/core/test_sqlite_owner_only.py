"""The SQLite file (and its WAL) is readable by its owner only."""

import os
import sqlite3
from pathlib import Path

import pytest
from django.db import connection, connections


@pytest.mark.django_db
def test_database_file_is_owner_only():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its own files")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert os.stat(connection.settings_dict["NAME"]).st_mode & 0o777 == 0o600


@pytest.mark.django_db
def test_a_new_database_file_is_made_owner_only(tmp_path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    if connections["default"].vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its own files")
    path = tmp_path / "fresh.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)  # as a default umask leaves a new file
    fresh = DatabaseWrapper({**connections["default"].settings_dict, "NAME": str(path)}, alias="fresh")
    try:
        fresh.ensure_connection()
        with fresh.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x integer)")
        for name in (path, Path(str(path) + "-wal")):
            if name.exists():
                assert os.stat(name).st_mode & 0o777 == 0o600, name
        assert os.stat(path).st_mode & 0o777 == 0o600
    finally:
        fresh.close()
