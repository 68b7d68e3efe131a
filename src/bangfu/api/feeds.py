"""Department files from department systems (部门数据接口): the same preview report and commit as the upload page
(monitoring.feed_import's services, the same checks, messages and history), for a token with the `feeds` scope.

    POST /api/v1/feeds/{kind}?period=YYYY-MM   (multipart, field `file`)  -> the run, with its preview report
    GET  /api/v1/feeds/runs/{id}                                          -> the run as it is now
    POST /api/v1/feeds/runs/{id}/commit                                   -> write the previewed good rows
    POST /api/v1/feeds/runs/{id}/discard                                  -> drop the file, write nothing

Previews and commits run in the background like the page's; `wait` (seconds, up to 60) holds the answer until
the step has finished, so a script can post and read the report in one call.
"""

import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from bangfu.accounts.models import ApiToken
from bangfu.api.auth import auth_for
from bangfu.api.errors import ERRORS, ErrorOut, validation_message

router = Router(tags=["部门数据"], auth=auth_for(ApiToken.Scope.FEEDS))

WAIT_STEP = 0.25


class FeedRunOut(Schema):
    id: int
    kind: str
    period: str
    file_name: str
    status: str             # uploaded (preview running) / previewed / committed / failed
    status_label: str
    message: str = ""       # why it failed, in Chinese
    report: dict            # counts, problems by sheet/row/column/rule (the first 200), columns not recognised
    upload_id: int | None = None


class WaitQuery(Schema):
    wait: int = Field(0, ge=0, le=60, description="最多等待多少秒，直到预览或导入完成")


class FeedPostQuery(WaitQuery):
    period: str = Field(..., max_length=20, description="数据月份 YYYY-MM，如 2026-10")


def _require_upload(request) -> None:
    if not request.user.can("monitoring.feed_upload"):
        raise PermissionDenied(_("您的角色不能上传部门数据"))


def _run_for(request, run_id: int):
    from bangfu.ingest.selectors import import_run_get_for_user
    from bangfu.monitoring.feed_import import RUN_PREFIX

    _require_upload(request)
    run = import_run_get_for_user(request.user, pk=run_id)  # the uploader's own (the file holds ID numbers)
    if not run.kind.startswith(RUN_PREFIX):
        raise Http404(_("没有找到该上传"))
    return run


def _settled(run) -> bool:
    job = run.job
    return job is None or job.is_finished


def _wait(run, seconds: int):
    deadline = time.monotonic() + seconds
    while not _settled(run) and time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        run.refresh_from_db()
        if run.job is not None:
            run.job.refresh_from_db()
    return run


def _out(run) -> dict:
    from bangfu.monitoring.feed_import import RUN_PREFIX

    status, message = run.status, ""
    job = run.job
    if job is not None and job.status == job.Status.FAILED and run.status != run.Status.COMMITTED:
        status, message = run.Status.FAILED, job.message
    elif run.report.get("discarded"):
        message = _("已放弃，未写入任何数据")
    elif run.report.get("error"):
        message = run.report["error"]
    return {"id": run.pk, "kind": run.kind.removeprefix(RUN_PREFIX), "period": run.period, "file_name": run.file_name,
            "status": status, "status_label": str(run.Status(status).label), "message": message,
            "report": {k: v for k, v in run.report.items() if k not in ("upload", "discarded", "error")},
            "upload_id": run.report.get("upload")}


# The file's type is read from its name's extension (as on the upload page), so a client must send the name:
# `curl -F file=@医保2026-10.xlsx` does. The schema says so, and gives clients (and the schema tests) a name.
FILE_PART = {"requestBody": {"content": {"multipart/form-data": {"encoding": {"file": {"headers": {
    "Content-Disposition": {"description": "文件名须带扩展名 .xlsx、.xls、.ods 或 .csv",
                            "schema": {"type": "string", "example": 'form-data; name="file"; filename="medical-2026-10.xlsx"'}},
}}}}}}}


@router.post("/{kind}", response={202: FeedRunOut, 400: ErrorOut, 404: ErrorOut, **ERRORS},
             summary="上报一个月的部门数据文件（先预览，确认后导入）", openapi_extra=FILE_PART)
def feed_post(request, kind: str, params: Query[FeedPostQuery], file: File[UploadedFile]):
    from bangfu.monitoring.feed_import import feed_run_start

    _require_upload(request)
    try:
        run = feed_run_start(actor=request.user, upload=file, kind=kind, period=params.period)
    except ValidationError as error:
        return Status(400, {"detail": validation_message(error)})
    return Status(202, _out(_wait(run, params.wait)))


@router.get("/runs/{run_id}", response={200: FeedRunOut, 404: ErrorOut, **ERRORS}, summary="上报文件的预览或导入结果")
def feed_run_get(request, run_id: int, waiting: Query[WaitQuery]):
    return Status(200, _out(_wait(_run_for(request, run_id), waiting.wait)))


@router.post("/runs/{run_id}/commit", response={202: FeedRunOut, 400: ErrorOut, 404: ErrorOut, **ERRORS},
             summary="确认导入预览无误的文件")
def feed_run_commit(request, run_id: int, waiting: Query[WaitQuery]):
    from bangfu.monitoring.feed_import import feed_run_commit as commit

    run = _run_for(request, run_id)
    try:
        run = commit(actor=request.user, run=run)
    except ValidationError as error:
        return Status(400, {"detail": validation_message(error)})
    run.refresh_from_db()
    return Status(202, _out(_wait(run, waiting.wait)))


@router.post("/runs/{run_id}/discard", response={200: FeedRunOut, 400: ErrorOut, 404: ErrorOut, **ERRORS},
             summary="放弃上报的文件（不写入任何数据）")
def feed_run_discard(request, run_id: int):
    from bangfu.monitoring.feed_import import feed_run_discard as discard

    run = _run_for(request, run_id)
    try:
        discard(actor=request.user, run=run)
    except ValidationError as error:
        return Status(400, {"detail": validation_message(error)})
    run.refresh_from_db()
    return Status(200, _out(run))
