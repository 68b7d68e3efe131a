"""Issue 17: /healthz tells database and worker apart (503 when either is missing), pages that start or wait on
a job say when no worker beats, a dead worker's job ends its screening run or import with the same reason, a
second job on the same target is refused, and the periodic work runs once per turn."""

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from bangfu.ingest.models import ImportRun
from bangfu.jobs.health import worker_state
from bangfu.jobs.models import Job, PeriodicRun
from bangfu.jobs.periodic import PERIODIC, periodic_run_due
from bangfu.jobs.services import JobBusy, jobs_reap_dead
from bangfu.jobs.supervisor import next_backoff
from bangfu.keyring.models import ProcessLease
from bangfu.monitoring.models import ScreeningRun
from bangfu.monitoring.services import screening_start

BANNER = "后台任务进程未运行，请联系管理员"


@pytest.fixture
def with_worker(settings):
    """Production's task backend: jobs wait for a `bangfu worker` (the tests' default runs them in-process)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JOB_HEARTBEAT_SECONDS = 10
    return settings


def _lease(kind, seconds_ago, name="host:1"):
    now = timezone.now()
    return ProcessLease.objects.create(name=name, kind=kind, started_at=now - dt.timedelta(hours=1),
                                       heartbeat_at=now - dt.timedelta(seconds=seconds_ago))


# --- /healthz ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_503_without_a_worker_heartbeat_and_200_within_two_intervals(client, with_worker):
    answer = client.get(reverse("web:healthz"))
    assert answer.status_code == 503
    assert answer.json() == {"ok": False, "database": True,
                             "worker": {"running": False, "needed": True, "last_heartbeat": None}}
    _lease(ProcessLease.Kind.SERVER, 0, name="host:2")  # a web server's lease is no worker's heartbeat
    assert client.get(reverse("web:healthz")).status_code == 503
    lease = _lease(ProcessLease.Kind.WORKER, 21)  # two intervals (20 s) and one second ago
    assert client.get(reverse("web:healthz")).status_code == 503
    ProcessLease.objects.filter(pk=lease.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=19))
    answer = client.get(reverse("web:healthz"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is True and body["database"] is True and body["worker"]["running"] is True
    assert dt.datetime.fromisoformat(body["worker"]["last_heartbeat"]) == \
        ProcessLease.objects.get(pk=lease.pk).heartbeat_at


@pytest.mark.django_db
def test_healthz_says_no_worker_is_needed_when_jobs_run_in_process(client):
    body = client.get(reverse("web:healthz")).json()
    assert body == {"ok": True, "database": True, "worker": {"running": True, "needed": False,
                                                             "last_heartbeat": None}}


@pytest.mark.django_db
def test_worker_state_reads_the_newest_worker_lease(with_worker):
    _lease(ProcessLease.Kind.WORKER, 500, name="host:3")
    newest = _lease(ProcessLease.Kind.WORKER, 5, name="host:4")
    assert worker_state().last_heartbeat == newest.heartbeat_at


# --- the banner ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("url", ["monitoring:screening_list", "registry:household_list", "cases:quality_report",
                                 "jobs:job_list", "ingest:import_start"])
def test_pages_that_start_jobs_say_when_no_worker_beats(client, county_admin, with_worker, url):
    client.force_login(county_admin)
    assert BANNER in client.get(reverse(url)).content.decode()
    _lease(ProcessLease.Kind.WORKER, 1)
    assert BANNER not in client.get(reverse(url)).content.decode()


@pytest.mark.django_db
def test_a_page_that_starts_no_job_has_no_banner(client, county_admin, with_worker):
    client.force_login(county_admin)
    assert BANNER not in client.get(reverse("web:home")).content.decode()


@pytest.mark.django_db
def test_a_waiting_job_says_no_worker_runs_and_a_finished_one_does_not(client, county_admin, with_worker):
    client.force_login(county_admin)
    queued = Job.objects.create(kind="screening", title="筛查", requested_by=county_admin)
    done = Job.objects.create(kind="screening", title="筛查", requested_by=county_admin, status=Job.Status.DONE)
    fragment = client.get(reverse("jobs:job_detail", args=[queued.pk]), headers={"HX-Request": "true"})
    assert BANNER in fragment.content.decode()
    assert BANNER not in client.get(reverse("jobs:job_detail", args=[done.pk])).content.decode()
    _lease(ProcessLease.Kind.WORKER, 1)
    assert BANNER not in client.get(reverse("jobs:job_detail", args=[queued.pk])).content.decode()


# --- jobs bound to their target ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_second_screening_is_refused_while_one_is_queued_or_running(county_admin):
    first = screening_start(actor=county_admin)  # queued: the worker starts it after the commit
    with pytest.raises(JobBusy, match=f"任务编号 {first.pk}"):
        screening_start(actor=county_admin)
    Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now(),
                                           worker=f"{socket.gethostname()}:{os.getpid()}")
    with pytest.raises(JobBusy):
        screening_start(actor=county_admin)
    Job.objects.filter(pk=first.pk).update(status=Job.Status.DONE)
    assert screening_start(actor=county_admin).pk != first.pk  # control: once it ended, a new one starts


@pytest.mark.django_db
def test_a_screening_whose_worker_died_no_longer_blocks_the_next(county_admin):
    first = screening_start(actor=county_admin)
    Job.objects.filter(pk=first.pk).update(status=Job.Status.RUNNING, heartbeat_at=timezone.now(),
                                           worker=f"{socket.gethostname()}:{_dead_pid()}")
    second = screening_start(actor=county_admin)
    first.refresh_from_db()
    assert first.status == Job.Status.FAILED and second.status == Job.Status.QUEUED


@pytest.mark.django_db
def test_the_database_refuses_two_live_jobs_on_one_target(county_admin):
    Job.objects.create(kind="screening", title="a", requested_by=county_admin, target="county")
    Job.objects.create(kind="screening", title="b", requested_by=county_admin, target="county",
                       status=Job.Status.FAILED)  # control: ended jobs do not count
    Job.objects.create(kind="screening", title="c", requested_by=county_admin, target="")  # unbound kinds neither
    Job.objects.create(kind="screening", title="d", requested_by=county_admin, target="")
    Job.objects.create(kind="data_quality", title="e", requested_by=county_admin, target="county")
    with pytest.raises(IntegrityError), transaction.atomic():
        Job.objects.create(kind="screening", title="f", requested_by=county_admin, target="county",
                           status=Job.Status.RUNNING)


@pytest.mark.django_db
def test_the_screening_page_refuses_a_second_run_with_a_message(client, county_admin):
    client.force_login(county_admin)
    url = reverse("monitoring:screening_list")
    Job.objects.create(kind="screening", title="预警筛查", requested_by=county_admin, target="county")
    answer = client.post(url, follow=True)
    assert "已有同类任务正在进行" in answer.content.decode()
    assert Job.objects.filter(kind="screening").count() == 1


@pytest.mark.django_db
def test_a_second_quality_check_of_the_same_region_is_refused(client, county_admin):
    client.force_login(county_admin)
    url = reverse("cases:quality_report")
    Job.objects.create(kind="data_quality", title="核查", requested_by=county_admin, target=county_admin.region_id)
    assert "已有同类任务正在进行" in client.post(url, follow=True).content.decode()
    assert Job.objects.filter(kind="data_quality").count() == 1


# --- runs that end with their job ----------------------------------------------------------------------------

def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.django_db
def test_a_dead_workers_screening_run_ends_failed_with_the_same_reason(county_admin):
    started = timezone.now() - dt.timedelta(seconds=42)
    run = ScreeningRun.objects.create(started_by=county_admin)
    ScreeningRun.objects.filter(pk=run.pk).update(started_at=started)
    other = ScreeningRun.objects.create(started_by=None)  # `bangfu screen` from the command line, still running
    job = Job.objects.create(kind="screening", title="筛查", requested_by=county_admin, target="county",
                             status=Job.Status.RUNNING, heartbeat_at=timezone.now(), params={"record": run.pk},
                             worker=f"{socket.gethostname()}:{_dead_pid()}")
    assert jobs_reap_dead() == 1
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == Job.Status.FAILED and run.status == ScreeningRun.Status.FAILED
    assert run.message == job.message and "任务中断" in run.message
    assert run.finished_at is not None and run.seconds >= 42  # not "用时 0.0 秒"
    other.refresh_from_db()
    assert other.status == ScreeningRun.Status.RUNNING  # control: a run of no dead job is left alone


@pytest.mark.django_db
def test_a_live_workers_screening_run_is_left_running(county_admin):
    run = ScreeningRun.objects.create(started_by=county_admin)
    Job.objects.create(kind="screening", title="筛查", requested_by=county_admin, target="county",
                       status=Job.Status.RUNNING, heartbeat_at=timezone.now(), params={"record": run.pk},
                       worker=f"{socket.gethostname()}:{os.getpid()}")
    assert jobs_reap_dead() == 0
    run.refresh_from_db()
    assert run.status == ScreeningRun.Status.RUNNING


@pytest.mark.django_db
def test_the_screening_job_notes_its_run_so_a_death_can_end_it(county_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = screening_start(actor=county_admin)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert ScreeningRun.objects.get(pk=job.params["record"]).status == ScreeningRun.Status.DONE


@pytest.mark.django_db
def test_a_dead_workers_import_ends_failed_with_the_same_reason(client, county_admin):
    run = ImportRun.objects.create(kind="households", file_name="台账.xlsx", file_path="/nonexistent",
                                   requested_by=county_admin, status=ImportRun.Status.PREVIEWED)
    job = Job.objects.create(kind="household_import_commit", title="导入", requested_by=county_admin,
                             target=f"import:{run.pk}", status=Job.Status.RUNNING, params={"run": run.pk},
                             heartbeat_at=timezone.now() - dt.timedelta(hours=1), worker="other-host:7")
    ImportRun.objects.filter(pk=run.pk).update(job=job)
    assert jobs_reap_dead() == 1
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.report["error"] == job.message
    client.force_login(county_admin)
    assert job.message in client.get(reverse("ingest:import_detail", args=[run.pk])).content.decode()


# --- periodic work, supervision --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_periodic_work_runs_when_due_and_once_per_turn(settings):
    settings.NIGHTLY_SCREENING_HOUR = None
    now = timezone.now()
    assert set(periodic_run_due(now)) == {"reap-dead-jobs", "prune-jobs", "welfare-quarter"}
    assert periodic_run_due(now + dt.timedelta(seconds=30)) == []
    assert periodic_run_due(now + dt.timedelta(minutes=1)) == ["reap-dead-jobs"]
    assert set(periodic_run_due(now + dt.timedelta(hours=1))) == {"reap-dead-jobs", "welfare-quarter"}
    assert set(periodic_run_due(now + dt.timedelta(days=1))) == {"reap-dead-jobs", "prune-jobs", "welfare-quarter"}
    assert "已清理" in PeriodicRun.objects.get(name="prune-jobs").message
    assert not ScreeningRun.objects.exists()


@pytest.mark.django_db
def test_nightly_screening_runs_at_the_countys_hour_only(settings, regions, make_household):
    make_household()  # one run per county with households
    now = timezone.localtime().replace(minute=10)
    settings.NIGHTLY_SCREENING_HOUR = (now.hour + 1) % 24
    assert "nightly-screening" not in periodic_run_due(now)
    settings.NIGHTLY_SCREENING_HOUR = now.hour
    assert "nightly-screening" in periodic_run_due(now)
    assert ScreeningRun.objects.get().status == ScreeningRun.Status.DONE
    assert ScreeningRun.objects.get().region_id == "513225000000"
    assert "nightly-screening" not in periodic_run_due(now + dt.timedelta(minutes=30))  # once a night


def test_periodic_work_is_declared_in_code():
    assert {"prune-jobs", "reap-dead-jobs", "nightly-screening"} <= set(PERIODIC)


def test_restart_backoff_doubles_while_the_worker_dies_at_once_and_resets_after_a_healthy_run():
    assert next_backoff(0, 0.5) == 1
    assert next_backoff(1, 0.5) == 2
    assert next_backoff(32, 0.5) == 60 and next_backoff(60, 0.5) == 60
    assert next_backoff(60, 9.9) == 60
    assert next_backoff(60, 10) == 1


@pytest.mark.django_db
def test_a_killed_worker_of_this_machine_is_down_at_once(client, with_worker):
    _lease(ProcessLease.Kind.WORKER, 1, name=f"{socket.gethostname()}:{_dead_pid()}")  # fresh beat, process gone
    assert client.get(reverse("web:healthz")).status_code == 503
    _lease(ProcessLease.Kind.WORKER, 2, name=f"{socket.gethostname()}:{os.getpid()}")  # control: a live process
    assert client.get(reverse("web:healthz")).status_code == 200
