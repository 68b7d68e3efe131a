"""The import pages: upload, preview (counts, every problem, unknown columns to map), commit."""

import datetime as dt
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bangfu.ingest.households import HOUSEHOLDS
from bangfu.ingest.selectors import import_run_get_for_user, import_runs_of
from bangfu.ingest.services import import_run_commit, import_run_map, import_run_start
from bangfu.jobs.context import starts_jobs
from bangfu.web.exports import list_export_context
from bangfu.web.forms import Form


class UploadForm(Form):
    file = forms.FileField(label=gettext_lazy("台账文件"),
                           help_text=gettext_lazy(".xlsx、.xls、.ods 或 .csv（UTF-8 或 GB18030），不超过50MB"))
    year = forms.IntegerField(label=gettext_lazy("收入年度"), required=False, min_value=2000,
                              help_text=gettext_lazy("收入各列属于哪一年；文件中有“年度”列时可不填，都没有时按上一年"))


def _require_edit(user) -> None:
    if not user.can("registry.edit"):
        raise PermissionDenied(_("您的角色不能导入农户台账"))


@login_required
@starts_jobs
def import_start(request):
    _require_edit(request.user)
    form = UploadForm(request.POST or None, request.FILES or None,
                      initial={"year": dt.date.today().year - 1})
    if request.method == "POST" and form.is_valid():
        try:
            run = import_run_start(actor=request.user, upload=form.cleaned_data["file"],
                                   year=form.cleaned_data["year"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("ingest:import_detail", pk=run.pk)
    return render(request, "ingest/import_start.html", {"form": form, "runs": import_runs_of(request.user)[:20],
                                                        **list_export_context(request, "imports")})


@login_required
def import_detail(request, pk: int):
    """The run's page. While its preview or commit runs, the page polls itself (htmx, no script of its own): each
    poll returns the page's body, and the body returned once the job has finished no longer polls."""
    from bangfu.jobs.services import jobs_reap_dead

    run = import_run_get_for_user(request.user, pk=pk)
    job = run.job
    if job is not None and job.status == job.Status.RUNNING and jobs_reap_dead(job_ids=[job.pk]):
        job.refresh_from_db()  # its worker died: the page shows why and stops polling
    fields = [(f.key, f"{f.label}") for f in HOUSEHOLDS.fields]
    template = "ingest/_import_body.html" if request.htmx else "ingest/import_detail.html"
    return render(request, template, {"run": run, "report": run.report, "fields": fields, "job": job,
                                      "polling": job is not None and not job.is_finished})


@login_required
@require_POST
def import_map(request, pk: int):
    _require_edit(request.user)
    run = import_run_get_for_user(request.user, pk=pk)
    known = {f.key for f in HOUSEHOLDS.fields}
    mapping = {}
    for column in run.report.get("unknown", []):
        choice = request.POST.get(f"map-{column['header_key']}", "")
        if choice == "ignore":
            mapping[column["header_key"]] = ""
        elif choice in known:
            mapping[column["header_key"]] = choice
    try:
        import_run_map(actor=request.user, run=run, mapping=mapping)
    except ValidationError as error:
        return render(request, "ingest/import_detail.html", {"run": run, "report": run.report, "job": run.job,
                                                            "error": "；".join(error.messages)}, status=400)
    return redirect("ingest:import_detail", pk=run.pk)


@login_required
@require_POST
def import_commit(request, pk: int):
    _require_edit(request.user)
    run = import_run_get_for_user(request.user, pk=pk)
    try:
        import_run_commit(actor=request.user, run=run)
    except ValidationError as error:
        return render(request, "ingest/import_detail.html", {"run": run, "report": run.report, "job": run.job,
                                                            "error": "；".join(error.messages)}, status=400)
    return redirect("ingest:import_detail", pk=run.pk)


@login_required
def import_template(request, kind: str):
    """A blank template for one kind of imported file (no one's data), for who may import such files."""
    from urllib.parse import quote

    from django.http import Http404, HttpResponse

    from bangfu.ingest.blanks import blank_write, blanks

    blank = blanks().get(kind)
    if blank is None:
        raise Http404(_("没有这种模板"))
    if not request.user.can(blank.capability):
        raise PermissionDenied(_("您的角色不能导入此类文件"))
    buffer = io.BytesIO()
    blank_write(buffer, blank)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(blank.file_name)}"
    return response
