"""Jobs: run to the end or fail with the reason; only the requester sees them and their files."""

import pytest
from django.urls import reverse

from bangfu.jobs.models import Job
from bangfu.jobs.services import JOB_RUNNERS, JobFailure, job_kind, job_output_dir, job_start


@pytest.fixture
def kinds():
    saved = dict(JOB_RUNNERS)

    @job_kind("test_ok")
    def ok(job, progress):
        progress.total(3)
        for done in range(1, 4):
            progress.advance(done)
        path = job_output_dir() / f"job-{job.pk}.txt"
        path.write_text("结果", encoding="utf-8")
        return "结果.txt", path

    @job_kind("test_broken")
    def broken(job, progress):
        raise JobFailure("第3行 身份证号：校验码错误")

    yield
    JOB_RUNNERS.clear()
    JOB_RUNNERS.update(saved)


def test_a_job_runs_to_the_end_with_its_progress(county_admin, kinds, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=county_admin, kind="test_ok", title="测试", params={})
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (Job.Status.DONE, 3, 3, 100)
    assert job.finished_at is not None and job.result_name == "结果.txt"


def test_a_failing_job_says_why(county_admin, kinds, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=county_admin, kind="test_broken", title="测试", params={})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "第3行 身份证号：校验码错误" in job.message


def test_a_job_waits_for_the_transaction(county_admin, kinds, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_start(actor=county_admin, kind="test_ok", title="测试", params={})
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and len(callbacks) == 1


def test_unknown_kind_is_refused(county_admin):
    with pytest.raises(ValueError):
        job_start(actor=county_admin, kind="nope", title="x", params={})


def test_only_the_requester_sees_a_job_and_its_file(client, county_admin, leader, kinds,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=county_admin, kind="test_ok", title="县里的导出", params={})
    client.force_login(leader)
    for name in ("jobs:job_detail", "jobs:job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert "县里的导出" not in client.get(reverse("jobs:job_list")).content.decode()
    client.force_login(county_admin)
    assert "县里的导出" in client.get(reverse("jobs:job_list")).content.decode()
    assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 200


def test_progress_fragment_polls_until_finished(client, county_admin, kinds):
    import os
    import socket

    from django.utils import timezone

    job = Job.objects.create(kind="test_ok", title="排队的任务", requested_by=county_admin, total=10, done=4,
                             status=Job.Status.RUNNING, heartbeat_at=timezone.now(),
                             worker=f"{socket.gethostname()}:{os.getpid()}")
    client.force_login(county_admin)
    fragment = client.get(reverse("jobs:job_detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="40"' in fragment
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message="任务失败：原因")
    fragment = client.get(reverse("jobs:job_detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "任务失败：原因" in fragment


def test_old_result_files_are_pruned(county_admin, kinds, django_capture_on_commit_callbacks):
    import datetime as dt
    from pathlib import Path

    from django.core.management import call_command
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        old = job_start(actor=county_admin, kind="test_ok", title="旧导出", params={})
        new = job_start(actor=county_admin, kind="test_ok", title="新导出", params={})
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    old.refresh_from_db()
    new.refresh_from_db()
    old_path = Path(old.result_path)
    call_command("prune_jobs", days=7)
    old.refresh_from_db()
    new.refresh_from_db()
    assert not old_path.exists() and old.result_path == "" and "已按期清理" in old.message
    assert Path(new.result_path).exists()
