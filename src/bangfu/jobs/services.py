"""Starting jobs and reporting their progress. The work itself lives with its domain (e.g. registry.exports)."""

import logging
import traceback
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bangfu.jobs.models import Job

log = logging.getLogger(__name__)

# kind -> function(job, progress) -> (file name shown to the user, path of the file written)
JOB_RUNNERS: dict[str, Callable] = {}


def job_kind(name: str):
    """Register the function that does one kind of job."""
    def register(function):
        JOB_RUNNERS[name] = function
        return function
    return register


def job_start(*, actor, kind: str, title: str, params: dict) -> Job:
    """Queue a job for the worker. It starts once the current transaction commits."""
    from bangfu.jobs.tasks import run_job

    if kind not in JOB_RUNNERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, title=title, requested_by=actor, params=params)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_output_dir() -> Path:
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
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


def _job_run(job_id: int) -> None:
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    try:
        name, path = JOB_RUNNERS[job.kind](job, Progress(job))
    except Exception as error:  # a job must never die silently: the user sees why
        log.error("job %s failed: %s", job.pk, traceback.format_exc())
        message = _("任务失败：%(error)s") % {"error": error}
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=message, finished_at=timezone.now())
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=job.total, result_name=name,
                                         result_path=str(path), finished_at=timezone.now())


def jobs_prune(*, older_than_days: int) -> int:
    """Delete the result files of jobs finished more than `older_than_days` ago: exports hold personal data
    and should not lie on disk longer than people need them. The job rows stay, marked as cleaned."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    pruned = 0
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(result_path=""):
        Path(job.result_path).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(result_path="", message=(job.message + " 结果文件已按期清理").strip())
        pruned += 1
    return pruned
