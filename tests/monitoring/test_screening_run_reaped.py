"""A screening run whose own process is gone ends failed: `bangfu screen` killed half-way has no job whose reaper
would end it, so the run names its process (host:pid) and beats a heartbeat, and the reaper (the worker's
periodic reap-dead-jobs, and whoever asks whether a screening runs) ends it "进程已终止" when that process no
longer exists on this machine or its heartbeat is older than JOB_DEAD_AFTER_SECONDS. While a run really runs, a
second screening is refused, from the page and from the command line alike."""

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bangfu.jobs.models import Job
from bangfu.jobs.periodic import PERIODIC
from bangfu.monitoring.models import ScreeningRun
from bangfu.monitoring.services import ScreeningBusy, screening_run, screening_runs_reap, screening_start

pytestmark = pytest.mark.django_db
HOST = socket.gethostname()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _cli_run(process: str, *, beat_seconds_ago: float = 0, started_seconds_ago: float = 0) -> ScreeningRun:
    """A run as `bangfu screen` leaves it: no job, its process named, its last heartbeat so long ago."""
    now = timezone.now()
    run = ScreeningRun.objects.create(started_by=None, process=process,
                                      heartbeat_at=now - dt.timedelta(seconds=beat_seconds_ago))
    ScreeningRun.objects.filter(pk=run.pk).update(started_at=now - dt.timedelta(seconds=started_seconds_ago))
    return run


def _status(run) -> str:
    run.refresh_from_db()
    return run.status


def test_the_workers_periodic_reap_ends_a_killed_command_line_run(county_admin):
    killed = _cli_run(f"{HOST}:{_dead_pid()}", started_seconds_ago=42)
    alive = _cli_run(f"{HOST}:{os.getpid()}")  # control: this process runs, and beat just now
    legacy = ScreeningRun.objects.create(started_by=None)  # control: names no process, cannot be judged
    message = PERIODIC["reap-dead-jobs"].function()
    assert "1 次筛查因执行进程已终止而标记失败" in message
    killed.refresh_from_db()
    assert killed.status == ScreeningRun.Status.FAILED and "进程已终止" in killed.message
    assert killed.finished_at is not None and killed.seconds >= 42  # not "用时 0.0 秒"
    assert _status(alive) == _status(legacy) == ScreeningRun.Status.RUNNING


def test_a_run_whose_heartbeat_is_older_than_the_lease_ends(settings):
    limit = settings.JOB_DEAD_AFTER_SECONDS
    lapsed = _cli_run("another-host:123", beat_seconds_ago=limit + 2)  # another machine: only its lease tells
    beating = _cli_run("another-host:124", beat_seconds_ago=limit - 2)  # control: within the lease
    assert screening_runs_reap() == 1
    assert _status(lapsed) == ScreeningRun.Status.FAILED
    assert _status(beating) == ScreeningRun.Status.RUNNING


def test_the_killed_runs_message_is_shown_on_the_screening_page(client, county_admin):
    _cli_run(f"{HOST}:{_dead_pid()}")
    screening_runs_reap()
    client.force_login(county_admin)
    page = client.get(reverse("monitoring:screening_list")).content.decode()
    assert "失败" in page and "进程已终止" in page


def test_a_second_screening_is_refused_while_a_command_line_run_really_runs(client, county_admin,
                                                                           django_capture_on_commit_callbacks):
    running = _cli_run(f"{HOST}:{os.getpid()}")
    with pytest.raises(ScreeningBusy, match="已有筛查正在进行"):
        screening_start(actor=county_admin)
    with pytest.raises(ScreeningBusy):
        screening_run(actor=None)  # the nightly work and `bangfu screen` go through here
    with pytest.raises(CommandError, match=f"第 {running.pk} 次筛查"):
        call_command("screen")
    client.force_login(county_admin)
    page = client.post(reverse("monitoring:screening_list"), follow=True).content.decode()
    assert "已有筛查正在进行" in page
    assert not Job.objects.filter(kind="screening").exists()
    assert ScreeningRun.objects.count() == 1
    # Its process gone, the run is ended first and the next screening starts (the control).
    ScreeningRun.objects.filter(pk=running.pk).update(process=f"{HOST}:{_dead_pid()}")
    with django_capture_on_commit_callbacks(execute=True):
        job = screening_start(actor=county_admin)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert _status(running) == ScreeningRun.Status.FAILED


def test_the_command_line_refuses_while_a_screening_job_is_queued(county_admin):
    job = Job.objects.create(kind="screening", title="预警筛查", requested_by=county_admin, target="county")
    with pytest.raises(CommandError, match=f"任务编号 {job.pk}"):
        call_command("screen")
    assert not ScreeningRun.objects.exists()


def test_a_run_records_its_process_and_ends_done(county_admin):
    run = screening_run(actor=county_admin)
    assert run.process == f"{HOST}:{os.getpid()}" and run.heartbeat_at is not None
    assert _status(run) == ScreeningRun.Status.DONE
