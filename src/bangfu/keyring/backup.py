"""`bangfu backup DIR` and `bangfu restore DIR`: the database and the field key as separate files.

SQLite is copied with SQLite's online backup API (a consistent copy while the server runs); PostgreSQL with
pg_dump / pg_restore (custom format). The key is copied on its own, with a manifest naming its fingerprint, so
a restore refuses a key that does not belong to the backup before it writes anything. Keep the key apart from
the database copy: together they give back every ID number (docs/operations.md).
"""

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

from bangfu.core.crypto import field_cipher_reset
from bangfu.core.keys import KeyFileError, field_master_key, key_fingerprint
from bangfu.keyring.services import KeyCheckError, _write_key_file, key_check, key_path

SQLITE_NAME = "bangfu.sqlite3"
POSTGRES_NAME = "bangfu.pgdump"
KEY_NAME = "field-key.txt"
MANIFEST_NAME = "backup.json"


class BackupError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupResult:
    database: Path
    key: Path
    fingerprint: str
    replaced_key: Path | None = None


def _database():
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库")
    return connection


def _owner_only_file(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _sqlite_copy(source: str, target: Path) -> None:
    """SQLite's online backup: a consistent copy page by page, whoever else reads or writes meanwhile."""
    _owner_only_file(target)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.chmod(target, 0o600)


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"未找到 {name}：请安装与数据库服务器同版本的 PostgreSQL 客户端（Debian：apt install "
                          f"postgresql-client），或按 docs/operations.md 用数据库自己的备份手段，并单独备份密钥文件。")
    return path


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{result.stderr.strip()[-1000:]}")


def backup_create(*, directory: str | Path, key_directory: str | Path | None = None) -> BackupResult:
    """Write the database to DIRECTORY and the key to KEY_DIRECTORY (default the same), with a manifest."""
    try:
        fingerprint = key_check()
    except KeyCheckError as error:
        raise BackupError(error.message) from None
    if fingerprint is None:
        raise BackupError("数据库中还没有加密数据，也没有密钥：无需备份。")
    directory = Path(directory)
    key_dir = Path(key_directory) if key_directory else directory
    for folder in {directory, key_dir}:
        if folder.exists() and any(folder.iterdir()):
            raise BackupError(f"备份目录 {folder} 不为空：请指定一个新的或空的目录。")
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    connection = _database()
    if connection.vendor == "sqlite":
        database = directory / SQLITE_NAME
        _sqlite_copy(str(connection.settings_dict["NAME"]), database)
    else:
        database = directory / POSTGRES_NAME
        _owner_only_file(database)
        args, env = _pg_args(connection.settings_dict)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(database),
              *args], env)
        os.chmod(database, 0o600)
    key = key_dir / KEY_NAME
    _write_key_file(key, key_path().read_text(encoding="ascii").strip())
    manifest = {"format": 1, "engine": connection.vendor, "database_file": database.name,
                "key_fingerprint": fingerprint, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    (directory / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return BackupResult(database=database, key=key, fingerprint=fingerprint)


def _backup_fingerprint(directory: Path, manifest: dict) -> str:
    """The fingerprint of the key the backed-up database is encrypted with: read from the database copy itself
    where it can be (SQLite), otherwise from the manifest written beside it."""
    if manifest.get("engine") == "sqlite":
        copy = sqlite3.connect(f"file:{directory / SQLITE_NAME}?mode=ro", uri=True)
        try:
            row = copy.execute("SELECT fingerprint FROM keyring_fieldkeystate ORDER BY id LIMIT 1").fetchone()
        except sqlite3.DatabaseError:
            row = None
        finally:
            copy.close()
        if row:
            return row[0]
    return manifest.get("key_fingerprint", "")


def _holds_data() -> bool:
    connection = _database()
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table in ("registry_household", "accounts_user"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 - fixed names
                if cursor.fetchone():
                    return True
    return False


def backup_restore(*, directory: str | Path, key_file: str | Path | None = None,
                   force: bool = False) -> BackupResult:
    """Put a backup back: check the key against the backup first (nothing written if it does not match), then
    the database, then the key file. Stop the server and the worker first."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{directory} 不是 bangfu backup 生成的备份目录（缺少 {MANIFEST_NAME}）。") from None
    database = directory / manifest.get("database_file", "")
    if not database.is_file():
        raise BackupError(f"备份中的数据库文件 {database} 不存在。")
    key_source = Path(key_file) if key_file else directory / KEY_NAME
    try:
        master = field_master_key(key_source)
    except KeyFileError as error:
        raise BackupError(error.message + "（用 --key 指定与数据库分开保存的密钥文件）本次未做任何写入。") from None
    fingerprint, expected = key_fingerprint(master), _backup_fingerprint(directory, manifest)
    if fingerprint != expected:
        raise BackupError(f"密钥文件 {key_source} 与该备份不匹配：备份的数据库用指纹为 {expected} 的密钥加密，"
                          f"该文件的指纹为 {fingerprint}。请找到与该备份一同保存的密钥文件。本次未做任何写入。")
    connection = _database()
    if connection.vendor != manifest.get("engine"):
        raise BackupError(f"该备份来自 {manifest.get('engine')} 数据库，当前配置的是 {connection.vendor}。本次未做任何写入。")
    if not force and _holds_data():
        raise BackupError("当前数据库中已有数据。确认要用备份整体替换时，请加 --force 重新运行。本次未做任何写入。")
    connections.close_all()
    if connection.vendor == "sqlite":
        _sqlite_copy(str(database), Path(connection.settings_dict["NAME"]))
    else:
        args, env = _pg_args(connection.settings_dict)
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", *args, str(database)], env)
    target, replaced = key_path(), None
    try:
        current = key_fingerprint(field_master_key(target))
    except KeyFileError:
        current = None
    if current != fingerprint:
        if target.exists():
            replaced = target.with_name(f"{target.name}.replaced-{dt.datetime.now():%Y%m%d%H%M%S}")
            os.replace(target, replaced)
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_key_file(target, key_source.read_text(encoding="ascii").strip())
    field_cipher_reset()
    connections.close_all()
    # The feeds' Parquet store holds the replaced database's months: empty it, the next screening writes the
    # restored database's (monitoring/engine/feedstore.py).
    from bangfu.monitoring.engine.feedstore import feed_store_clear

    feed_store_clear()
    return BackupResult(database=Path(str(connection.settings_dict["NAME"])), key=target, fingerprint=fingerprint,
                        replaced_key=replaced)

