"""A job whose task a worker claimed but which that worker never started (it died in between) does not stay
排队中 for ever: the reaper fails it once the claim is older than JOB_DEAD_AFTER_SECONDS, ends its record (an
import run) with the same reason, and the bound target is free again. It is failed, not queued again: like a job
that killed its worker, it must not loop. A job still waiting for a worker (its task not claimed) is left alone."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from bangfu.ingest.jobs import PREVIEW
from bangfu.ingest.models import ImportRun
from bangfu.jobs.models import Job
from bangfu.jobs.periodic import PERIODIC
from bangfu.jobs.services import job_start, jobs_reap_dead
from bangfu.jobs.tasks import run_job

pytestmark = pytest.mark.django_db


def _task(job: Job, status: str, seconds_ago: float) -> DBTaskResult:
    """The task row the database backend keeps for a job: claimed (RUNNING) or waiting (READY)."""
    at = timezone.now() - dt.timedelta(seconds=seconds_ago)
    return DBTaskResult.objects.create(args_kwargs={"args": [job.pk], "kwargs": {}}, task_path=run_job.module_path,
                                       backend_name="default", run_after=at, status=status,
                                       started_at=at if status == TaskResultStatus.RUNNING else None)


def _job(user, target: str, **params) -> Job:
    return Job.objects.create(kind="screening", title="预警筛查", requested_by=user, target=target, params=params)


def test_a_job_claimed_by_a_dead_worker_is_failed_not_requeued(settings, county_admin):
    limit = settings.JOB_DEAD_AFTER_SECONDS
    orphan = _job(county_admin, "county")
    task = _task(orphan, TaskResultStatus.RUNNING, limit + 2)
    just_claimed = _job(county_admin, "t2")  # control: its worker may be starting it this moment
    _task(just_claimed, TaskResultStatus.RUNNING, limit - 2)
    waiting = _job(county_admin, "t3")  # control: waits behind a busy worker, nobody claimed it
    _task(waiting, TaskResultStatus.READY, limit * 10)
    assert "1 个任务因后台进程停止而标记失败" in PERIODIC["reap-dead-jobs"].function()
    orphan.refresh_from_db()
    assert orphan.status == Job.Status.FAILED and "开始执行前已停止" in orphan.message
    assert orphan.finished_at is not None
    assert Job.objects.get(pk=just_claimed.pk).status == Job.Status.QUEUED
    assert Job.objects.get(pk=waiting.pk).status == Job.Status.QUEUED
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # never READY again: no worker picks it up a second time


def test_the_bound_target_is_free_again_once_the_orphan_is_failed(settings, county_admin,
                                                                  django_capture_on_commit_callbacks):
    orphan = _job(county_admin, "county")
    _task(orphan, TaskResultStatus.RUNNING, settings.JOB_DEAD_AFTER_SECONDS + 2)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=county_admin, kind="screening", title="预警筛查", params={}, target="county")
    assert Job.objects.get(pk=orphan.pk).status == Job.Status.FAILED
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_an_imports_run_ends_failed_with_the_same_reason(settings, county_admin):
    run = ImportRun.objects.create(kind="households", file_name="台账.xlsx", file_path="/nonexistent",
                                   requested_by=county_admin, status=ImportRun.Status.UPLOADED)
    job = Job.objects.create(kind=PREVIEW, title="导入检查", requested_by=county_admin,
                             target=f"import:{run.pk}", params={"run": run.pk})
    run.job = job
    run.save(update_fields=["job"])
    _task(job, TaskResultStatus.RUNNING, settings.JOB_DEAD_AFTER_SECONDS + 2)
    assert jobs_reap_dead() == 1
    job.refresh_from_db()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.report["error"] == job.message
