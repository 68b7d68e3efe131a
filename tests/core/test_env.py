"""Settings are one strictly parsed table, and the operations guide lists exactly its variables."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bangfu.core.env import BY_NAME, VARIABLES, check_environment, parse

ROOT = Path(__file__).resolve().parents[2]


def _documented() -> set[str]:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("## Environment", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))


def test_every_variable_is_documented_and_every_documented_one_exists():
    assert _documented() == set(BY_NAME)


def test_the_code_reads_no_bangfu_variable_outside_the_table():
    named = set()
    for folder in ("src", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == Path(__file__).resolve() or path.name == "env.py":
                continue  # these name a misspelt variable on purpose
            named |= set(re.findall(r"\bBANGFU_[A-Z0-9_]+\b", path.read_text(encoding="utf-8")))
    assert named - set(BY_NAME) == set()


@pytest.mark.parametrize("raw", ["ture", "yes please", "2", "Truee"])
def test_a_misspelt_boolean_refuses_to_start(raw):
    with pytest.raises(ImproperlyConfigured, match="BANGFU_SECURE_COOKIES"):
        check_environment({"BANGFU_SECURE_COOKIES": raw})


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("TRUE", True), ("1", True), ("on", True),
                                            ("false", False), ("0", False), ("off", False), ("", False)])
def test_booleans_read_as_written(raw, value):
    assert parse(BY_NAME["BANGFU_SECURE_COOKIES"], raw) is value


@pytest.mark.parametrize("raw", ["abc", "1.5", "０", "0", "100000"])
def test_an_integer_outside_its_range_or_not_an_integer_is_refused(raw):
    with pytest.raises(ImproperlyConfigured, match="BANGFU_SESSION_IDLE_MINUTES"):
        check_environment({"BANGFU_SESSION_IDLE_MINUTES": raw})


def test_an_unknown_name_is_refused_as_a_probable_typo():
    with pytest.raises(ImproperlyConfigured, match="BANGFU_SECURE_COOKIE"):
        check_environment({"BANGFU_SECURE_COOKIE": "true"})


def test_every_default_parses():
    check_environment({})
    for variable in VARIABLES:
        parse(variable, None)


def test_the_command_refuses_to_start_with_the_message_alone(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "BANGFU_VAR_DIR": str(tmp_path), "BANGFU_SECURE_COOKIES": "ture"}
    result = subprocess.run([sys.executable, "-m", "bangfu.cli", "check"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "BANGFU_SECURE_COOKIES" in result.stderr and "ture" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "bangfu.sqlite3").exists()


def test_the_documented_production_configuration_passes_check_deploy(tmp_path):
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    block = text.split("## Production configuration", 1)[1].split("\n## ", 1)[0]
    env = {"PATH": "/usr/bin:/bin", "BANGFU_VAR_DIR": str(tmp_path)}
    for line in block.splitlines():
        match = re.match(r"^    ([A-Z_]+)=(.*)$", line)
        if match:
            env[match[1]] = match[2]
    assert env["BANGFU_SECURE_COOKIES"] == "true"
    env["BANGFU_SECRET_KEY"] = "k" * 20 + "9Qz-x7_Lp3" * 4  # what the guide tells to generate: 50+ random characters
    env.pop("DATABASE_URL")  # the checks do not depend on the database; no PostgreSQL server needed here
    result = subprocess.run([sys.executable, "-m", "bangfu.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- the screening engine (issue 21): BANGFU_SCREEN_ENGINE and BANGFU_SPARK_MASTER ------------------------------

@pytest.mark.parametrize(("raw", "value"), [(None, "duckdb"), ("", "duckdb"), ("  ", "duckdb"), ("duckdb", "duckdb"),
                                            ("spark", "spark"), ("Spark", "spark"), (" DUCKDB ", "duckdb")])
def test_the_screening_engine_reads_empty_as_duckdb_and_either_name_in_any_case(raw, value):
    assert parse(BY_NAME["BANGFU_SCREEN_ENGINE"], raw) == value


@pytest.mark.parametrize("raw", ["hadoop", "sparks", "duck", "spark,duckdb", "spark-submit"])
def test_an_unknown_screening_engine_is_refused_naming_the_variable(raw):
    with pytest.raises(ImproperlyConfigured, match=f"BANGFU_SCREEN_ENGINE 的值“{raw}”无效.*duckdb / spark"):
        check_environment({"BANGFU_SCREEN_ENGINE": raw})


def test_the_log_level_is_still_read_in_any_case_as_the_table_writes_it():
    assert parse(BY_NAME["BANGFU_LOG_LEVEL"], "info") == "INFO"


@pytest.mark.parametrize("master", ["local", "local[2]", "local[*]", "local[4,3]", "yarn", "spark://h:7077",
                                    "spark://10.0.0.7:7077,10.0.0.8:7077", "k8s://https://k8s.example:443",
                                    "k8s://k8s.example:6443"])
def test_a_spark_master_url_is_accepted_with_the_spark_engine(master):
    check_environment({"BANGFU_SCREEN_ENGINE": "spark", "BANGFU_SPARK_MASTER": master})
    assert parse(BY_NAME["BANGFU_SPARK_MASTER"], master) == master


@pytest.mark.parametrize("master", ["spark://h", "http://h:7077", "spark://h:7077/x", "local[two]", "spark://:7077",
                                    "h:7077", "yarn-client"])
def test_a_spark_master_of_another_shape_is_refused_naming_the_variable(master):
    with pytest.raises(ImproperlyConfigured, match="BANGFU_SPARK_MASTER.*spark://主机:7077"):
        check_environment({"BANGFU_SCREEN_ENGINE": "spark", "BANGFU_SPARK_MASTER": master})


@pytest.mark.parametrize("engine", [None, "", "duckdb"])
def test_a_spark_master_without_the_spark_engine_is_refused(engine):
    environ = {"BANGFU_SPARK_MASTER": "spark://h:7077"} | ({} if engine is None else {"BANGFU_SCREEN_ENGINE": engine})
    with pytest.raises(ImproperlyConfigured, match="BANGFU_SPARK_MASTER.*只用于 BANGFU_SCREEN_ENGINE=spark"):
        check_environment(environ)
    check_environment({"BANGFU_SPARK_MASTER": "", **({} if engine is None else {"BANGFU_SCREEN_ENGINE": engine})})


def test_the_worker_refuses_to_start_on_an_unknown_screening_engine(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "BANGFU_VAR_DIR": str(tmp_path), "BANGFU_SCREEN_ENGINE": "hadoop",
           "PYTHONPATH": str(ROOT / "src")}  # this checkout's bangfu, whichever the environment installed
    result = subprocess.run([sys.executable, "-m", "bangfu.cli", "worker"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "BANGFU_SCREEN_ENGINE" in result.stderr and "hadoop" in result.stderr
    assert "Traceback" not in result.stderr
