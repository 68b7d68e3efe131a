"""The same rules on Apache Spark SQL: for a province whose feeds outgrow one machine (`bangfu screen --engine spark
[--master URL]`; pyspark is the optional extra `bangfu[spark]`).

Spark reads the feeds' Parquet store as it lies (`kind=…/period=…/part.parquet`, engine/feedstore.py; on a cluster
a path every executor reads: HDFS, S3 or a shared mount, BANGFU_FEED_STORE_DIR) and the registry tables the run's
snapshot wrote next to it as Parquet. Every rule's SQL is the same text DuckDB runs (engine/rules.py), each over a
`feed` view of exactly its kinds and months. The hits come back to the driver and go through the same write-back as
DuckDB's (engine/run.py): evidence sentences, one warning per household and rule, facts already verified not raised
again.
"""

import shutil
import tempfile
from pathlib import Path

import duckdb

from bangfu.monitoring.engine.feedstore import feed_files, feed_store_dir
from bangfu.monitoring.engine.rules import EXCLUSIONS, RULES, feed_window

REGISTRY_TABLES = ("households", "members", "income", "lines")
FEED_COLUMNS = ("kind, period, CAST(CONCAT(period, '-01') AS DATE) AS period_date, member_id, household_id, date1, "
                "amount1, amount5, code1, code2, text, resent")
EMPTY_FEED_SCHEMA = ("kind STRING, period STRING, period_date DATE, member_id BIGINT, household_id BIGINT, "
                     "date1 DATE, amount1 BIGINT, amount5 BIGINT, code1 STRING, code2 STRING, text STRING, "
                     "resent BOOLEAN")


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


def _feed_view(spark, kinds: list[str] | None, months: int | None) -> None:
    files = feed_files(kinds, months)
    if files:
        raw = spark.read.option("basePath", str(feed_store_dir())).parquet(*[str(path.parent) for path in files])
        raw.createOrReplaceTempView("feed_raw")
        spark.sql(f"SELECT {FEED_COLUMNS} FROM feed_raw WHERE household_id IN (SELECT id FROM households)"
                  ).createOrReplaceTempView("feed")
    else:
        spark.createDataFrame([], EMPTY_FEED_SCHEMA).createOrReplaceTempView("feed")


def _number(value):
    return None if value is None else float(value)


def spark_evaluate(con: duckdb.DuckDBPyConnection, rules, *, master: str | None = None,
                   advance=lambda: None) -> None:
    """Fill DuckDB's `hits` and `excl` (as the DuckDB loop does) from the rules run by Spark SQL. The session is
    the process's own (getOrCreate): left running for the next run, ended with the process."""
    session = spark_session(master)
    directory = Path(tempfile.mkdtemp(prefix="bangfu-spark-registry-"))
    try:
        for name in REGISTRY_TABLES:
            con.execute(f"COPY {name} TO '{directory / name}.parquet' (FORMAT parquet)")
            session.read.parquet(str(directory / f"{name}.parquet")).createOrReplaceTempView(name)
        session.createDataFrame([], "code STRING, household_id BIGINT, info STRING, note STRING"
                                ).createOrReplaceTempView("excl")
        marked = []
        for rule in rules:
            kinds, months = feed_window(rule.code, rule.params)
            if kinds:
                _feed_view(session, kinds, months)
            if rule.is_exclusion and rule.code in EXCLUSIONS:
                rows = session.sql(f"SELECT '{rule.code}' AS code, household_id, info, note "
                                   f"FROM ({EXCLUSIONS[rule.code].sql(rule.params)}) x").collect()
                marked += [tuple(row) for row in rows]
                session.createDataFrame(marked or [], "code STRING, household_id BIGINT, info STRING, note STRING"
                                        ).createOrReplaceTempView("excl")
                if rows:
                    con.executemany("INSERT INTO excl VALUES (?, ?, ?, ?)", [tuple(row) for row in rows])
            elif rule.code in RULES:
                rows = session.sql(f"""SELECT household_id, value, threshold, base, info, note, fact FROM (
                    SELECT r.*, ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY fact DESC) AS rn_
                    FROM ({RULES[rule.code].sql(rule.params)}) r) x WHERE rn_ = 1""").collect()
                if rows:
                    con.executemany("INSERT INTO hits VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                        (int(rule.pk), row[0], _number(row[1]), _number(row[2]), _number(row[3]),
                         None if row[4] is None else str(row[4]), None if row[5] is None else str(row[5]), row[6])
                        for row in rows])
            advance()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
