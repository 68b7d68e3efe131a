from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from bangfu.jobs.context import starts_jobs
from bangfu.jobs.selectors import job_get_for_user, jobs_of
from bangfu.jobs.services import jobs_reap_dead


@login_required
@starts_jobs
def job_list(request):
    from bangfu.web.exports import list_export_context

    return render(request, "jobs/job_list.html", {"jobs": jobs_of(request.user)[:50],
                                                  **list_export_context(request, "jobs")})


@login_required
def job_detail(request, pk: int):
    job = job_get_for_user(request.user, pk=pk)
    if job.status == job.Status.RUNNING and jobs_reap_dead(job_ids=[job.pk]):
        job.refresh_from_db()  # its worker died: the page shows why and stops polling
    template = "jobs/_job_status.html" if request.htmx else "jobs/job_detail.html"
    return render(request, template, {"job": job, "detail": True})


@login_required
def job_download(request, pk: int):
    job = job_get_for_user(request.user, pk=pk)
    path = Path(job.result_path) if job.result_path else None
    if job.status != job.Status.DONE or path is None or not path.exists():
        raise Http404(_("结果文件不存在或已清理"))
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)
