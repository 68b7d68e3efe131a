"""The rules on Apache Spark: every rule's SQL parses and runs on both engines, and over a synthetic county both give
the same (household, rule, fact) set, written back through the same service.

Spark starts a JVM (a minute and more on a loaded machine), so these tests are marked `spark` and run only with
RUN_SPARK_TESTS=1 (`make test` runs them after its parallel run; `make test-spark` alone), skipped where pyspark
is not installed (`pip install -e '.[spark]'`; requirements-dev.lock has it). The county has 2,000 people, not the
issue's 100,000: at 100,000 the build and Spark's local run take minutes here; the 100,000 comparison is run by hand
with `bench/screening.py` style data (docs/operations.md, "Screening on Spark")."""

import importlib.util
import os
from pathlib import Path

import duckdb
import pytest

from bangfu.monitoring.engine.rules import EXCLUSIONS, RULES, SHOWN_WITH
from bangfu.monitoring.engine.snapshot import EMPTY_FEED
from bangfu.monitoring.models import RiskWarning, Rule

pyspark = pytest.importorskip("pyspark")

pytestmark = [pytest.mark.spark, pytest.mark.django_db,
              pytest.mark.skipif(not os.environ.get("RUN_SPARK_TESTS"),
                                 reason="starts a JVM: run with RUN_SPARK_TESTS=1 (make test-spark)")]

EMPTY_TABLES = {
    "households": "id BIGINT, village_id STRING, monitored BOOLEAN, risk_open BOOLEAN, housing_safety STRING",
    "members": "id BIGINT, household_id BIGINT, name STRING, birth_date DATE, relation STRING, "
               "disability_grade STRING, medical_insurance BOOLEAN, work_place STRING, work_months INT, "
               "labour_ability STRING",
    "income": "household_id BIGINT, year INT, members_counted INT, net_cents BIGINT, for_line_cents BIGINT",
    "lines": "county STRING, year INT, amount_cents BIGINT",
    "excl": "code STRING, household_id BIGINT, info STRING, note STRING",
    "y": "rule_id BIGINT, household_id BIGINT, value DOUBLE, threshold DOUBLE, base DOUBLE, info STRING, "
         "note STRING, fact STRING",
}


@pytest.fixture(scope="module")
def spark():
    from bangfu.monitoring.engine.spark import spark_session

    session = spark_session("local[1]")
    yield session
    session.stop()


def _every_rule_sql():
    params = {rule.code: rule.params for rule in Rule.objects.all()}
    for code, rule in {**RULES, **EXCLUSIONS}.items():
        yield code, rule.sql(params[code])
    for code, (carrier, explained) in SHOWN_WITH.items():
        yield f"{code} shown with {carrier}", explained(params[carrier])


def test_every_rule_parses_and_runs_on_both_engines(spark):
    con = duckdb.connect()
    for name, columns in EMPTY_TABLES.items():
        con.execute(f"CREATE TABLE {name} ({columns.replace('STRING', 'VARCHAR')})")
        spark.createDataFrame([], columns).createOrReplaceTempView(name)
    con.execute(f"CREATE VIEW feed AS {EMPTY_FEED}")
    from bangfu.monitoring.engine.spark import EMPTY_FEED_SCHEMA

    spark.createDataFrame([], EMPTY_FEED_SCHEMA).createOrReplaceTempView("feed")
    checked, failed = [], []
    for code, sql in _every_rule_sql():
        for engine, run in (("duckdb", lambda q: con.execute(q).fetchall()), ("spark", lambda q: spark.sql(q).collect())):
            try:
                assert run(sql) == []
            except Exception as error:  # noqa: BLE001 - every rule's failure listed at once
                failed.append(f"{code} on {engine}: {str(error).splitlines()[0:3]}")
        checked.append(code)
    assert not failed, "\n".join(failed)
    assert len(checked) == len(RULES) + len(EXCLUSIONS) + len(SHOWN_WITH)


def _bench_build():
    path = Path(__file__).resolve().parents[2] / "bench" / "screening.py"
    spec = importlib.util.spec_from_file_location("bench_screening", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build


def test_duckdb_and_spark_find_the_same_household_rule_and_fact(spark):
    from bangfu.monitoring.services import screening_run

    _bench_build()(2000)
    duck = screening_run(actor=None)
    found = set(RiskWarning.objects.values_list("household_id", "rule__code", "fact"))
    fired = {code for _, code, _ in found}
    assert len(fired) >= 8, fired  # the county makes most rules fire
    RiskWarning.objects.all().delete()
    on_spark = screening_run(actor=None, engine="spark", master="local[1]")
    assert set(RiskWarning.objects.values_list("household_id", "rule__code", "fact")) == found
    assert on_spark.counts_by_rule == duck.counts_by_rule
    assert on_spark.created == duck.created == len(found)
