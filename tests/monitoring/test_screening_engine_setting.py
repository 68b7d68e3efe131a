"""Issue 21: the deployment chooses where screening runs (BANGFU_SCREEN_ENGINE, BANGFU_SPARK_MASTER) for the runs the
page starts, the nightly one and `bangfu screen` without --engine, all through monitoring.services.screening_engine;
each run records its engine and 筛查记录 shows it; a Spark that cannot run ends the run failed, in words, with no
warning written.

None of these starts a JVM: Spark's checks (the master's address, pyspark, Java) refuse before one would start. The
same runs really done by Spark, from the page and the nightly work, are in tests/monitoring/test_spark_engine.py
(RUN_SPARK_TESTS=1)."""

import datetime as dt
import io
import shutil
import socket
import sys
import time

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from bangfu.jobs.models import Job
from bangfu.jobs.periodic import PERIODIC
from bangfu.monitoring.engine import spark as spark_engine
from bangfu.monitoring.engine.feedstore import feed_store_dir
from bangfu.monitoring.engine.spark import SparkUnavailable, spark_check
from bangfu.monitoring.models import RiskWarning, ScreeningRun
from bangfu.monitoring.services import screening_engine, screening_run
from tests.conftest import TUANJIE
from tests.monitoring.factories import cents, feed_row, head

pytestmark = pytest.mark.django_db
NOTHING_WRITTEN = "本次筛查未写入任何预警"


def _closed_port() -> int:
    """A port on this machine nothing listens on (bound, then let go): a connection there is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stay(household, day: dt.date, oop: str):
    return feed_row(head(household), "medical", f"{day:%Y-%m}", date1=day, amount1=cents(30000), amount5=cents(oop))


def _spark_set(settings, master):
    settings.SCREEN_ENGINE, settings.SPARK_MASTER = "spark", master


def _duckdb_set(settings):
    settings.SCREEN_ENGINE, settings.SPARK_MASTER = "duckdb", None


# --- the one place the choice is made ------------------------------------------------------------------------

def test_the_setting_decides_and_the_command_overrides_it(settings):
    _duckdb_set(settings)
    assert screening_engine() == ("duckdb", None)
    settings.SCREEN_ENGINE = ""  # empty: DuckDB, as an unset variable
    assert screening_engine() == ("duckdb", None)
    _spark_set(settings, None)
    assert screening_engine() == ("spark", None)  # local mode
    _spark_set(settings, "spark://spark-master.example:7077")
    assert screening_engine() == ("spark", "spark://spark-master.example:7077")
    # `bangfu screen --engine/--master` override the deployment's for that command only.
    assert screening_engine("duckdb") == ("duckdb", None)
    assert screening_engine("spark", "local[2]") == ("spark", "local[2]")
    assert screening_engine("spark") == ("spark", "spark://spark-master.example:7077")


@pytest.mark.parametrize(("engine", "master", "named"), [
    ("hadoop", None, "BANGFU_SCREEN_ENGINE"),
    ("DuckDB ", None, "BANGFU_SCREEN_ENGINE"),  # settings set otherwise than through the environment: exact words
    ("duckdb", "spark://h:7077", "BANGFU_SPARK_MASTER"),  # a master nothing would use
    ("spark", "http://h:7077", "BANGFU_SPARK_MASTER"),
    ("spark", "spark://h", "BANGFU_SPARK_MASTER"),  # no port
])
def test_a_setting_that_names_no_engine_is_refused_naming_it(settings, engine, master, named):
    settings.SCREEN_ENGINE, settings.SPARK_MASTER = engine, master
    with pytest.raises(ValidationError, match=named):
        screening_engine()


def test_the_command_line_engine_and_master_are_named_when_refused(settings):
    _duckdb_set(settings)
    with pytest.raises(ValidationError, match="--engine"):
        screening_engine("hadoop")
    with pytest.raises(ValidationError, match="--master"):
        screening_engine("duckdb", "spark://h:7077")


def test_the_page_refuses_a_bad_setting_at_once_and_queues_nothing(client, county_admin, settings,
                                                                    django_capture_on_commit_callbacks):
    settings.SCREEN_ENGINE, settings.SPARK_MASTER = "hadoop", None
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("monitoring:screening_list"), follow=True).content.decode()
    assert "BANGFU_SCREEN_ENGINE" in page and "hadoop" in page and "应为 duckdb 或 spark" in page
    assert not Job.objects.exists() and not ScreeningRun.objects.exists()
    # The nightly work says it on its row, and starts no run either.
    assert "BANGFU_SCREEN_ENGINE" in PERIODIC["nightly-screening"].function()
    assert not ScreeningRun.objects.exists()


# --- the page's run and the nightly one, on the engine set ----------------------------------------------------

def _post_screening(client, actor, capture) -> Job:
    client.force_login(actor)
    with capture(execute=True):
        client.post(reverse("monitoring:screening_list"))
    return Job.objects.filter(kind="screening").latest("pk")


def test_the_page_runs_on_duckdb_when_set_and_shows_it(client, county_admin, make_household, settings,
                                                       django_capture_on_commit_callbacks):
    _duckdb_set(settings)
    _stay(make_household(TUANJIE), dt.date(2025, 5, 3), "12000")
    job = _post_screening(client, county_admin, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    run = ScreeningRun.objects.get(pk=job.params["record"])
    assert (run.engine, run.status, run.created) == ("duckdb", ScreeningRun.Status.DONE, 1)
    page = client.get(reverse("monitoring:screening_list")).content.decode()
    assert "引擎：DuckDB" in page and "引擎：Spark" not in page


def test_the_page_run_on_a_spark_master_that_cannot_be_reached_ends_failed_and_writes_nothing(
        client, county_admin, make_household, settings, django_capture_on_commit_callbacks):
    household = make_household(TUANJIE)
    _stay(household, dt.date(2025, 5, 3), "12000")
    master = f"spark://127.0.0.1:{_closed_port()}"
    _spark_set(settings, master)
    first = screening_run(actor=county_admin, engine="duckdb")  # the command's override: an open warning
    warning = RiskWarning.objects.get()
    _stay(household, dt.date(2025, 8, 9), "15000")  # a run that ran would rewrite its evidence
    job = _post_screening(client, county_admin, django_capture_on_commit_callbacks)
    run = ScreeningRun.objects.get(pk=job.params["record"])
    assert (run.engine, run.status) == ("spark", ScreeningRun.Status.FAILED)
    assert f"无法连接 Spark 集群 {master}" in run.message and NOTHING_WRITTEN in run.message
    assert run.finished_at is not None and run.created == run.updated == 0
    assert job.status == Job.Status.FAILED and run.message in job.message
    assert list(RiskWarning.objects.values_list("pk", "evidence", "last_run_id")) == [
        (warning.pk, warning.evidence, first.pk)]
    assert not (feed_store_dir() / "_spark").exists() or not any((feed_store_dir() / "_spark").iterdir())
    page = client.get(reverse("monitoring:screening_list")).content.decode()
    assert "引擎：Spark" in page and f"无法连接 Spark 集群 {master}" in page
    # The control: on DuckDB the next run starts (nothing left 进行中) and does rewrite the evidence.
    _duckdb_set(settings)
    job = _post_screening(client, county_admin, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE, job.message
    warning.refresh_from_db()
    assert warning.last_run_id == job.params["record"] and "2025年8月" in warning.evidence
    assert _exported_engines(client) == ["DuckDB", "Spark", "DuckDB"]  # newest first, as the page lists them


def _exported_engines(client) -> list[str]:
    """The 引擎 column of 筛查记录's export."""
    response = client.post(reverse("web:list_export", args=["screening-runs"]), {})
    rows = [[cell.value for cell in row] for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    heading = next(i for i, row in enumerate(rows) if "引擎" in row)
    column = rows[heading].index("引擎")
    return [row[column] for row in rows[heading + 1:] if row[column]]


def test_the_nightly_screening_runs_on_the_engine_set(county_admin, make_household, settings):
    _stay(make_household(TUANJIE), dt.date(2025, 5, 3), "12000")
    master = f"spark://127.0.0.1:{_closed_port()}"
    _spark_set(settings, master)
    said = PERIODIC["nightly-screening"].function()
    run = ScreeningRun.objects.get()
    assert (run.engine, run.status, run.started_by) == ("spark", ScreeningRun.Status.FAILED, None)
    assert said.startswith("筛查失败：") and master in said and master in run.message
    assert not RiskWarning.objects.exists()
    _duckdb_set(settings)  # the control
    said = PERIODIC["nightly-screening"].function()
    run = ScreeningRun.objects.latest("pk")
    assert (run.engine, run.status) == ("duckdb", ScreeningRun.Status.DONE)
    assert "新预警 1 条" in said and RiskWarning.objects.count() == 1


def test_bangfu_screen_without_engine_runs_on_the_setting(county_admin, make_household, settings):
    _stay(make_household(TUANJIE), dt.date(2025, 5, 3), "12000")
    master = f"spark://127.0.0.1:{_closed_port()}"
    _spark_set(settings, master)
    with pytest.raises(CommandError, match="无法连接 Spark 集群"):
        call_command("screen", "--county", "513225")
    assert ScreeningRun.objects.get().engine == "spark"
    with pytest.raises(CommandError, match="--master"):
        call_command("screen", "--engine", "duckdb", "--master", "local[2]")
    assert ScreeningRun.objects.count() == 1  # refused before any run
    call_command("screen", "--engine", "duckdb")  # the override: this run on DuckDB
    run = ScreeningRun.objects.latest("pk")
    assert (run.engine, run.status, run.created) == ("duckdb", ScreeningRun.Status.DONE, 1)


# --- why Spark cannot run, said before anything is read --------------------------------------------------------

def test_a_master_that_does_not_answer_is_waited_for_only_so_long(county_admin, monkeypatch):
    monkeypatch.setattr(spark_engine, "SPARK_CONNECT_SECONDS", 0.5)
    started = time.perf_counter()
    with pytest.raises(SparkUnavailable, match="192.0.2.1:7077"):  # TEST-NET-1: routed nowhere
        screening_run(actor=county_admin, engine="spark", master="spark://192.0.2.1:7077")
    assert time.perf_counter() - started < 5
    run = ScreeningRun.objects.get()
    assert run.status == ScreeningRun.Status.FAILED
    assert "spark://192.0.2.1:7077" in run.message and "等待 0.5 秒" in run.message


def test_of_several_standalone_masters_one_answering_is_enough():
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        spark_engine._master_reachable(f"spark://127.0.0.1:{_closed_port()},127.0.0.1:{port}")  # no error
        with pytest.raises(SparkUnavailable):
            spark_engine._master_reachable(f"spark://127.0.0.1:{_closed_port()}")


def test_without_pyspark_the_run_ends_failed_saying_so(county_admin, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as where `bangfu[spark]` is not installed
    with pytest.raises(SparkUnavailable, match="未安装 pyspark"):
        screening_run(actor=county_admin, engine="spark")
    run = ScreeningRun.objects.get()
    assert (run.engine, run.status) == ("spark", ScreeningRun.Status.FAILED)
    assert "未安装 pyspark" in run.message and NOTHING_WRITTEN in run.message


def test_without_java_17_the_run_ends_failed_saying_so(county_admin, monkeypatch, tmp_path):
    pytest.importorskip("pyspark")
    from pyspark import SparkContext

    if SparkContext._gateway is not None:
        pytest.skip("this process's JVM runs already: Java is not looked for again")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it
    with pytest.raises(SparkUnavailable, match="未找到 Java"):
        screening_run(actor=county_admin, engine="spark")
    assert ScreeningRun.objects.get().status == ScreeningRun.Status.FAILED
    # A Java 11 (a stand-in that says so, as `java -version` does) is refused by its version.
    old = tmp_path / "jdk11" / "bin" / "java"
    old.parent.mkdir(parents=True)
    old.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    old.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "jdk11"))
    with pytest.raises(SparkUnavailable, match="Java 版本为 11"):
        spark_check(None)
    # The control: this machine's own Java (17 or later, as CI installs it) passes the check.
    monkeypatch.undo()
    if shutil.which("java") is None:
        pytest.skip("no Java on this machine")
    spark_check(None)
