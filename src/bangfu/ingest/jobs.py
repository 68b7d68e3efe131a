"""The import's background work: previewing an uploaded ledger and committing it, with progress."""

from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.ingest.households import HOUSEHOLDS, ImportPlan, households_import_plan
from bangfu.ingest.models import ImportRun
from bangfu.ingest.reader import ReadError
from bangfu.ingest.report import error_report_write
from bangfu.ingest.selectors import import_mapping_for
from bangfu.jobs.services import JobFailure, job_kind, job_partial_path

PREVIEW = "household_import_preview"
COMMIT = "household_import_commit"
ERRORS_SHOWN = 1000  # on the page; the downloaded report has them all


def _plan(job, run: ImportRun, progress, *, count_hits: bool) -> ImportPlan:
    """Plan the run's file. A preview counts the ID numbers it finds registered elsewhere toward the hourly
    duplicate-check limit (once, however often it reads the file); a commit re-reads a file already counted."""
    from bangfu.registry.services import duplicate_check_refuse_if_locked, duplicate_hits_count

    mapping = dict(run.mapping)
    if count_hits:
        duplicate_check_refuse_if_locked(job.requested_by)
    try:
        plan = households_import_plan(actor=job.requested_by, source=run.file_path, name=run.file_name,
                                      year=run.year, mapping=mapping, progress=progress, count_hits=False)
        remembered = import_mapping_for(kind=run.kind, shape=plan.workbook.shape)
        if remembered and not mapping:
            # A file of a shape mapped before: read it again with the remembered choices.
            run.mapping = remembered
            plan = households_import_plan(actor=job.requested_by, source=run.file_path, name=run.file_name,
                                          year=run.year, mapping=remembered, progress=progress, count_hits=False)
    except ReadError as error:
        raise JobFailure(error.message) from None
    if count_hits:
        duplicate_hits_count(job.requested_by, plan.elsewhere)
    return plan


def _summary(plan: ImportPlan) -> dict:
    labels = {f.key: f.label for f in HOUSEHOLDS.fields}
    return {
        "counts": plan.counts(), "households": plan.household_count, "members": plan.member_count,
        "year": plan.year, "defaults": plan.defaults_text(), "notices": plan.notices,
        "error_total": len(plan.errors), "errors": [e.as_dict() for e in plan.errors[:ERRORS_SHOWN]],
        "shape": plan.workbook.shape, "skipped_sheets": plan.workbook.skipped_sheets,
        "sheets": [{"name": s.name, "header_rows": list(s.header_rows), "rows": len(s.rows), "skipped": s.skipped,
                    "hidden_rows": s.hidden_rows,
                    "columns": [{"letter": c.letter, "header": c.header, "key": c.key or "",
                                 "label": labels.get(c.key or "", ""), "hidden": c.hidden, "ignored": c.ignored}
                                for c in s.columns if c.header]} for s in plan.workbook.sheets],
        "unknown": [{"sheet": s.name, "letter": c.letter, "header": c.header, "header_key": c.header_key}
                    for s, c in plan.workbook.unknown_columns],
    }


def _end_run(job, message: str) -> None:
    from bangfu.ingest.services import import_run_fail

    import_run_fail(job.params["run"], message=message)


@job_kind(PREVIEW, on_worker_death=_end_run)
def household_import_preview_run(job, progress):
    run = ImportRun.objects.get(pk=job.params["run"])
    plan = _plan(job, run, progress, count_hits=True)
    run.report = _summary(plan)
    run.status = ImportRun.Status.PREVIEWED
    run.save(update_fields=["report", "status", "mapping"])
    path = job_partial_path(job, ".xlsx")
    error_report_write(path, plan)
    return _("导入检查-%(name)s.xlsx") % {"name": run.file_name.rsplit(".", 1)[0]}, path


@job_kind(COMMIT, on_worker_death=_end_run)
def household_import_commit_run(job, progress):
    from bangfu.ingest.services import households_import_commit

    run = ImportRun.objects.get(pk=job.params["run"])
    plan = _plan(job, run, progress, count_hits=False)
    written = households_import_commit(actor=job.requested_by, plan=plan, progress=progress)
    run.report = {**_summary(plan), "committed": written, "committed_at": timezone.now().isoformat()}
    run.status = ImportRun.Status.COMMITTED
    run.save(update_fields=["report", "status", "mapping"])
    path = job_partial_path(job, ".xlsx")
    error_report_write(path, plan)
    # The uploaded file holds full ID numbers: once imported it is not kept (the result report has the rows
    # that were not imported, for fixing).
    Path(run.file_path).unlink(missing_ok=True)
    return _("导入结果-%(name)s.xlsx") % {"name": run.file_name.rsplit(".", 1)[0]}, path
