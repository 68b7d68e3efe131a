"""kill -9 the worker during an export and start it again: the job is marked failed with a Chinese message and
its half-written file is gone. The real `bangfu worker` in subprocesses, against a throw-away SQLite file."""

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.slow

START_EXPORT = """
from bangfu.accounts.models import User
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.selectors import HouseholdFilter
job = household_ledger_export_start(actor=User.objects.get(username="admin"), flt=HouseholdFilter(),
                                    include_personal=True)
print("JOB", job.pk)
"""
CHECK = """
from bangfu.jobs.models import Job
job = Job.objects.get()
print("STATUS", job.status, "|", job.message)
"""


def test_worker_killed_mid_export_then_restarted(tmp_path, migrated_sqlite):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env.update(BANGFU_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="bangfu.settings")

    def bangfu(*args):
        result = subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, text=True,
                                capture_output=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    migrated_sqlite(tmp_path)
    bangfu("build-demo", "--people", "1500")
    bangfu("shell", "-v0", "-c", START_EXPORT)
    worker = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "worker", "--no-startup-delay"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    partial = tmp_path / "jobs" / ".job-1.partial.xlsx"
    limit = time.time() + 120
    while not partial.exists() and time.time() < limit:
        time.sleep(0.02)
    assert partial.exists(), "the export never started"
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert "STATUS running" in bangfu("shell", "-v0", "-c", CHECK)  # as the dead worker left it
    bangfu("worker", "--batch", "--no-startup-delay")  # the worker started again
    status = bangfu("shell", "-v0", "-c", CHECK)
    assert "STATUS failed" in status and "任务中断" in status, status
    assert not list((tmp_path / "jobs").iterdir())
