"""Starting jobs and reporting their progress. The work itself lives with its domain (e.g. registry.exports).

A running job beats a heartbeat from a thread of its worker; a job whose worker died (killed, machine restarted)
is found by its stale heartbeat, or at once by its dead process on this machine, and failed with a message
(jobs_reap_dead: run by the worker when it starts, by the job's page while it polls, and by prune-jobs).
A job writes its file under a temporary name that is renamed when it succeeds and deleted when it fails, so
no half-written file with personal data is left behind; result files are readable by their owner only.
"""

import errno
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.jobs.models import Job

log = logging.getLogger(__name__)


class JobFailure(Exception):
    """A failure whose message is written for the user (Chinese, naming what to do). Any other exception is
    logged for the operator and the user reads a general message with the job's number."""


class JobBusy(ValidationError):
    """A job of the same kind on the same target is queued or running: a second one is refused."""

    def __init__(self, running: Job | None):
        number = running.pk if running else "?"
        super().__init__(_("已有同类任务正在进行（任务编号 %(id)s：%(title)s），请等它完成后再发起。") % {
            "id": number, "title": running.title if running else ""}, code="job_busy")
        self.running = running


# kind -> function(job, progress) -> (file name shown to the user, path of the file written), or a summary text
JOB_RUNNERS: dict[str, Callable] = {}
# kind -> function(job, message): ends the record the job was writing (a screening run, an import) as failed,
# when the job's worker died under it (the job's own code never ran to its end to do so).
JOB_RECORD_FAILERS: dict[str, Callable] = {}


def job_kind(name: str, *, on_worker_death: Callable | None = None):
    """Register the function that does one kind of job, and what ends its record when its worker dies."""
    def register(function):
        JOB_RUNNERS[name] = function
        if on_worker_death is not None:
            JOB_RECORD_FAILERS[name] = on_worker_death
        return function
    return register


def job_running_on(kind: str, target: str) -> Job | None:
    """The queued or running job of this kind on this target, if any."""
    live = (Job.Status.QUEUED, Job.Status.RUNNING)
    return Job.objects.filter(kind=kind, target=target, status__in=live).order_by("pk").first()


def job_start(*, actor, kind: str, title: str, params: dict, target: str = "") -> Job:
    """Queue a job for the worker. It starts once the current transaction commits. With a target (what the job
    acts on), a second job of the kind on the same target is refused (JobBusy) while one is queued or running:
    the database's constraint decides between two requests at the same moment."""
    from bangfu.jobs.tasks import run_job

    if kind not in JOB_RUNNERS:
        raise ValueError(f"unknown job kind {kind!r}")
    if target:
        jobs_reap_dead(job_ids=list(Job.objects.filter(kind=kind, target=target,
                                                       status__in=(Job.Status.QUEUED, Job.Status.RUNNING))
                                    .values_list("pk", flat=True)))
        if (running := job_running_on(kind, target)) is not None:
            raise JobBusy(running)
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=kind, title=title, requested_by=actor, params=params, target=target)
    except IntegrityError:
        raise JobBusy(job_running_on(kind, target)) from None
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_record(job: Job, record_id: int) -> None:
    """Remember which record (a screening run) the job writes, so a worker's death can end it too."""
    job.params = {**job.params, "record": record_id}
    Job.objects.filter(pk=job.pk).update(params=job.params)


def job_output_dir() -> Path:
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def job_partial_path(job: Job, suffix: str) -> Path:
    """A new empty file, owner-only, for a job to write its result into. job_run renames it to its final name
    when the job succeeds and deletes it when the job fails (or its worker dies)."""
    path = job_output_dir() / f".job-{job.pk}.partial{suffix}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an older file of that name keeps its mode through O_CREAT
    return path


def _job_files_remove(job_id: int) -> None:
    """Whatever a failed job wrote: its partial file, and a final-named file a runner may have written itself."""
    directory = job_output_dir()
    for path in [*directory.glob(f".job-{job_id}.partial*"), *directory.glob(f"job-{job_id}.*")]:
        path.unlink(missing_ok=True)


def _job_finish_file(job: Job, path: Path) -> Path:
    """Move a result written under its partial name to its final name, owner-only."""
    path = Path(path)
    partial = f".job-{job.pk}.partial"
    if path.name.startswith(partial):
        final = path.with_name(f"job-{job.pk}{path.name.removeprefix(partial)}")
        os.replace(path, final)
        path = final
    os.chmod(path, 0o600)
    return path


class Progress:
    """Writes progress at most every `every` items, so a 300,000-row export does not write 300,000 times."""

    def __init__(self, job: Job, every: int = 500):
        self.job = job
        self.every = every

    def total(self, total: int) -> None:
        self.job.total = total
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def advance(self, done: int) -> None:
        if done - self.job.done >= self.every or done == self.job.total:
            self.job.done = done
            Job.objects.filter(pk=self.job.pk).update(done=done)


def job_run(job_id: int) -> None:
    """Run one job to the end, recording success or the failure's message. Called by the worker.

    In the site's language whichever thread runs it (the worker has none; the test backend runs it inside the
    request): the ledger's columns and labels are the national system's Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        _job_run(job_id)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """While a job runs, a thread stamps its heartbeat every JOB_HEARTBEAT_SECONDS (its own connection).
    Another running record (a screening run) passes its own `beat` and name."""

    def __init__(self, job_id: int | None = None, *, beat: Callable[[], object] | None = None, name: str = ""):
        self.name = name or f"job-{job_id}"
        self.beat = beat or (lambda: Job.objects.filter(pk=job_id, status=Job.Status.RUNNING)
                             .update(heartbeat_at=timezone.now()))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"{self.name}-heartbeat", daemon=True)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    self.beat()
                except Exception:  # a missed beat is retried; the work itself must not fail for it
                    log.warning("%s: heartbeat not written: %s", self.name, traceback.format_exc())
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def _user_message(job: Job, error: BaseException) -> str:
    """What the user reads: the message of a failure written for them, a plain word for a full disk, otherwise
    only that it failed and that the operator's log has the details (never a raw exception)."""
    if isinstance(error, JobFailure | PermissionDenied):
        return _("任务失败：%(error)s") % {"error": error}
    if isinstance(error, ValidationError):
        return _("任务失败：%(error)s") % {"error": "；".join(error.messages)}
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return _("任务失败：服务器磁盘空间不足，未生成文件。请联系系统管理员清理磁盘后重新发起。")
    return _("任务失败：内部错误（任务编号 %(id)s），详情已记入运行日志，请联系系统管理员。") % {"id": job.pk}


def _job_run(job_id: int) -> None:
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return
    started = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, worker=_worker_name(), heartbeat_at=timezone.now())
    if not started:
        return
    try:
        with Heartbeat(job.pk):
            result = JOB_RUNNERS[job.kind](job, Progress(job))
            if not isinstance(result, str):
                result = (result[0], _job_finish_file(job, result[1]))
    except Exception as error:  # a job must never die silently: the user sees that, the operator's log why
        log.error("job %s failed: %s", job.pk, traceback.format_exc())
        _job_files_remove(job.pk)
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=_user_message(job, error),
                                             finished_at=timezone.now())
        return
    # A job without a file (a screening run) returns its summary as text instead of (name, path).
    name, path, message = ("", "", result) if isinstance(result, str) else (*result, "")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=job.total, result_name=name,
                                         result_path=str(path), message=message, finished_at=timezone.now())


def _worker_is_dead(job: Job, now) -> bool:
    stale = now - timezone.timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS)
    if job.heartbeat_at is None or job.heartbeat_at < stale:
        return True
    host, _sep, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, under another user
            return False
    return False


DEAD_WORKER_MESSAGE = gettext_lazy("任务中断：执行该任务的后台进程已停止（可能被重启或终止），未生成文件。请重新发起。")


CLAIMED_NEVER_STARTED_MESSAGE = gettext_lazy(
    "任务中断：领取该任务的后台进程在开始执行前已停止，任务未执行，也不会自动重试。请重新发起。")


def _jobs_claimed_by_dead_workers(now, job_ids: list[int] | None) -> list[Job]:
    """Queued jobs whose task a worker claimed more than JOB_DEAD_AFTER_SECONDS ago without ever starting them
    (a worker marks its job running the moment it claims the task): that worker died in between. They are
    failed, not queued again, like a job that killed its worker: a task that kills workers must not loop."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    from bangfu.jobs.tasks import run_job

    stale = now - timezone.timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS)
    claimed = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, task_path=run_job.module_path,
                                          started_at__lt=stale).values_list("args_kwargs", flat=True)
    ids = {args["args"][0] for args in claimed if args.get("args")}
    if job_ids is not None:
        ids &= set(job_ids)
    return list(Job.objects.filter(pk__in=ids, status=Job.Status.QUEUED)) if ids else []


def jobs_reap_dead(*, job_ids: list[int] | None = None) -> int:
    """Fail the running jobs whose worker died (stale heartbeat, or its process gone on this machine), and the
    queued ones a dead worker had claimed but not started; delete what they had written, end their records,
    and tell the operator's log. Returns how many were failed."""
    now = timezone.now()
    reaped = 0
    never_started = str(CLAIMED_NEVER_STARTED_MESSAGE)
    for job in _jobs_claimed_by_dead_workers(now, job_ids):
        if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
                status=Job.Status.FAILED, finished_at=now, message=never_started):
            log.error("job %s: claimed by a worker that died before starting it; marked failed", job.pk)
            _job_record_fail(job, message=never_started)
            reaped += 1
    message = str(DEAD_WORKER_MESSAGE)
    running = Job.objects.filter(status=Job.Status.RUNNING)
    if job_ids is not None:
        running = running.filter(pk__in=job_ids)
    for job in running:
        if not _worker_is_dead(job, now):
            continue
        # Only if nothing moved meanwhile: a live job that just beat or finished is left alone.
        failed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at).update(
            status=Job.Status.FAILED, finished_at=now, message=message)
        if failed:
            log.error("job %s: worker %s died (last heartbeat %s); marked failed", job.pk, job.worker,
                      job.heartbeat_at)
            _job_files_remove(job.pk)
            _job_record_fail(job, message=message)
            reaped += 1
    return reaped


def _job_record_fail(job: Job, *, message: str) -> None:
    failer = JOB_RECORD_FAILERS.get(job.kind)
    if failer is None:
        return
    job.refresh_from_db(fields=["params"])  # the record the runner noted after this row was read
    try:
        failer(job, str(message))
    except Exception:  # the job is failed already; its record is logged for the operator
        log.error("job %s: its record was not marked failed: %s", job.pk, traceback.format_exc())


def jobs_prune(*, older_than_days: int) -> int:
    """Delete the result files of jobs finished more than `older_than_days` ago: exports hold personal data
    and should not lie on disk longer than people need them. The job rows stay, marked as cleaned."""
    jobs_reap_dead()
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    pruned = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(result_path=""):
        Path(job.result_path).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(result_path="", message=(job.message + " 结果文件已按期清理").strip())
        pruned += 1
    # Left-overs of jobs that are not running (a worker killed before this version reaped its jobs).
    running = set(Job.objects.filter(status=Job.Status.RUNNING).values_list("pk", flat=True))
    for path in job_output_dir().glob(".job-*.partial*"):
        job_id = path.name.removeprefix(".job-").partition(".")[0]
        if not (job_id.isdigit() and int(job_id) in running):
            path.unlink(missing_ok=True)
    return pruned
