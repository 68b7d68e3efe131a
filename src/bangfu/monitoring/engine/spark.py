"""The same rules on Apache Spark SQL: for a province whose feeds outgrow one machine (`bangfu screen --engine spark
[--master URL]`; pyspark is the optional extra `bangfu[spark]`).

Spark reads the feeds' Parquet store as it lies (`kind=…/period=…/part.parquet`, engine/feedstore.py; on a cluster
BANGFU_FEED_STORE_DIR is a shared mount every executor reads under the same path) and the registry tables the
run's snapshot writes as Parquet beside it (`_spark/run-…/`, removed after the run). Every rule's SQL is the same
text DuckDB runs (engine/rules.py), each over a `feed` view of exactly its kinds and months. The hits come back to
the driver as Arrow and go through the same write-back as DuckDB's (engine/run.py): evidence sentences, one
warning per household and rule, facts already verified not raised again.

Before anything is read, spark_check says in words why Spark cannot run here (pyspark not installed, no Java 17,
the cluster's master not answering within SPARK_CONNECT_SECONDS); a failure inside Spark is told in its first line
(the whole of it goes to the log). Either ends the run failed before the write-back: no warning is written.
"""

import logging
import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
from django.utils.translation import gettext as _

from bangfu.monitoring.engine.feedstore import feed_files, feed_store_dir
from bangfu.monitoring.engine.rules import EXCLUSIONS, RULES, feed_window

log = logging.getLogger(__name__)

REGISTRY_TABLES = ("households", "members", "income", "lines")
SPARK_CONNECT_SECONDS = 5.0  # how long the master's address is given to answer before the run ends failed
JAVA_MINIMUM = 17  # pyspark 4
SPARK_WORK = "_spark"  # under the feed store: the run's registry tables as Parquet
FEED_COLUMNS = ("kind, period, CAST(CONCAT(period, '-01') AS DATE) AS period_date, member_id, household_id, date1, "
                "amount1, amount5, code1, code2, text, resent")
EMPTY_FEED_SCHEMA = ("kind STRING, period STRING, period_date DATE, member_id BIGINT, household_id BIGINT, "
                     "date1 DATE, amount1 BIGINT, amount5 BIGINT, code1 STRING, code2 STRING, text STRING, "
                     "resent BOOLEAN")


class SparkUnavailable(Exception):
    """Spark could not run this screening: the message says why, for the people who read the run (Chinese)."""

    def __init__(self, reason: str):
        super().__init__(_("%(reason)s本次筛查未写入任何预警。") % {"reason": reason})


def _master_addresses(master: str | None) -> list[tuple[str, int]]:
    """The (host, port) a master URL names: a standalone cluster's masters, the Kubernetes API server. Local
    mode and YARN (whose ResourceManager HADOOP_CONF_DIR names) have none to check here."""
    if not master:
        return []
    if master.startswith("spark://"):
        return [(host, int(port)) for host, _sep, port in
                (address.rpartition(":") for address in master.removeprefix("spark://").split(","))]
    if master.startswith("k8s://"):
        url = master.removeprefix("k8s://")
        parts = urlsplit(url if "://" in url else f"https://{url}")
        return [(parts.hostname or "", parts.port or (80 if parts.scheme == "http" else 443))]
    return []


def _master_reachable(master: str) -> None:
    addresses = _master_addresses(master)
    failures = []
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=SPARK_CONNECT_SECONDS):
                return
        except OSError as error:
            failures.append(f"{host}:{port} {error.strerror or error.__class__.__name__}")
    if addresses:
        raise SparkUnavailable(_("无法连接 Spark 集群 %(master)s（%(why)s，等待 %(seconds)s 秒）：请系统管理员检查 "
                                 "Spark 集群与网络。") % {"master": master, "why": "；".join(failures),
                                                      "seconds": f"{SPARK_CONNECT_SECONDS:g}"})


def _java_major(java: str) -> int | None:
    try:
        shown = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', shown)
    if not found:
        return None
    major = int(found[1])
    return int(found[2] or 0) if major == 1 else major  # "1.8.0_…" is Java 8


def _java_ready() -> None:
    """Java as pyspark's launcher finds it (JAVA_HOME, else `java` on the PATH), version 17 or later."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise SparkUnavailable(_("未找到 Java：Spark 引擎需要 Java %(minimum)s 或以上（请系统管理员安装 Java 或设置 "
                                 "JAVA_HOME）。") % {"minimum": JAVA_MINIMUM})
    major = _java_major(java)
    if major is not None and major < JAVA_MINIMUM:
        raise SparkUnavailable(_("Java 版本为 %(found)s：Spark 引擎需要 Java %(minimum)s 或以上（%(java)s）。") % {
            "found": major, "minimum": JAVA_MINIMUM, "java": java})


def spark_check(master: str | None) -> None:
    """Why Spark cannot run this screening, raised as SparkUnavailable before anything is read: the cluster's
    master not answering, pyspark not installed, no Java 17 (not checked again once this process's JVM runs)."""
    _master_reachable(master or "")
    try:
        import pyspark  # noqa: F401
        from pyspark import SparkContext
    except ImportError:
        raise SparkUnavailable(_("未安装 pyspark，Spark 引擎不可用（请系统管理员安装：pip install 'bangfu[spark]'）。")
                               ) from None
    if SparkContext._gateway is None:
        _java_ready()


def _first_line(error: BaseException) -> str:
    """A Spark error's first line that says something (a Java error's first is "An error occurred while
    calling …"), for the run's message; the log keeps it whole."""
    lines = [line.strip().removeprefix(": ").strip() for line in str(error).splitlines()]
    said = [line for line in lines if line and not line.startswith("An error occurred while calling")]
    return (said[0] if said else error.__class__.__name__)[:300]


def spark_session(master: str | None = None):
    """A Spark session: local mode on this machine's cores unless a master URL (spark://…, yarn, k8s://…)."""
    from pyspark.sql import SparkSession

    return (SparkSession.builder.appName("bangfu-screening").master(master or "local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "false")  # integer overflow and casts as DuckDB's plain SQL reads them
            # Partition values stay text: "2025-06" is a month, not a number or a date to guess.
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .getOrCreate())


def _feed_view(spark, kinds: list[str] | None, months: int | None, gone: bool) -> None:
    """The view `feed` over exactly these kinds' latest months, as engine/snapshot.feed_view defines it for DuckDB:
    only the rows of households in the snapshot when it left some out (`gone`: no longer registered, or another
    county's), else the files as they are, with no join. (A semi-join with `households` rather than DuckDB's
    NOT IN `gone`: Spark runs a NOT IN over millions of ids as a nested loop.)"""
    files = feed_files(kinds, months)
    if files:
        raw = spark.read.option("basePath", str(feed_store_dir())).parquet(*[str(path.parent) for path in files])
        raw.createOrReplaceTempView("feed_raw")
        where = " WHERE household_id IN (SELECT id FROM households)" if gone else ""
        spark.sql(f"SELECT {FEED_COLUMNS} FROM feed_raw{where}").createOrReplaceTempView("feed")
    else:
        spark.createDataFrame([], EMPTY_FEED_SCHEMA).createOrReplaceTempView("feed")


# A hit's columns typed as DuckDB's `hits` table holds them, so the rows cross to DuckDB as Arrow, not as Python
# tuples (at a province's scale a rule finds hundreds of thousands of households).
HIT_SELECT = ("household_id, CAST(value AS DOUBLE) AS value, CAST(threshold AS DOUBLE) AS threshold, "
              "CAST(base AS DOUBLE) AS base, CAST(info AS STRING) AS info, CAST(note AS STRING) AS note, "
              "CAST(fact AS STRING) AS fact")
EXCL_SCHEMA = "code STRING, household_id BIGINT, info STRING, note STRING"


def _to_duckdb(con: duckdb.DuckDBPyConnection, frame, insert: str) -> None:
    """Append a Spark result to a DuckDB table through Arrow (`insert` reads the view `spark_rows`)."""
    table = frame.toArrow()
    if table.num_rows:
        con.register("spark_rows", table)
        con.execute(insert)
        con.unregister("spark_rows")


def spark_evaluate(con: duckdb.DuckDBPyConnection, rules, *, master: str | None = None,
                   advance=lambda: None) -> None:
    """Fill DuckDB's `hits` and `excl` (as the DuckDB loop does) from the rules run by Spark SQL. The session is
    the process's own (getOrCreate): left running for the next run, ended with the process."""
    try:
        session = spark_session(master)
    except Exception as error:  # the JVM or the cluster: said in words, whatever pyspark raised
        log.exception("screening: Spark did not start (master %s)", master or "local")
        raise SparkUnavailable(_("Spark 未能启动（%(master)s）：%(error)s。") % {
            "master": master or "local", "error": _first_line(error)}) from error
    # The registry tables go where the executors read the feeds (on a cluster the driver's /tmp is not theirs),
    # in a directory of their own that the feed store's sync and readers never look at (they read kind=… only),
    # removed after the run. One screening runs at a time, so a directory left here is a dead run's.
    work = feed_store_dir() / SPARK_WORK
    for left in work.glob("run-*"):
        shutil.rmtree(left, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    cached = []  # the exclusions' marks, held by Spark for the run only (the session outlives it)
    try:
        for name in REGISTRY_TABLES:
            con.execute(f"COPY {name} TO '{directory / name}.parquet' (FORMAT parquet)")
            session.read.parquet(str(directory / f"{name}.parquet")).createOrReplaceTempView(name)
        gone = con.execute("SELECT partial FROM run_scope").fetchall()[0][0]  # engine/snapshot.feed_view
        excl = session.createDataFrame([], EXCL_SCHEMA)
        excl.createOrReplaceTempView("excl")
        for rule in rules:
            try:
                excl = _rule_on_spark(session, con, rule, gone, excl, cached)
            except Exception as error:  # noqa: BLE001 - Spark's own (Java) errors, said in words
                log.exception("screening: Spark failed on rule %s (master %s)", rule.code, master or "local")
                raise SparkUnavailable(_("Spark 执行规则 %(rule)s 时失败：%(error)s。") % {
                    "rule": rule.code, "error": _first_line(error)}) from error
            advance()
    finally:
        for frame in cached:
            frame.unpersist()
        shutil.rmtree(directory, ignore_errors=True)


def _rule_on_spark(session, con: duckdb.DuckDBPyConnection, rule, gone: bool, excl, cached: list):
    """One rule's SQL on Spark, its hits (or an exclusion's marks) appended to DuckDB's tables; returns the
    exclusions' marks so far (the income rule reads them)."""
    kinds, months = feed_window(rule.code, rule.params)
    if kinds:
        _feed_view(session, kinds, months, gone)
    if rule.is_exclusion and rule.code in EXCLUSIONS:
        marked = session.sql(f"SELECT '{rule.code}' AS code, household_id, CAST(info AS STRING) AS info, "
                             f"CAST(note AS STRING) AS note "
                             f"FROM ({EXCLUSIONS[rule.code].sql(rule.params)}) x").cache()
        cached.append(marked)
        _to_duckdb(con, marked, "INSERT INTO excl SELECT * FROM spark_rows")
        # The income rule reads every exclusion's marks: kept in Spark, not sent back from Python.
        excl = excl.unionByName(marked)
        excl.createOrReplaceTempView("excl")
    elif rule.code in RULES:
        found = session.sql(f"""SELECT {HIT_SELECT} FROM (
            SELECT r.*, ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY fact DESC) AS rn_
            FROM ({RULES[rule.code].sql(rule.params)}) r) x WHERE rn_ = 1""")
        _to_duckdb(con, found, f"INSERT INTO hits SELECT {int(rule.pk)}, * FROM spark_rows")
    return excl
