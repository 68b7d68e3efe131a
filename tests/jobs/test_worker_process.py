"""The real worker process (`bangfu worker`, as `make demo` starts it) picks up an export and finishes it.

Runs the installed command in subprocesses against a throw-away SQLite file, so it proves what the unit tests
cannot: that a fresh worker process knows every job kind and can reach the data.
"""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

START_EXPORT = """
from bangfu.accounts.models import User
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.selectors import HouseholdFilter
job = household_ledger_export_start(actor=User.objects.get(username="shuanghe"), flt=HouseholdFilter())
print("JOB", job.pk)
"""
CHECK = """
from bangfu.jobs.models import Job
job = Job.objects.get()
print("STATUS", job.status, job.done, job.total, job.message)
"""


def _bangfu(env, *args, stdin: str | None = None) -> str:
    result = subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, input=stdin, text=True,
                            capture_output=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_worker_process_runs_an_export(tmp_path, migrated_sqlite):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env["BANGFU_VAR_DIR"] = str(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "bangfu.settings"  # the production settings: jobs go to the worker
    migrated_sqlite(tmp_path)
    _bangfu(env, "build-demo", "--people", "400")
    assert "JOB" in _bangfu(env, "shell", "-c", START_EXPORT)
    assert "STATUS queued" in _bangfu(env, "shell", "-c", CHECK)
    _bangfu(env, "worker", "--batch", "--no-startup-delay")
    status = _bangfu(env, "shell", "-c", CHECK)
    assert "STATUS done" in status, status
    line = next(line for line in status.splitlines() if line.startswith("STATUS"))
    done, total = (int(x) for x in line.split()[2:4])
    assert done == total > 0
    assert list(tmp_path.glob("jobs/job-*.xlsx"))
