"""Every environment variable bangfu reads, in one table, parsed strictly.

A value that does not parse (`BANGFU_SECURE_COOKIES=ture`) or a BANGFU_* name that is not in the table
(`BANGFU_SECURE_COOKIE=true`, one letter short) stops the server, the worker and every command at start, with a message naming
the variable and what it accepts: a typo must not silently turn a protection off. docs/operations.md lists the
same variables (tests/core/test_env.py holds the two together).
"""

import os
import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Variable:
    name: str
    kind: str  # bool | int | str | list | choice
    default: object
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    pattern: str = ""  # a "str" must match it whole (when set)
    accepts: str = ""  # what the pattern accepts, in the refusal's words


# A Spark master URL as Spark takes it: local mode, a standalone cluster (one or more masters), YARN, Kubernetes.
SPARK_MASTER_PATTERN = (r"local(\[(\d+|\*)(,\d+)?\])?|yarn|spark://[^\s/:,]+:\d+(,[^\s/:,]+:\d+)*"
                        r"|k8s://(https?://)?[^\s/:]+(:\d+)?/?")

VARIABLES: tuple[Variable, ...] = (
    Variable("DATABASE_URL", "str", ""),
    Variable("BANGFU_VAR_DIR", "str", ""),
    Variable("BANGFU_SQLITE_PATH", "str", ""),
    Variable("BANGFU_FIELD_KEY_FILE", "str", ""),
    Variable("BANGFU_SECRET_KEY", "str", ""),
    Variable("BANGFU_ALLOWED_HOSTS", "list", "127.0.0.1,localhost,testserver"),
    Variable("BANGFU_CSRF_TRUSTED_ORIGINS", "list", ""),
    Variable("BANGFU_SECURE_COOKIES", "bool", False),
    Variable("BANGFU_HSTS_SECONDS", "int", None, minimum=0, maximum=63_072_000),
    Variable("BANGFU_SSL_REDIRECT", "bool", None),
    Variable("BANGFU_TRUSTED_PROXY", "str", ""),
    Variable("BANGFU_DEBUG", "bool", False),
    Variable("BANGFU_DEMO", "bool", False),
    Variable("BANGFU_TASK_BACKEND", "str", "django_tasks_db.DatabaseBackend"),
    Variable("BANGFU_STATIC_ROOT", "str", ""),
    Variable("BANGFU_EVIDENCE_MAX_MB", "int", 10, minimum=1, maximum=1024),
    Variable("BANGFU_JOB_HEARTBEAT_SECONDS", "int", 10, minimum=1, maximum=3600),
    Variable("BANGFU_JOB_DEAD_AFTER_SECONDS", "int", 60, minimum=2, maximum=86_400),
    Variable("BANGFU_UPLOAD_MAX_MB", "int", 50, minimum=1, maximum=4096),
    Variable("BANGFU_IMPORT_MAX_CELLS", "int", 5_000_000, minimum=1000, maximum=200_000_000),
    Variable("BANGFU_IMPORT_MAX_UNPACKED_MB", "int", 200, minimum=1, maximum=16_384),
    Variable("BANGFU_IMPORT_READ_MEMORY_MB", "int", 2048, minimum=256, maximum=65_536),
    Variable("BANGFU_UPLOAD_KEEP_HOURS", "int", 24, minimum=1, maximum=24 * 90),
    Variable("BANGFU_NIGHTLY_SCREENING_HOUR", "int", None, minimum=0, maximum=23),
    Variable("BANGFU_LOG_LEVEL", "choice", "WARNING", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    Variable("BANGFU_SESSION_IDLE_MINUTES", "int", 30, minimum=1, maximum=24 * 60),
    Variable("BANGFU_LOGIN_MAX_FAILURES", "int", 5, minimum=1, maximum=1000),
    Variable("BANGFU_LOGIN_MAX_FAILURES_PER_ADDRESS", "int", 30, minimum=1, maximum=100_000),
    Variable("BANGFU_LOGIN_LOCK_MINUTES", "int", 15, minimum=1, maximum=24 * 60),
    Variable("BANGFU_DUPLICATE_CHECK_LIMIT", "int", 5, minimum=1, maximum=1000),
    Variable("BANGFU_REFUSALS_PER_HOUR", "int", 100, minimum=1, maximum=1_000_000),
    Variable("BANGFU_CHROMIUM", "str", "/usr/bin/chromium"),
    Variable("BANGFU_WEB_WORKERS", "int", 0, minimum=0, maximum=256),  # 0: one per core, at least 2
    Variable("BANGFU_WEB_THREADS", "int", 4, minimum=1, maximum=64),
    Variable("BANGFU_COUNTY", "str", ""),
    Variable("BANGFU_API_TOKEN_MAX_DAYS", "int", 365, minimum=1, maximum=3650),
    Variable("BANGFU_OFFLINE_KEEP_DAYS", "int", 7, minimum=1, maximum=90),
    Variable("BANGFU_FEED_STORE_DIR", "str", ""),
    # Where screening runs (the page's runs, the nightly one, `bangfu screen` without --engine): DuckDB in the
    # process, or Apache Spark at BANGFU_SPARK_MASTER (local mode inside the process when that is empty).
    Variable("BANGFU_SCREEN_ENGINE", "choice", "duckdb", choices=("duckdb", "spark")),
    Variable("BANGFU_SPARK_MASTER", "str", "", pattern=SPARK_MASTER_PATTERN,
             accepts="应为 Spark 的 master 地址，如 spark://主机:7077、yarn、k8s://https://主机:443 或 local[2]"),
)
BY_NAME = {variable.name: variable for variable in VARIABLES}


def _refuse(variable: Variable, raw: str, rule: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"环境变量 {variable.name} 的值“{raw}”无效：{rule}。请改正后重新启动（见 docs/operations.md）。")


def parse(variable: Variable, raw: str | None):
    """The variable's value from its text; unset or empty means the default."""
    if raw is None or raw.strip() == "":
        if variable.kind == "list":
            return [item.strip() for item in str(variable.default).split(",") if item.strip()]
        return variable.default
    text = raw.strip()
    if variable.kind == "bool":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise _refuse(variable, raw, "应为 true 或 false（也可写 1/0、yes/no、on/off）")
    if variable.kind == "int":
        if not text.isascii() or not text.lstrip("-").isdigit():
            raise _refuse(variable, raw, "应为整数")
        value = int(text)
        if variable.minimum is not None and value < variable.minimum or (
                variable.maximum is not None and value > variable.maximum):
            raise _refuse(variable, raw, f"应在 {variable.minimum} 至 {variable.maximum} 之间")
        return value
    if variable.kind == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    if variable.kind == "choice":  # in any case, read as the table writes it
        chosen = {choice.lower(): choice for choice in variable.choices}.get(text.lower())
        if chosen is None:
            raise _refuse(variable, raw, "应为 " + " / ".join(variable.choices) + " 之一")
        return chosen
    if variable.pattern and not re.fullmatch(variable.pattern, text):
        raise _refuse(variable, raw, variable.accepts)
    return text


def env(name: str):
    """The parsed value of one variable of the table."""
    return parse(BY_NAME[name], os.environ.get(name))


def check_environment(environ=None) -> None:
    """Refuse BANGFU_* names the table does not know (a misspelt name would otherwise be ignored), and parse
    every known one, so a bad value stops the start even if nothing reads it until later."""
    environ = os.environ if environ is None else environ
    unknown = sorted(name for name in environ if name.startswith("BANGFU_") and name not in BY_NAME)
    if unknown:
        raise ImproperlyConfigured(
            f"未知的环境变量 {', '.join(unknown)}：可能是拼写错误。可用的变量见 docs/operations.md。")
    values = {variable.name: parse(variable, environ.get(variable.name)) for variable in VARIABLES}
    if values["BANGFU_SPARK_MASTER"] and values["BANGFU_SCREEN_ENGINE"] != "spark":
        raise ImproperlyConfigured(  # a master that nothing would use: the operator meant Spark, or an old value
            f"环境变量 BANGFU_SPARK_MASTER（{values['BANGFU_SPARK_MASTER']}）只用于 BANGFU_SCREEN_ENGINE=spark，"
            f"而 BANGFU_SCREEN_ENGINE 为 {values['BANGFU_SCREEN_ENGINE']}：请设置 BANGFU_SCREEN_ENGINE=spark "
            "或删去 BANGFU_SPARK_MASTER（见 docs/operations.md）。")
