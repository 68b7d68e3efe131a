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
