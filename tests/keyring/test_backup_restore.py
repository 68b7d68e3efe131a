"""`bangfu backup DIR` / `bangfu restore DIR`: database and key as separate files; backup, wipe, restore gives
the same data; a key that does not match the backup is refused before anything is written. On SQLite always,
on PostgreSQL (pg_dump/pg_restore) when the suite runs there, in a scratch database of its own."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest
from django.db import connection

pytestmark = pytest.mark.slow

# Every row of every table that holds people's data, their history and the accounts, in primary-key order.
DUMP = ("from django.core import serializers; from django.apps import apps;"
        "models = [m for m in apps.get_models() if m._meta.app_label in "
        "{'registry','audit','accounts','regions','monitoring','keyring','jobs'}];"
        "print(serializers.serialize('json', [o for m in models for o in m.objects.order_by('pk')]))")
READ = ("from bangfu.registry.models import Member;"
        "print(sum(len(m.reveal_id_number()) for m in Member.objects.all()), Member.objects.count())")


class Installation:
    def __init__(self, var, env):
        self.var, self.env = var, env

    def run(self, *args, ok=True):
        result = subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=self.env, capture_output=True,
                                text=True, timeout=300)
        if ok:
            assert result.returncode == 0, result.stderr[-2000:]
        return result


def _sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env.update(BANGFU_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="bangfu.settings")
    return Installation(tmp_path / "var", env), lambda: [
        p.unlink() for p in (tmp_path / "var").glob("bangfu.sqlite3*")]


def _postgres(tmp_path):
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("PostgreSQL backup runs when the suite runs on PostgreSQL (DATABASE_URL) with pg_dump on PATH")
    import psycopg

    settings = connection.settings_dict
    name = f"{settings['NAME']}_backup_{uuid.uuid4().hex[:6]}"
    admin = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/postgres"

    def sql(statement):
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(statement)

    sql(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if k != "BANGFU_TASK_BACKEND"}
    env.update(BANGFU_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="bangfu.settings",
               DATABASE_URL=f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}")

    def wipe():
        sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        sql(f'CREATE DATABASE "{name}"')

    installation = Installation(tmp_path / "var", env)
    installation.drop = lambda: sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return installation, wipe


@pytest.fixture(params=["sqlite", "postgresql"])
def installation(request, tmp_path, migrated_sqlite):
    made, wipe = (_sqlite if request.param == "sqlite" else _postgres)(tmp_path)
    made.wipe = wipe
    if request.param == "sqlite":
        migrated_sqlite(tmp_path / "var")
    else:
        made.run("migrate", "-v0")
    made.run("build-demo", "--people", "200")
    yield made
    if hasattr(made, "drop"):
        made.drop()


def test_backup_wipe_restore_gives_the_same_data(installation, tmp_path):
    before = installation.run("shell", "-v0", "-c", DUMP).stdout
    installation.run("feed-store")  # the feeds' Parquet partitions: derived from the database, not backed up
    assert any((installation.var / "feeds").glob("kind=*/period=*/part.parquet"))
    backup, keys = tmp_path / "backup", tmp_path / "elsewhere"
    result = installation.run("backup", str(backup), "--key-dir", str(keys))
    assert "分开保存" in result.stdout
    assert not (backup / "field-key.txt").exists() and (keys / "field-key.txt").exists()
    for path in [*backup.iterdir(), keys / "field-key.txt"]:
        if path.name != "backup.json":
            assert os.stat(path).st_mode & 0o777 == 0o600, path
    # Wipe: the database and the key are gone.
    installation.wipe()
    (installation.var / "field-key.txt").unlink()
    # A key that is not the backup's is refused, and nothing is written.
    foreign = tmp_path / "foreign-key.txt"
    foreign.write_text(base64.b64encode(os.urandom(32)).decode(), encoding="ascii")
    refused = installation.run("restore", str(backup), "--key", str(foreign), ok=False)
    assert refused.returncode != 0 and "不匹配" in refused.stderr and "未做任何写入" in refused.stderr
    assert not (installation.var / "field-key.txt").exists()
    # Without the key kept apart, the backup directory alone is not enough.
    alone = installation.run("restore", str(backup), ok=False)
    assert alone.returncode != 0 and "--key" in alone.stderr
    (installation.var / "feeds" / "kind=medical" / "period=1999-01").mkdir(parents=True)  # a stale month
    installation.run("restore", str(backup), "--key", str(keys / "field-key.txt"))
    assert not any((installation.var / "feeds").glob("kind=*"))  # emptied: the next screening writes them again
    after = installation.run("shell", "-v0", "-c", DUMP).stdout
    assert json.loads(after) == json.loads(before)
    readable = installation.run("shell", "-v0", "-c", READ).stdout.split()
    assert int(readable[1]) > 0 and int(readable[0]) >= 18 * int(readable[1])
    # Restoring over a database with data needs --force.
    again = installation.run("restore", str(backup), "--key", str(keys / "field-key.txt"), ok=False)
    assert again.returncode != 0 and "--force" in again.stderr
    installation.run("restore", str(backup), "--key", str(keys / "field-key.txt"), "--force")
    assert hashlib.sha256(installation.run("shell", "-v0", "-c", DUMP).stdout.encode()).digest() == \
        hashlib.sha256(after.encode()).digest()
