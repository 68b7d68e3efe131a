"""Refuse to start, in one Chinese line, when the database cannot be reached or its schema is behind the code.

`bangfu serve`, `bangfu worker` and every other command check this before they do anything (cli.main): a wrong
DATABASE_URL must not give a server that says it runs and answers every login with a 500, nor a worker that dies
with a traceback.
"""

from django.db import DatabaseError, connections

# Commands that need no schema (they make or report it), and those that need no database at all.
SCHEMA_NOT_NEEDED = frozenset({"migrate", "makemigrations", "showmigrations", "sqlmigrate", "restore", "demo",
                               "check", "dbshell", "help", "version", "squashmigrations", "optimizemigration"})
DATABASE_NOT_NEEDED = frozenset({"makemigrations", "help", "version", "squashmigrations", "optimizemigration",
                                 "check"})

REASONS = (  # words in the driver's message -> what the operator reads
    ("connection refused", "连接被拒绝"),
    ("could not translate host name", "主机名无法解析"),
    ("name or service not known", "主机名无法解析"),
    ("temporary failure in name resolution", "主机名无法解析"),
    ("password authentication failed", "用户名或密码错误"),
    ("no password supplied", "未提供密码"),
    ("does not exist", "数据库不存在"),
    ("timeout", "连接超时"),
    ("no route to host", "网络不通"),
    ("unable to open database file", "无法打开数据库文件"),
    ("permission denied", "没有权限"),
)


class StartRefused(Exception):
    """The one line to print before exiting."""


def _reason(error: Exception) -> str:
    text = str(error).lower()
    for words, reason in REASONS:
        if words in text:
            return reason
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _where(alias: str = "default") -> str:
    settings = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite":
        return str(settings["NAME"])
    return f"{settings.get('HOST') or 'localhost'}:{settings.get('PORT') or 5432}"


def database_reachable_or_refuse(alias: str = "default") -> None:
    connection = connections[alias]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        variable = "BANGFU_SQLITE_PATH / BANGFU_VAR_DIR" if connection.vendor == "sqlite" else "DATABASE_URL"
        raise StartRefused(f"无法连接数据库 {_where(alias)}：{_reason(error)}；请检查 {variable}") from None


def schema_current_or_refuse(alias: str = "default") -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise StartRefused("数据库结构落后于程序：请先运行 bangfu migrate")


def startup_check(command: str) -> None:
    """Raise StartRefused when `command` cannot run against the database as it is."""
    if command in DATABASE_NOT_NEEDED:
        return
    try:
        database_reachable_or_refuse()
        if command not in SCHEMA_NOT_NEEDED:
            schema_current_or_refuse()
    finally:
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:  # gunicorn forks after this: no connection shared by children
                connection.close()
