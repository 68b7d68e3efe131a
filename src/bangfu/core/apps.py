import os
from pathlib import Path

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_owner_only(sender, connection, **kwargs) -> None:
    """The SQLite file holds everybody's data: readable and writable by its owner only. SQLite gives its -wal and
    -shm files the database file's mode, so they follow."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for path in (Path(name), Path(name + "-wal"), Path(name + "-shm")):
        try:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            pass


class CoreConfig(AppConfig):
    name = "bangfu.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        connection_created.connect(_sqlite_owner_only, dispatch_uid="bangfu_sqlite_owner_only")
