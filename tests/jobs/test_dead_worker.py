"""Jobs survive a dead worker: it is found (heartbeat, process gone), the job fails with a Chinese message, its
page stops polling, and no file is left behind; a failing job leaves no partial file; results are owner-only."""

import datetime as dt
import errno
import logging
import os
import socket
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bangfu.jobs.models import Job
from bangfu.jobs.services import (
    JOB_RUNNERS,
    job_kind,
    job_output_dir,
    job_partial_path,
    job_start,
    jobs_reap_dead,
)


@pytest.fixture
def kinds():
    saved = dict(JOB_RUNNERS)

    @job_kind("test_file")
    def writes_a_file(job, progress):
        path = job_partial_path(job, ".txt")
        path.write_text("13912345678", encoding="utf-8")
        return "结果.txt", path

    @job_kind("test_disk_full")
    def disk_full(job, progress):
        path = job_partial_path(job, ".xlsx")
        path.write_text("13912345678\n" * 100, encoding="utf-8")  # 3,623 phone numbers, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    @job_kind("test_bug")
    def bug(job, progress):
        (job_output_dir() / f"job-{job.pk}.csv").write_text("half", encoding="utf-8")  # a runner's own file
        raise KeyError("internal_column_name")

    yield
    JOB_RUNNERS.clear()
    JOB_RUNNERS.update(saved)


def _run(actor, kind, capture):
    with capture(execute=True):
        job = job_start(actor=actor, kind=kind, title="测试", params={})
    job.refresh_from_db()
    return job


def _files_of(job):
    return [p for p in job_output_dir().iterdir() if f"job-{job.pk}." in p.name]


def test_result_file_is_final_named_and_owner_only(county_admin, kinds, django_capture_on_commit_callbacks):
    job = _run(county_admin, "test_file", django_capture_on_commit_callbacks)
    assert job.status == Job.Status.DONE
    assert [p.name for p in _files_of(job)] == [f"job-{job.pk}.txt"]
    assert os.stat(job.result_path).st_mode & 0o777 == 0o600


def test_disk_full_leaves_no_file_and_says_so_in_chinese(county_admin, kinds, django_capture_on_commit_callbacks,
                                                         caplog):
    with caplog.at_level(logging.ERROR, logger="bangfu.jobs.services"):
        job = _run(county_admin, "test_disk_full", django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED and "磁盘空间不足" in job.message
    assert "No space" not in job.message
    assert _files_of(job) == []
    assert "No space left on device" in caplog.text  # the operator's log has the raw error


def test_unexpected_error_is_logged_not_shown(county_admin, kinds, django_capture_on_commit_callbacks, caplog):
    with caplog.at_level(logging.ERROR, logger="bangfu.jobs.services"):
        job = _run(county_admin, "test_bug", django_capture_on_commit_callbacks)
    assert job.status == Job.Status.FAILED
    assert "internal_column_name" not in job.message and str(job.pk) in job.message and "运行日志" in job.message
    assert "KeyError: 'internal_column_name'" in caplog.text
    assert _files_of(job) == []


def _running(actor, *, heartbeat, worker):
    job = Job.objects.create(kind="test_file", title="进行中的导出", requested_by=actor, total=100, done=30,
                             status=Job.Status.RUNNING, heartbeat_at=heartbeat, worker=worker)
    job_partial_path(job, ".xlsx").write_text("13912345678", encoding="utf-8")
    return job


def test_job_of_a_killed_worker_fails_and_its_page_stops_polling(client, county_admin, kinds, caplog):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process that existed on this machine and is gone, like a worker after kill -9
    job = _running(county_admin, heartbeat=timezone.now(), worker=f"{socket.gethostname()}:{dead.pid}")
    alive = _running(county_admin, heartbeat=timezone.now(), worker=f"{socket.gethostname()}:{os.getpid()}")
    client.force_login(county_admin)
    with caplog.at_level(logging.ERROR, logger="bangfu.jobs.services"):
        fragment = client.get(reverse("jobs:job_detail", args=[job.pk]), headers={"HX-Request": "true"})
    page = fragment.content.decode()
    assert "hx-trigger" not in page and "任务中断" in page and "请重新发起" in page
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert _files_of(job) == []
    assert f"job {job.pk}: worker" in caplog.text
    # A job whose worker is alive keeps running, and its page keeps polling.
    page = client.get(reverse("jobs:job_detail", args=[alive.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" in page
    alive.refresh_from_db()
    assert alive.status == Job.Status.RUNNING and _files_of(alive)


def test_stale_heartbeat_from_another_machine_is_reaped_by_the_worker_and_prune(county_admin, kinds, settings):
    old = timezone.now() - dt.timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS + 5)
    job = _running(county_admin, heartbeat=old, worker="other-host:123")
    fresh = _running(county_admin, heartbeat=timezone.now(), worker="other-host:124")
    call_command("prune_jobs", days=7)
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == Job.Status.FAILED and _files_of(job) == []
    assert fresh.status == Job.Status.RUNNING
    assert jobs_reap_dead() == 0


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection: it must see the job
def test_heartbeat_is_written_while_a_job_runs(county_admin, settings, django_capture_on_commit_callbacks):
    import time

    settings.JOB_HEARTBEAT_SECONDS = 0.05
    beats = []
    saved = dict(JOB_RUNNERS)

    @job_kind("test_slow")
    def slow(job, progress):
        first = Job.objects.get(pk=job.pk).heartbeat_at
        time.sleep(0.5)
        beats.append((first, Job.objects.get(pk=job.pk).heartbeat_at))
        path = job_partial_path(job, ".txt")
        return "x.txt", path

    try:
        job = _run(county_admin, "test_slow", django_capture_on_commit_callbacks)
    finally:
        JOB_RUNNERS.clear()
        JOB_RUNNERS.update(saved)
    assert job.status == Job.Status.DONE
    first, later = beats[0]
    assert first is not None and later > first
