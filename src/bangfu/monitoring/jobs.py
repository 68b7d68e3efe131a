"""Screening as a background job: the page starts it, the worker runs it, the job page shows its progress."""

from django.utils.translation import gettext as _

from bangfu.jobs.services import job_kind, job_record
from bangfu.monitoring.services import screening_run, screening_run_fail

KIND = "screening"


def _end_run(job, message: str) -> None:
    if job.params.get("record"):
        screening_run_fail(job.params["record"], message=message)


@job_kind(KIND, on_worker_death=_end_run)
def screening_job_run(job, progress) -> str:
    def step(done: int, total: int) -> None:
        progress.total(total) if progress.job.total != total else None
        progress.advance(done)

    progress.every = 1
    run = screening_run(actor=job.requested_by, step=step, started=lambda run: job_record(job, run.pk))
    return _("筛查完成：新预警 %(created)s 条，更新证据 %(updated)s 条，用时 %(seconds)s 秒") % {
        "created": run.created, "updated": run.updated, "seconds": run.seconds}
