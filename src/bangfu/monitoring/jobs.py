"""Screening as a background job: the page starts it, the worker runs it, the job page shows its progress."""

from django.utils.translation import gettext as _

from bangfu.jobs.services import job_kind
from bangfu.monitoring.services import screening_run

KIND = "screening"


@job_kind(KIND)
def screening_job_run(job, progress) -> str:
    def step(done: int, total: int) -> None:
        progress.total(total) if progress.job.total != total else None
        progress.advance(done)

    progress.every = 1
    run = screening_run(actor=job.requested_by, step=step)
    return _("筛查完成：新预警 %(created)s 条，更新证据 %(updated)s 条，用时 %(seconds)s 秒") % {
        "created": run.created, "updated": run.updated, "seconds": run.seconds}
