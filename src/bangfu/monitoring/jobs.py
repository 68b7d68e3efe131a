"""Screening, and a department file's preview and commit, as background jobs: the page starts them, the worker
runs them, the page shows their progress."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.jobs.services import JobFailure, job_kind, job_partial_path, job_record
from bangfu.monitoring.engine.spark import SparkUnavailable
from bangfu.monitoring.services import screening_run, screening_run_fail, screening_runs_for_subtree

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
    actor, county = job.requested_by, job.params.get("county")
    record = lambda run: job_record(job, run.pk)  # noqa: E731
    try:  # on the engine the deployment sets (BANGFU_SCREEN_ENGINE, read by screening_run)
        if county or not (actor and actor.region_id and actor.region.level in ("province", "city")):
            runs = [screening_run(actor=actor, county=county, step=step, started=record)]
        else:  # a prefecture or province administrator: one run per county of their subtree
            runs = screening_runs_for_subtree(actor=actor, step=step, started=record)
    except SparkUnavailable as error:  # the run ended failed with the same words; the job says them too
        raise JobFailure(str(error)) from None
    return _("筛查完成：新预警 %(created)s 条，更新证据 %(updated)s 条，用时 %(seconds)s 秒") % {
        "created": sum(r.created for r in runs), "updated": sum(r.updated for r in runs),
        "seconds": round(sum(r.seconds for r in runs), 3)}


ERRORS_SHOWN = 1000  # on the page; the downloaded report has them all


def _feed_check(job, run, progress, *, commit: bool):
    """Check (or commit) the run's file. A preview without choices of its own, of a file whose shape was mapped
    before, is read again with the remembered choices (the shape is known once the file is read)."""
    from bangfu.ingest.selectors import import_mapping_for
    from bangfu.monitoring.feed_import import RUN_PREFIX, FeedFileError, feed_file_check, feed_upload_commit

    kind, path = run.kind.removeprefix(RUN_PREFIX), Path(run.file_path)

    def check():
        if commit:
            return feed_upload_commit(actor=job.requested_by, kind=kind, period=run.period, path=path,
                                      file_name=run.file_name, mapping=dict(run.mapping), progress=progress)
        return None, feed_file_check(actor=job.requested_by, kind=kind, period=run.period, path=path,
                                     mapping=dict(run.mapping), progress=progress)

    def remembered(workbook) -> bool:
        if commit or run.mapping or workbook is None:
            return False
        run.mapping = import_mapping_for(kind=run.kind, shape=workbook.shape)
        run.save(update_fields=["mapping"])
        return bool(run.mapping)

    try:
        try:
            result = check()
        except FeedFileError as error:
            if not remembered(error.workbook):
                raise
            return check()
        return check() if remembered(result[1].workbook) else result
    except FeedFileError as error:
        if error.workbook is not None:  # a required column not found: offer the unknown columns to map
            run.report = {"file_error": error.message, **_columns(error.workbook)}
            run.save(update_fields=["report"])
        raise JobFailure(error.message) from None
    except ValidationError as error:
        raise JobFailure("；".join(error.messages)) from None


def _columns(workbook) -> dict:
    return {"shape": workbook.shape,
            "unknown": [{"sheet": s.name, "letter": c.letter, "header": c.header, "header_key": c.header_key}
                        for s, c in workbook.unknown_columns]}


def _feed_summary(report) -> dict:
    return {**_columns(report.workbook), "counts": {"rows": report.rows, "matched": report.matched, "unmatched": report.unmatched,
                      "invalid": report.invalid, "duplicates": report.duplicates},
            "not_imported": report.not_imported, "error_total": len(report.errors),
            "errors": [e.as_dict() for e in report.errors[:ERRORS_SHOWN]]}


def _feed_report_write(job, report, title: str):
    from bangfu.ingest.report import rows_report_write

    path = job_partial_path(job, ".xlsx")
    rows_report_write(path, workbook=report.workbook, errors=report.errors, lines=[
        ("文件", report.workbook.name), ("数据月份", report.period), ("数据行数", report.rows),
        ("匹配成功", report.matched), ("未匹配", report.unmatched), ("无效行", report.invalid),
        ("重复行", report.duplicates)])
    return title, path


def _end_import(job, message: str) -> None:
    from bangfu.ingest.services import import_run_fail

    import_run_fail(job.params["run"], message=message)


@job_kind("feed_import_preview", on_worker_death=_end_import)
def feed_import_preview_run(job, progress):
    from bangfu.ingest.models import ImportRun

    run = ImportRun.objects.get(pk=job.params["run"])
    _upload, report = _feed_check(job, run, progress, commit=False)
    run.report = _feed_summary(report)
    run.status = ImportRun.Status.PREVIEWED
    run.save(update_fields=["report", "status"])
    return _feed_report_write(job, report, _("导入检查-%(name)s.xlsx") % {"name": run.file_name.rsplit(".", 1)[0]})


@job_kind("feed_import_commit", on_worker_death=_end_import)
def feed_import_commit_run(job, progress):
    from bangfu.ingest.models import ImportRun

    run = ImportRun.objects.get(pk=job.params["run"])
    upload, report = _feed_check(job, run, progress, commit=True)
    run.report = {**_feed_summary(report), "upload": upload.pk, "committed_at": timezone.now().isoformat()}
    run.status = ImportRun.Status.COMMITTED
    run.save(update_fields=["report", "status"])
    Path(run.file_path).unlink(missing_ok=True)  # it holds full ID numbers; the upload keeps the problem list
    return _feed_report_write(job, report, _("导入结果-%(name)s.xlsx") % {"name": run.file_name.rsplit(".", 1)[0]})
